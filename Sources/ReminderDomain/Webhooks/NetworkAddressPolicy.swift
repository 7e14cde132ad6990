import Foundation

/// Which network addresses a webhook may be sent to: public unicast only, so the
/// channel cannot reach the services beside it (server-side request forgery).
///
/// Refused: `0.0.0.0/8`, `10.0.0.0/8`, `100.64.0.0/10` (carrier-grade NAT),
/// `127.0.0.0/8` (loopback), `169.254.0.0/16` (link-local, including the cloud
/// metadata address `169.254.169.254`), `172.16.0.0/12`, `192.168.0.0/16`,
/// `192.0.0.0/24`, `198.18.0.0/15`, multicast and reserved `224.0.0.0/3`; for IPv6
/// `::` and `::1`, `fc00::/7` (unique local), `fe80::/10` (link-local), `ff00::/8`
/// (multicast), and IPv4-mapped (`::ffff:a.b.c.d`), IPv4-compatible and NAT64
/// (`64:ff9b::/96`) forms of the refused IPv4 ranges.
public enum NetworkAddressPolicy {
    /// Why `address` (4 or 16 bytes, network order) is refused, or `nil` when it is
    /// allowed. Loopback (`127.0.0.0/8`, `::1`) is allowed only when `allowLoopback`
    /// (a test-only switch).
    public static func refusal(of address: [UInt8], allowLoopback: Bool = false) -> String? {
        switch address.count {
        case 4: return refusal(ipv4: address, allowLoopback: allowLoopback)
        case 16: return refusal(ipv6: address, allowLoopback: allowLoopback)
        default: return "not an IP address"
        }
    }

    /// Whether `address` is a loopback address (`127.0.0.0/8`, `::1` or the IPv4-mapped form).
    public static func isLoopback(_ address: [UInt8]) -> Bool {
        if address.count == 4 { return address[0] == 127 }
        if address.count == 16 {
            if address == [UInt8](repeating: 0, count: 15) + [1] { return true }
            if let embedded = embeddedIPv4(address) { return embedded[0] == 127 }
        }
        return false
    }

    private static func refusal(ipv4 a: [UInt8], allowLoopback: Bool) -> String? {
        switch (a[0], a[1]) {
        case (0, _): return "a 'this network' address (0.0.0.0/8)"
        case (10, _): return "a private address (10.0.0.0/8)"
        case (100, 64...127): return "a shared carrier address (100.64.0.0/10)"
        case (127, _): return allowLoopback ? nil : "a loopback address (127.0.0.0/8)"
        case (169, 254): return "a link-local or metadata address (169.254.0.0/16)"
        case (172, 16...31): return "a private address (172.16.0.0/12)"
        case (192, 168): return "a private address (192.168.0.0/16)"
        case (192, 0) where a[2] == 0: return "a protocol assignment address (192.0.0.0/24)"
        case (198, 18...19): return "a benchmarking address (198.18.0.0/15)"
        case (224..., _): return "a multicast or reserved address (224.0.0.0/3)"
        default: return nil
        }
    }

    private static func refusal(ipv6 a: [UInt8], allowLoopback: Bool) -> String? {
        let zeros = [UInt8](repeating: 0, count: 16)
        if a == zeros { return "the unspecified address (::)" }
        if a == zeros.dropLast() + [1] { return allowLoopback ? nil : "a loopback address (::1)" }
        if let embedded = embeddedIPv4(a) {
            return refusal(ipv4: embedded, allowLoopback: allowLoopback).map { "an IPv6 form of \($0)" }
        }
        if a[0] & 0xFE == 0xFC { return "a unique local address (fc00::/7)" }
        if a[0] == 0xFE, a[1] & 0xC0 == 0x80 { return "a link-local address (fe80::/10)" }
        if a[0] == 0xFE, a[1] & 0xC0 == 0xC0 { return "a site-local address (fec0::/10)" }
        if a[0] == 0xFF { return "a multicast address (ff00::/8)" }
        return nil
    }

    /// The IPv4 address inside an IPv4-mapped (`::ffff:0:0/96`), IPv4-compatible
    /// (`::/96`) or NAT64 (`64:ff9b::/96`) IPv6 address.
    static func embeddedIPv4(_ a: [UInt8]) -> [UInt8]? {
        let prefix = Array(a[0..<12])
        let mapped = [UInt8](repeating: 0, count: 10) + [0xFF, 0xFF]
        let compatible = [UInt8](repeating: 0, count: 12)
        let nat64: [UInt8] = [0x00, 0x64, 0xFF, 0x9B] + [UInt8](repeating: 0, count: 8)
        guard prefix == mapped || prefix == compatible || prefix == nat64 else { return nil }
        return Array(a[12..<16])
    }

    /// Reads a textual IPv4 (dotted quad) or IPv6 address; `nil` when `text` is neither.
    public static func parse(_ text: String) -> [UInt8]? {
        if text.contains(":") {
            var storage = in6_addr()
            guard inet_pton(AF_INET6, text, &storage) == 1 else { return nil }
            return withUnsafeBytes(of: &storage) { Array($0) }
        }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var bytes: [UInt8] = []
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy(\.isASCII), part.allSatisfy(\.isNumber),
                  part == "0" || !part.hasPrefix("0"), let value = UInt8(part) else { return nil }
            bytes.append(value)
        }
        return bytes
    }

    /// The address as text, for logs and `CURLOPT_RESOLVE`-style pins (IPv6 without brackets).
    public static func format(_ address: [UInt8]) -> String {
        if address.count == 4 { return address.map(String.init).joined(separator: ".") }
        var storage = in6_addr()
        withUnsafeMutableBytes(of: &storage) { $0.copyBytes(from: address.prefix(16)) }
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        guard inet_ntop(AF_INET6, &storage, &buffer, socklen_t(buffer.count)) != nil else { return "?" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
