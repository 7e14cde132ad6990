import Foundation
import Hummingbird
import ReminderDomain
import ReminderStore

/// `POST`/`GET /api/v1/webhooks` and `DELETE /api/v1/webhooks/{webhook_id}`: signed
/// webhook subscriptions, per case or (administrators only) global.
///
/// A case's subscriptions are made, listed and deleted by anyone the host's rule
/// (`reminders_can_access_case`) lets into the case; global ones by administrators
/// only. A subscription the caller may not see answers 404, as a case does. The
/// secret is returned once, in the answer that creates it, and never again.
struct WebhookController<Webhooks: WebhookRepository, Cases: CaseRepository> {
    let webhooks: Webhooks
    let cases: Cases
    let secrets: WebhookSecretBox?
    let allowLoopback: Bool
    let resolve: @Sendable (String) async throws -> [[UInt8]]

    /// The most live subscriptions of one case, and of the global ones: each is one more call
    /// per firing, so a case cannot be made to fan out without bound.
    static var maximumPerScope: Int { 20 }

    /// The longest description accepted.
    static var maximumDescriptionLength: Int { 200 }

    func register<M>(on routes: RouteTable<M>) {
        routes.add(.post, "/webhooks") { request, context in
            let caller = try context.requireCaller()
            let body = try await RequestJSON.read(request, context: context)
            try body.rejectUnknown(allowed: ["url", "secret", "sag_id", "description"])
            guard let urlText = try body.string("url", maxLength: WebhookTarget.maximumLength) else {
                throw GatewayError.invalid("url", "is required")
            }
            let sagID = try body.int("sag_id", range: 1...Int(Int32.max))
            let description = try body.string("description", maxLength: Self.maximumDescriptionLength)
            var secret = WebhookSecret.generate()
            if let text = try body.string("secret", maxLength: 200, trim: false) {
                do {
                    secret = try WebhookSecret(text: text)
                } catch let error as WebhookSecretError {
                    throw GatewayError.invalid("secret", "secret \(error.reason)")
                }
            }
            let target: WebhookTarget
            do {
                target = try WebhookTarget.parse(urlText, allowLoopback: allowLoopback)
            } catch let error as WebhookTargetError {
                throw GatewayError.invalid("url", "url \(error.reason)")
            }
            if let sagID {
                guard try await cases.caseAccessible(sagID, by: caller.userID) else { throw GatewayError.notFound("sag_id", "no such case") }
            } else if !caller.isAdmin {
                throw GatewayError(
                    status: .forbidden, code: "not-admin", message: "only an administrator may subscribe to every case; give sag_id",
                    field: "sag_id"
                )
            }
            // Resolved only for a caller who may subscribe: nobody else learns what a name resolves to.
            try await checkResolution(of: target)
            guard let secrets else {
                throw GatewayError(
                    status: .serviceUnavailable, code: "webhooks-not-configured",
                    message: "webhook subscriptions need REMINDERS_WEBHOOK_SECRET_KEY to be set", isRetriable: false
                )
            }
            let id = UUID()
            guard let created = try await webhooks.createWebhook(
                id: id, sagID: sagID, url: urlText, sealedSecret: try secrets.seal(secret, for: id), description: description,
                createdBy: caller.userID, limit: Self.maximumPerScope
            ) else {
                let scope = sagID == nil ? "there are already" : "the case already has"
                throw GatewayError(
                    status: .conflict, code: "too-many-webhooks",
                    message: "\(scope) \(Self.maximumPerScope) webhook subscriptions; delete one first", field: "sag_id"
                )
            }
            return Representations.response(Representations.webhook(created, secret: secret.text), status: .created)
        }
        routes.add(.get, "/webhooks") { request, context in
            let caller = try context.requireCaller()
            let sagID = try Parameters.query("sag_id", request, range: 1...Int(Int32.max))
            let found = try await webhooks.webhooks(visibleTo: caller.userID, isAdmin: caller.isAdmin, sagID: sagID)
            return Representations.response(.object([("webhooks", .array(found.map { Representations.webhook($0) }))]))
        }
        routes.add(.delete, "/webhooks/{webhook_id}") { _, context in
            let caller = try context.requireCaller()
            guard let text = context.parameters.get("webhook_id"), let id = UUID(uuidString: text),
                  let subscription = try await webhooks.webhook(id) else {
                throw GatewayError.notFound("webhook_id", "no such webhook subscription")
            }
            let visible: Bool
            if let sagID = subscription.sagID {
                visible = try await cases.caseAccessible(sagID, by: caller.userID)
            } else {
                visible = caller.isAdmin
            }
            guard visible, try await webhooks.deleteWebhook(id) else {
                throw GatewayError.notFound("webhook_id", "no such webhook subscription")
            }
            return Response(status: .noContent)
        }
    }

    /// Refuses a URL whose host does not resolve, or resolves (any of its addresses) inside the
    /// network; the worker checks again before every call and pins the address it checked.
    private func checkResolution(of target: WebhookTarget) async throws {
        guard target.literalAddress == nil else { return }
        let resolved: [[UInt8]]
        do {
            resolved = try await resolve(target.host)
        } catch {
            throw GatewayError.invalid("url", "url host \(target.host) does not resolve")
        }
        do {
            _ = try target.pinnedAddress(from: resolved, allowLoopback: allowLoopback)
        } catch {
            // Typed throws: `error` is a WebhookTargetError.
            throw GatewayError.invalid("url", "url \(error.reason)")
        }
    }
}
