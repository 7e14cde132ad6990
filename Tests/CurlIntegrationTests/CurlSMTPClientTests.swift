import Curl
import Foundation
import IntegrationSupport
import Testing

@Suite("CurlSMTPClient against smtp_sink.py (aiosmtpd)", .timeLimit(.minutes(1)))
struct CurlSMTPClientTests {
    static func message(subject: String, to: String) -> [UInt8] {
        let lines = [
            "From: Reminders <reminders@example.org>",
            "To: \(to)",
            "Subject: \(subject)",
            "Message-ID: <\(UUID().uuidString)@example.org>",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
            "",
            "Your appointment is tomorrow.",
            ".a line starting with a dot survives dot-stuffing",
            "",
        ]
        return Array(lines.joined(separator: "\r\n").utf8)
    }

    @Test("plain send: spooled message and envelope match; two sends share one connection")
    func plainSendTwice() async throws {
        try await withSMTPSink { sink in
            var configuration = SMTPConfiguration(host: "127.0.0.1", port: sink.port)
            configuration.heloName = "reminders.test"
            let client = CurlSMTPClient(configuration: configuration)
            let first = Self.message(subject: "first", to: "a@example.com")
            let second = Self.message(subject: "second", to: "c@example.com")

            try await client.send(from: "reminders@example.org", recipients: ["a@example.com", "b@example.com"], message: first)
            try await client.send(from: "bounces@example.org", recipients: ["c@example.com"], message: second)

            let messages = try sink.messages()
            try #require(messages.count == 2)
            #expect(messages[0].raw == first)
            #expect(messages[0].meta.mail_from == "reminders@example.org")
            #expect(messages[0].meta.rcpt_tos == ["a@example.com", "b@example.com"])
            #expect(messages[0].meta.tls == false)
            #expect(messages[1].raw == second)
            #expect(messages[1].meta.mail_from == "bounces@example.org")
            #expect(messages[1].meta.rcpt_tos == ["c@example.com"])
            let ports = messages.compactMap(\.meta.peerPort)
            #expect(ports.count == 2)
            #expect(Set(ports).count == 1, "the second send should reuse the first SMTP connection")
        }
    }

    @Test("STARTTLS with a self-signed certificate trusted via caCertificatePath, plus AUTH")
    func startTLSWithAuth() async throws {
        let certificate = try await SelfSignedCertificate.make()
        defer { certificate.remove() }
        try await withSMTPSink(arguments: [
            "--tls-cert", certificate.certificatePath, "--tls-key", certificate.keyPath,
            "--require-starttls", "--auth-user", "mailer", "--auth-password", "s3cret-Pa55",
        ]) { sink in
            var configuration = SMTPConfiguration(host: "127.0.0.1", port: sink.port)
            configuration.security = .startTLS
            configuration.caCertificatePath = certificate.certificatePath
            configuration.username = "mailer"
            configuration.password = "s3cret-Pa55"
            let client = CurlSMTPClient(configuration: configuration)
            let message = Self.message(subject: "secure", to: "x@example.com")

            try await client.send(from: "reminders@example.org", recipients: ["x@example.com"], message: message)
            try await client.send(from: "reminders@example.org", recipients: ["y@example.com"], message: message)

            let messages = try sink.messages()
            try #require(messages.count == 2)
            #expect(messages[0].raw == message)
            #expect(messages[0].meta.tls)
            #expect(messages[0].meta.auth_user == "mailer")
            #expect(messages[1].meta.rcpt_tos == ["y@example.com"])
            #expect(messages[1].meta.tls)
        }
    }

    @Test("implicit TLS (smtps) with a trusted self-signed certificate")
    func implicitTLS() async throws {
        let certificate = try await SelfSignedCertificate.make()
        defer { certificate.remove() }
        try await withSMTPSink(arguments: [
            "--tls-cert", certificate.certificatePath, "--tls-key", certificate.keyPath, "--implicit-tls",
        ]) { sink in
            var configuration = SMTPConfiguration(host: "127.0.0.1", port: sink.port)
            configuration.security = .implicitTLS
            configuration.caCertificatePath = certificate.certificatePath
            let client = CurlSMTPClient(configuration: configuration)
            let message = Self.message(subject: "smtps", to: "x@example.com")

            try await client.send(from: "reminders@example.org", recipients: ["x@example.com"], message: message)

            let messages = try sink.messages()
            try #require(messages.count == 1)
            #expect(messages[0].raw == message)
            #expect(messages[0].meta.tls)
        }
    }

    @Test("a wrong password is a non-retriable .authentication error that never shows the password")
    func wrongPassword() async throws {
        let certificate = try await SelfSignedCertificate.make()
        defer { certificate.remove() }
        try await withSMTPSink(arguments: [
            "--tls-cert", certificate.certificatePath, "--tls-key", certificate.keyPath,
            "--require-starttls", "--auth-user", "mailer", "--auth-password", "right-password",
        ]) { sink in
            var configuration = SMTPConfiguration(host: "127.0.0.1", port: sink.port)
            configuration.security = .startTLS
            configuration.caCertificatePath = certificate.certificatePath
            configuration.username = "mailer"
            configuration.password = "Wr0ng-Secret-xyz"
            let client = CurlSMTPClient(configuration: configuration)

            let error = await #expect(throws: CurlError.self) {
                try await client.send(from: "reminders@example.org", recipients: ["x@example.com"], message: Self.message(subject: "s", to: "x@example.com"))
            }

            #expect(error?.code == .authentication)
            #expect(error?.isRetriable == false)
            #expect(error?.responseCode == 535)
            #expect(error.map { !String(describing: $0).contains("Wr0ng-Secret-xyz") } == true)
            #expect(error.map { !$0.message.contains("Wr0ng-Secret-xyz") } == true)
            let spooled = try sink.messages()
            #expect(spooled.isEmpty)
        }
    }

    @Test("an untrusted self-signed certificate is a non-retriable .tls error")
    func untrustedCertificate() async throws {
        let certificate = try await SelfSignedCertificate.make()
        defer { certificate.remove() }
        try await withSMTPSink(arguments: [
            "--tls-cert", certificate.certificatePath, "--tls-key", certificate.keyPath, "--require-starttls",
        ]) { sink in
            var configuration = SMTPConfiguration(host: "127.0.0.1", port: sink.port)
            configuration.security = .startTLS
            let client = CurlSMTPClient(configuration: configuration)

            let error = await #expect(throws: CurlError.self) {
                try await client.send(from: "reminders@example.org", recipients: ["x@example.com"], message: Self.message(subject: "s", to: "x@example.com"))
            }

            #expect(error?.code == .tls)
            #expect(error?.isRetriable == false)
            let spooled = try sink.messages()
            #expect(spooled.isEmpty)
        }
    }

    @Test("a 5xx reply (authentication required, none given) is a non-retriable .rejected error")
    func permanentRejection() async throws {
        try await withSMTPSink(arguments: ["--auth-user", "mailer", "--auth-password", "pw"]) { sink in
            let client = CurlSMTPClient(configuration: SMTPConfiguration(host: "127.0.0.1", port: sink.port))

            let error = await #expect(throws: CurlError.self) {
                try await client.send(from: "reminders@example.org", recipients: ["x@example.com"], message: Self.message(subject: "s", to: "x@example.com"))
            }

            #expect(error?.code == .rejected)
            #expect(error?.responseCode == 530)
            #expect(error?.isRetriable == false)
        }
    }

    @Test("a recipient with a line break is refused before connecting")
    func recipientInjectionIsRefused() async throws {
        let port = try unusedLoopbackPort()
        let client = CurlSMTPClient(configuration: SMTPConfiguration(host: "127.0.0.1", port: port))

        let error = await #expect(throws: CurlError.self) {
            try await client.send(from: "a@example.org", recipients: ["x@example.com\r\nDATA"], message: Self.message(subject: "s", to: "x"))
        }

        #expect(error?.code == .configuration)
        #expect(error?.isRetriable == false)
    }

    @Test("an SMTP server that is down gives a retriable error")
    func serverDown() async throws {
        let port = try unusedLoopbackPort()
        let client = CurlSMTPClient(configuration: SMTPConfiguration(host: "127.0.0.1", port: port))

        let error = await #expect(throws: CurlError.self) {
            try await client.send(from: "reminders@example.org", recipients: ["x@example.com"], message: Self.message(subject: "s", to: "x@example.com"))
        }

        #expect(error?.code == .transport)
        #expect(error?.isRetriable == true)
    }
}
