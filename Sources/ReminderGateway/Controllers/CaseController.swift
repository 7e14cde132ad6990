import Hummingbird
import ReminderStore

/// Stand-ins for the host application's case endpoints, mounted only in demo mode so the demo
/// page can show a case and change its status (which fires status_change reminders).
struct CaseController<Cases: CaseRepository> {
    let cases: Cases

    func register<M>(on routes: RouteTable<M>) {
        routes.add(.get, "/sag/{sag_id}") { _, context in
            let id = try await accessibleCase(context)
            guard let record = try await cases.caseRecord(id: id) else { throw GatewayError.notFound("sag_id", "no case \(id)") }
            return Representations.response(Representations.caseRecord(record))
        }
        routes.add(.patch, "/sag/{sag_id}") { request, context in
            let id = try await accessibleCase(context)
            let body = try await RequestJSON.read(request, context: context)
            try body.rejectUnknown(allowed: ["status"])
            guard let status = try body.string("status", maxLength: InputRules.targetStatusMaxLength) else {
                throw GatewayError.invalid("status", "is required")
            }
            guard let record = try await cases.setStatus(status, ofCase: id) else { throw GatewayError.notFound("sag_id", "no case \(id)") }
            return Representations.response(Representations.caseRecord(record))
        }
    }

    /// The path's case when the host's rule lets the caller in; otherwise a 404.
    private func accessibleCase(_ context: GatewayRequestContext) async throws -> Int {
        let id = try Parameters.id("sag_id", context)
        guard try await cases.caseAccessible(id, by: try context.requireUser()) else {
            throw GatewayError.notFound("sag_id", "no case \(id)")
        }
        return id
    }
}
