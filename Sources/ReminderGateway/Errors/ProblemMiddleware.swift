import Hummingbird
import Logging
import Postgres
import ReminderContracts
import ReminderStore

/// Turns every error a route throws into `application/problem+json`, in one place: the gateway's
/// own errors as they are, the store's refusals as 422 or 429, Hummingbird's (unknown route, body
/// too large) by their status, database outages as 503, and anything unforeseen as a logged 500
/// without details.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as GatewayError {
            return error.problemResponse()
        } catch let refusal as ReminderWriteRefusal {
            return GatewayError(refusal).problemResponse()
        } catch let error as HTTPError {
            let code = error.status == .notFound ? "no-such-route" : "http-\(error.status.code)"
            let message = error.status == .notFound
                ? "no route \(request.method) \(request.uri.path)"
                : (error.body ?? error.status.reasonPhrase)
            return GatewayError(status: error.status, code: code, message: message, field: error.status == .notFound ? "path" : nil)
                .problemResponse()
        } catch let error as PostgresError {
            return Self.map(error, logger: context.logger).problemResponse()
        } catch let error as PostgresTransactionError where error.underlying is PostgresError {
            // A failed COMMIT (or ROLLBACK): judged by the database's error.
            context.logger.warning("transaction failed", metadata: [LogKey.error: "\(error)"])
            return Self.map(error.underlying as! PostgresError, logger: context.logger).problemResponse()
        } catch is CancellationError {
            return GatewayError(status: .serviceUnavailable, code: "shutting-down", message: "the gateway is shutting down", isRetriable: true)
                .problemResponse()
        } catch {
            context.logger.error("unexpected error", metadata: [LogKey.error: "\(error)", "path": "\(request.uri.path)"])
            return GatewayError(status: .internalServerError, code: "internal", message: "internal error").problemResponse()
        }
    }

    /// Input that slipped past validation and was refused by the database is the caller's
    /// fault (422); an unreachable database is a 503 worth retrying; the rest is ours.
    static func map(_ error: PostgresError, logger: Logger) -> GatewayError {
        if error.code == .connection || error.code == .timeout || error.code == .poolClosed || error.isRetriable {
            logger.warning("database unavailable", metadata: [LogKey.error: "\(error)"])
            return GatewayError(status: .serviceUnavailable, code: "database-unavailable", message: "the database is not reachable", isRetriable: true)
        }
        if let state = error.sqlState, state.hasPrefix("22") || state.hasPrefix("23") {
            return GatewayError(status: .unprocessableContent, code: "validation-failed", message: "a value is out of range or conflicts with existing data", field: "body")
        }
        logger.error("database error", metadata: [LogKey.error: "\(error)"])
        return GatewayError(status: .internalServerError, code: "internal", message: "internal error")
    }
}
