import Foundation

/// A webhook URL that passed ``WebhookTarget/parse(_:allowLoopback:)``: where to
/// connect and which host name to resolve and pin.
public struct WebhookTarget: Sendable, Equatable {
    /// The URL as given (trimmed).
    public var url: String
    /// `https`, or `http` for a loopback target when loopback is allowed.
    public var scheme: String
    /// The host to resolve, lower-cased, without IPv6 brackets.
    public var host: String
    /// The port to connect to (443 or 80 unless the URL names one).
    public var port: Int
    /// The address when the host is an IP literal (nothing to resolve).
    public var literalAddress: [UInt8]?

    /// The longest URL accepted.
    public static let maximumLength = 2048

    /// Reads and checks a subscription URL: absolute `https` with a host, no user
    /// name or password, no fragment; an IP-literal host must itself be allowed by
    /// ``NetworkAddressPolicy``. Numeric host forms other than a dotted quad (such as
    /// `2130706433` or `0x7f.1`) are refused, since resolvers read them as addresses.
    /// `http` is accepted only when `allowLoopback` (tests), and then only for a loopback
    /// address or a name that must resolve to loopback addresses only. Throws ``WebhookTargetError`` with the reason.
    public static func parse(_ text: String, allowLoopback: Bool = false) throws(WebhookTargetError) -> WebhookTarget {
        let url = text.trimmingCharacters(in: .whitespaces)
        guard !url.isEmpty else { throw .init("must not be empty") }
        guard url.utf8.count <= maximumLength else { throw .init("must be at most \(maximumLength) bytes") }
        guard url.unicodeScalars.allSatisfy({ $0.isASCII && $0.value > 0x20 && $0.value != 0x7F }) else {
            throw .init("must be ASCII without spaces or control characters")
        }
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased() else {
            throw .init("is not an absolute URL")
        }
        guard scheme == "https" || scheme == "http" else { throw .init("must use https") }
        guard components.user == nil, components.password == nil else { throw .init("must not carry a user name or password") }
        guard components.fragment == nil else { throw .init("must not have a fragment") }
        guard var host = components.host?.lowercased(), !host.isEmpty else { throw .init("must name a host") }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if host.hasSuffix(".") { host.removeLast() }
        guard !host.isEmpty, !host.contains("%") else { throw .init("must name a host") }
        let port = components.port ?? (scheme == "https" ? 443 : 80)
        guard (1...65535).contains(port) else { throw .init("has an invalid port") }

        var literal: [UInt8]?
        if host.contains(":") {
            guard let address = NetworkAddressPolicy.parse(host) else { throw .init("has an invalid IPv6 address") }
            literal = address
        } else if let last = host.split(separator: ".").last, last.allSatisfy({ $0.isNumber }) || last.hasPrefix("0x") {
            guard let address = NetworkAddressPolicy.parse(host) else {
                throw .init("has a numeric host that is not a dotted IPv4 address")
            }
            literal = address
        } else {
            let labels = host.split(separator: ".", omittingEmptySubsequences: false)
            guard labels.allSatisfy({ !$0.isEmpty && $0.count <= 63 && $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" } }) else {
                throw .init("has an invalid host name")
            }
            if host == "localhost" || host.hasSuffix(".localhost") {
                literal = nil
                if !allowLoopback { throw .init("must not point at this machine (localhost)") }
            }
        }
        if let literal, let refusal = NetworkAddressPolicy.refusal(of: literal, allowLoopback: allowLoopback) {
            throw .init("points at \(refusal)")
        }
        // Plain http only with the test allowance, and only to this machine: a literal must be
        // loopback here; a name is held to it when it is resolved (``pinnedAddress(from:allowLoopback:)``).
        if scheme == "http" {
            guard allowLoopback, literal.map(NetworkAddressPolicy.isLoopback) ?? true else { throw .init("must use https") }
        }
        return WebhookTarget(url: url, scheme: scheme, host: host, port: port, literalAddress: literal)
    }

    /// Checks the addresses the host resolved to: every one must be allowed (a host
    /// that resolves to one public and one private address is refused), and there
    /// must be one. Returns the address to pin the connection to.
    public func pinnedAddress(from resolved: [[UInt8]], allowLoopback: Bool = false) throws(WebhookTargetError) -> [UInt8] {
        if let literalAddress { return literalAddress }
        guard let first = resolved.first else { throw .init("host \(host) did not resolve") }
        for address in resolved {
            if let refusal = NetworkAddressPolicy.refusal(of: address, allowLoopback: allowLoopback) {
                throw .init("host \(host) resolves to \(refusal)")
            }
        }
        if scheme == "http", !resolved.allSatisfy(NetworkAddressPolicy.isLoopback) {
            throw .init("must use https")
        }
        return first
    }
}
