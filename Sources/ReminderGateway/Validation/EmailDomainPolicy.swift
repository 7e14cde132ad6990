/// Which domains the API accepts in `recipient_emails` and `email_override`:
/// the reminders go out from the company's sender address, and without a
/// limit anyone with a token could have it mail any outside address.
public enum EmailDomainPolicy: Sendable, Equatable {
    /// Every domain (`REMINDERS_ALLOWED_EMAIL_DOMAINS=*`).
    case any
    /// Only these domains, lowercased; a subdomain is a different domain.
    case only(Set<String>)

    /// Reads `REMINDERS_ALLOWED_EMAIL_DOMAINS`: `*`, or domains separated by
    /// commas or spaces; empty means the domain of `senderAddress`.
    public init(setting: String, senderAddress: String) {
        let items = setting.split(whereSeparator: { $0 == "," || $0 == " " }).map { $0.lowercased() }
        if items.contains("*") {
            self = .any
        } else if !items.isEmpty {
            self = .only(Set(items.map { $0.hasPrefix("@") ? String($0.dropFirst()) : $0 }))
        } else {
            self = .only(Set([Self.domain(of: senderAddress)].compactMap { $0 }))
        }
    }

    /// Whether mail may go to `address`.
    public func allows(_ address: String) -> Bool {
        switch self {
        case .any: true
        case .only(let domains): Self.domain(of: address).map(domains.contains) ?? false
        }
    }

    /// A 422 naming `field` unless mail may go to `address`; one that was there before
    /// (`previously`) stays allowed, so a stricter setting does not block unrelated changes.
    func require(_ address: String, field: String, previously: [String] = []) throws(GatewayError) {
        guard !allows(address), !previously.contains(where: { $0.caseInsensitiveCompare(address) == .orderedSame }) else { return }
        throw .invalid(field, "e-mail may only go to \(summary) (REMINDERS_ALLOWED_EMAIL_DOMAINS)")
    }

    /// A 422 naming `recipient_emails[i]` for the first of `addresses` mail may not go to (see
    /// ``require(_:field:previously:)``).
    func requireRecipients(_ addresses: [String], previously: [String]) throws(GatewayError) {
        for (index, address) in addresses.enumerated() {
            try require(address, field: "recipient_emails[\(index)]", previously: previously)
        }
    }

    /// The allowed domains in words, for error messages.
    var summary: String {
        switch self {
        case .any: "any domain"
        case .only(let domains): domains.isEmpty ? "no domain" : domains.sorted().joined(separator: ", ")
        }
    }

    static func domain(of address: String) -> String? {
        guard let at = address.lastIndex(of: "@") else { return nil }
        let domain = address[address.index(after: at)...].lowercased()
        return domain.isEmpty ? nil : domain
    }
}
