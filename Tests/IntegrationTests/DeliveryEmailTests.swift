import Curl
import Foundation
import IntegrationSupport
import ReminderDelivery
import ReminderDomain
import Testing

@Suite("E-mail worker against aiosmtpd", .timeLimit(.minutes(1)))
struct DeliveryEmailTests {
    @Test("STARTTLS + AUTH: one well-formed e-mail with name, æøå subject, Message-ID, Date, both parts, escaped HTML")
    func wellFormedEmail() async throws {
        let certificate = try await SelfSignedCertificate.make()
        defer { certificate.remove() }
        try await withSMTPSink(arguments: [
            "--tls-cert", certificate.certificatePath, "--tls-key", certificate.keyPath,
            "--require-starttls", "--auth-user", "mailer", "--auth-password", "hemmeligt-Kodeord",
        ]) { sink in
            try await DeliveryBench.with(channels: [.email]) { bench in
                var smtp = EmailSender.smtpConfiguration(host: "127.0.0.1", port: sink.port, user: "mailer", password: "hemmeligt-Kodeord", useTLS: true)
                smtp.caCertificatePath = certificate.certificatePath
                let worker = bench.worker(bench.configuration(.email), sender: try emailSender(smtp))
                let delivery = bench.delivery(.email, title: #"<b>&" Æblegrød på øen"#)
                try await bench.enqueue([delivery])
                try await bench.run([worker]) {
                    let sent = try await eventually(timeout: .seconds(30), every: .milliseconds(50)) {
                        try await bench.logCount(delivery.deliveryID, "sent") == 1
                    }
                    let log = try await bench.log(of: delivery.deliveryID)
                    #expect(sent, "log: \(log)")
                }
                let messages = try sink.messages()
                try #require(messages.count == 1)
                let meta = messages[0].meta
                #expect(meta.tls)
                #expect(meta.auth_user == "mailer")
                #expect(meta.mail_from == "noreply@bmcnetworks.dk")
                #expect(meta.rcpt_tos == ["ann@example.test"])

                let email = try await InspectedEmail.inspect(messages[0].raw)
                #expect(email.defects.isEmpty, "\(email.defects)")
                #expect(email.from_name == "BMC Hub")
                #expect(email.from_address == "noreply@bmcnetworks.dk")
                #expect(email.to == "ann@example.test")
                #expect(email.subject == #"Påmindelse: <b>&" Æblegrød på øen"#)
                let expectedID = EmailMessage.messageID(deliveryID: delivery.deliveryID, fromAddress: "noreply@bmcnetworks.dk")
                #expect(email.message_id == "<\(expectedID)>")
                #expect(!email.date.isEmpty && email.date != "None")
                #expect(email.content_type == "multipart/alternative")
                try #require(email.parts.count == 2)
                #expect(email.parts.map(\.content_type) == ["text/plain", "text/html"])
                #expect(email.parts.allSatisfy { $0.charset == "utf-8" })
                #expect(email.parts[0].content.contains(#"<b>&" Æblegrød på øen"#))
                #expect(email.parts[1].content.contains("&lt;b&gt;&amp;&quot; Æblegrød på øen"))
                #expect(!email.parts[1].content.contains("<b>&\""))
                #expect(email.parts.allSatisfy { $0.content.contains("https://hub.example.test/sag/\(bench.sagID)") })

                let log = try await bench.log(of: delivery.deliveryID)
                #expect(log.map(\.status) == ["sent"])
                #expect(log.first?.channel == "email")
                #expect(log.first?.userID == bench.userID)
                #expect(try await bench.status(of: delivery.deliveryID) == "sent")
                let stored = try await bench.postgres.query("SELECT message_id FROM sag_reminder_deliveries WHERE delivery_id = $1", [delivery.deliveryID])
                #expect(try stored.first?.decode("message_id", as: String?.self) == expectedID)
            }
        }
    }

    @Test("SMTP server down: the delivery is retried (without blocking the partition) and sent once it is back")
    func smtpDownThenBack() async throws {
        let port = try unusedLoopbackPort()
        try await DeliveryBench.with(channels: [.email]) { bench in
            let worker = bench.worker(bench.configuration(.email), sender: try emailSender(plainSMTP(port: port)))
            let delivery = bench.delivery(.email)
            try await bench.enqueue([delivery])
            try await bench.run([worker]) {
                let retrying = try await eventually(timeout: .seconds(30), every: .milliseconds(50)) {
                    try await bench.logCount(delivery.deliveryID, "retrying") >= 2
                }
                #expect(retrying)
                #expect(try await bench.logCount(delivery.deliveryID, "sent") == 0)
                try await withSMTPSink(arguments: ["--port", "\(port)"]) { sink in
                    let sent = try await eventually(timeout: .seconds(30), every: .milliseconds(50)) {
                        try await bench.logCount(delivery.deliveryID, "sent") == 1
                    }
                    #expect(sent)
                    let messages = try sink.messages()
                    #expect(messages.count == 1)
                }
            }
            let log = try await bench.log(of: delivery.deliveryID)
            let retries = log.filter { $0.status == "retrying" }
            #expect(retries.count >= 2)
            // One retry row per attempt, numbered 0, 1, 2, …; the send is the last attempt.
            #expect(retries.map(\.attempt) == Array(0..<retries.count))
            #expect(log.last?.status == "sent" && log.last?.attempt == retries.count)
            #expect(retries.allSatisfy { $0.error?.contains("SMTP") == true })
            #expect(try await bench.status(of: delivery.deliveryID) == "sent")
        }
    }

    @Test("REMINDERS_EMAIL_ENABLED / REMINDERS_MATTERMOST_ENABLED off: messages are logged skipped with the reason; nothing is sent")
    func switchedOff() async throws {
        try await withSMTPSink { smtpSink in
            try await withHTTPSink { httpSink in
                try await DeliveryBench.with(channels: [.email, .mattermost]) { bench in
                    var email = bench.configuration(.email)
                    email.enabled = false
                    var mattermost = bench.configuration(.mattermost)
                    mattermost.enabled = false
                    let workers = [
                        bench.worker(email, sender: try emailSender(plainSMTP(port: smtpSink.port))),
                        bench.worker(mattermost, sender: MattermostSender(webhookURL: httpSink.baseURL + "/hooks/x", publicBaseURL: "https://hub.example.test")),
                    ]
                    let emailDelivery = bench.delivery(.email)
                    let mattermostDelivery = bench.delivery(.mattermost)
                    try await bench.enqueue([emailDelivery, mattermostDelivery])
                    try await bench.run(workers) {
                        let done = try await eventually(timeout: .seconds(30), every: .milliseconds(50)) {
                            let email = try await bench.logCount(emailDelivery.deliveryID, "skipped")
                            let mattermost = try await bench.logCount(mattermostDelivery.deliveryID, "skipped")
                            return email == 1 && mattermost == 1
                        }
                        #expect(done)
                    }
                    #expect(try await bench.log(of: emailDelivery.deliveryID).first?.reason == "e-mail channel disabled (REMINDERS_EMAIL_ENABLED=false)")
                    #expect(try await bench.log(of: mattermostDelivery.deliveryID).first?.reason == "Mattermost channel disabled (REMINDERS_MATTERMOST_ENABLED=false)")
                    #expect(try await bench.status(of: emailDelivery.deliveryID) == "skipped")
                    #expect(try smtpSink.messages().isEmpty)
                    #expect(try await httpSink.requests().isEmpty)
                }
            }
        }
    }

    @Test("dry run: nothing reaches either sink; the log says dry run and holds the rendered message")
    func dryRun() async throws {
        try await withSMTPSink { smtpSink in
            try await withHTTPSink { httpSink in
                try await DeliveryBench.with(channels: [.email, .mattermost]) { bench in
                    var email = bench.configuration(.email)
                    email.dryRun = true
                    var mattermost = bench.configuration(.mattermost)
                    mattermost.dryRun = true
                    let workers = [
                        bench.worker(email, sender: try emailSender(plainSMTP(port: smtpSink.port))),
                        bench.worker(mattermost, sender: MattermostSender(webhookURL: httpSink.baseURL + "/hooks/x", publicBaseURL: "https://hub.example.test")),
                    ]
                    let emailDelivery = bench.delivery(.email, title: "Tørre <tal>")
                    let mattermostDelivery = bench.delivery(.mattermost, title: "Tørre tal", mattermostUsername: "ann")
                    try await bench.enqueue([emailDelivery, mattermostDelivery])
                    try await bench.run(workers) {
                        let done = try await eventually(timeout: .seconds(30), every: .milliseconds(50)) {
                            let email = try await bench.logCount(emailDelivery.deliveryID, "dry_run")
                            let mattermost = try await bench.logCount(mattermostDelivery.deliveryID, "dry_run")
                            return email == 1 && mattermost == 1
                        }
                        #expect(done)
                    }
                    #expect(try smtpSink.messages().isEmpty)
                    #expect(try await httpSink.requests().isEmpty)

                    let emailRow = try #require(try await bench.log(of: emailDelivery.deliveryID).first)
                    #expect(emailRow.reason?.contains("dry run") == true)
                    let rendered = try #require(emailRow.payloadJSON)
                    #expect(rendered["subject"] == .string("Påmindelse: Tørre <tal>"))
                    #expect(rendered["to"] == .string("ann@example.test"))
                    guard case .string(let html)? = rendered["html"], case .string(let mime)? = rendered["message"] else {
                        Issue.record("the dry-run payload lacks html or the MIME message: \(rendered)")
                        return
                    }
                    #expect(html.contains("Tørre &lt;tal&gt;"))
                    #expect(mime.contains("Message-ID: <reminder."))
                    #expect(try await bench.status(of: emailDelivery.deliveryID) == "dry_run")

                    let mattermostRow = try #require(try await bench.log(of: mattermostDelivery.deliveryID).first)
                    #expect(mattermostRow.reason?.contains("dry run") == true)
                    let body = try #require(mattermostRow.payloadJSON?["body"])
                    #expect(body["channel"] == .string("@ann"))
                    guard case .string(let text)? = body["text"] else {
                        Issue.record("no text in \(body)")
                        return
                    }
                    #expect(text.contains("Tørre tal"))
                }
            }
        }
    }
}
