import Testing
@testable import ReminderGateway

@Suite("JWT secret policy")
struct JWTSecretPolicyTests {
    @Test("empty is always refused; short and placeholder secrets only in demo mode")
    func secrets() {
        let strong = "k3V9pQ2mX8rT1wZ6yB4nH7jL0cF5sD2gA9eU3iO8" // 40 bytes, no marker
        #expect(JWTSecretPolicy.problem(with: strong, demo: false) == nil)
        #expect(JWTSecretPolicy.problem(with: "", demo: true) != nil)
        #expect(JWTSecretPolicy.problem(with: "", demo: false) != nil)
        let short = String(strong.prefix(31))
        #expect(JWTSecretPolicy.problem(with: short, demo: false)?.contains("31 bytes") == true)
        #expect(JWTSecretPolicy.problem(with: String(strong.prefix(32)), demo: false) == nil)
        #expect(JWTSecretPolicy.problem(with: short, demo: true) == nil)
        for placeholder in ["dev-only-jwt-secret-NOT-FOR-PRODUCTION", "change-me-change-me-change-me-change-me", "CHANGEME" + strong,
                            strong + "-placeholder", "your-secret-goes-here-0123456789abcdef", "example-example-example-example-00"] {
            #expect(JWTSecretPolicy.problem(with: placeholder, demo: false)?.contains("placeholder") == true, "\(placeholder)")
            #expect(JWTSecretPolicy.problem(with: placeholder, demo: true) == nil)
        }
        // Bytes, not characters: 16 two-byte letters are 32 bytes.
        #expect(JWTSecretPolicy.problem(with: String(repeating: "æ", count: 16), demo: false) == nil)
        #expect(JWTSecretPolicy.problem(with: String(repeating: "æ", count: 15), demo: false) != nil)
    }
}

@Suite("E-mail domain policy")
struct EmailDomainPolicyTests {
    @Test("empty setting: the sender's domain only; case-insensitive; subdomains are other domains")
    func defaultsToSenderDomain() {
        let policy = EmailDomainPolicy(setting: "", senderAddress: "noreply@BMCnetworks.dk")
        #expect(policy == .only(["bmcnetworks.dk"]))
        #expect(policy.allows("anna@bmcnetworks.dk"))
        #expect(policy.allows("Anna@BMCNETWORKS.DK"))
        #expect(!policy.allows("anna@mail.bmcnetworks.dk"))
        #expect(!policy.allows("anna@bmcnetworks.dk.evil.test"))
        #expect(!policy.allows("bmcnetworks.dk"))
        #expect(!policy.allows("anna@"))
    }

    @Test("a list by commas or spaces, with or without @; * allows any")
    func lists() {
        let policy = EmailDomainPolicy(setting: "example.com, @Partner.test other.org", senderAddress: "x@bmcnetworks.dk")
        #expect(policy == .only(["example.com", "partner.test", "other.org"]))
        #expect(policy.allows("a@partner.test"))
        #expect(!policy.allows("a@bmcnetworks.dk"))
        #expect(EmailDomainPolicy(setting: "*", senderAddress: "x@y.z") == .any)
        #expect(EmailDomainPolicy(setting: "*", senderAddress: "x@y.z").allows("who@ever.test"))
        #expect(EmailDomainPolicy(setting: "", senderAddress: "no-at-sign") == .only([]))
        #expect(!EmailDomainPolicy(setting: "", senderAddress: "no-at-sign").allows("a@b.c"))
    }

    @Test("addresses a reminder already had stay allowed; new ones are checked; the error names the field")
    func keptAddresses() throws {
        let policy = EmailDomainPolicy.only(["ok.test"])
        try policy.requireRecipients(["old@outside.test", "new@ok.test"], previously: ["OLD@outside.test"])
        do {
            try policy.requireRecipients(["a@ok.test", "b@outside.test"], previously: [])
            Issue.record("an outside address was accepted")
        } catch {
            #expect(error.status == .unprocessableContent)
            #expect(error.field == "recipient_emails[1]")
        }
    }
}

@Suite("Reminder access")
struct ReminderAccessTests {
    @Test("creator, recipients and administrators are involved; nobody else", arguments: [
        (Caller(userID: 1, isAdmin: false), true),   // creator
        (Caller(userID: 2, isAdmin: false), true),   // recipient
        (Caller(userID: 3, isAdmin: false), true),   // recipient
        (Caller(userID: 4, isAdmin: false), false),  // someone else on the case
        (Caller(userID: 4, isAdmin: true), true),    // an administrator
    ])
    func involvement(caller: Caller, expected: Bool) {
        #expect(ReminderAccess.isInvolved(caller, createdBy: 1, recipients: [2, 3]) == expected)
    }

    @Test("a reminder without a creator is changed by its recipients and administrators only")
    func noCreator() {
        #expect(!ReminderAccess.isInvolved(Caller(userID: 1, isAdmin: false), createdBy: nil, recipients: [2]))
        #expect(ReminderAccess.isInvolved(Caller(userID: 2, isAdmin: false), createdBy: nil, recipients: [2]))
        #expect(ReminderAccess.refusal(9).status == .forbidden)
        #expect(ReminderAccess.refusal(9).field == "reminder_id")
    }
}
