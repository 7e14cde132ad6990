import Foundation
import ReminderDomain
import Testing

@Suite("Webhook targets: URL rules and the address policy against SSRF")
struct WebhookTargetTests {
    static let refusedAddresses: [String] = [
        "0.0.0.0", "0.1.2.3", "10.0.0.1", "10.255.255.255", "100.64.0.1", "100.127.255.254", "127.0.0.1", "127.1.2.3",
        "169.254.0.1", "169.254.169.254", "172.16.0.1", "172.31.255.255", "192.168.0.1", "192.168.255.255", "192.0.0.8",
        "198.18.0.1", "224.0.0.1", "239.255.255.250", "255.255.255.255", "240.0.0.1",
        "::", "::1", "fc00::1", "fd12:3456::1", "fe80::1", "febf::1", "ff02::1",
        "::ffff:127.0.0.1", "::ffff:10.1.2.3", "::ffff:169.254.169.254", "::ffff:192.168.1.1", "::10.0.0.1", "64:ff9b::a9fe:a9fe",
    ]
    static let allowedAddresses: [String] = [
        "93.184.216.34", "1.1.1.1", "8.8.8.8", "100.63.255.255", "100.128.0.1", "172.15.255.255", "172.32.0.1", "169.253.1.1",
        "192.167.1.1", "11.0.0.1", "2606:4700:4700::1111", "2001:db8::1", "::ffff:93.184.216.34",
    ]

    @Test("private, loopback, link-local, metadata, multicast and mapped forms are refused", arguments: refusedAddresses)
    func refused(text: String) throws {
        let address = try #require(NetworkAddressPolicy.parse(text), "\(text) parses")
        #expect(NetworkAddressPolicy.refusal(of: address) != nil, "\(text) must be refused")
    }

    @Test("public unicast addresses are allowed", arguments: allowedAddresses)
    func allowed(text: String) throws {
        let address = try #require(NetworkAddressPolicy.parse(text), "\(text) parses")
        #expect(NetworkAddressPolicy.refusal(of: address) == nil, "\(text) must be allowed")
    }

    @Test("the loopback allowance lets 127/8, ::1 and their mapped form through, nothing else")
    func loopbackAllowance() throws {
        for text in ["127.0.0.1", "127.9.9.9", "::1", "::ffff:127.0.0.1"] {
            #expect(NetworkAddressPolicy.refusal(of: try #require(NetworkAddressPolicy.parse(text)), allowLoopback: true) == nil)
        }
        for text in ["10.0.0.1", "169.254.169.254", "192.168.1.1", "fe80::1", "fc00::1", "0.0.0.0"] {
            #expect(NetworkAddressPolicy.refusal(of: try #require(NetworkAddressPolicy.parse(text)), allowLoopback: true) != nil)
        }
    }

    @Test("address text: dotted quads without leading zeros, IPv6; formatting round-trips")
    func parsing() {
        #expect(NetworkAddressPolicy.parse("010.0.0.1") == nil)
        #expect(NetworkAddressPolicy.parse("1.2.3") == nil)
        #expect(NetworkAddressPolicy.parse("256.1.1.1") == nil)
        #expect(NetworkAddressPolicy.parse("example.com") == nil)
        #expect(NetworkAddressPolicy.format([93, 184, 216, 34]) == "93.184.216.34")
        #expect(NetworkAddressPolicy.format(NetworkAddressPolicy.parse("2001:db8::1")!) == "2001:db8::1")
        #expect(NetworkAddressPolicy.refusal(of: [1, 2, 3]) != nil)
    }

    @Test("https URLs with a host name pass and keep host and port")
    func goodURLs() throws {
        let target = try WebhookTarget.parse("https://Hooks.Example.com/in/abc?x=1")
        #expect(target.host == "hooks.example.com")
        #expect(target.port == 443)
        #expect(target.literalAddress == nil)
        let withPort = try WebhookTarget.parse("https://hooks.example.com:8443/x")
        #expect(withPort.port == 8443)
        let literal = try WebhookTarget.parse("https://[2606:4700:4700::1111]/x")
        #expect(literal.host == "2606:4700:4700::1111")
        #expect(literal.literalAddress != nil)
    }

    static let badURLs: [String] = [
        "", "   ", "http://hooks.example.com/x", "ftp://hooks.example.com/x", "file:///etc/passwd", "gopher://x/", "hooks.example.com/x",
        "https://user:pass@hooks.example.com/x", "https://hooks.example.com@169.254.169.254/x", "https://hooks.example.com/x#frag",
        "https://127.0.0.1/x", "https://10.0.0.1/x", "https://169.254.169.254/latest/meta-data", "https://[::1]/x",
        "https://[::ffff:169.254.169.254]/x", "https://[fe80::1]/x", "https://2130706433/x", "https://0x7f.0.0.1/x", "https://0177.0.0.1/x",
        "https://127.1/x", "https://localhost/x", "https://api.localhost/x", "https://hooks.example.com:0/x", "https://exa mple.com/x",
        "https://hooks.example.com/\u{0}", "https:///x", "https://[fe80::1%25eth0]/x",
    ]

    @Test("non-https, credentials, fragments, internal literals and numeric host tricks are refused", arguments: badURLs)
    func badURL(text: String) {
        #expect(throws: WebhookTargetError.self, "\(text.debugDescription) must be refused") { try WebhookTarget.parse(text) }
    }

    @Test("plain http only for loopback, and only with the test allowance")
    func loopbackHTTP() throws {
        #expect(throws: WebhookTargetError.self) { try WebhookTarget.parse("http://127.0.0.1:8080/x") }
        let allowed = try WebhookTarget.parse("http://127.0.0.1:8080/x", allowLoopback: true)
        #expect(allowed.port == 8080)
        #expect(throws: WebhookTargetError.self) { try WebhookTarget.parse("http://93.184.216.34/x", allowLoopback: true) }
        #expect(throws: WebhookTargetError.self) { try WebhookTarget.parse("http://10.0.0.1/x", allowLoopback: true) }
        #expect(throws: WebhookTargetError.self) { try WebhookTarget.parse("http://hooks.example.test/x") }
        let other = try WebhookTarget.parse("http://hooks.example.test/x", allowLoopback: true)
        #expect(throws: WebhookTargetError.self) { try other.pinnedAddress(from: [[127, 0, 0, 1], [93, 184, 216, 34]], allowLoopback: true) }
        let name = try WebhookTarget.parse("http://localhost:9/x", allowLoopback: true)
        #expect(throws: WebhookTargetError.self) { try name.pinnedAddress(from: [[93, 184, 216, 34]], allowLoopback: true) }
        #expect(try name.pinnedAddress(from: [[127, 0, 0, 1]], allowLoopback: true) == [127, 0, 0, 1])
    }

    @Test("every resolved address must pass: one private answer among public ones refuses the host")
    func resolvedAddresses() throws {
        let target = try WebhookTarget.parse("https://hooks.example.com/x")
        #expect(try target.pinnedAddress(from: [[93, 184, 216, 34], [1, 1, 1, 1]]) == [93, 184, 216, 34])
        #expect(throws: WebhookTargetError.self) { try target.pinnedAddress(from: [[93, 184, 216, 34], [169, 254, 169, 254]]) }
        #expect(throws: WebhookTargetError.self) { try target.pinnedAddress(from: [[10, 0, 0, 1]]) }
        #expect(throws: WebhookTargetError.self) { try target.pinnedAddress(from: []) }
        #expect(throws: WebhookTargetError.self) { try target.pinnedAddress(from: [NetworkAddressPolicy.parse("::ffff:127.0.0.1")!]) }
    }
}

@Suite("Webhook secrets: the whsec_ form and its strength")
struct WebhookSecretTests {
    @Test("whsec_ + base64 of 24 to 64 bytes reads; the text round-trips")
    func reads() throws {
        let secret = try WebhookSecret(text: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        #expect(secret.bytes.count == 24)
        #expect(secret.text == "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        let generated = WebhookSecret.generate()
        #expect(generated.bytes.count == 32)
        #expect(try WebhookSecret(text: generated.text) == generated)
        #expect(WebhookSecret.generate() != generated)
    }

    @Test("refused: no prefix, not base64, too short, too long, one repeated byte", arguments: [
        "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_not base64!", "whsec_c2hvcnQ=", "whsec_" + Data(repeating: 7, count: 32).base64EncodedString(),
        "whsec_" + Data((0..<65).map { UInt8($0) }).base64EncodedString(), "whsec_" + Data((0..<23).map { UInt8($0) }).base64EncodedString(),
    ])
    func refused(text: String) {
        #expect(throws: WebhookSecretError.self) { try WebhookSecret(text: text) }
    }

    @Test("interpolating a secret never shows its key")
    func redacted() {
        let secret = WebhookSecret.generate()
        #expect(!"\(secret)".contains(Data(secret.bytes).base64EncodedString()))
        #expect("\(secret)" == "whsec_(redacted)")
    }
}
