import Foundation
import Hummingbird

/// The one error type of the gateway: an HTTP status, a stable problem code, a message safe to
/// show the caller (never SQL or secrets) and, for input errors, the offending field. Every error
/// leaves the gateway as `application/problem+json` (RFC 9457) through ``ProblemMiddleware``.
public struct GatewayError: Error, Sendable, CustomStringConvertible, HTTPResponseError {
    /// The HTTP status the caller gets.
    public var status: HTTPResponse.Status
    /// A short stable slug, e.g. `validation-failed`; the problem's `type` ends with it.
    public var code: String
    /// What is wrong, in words for the caller.
    public var message: String
    /// The request field (JSON member, path or query parameter) that is wrong, if any.
    public var field: String?
    /// Whether the same request may succeed later (e.g. the database was unreachable).
    public var isRetriable: Bool
    /// Seconds until a retry can succeed, sent as `Retry-After` (a quota); `nil`: 1 s when retriable.
    public var retryAfterSeconds: Int?

    /// Creates an error.
    public init(status: HTTPResponse.Status, code: String, message: String, field: String? = nil, isRetriable: Bool = false) {
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.isRetriable = isRetriable
    }

    /// One line: status, code, field and message.
    public var description: String {
        "\(status.code) \(code)\(field.map { " [\($0)]" } ?? ""): \(message)"
    }

    /// A request value that breaks a rule (422).
    static func invalid(_ field: String, _ message: String) -> GatewayError {
        GatewayError(status: .unprocessableContent, code: "validation-failed", message: message, field: field)
    }

    /// Something that does not exist or is not the caller's (404).
    static func notFound(_ field: String?, _ message: String) -> GatewayError {
        GatewayError(status: .notFound, code: "not-found", message: message, field: field)
    }

    /// Missing, malformed, forged or expired credentials (401).
    static func unauthorized(_ message: String) -> GatewayError {
        GatewayError(status: .unauthorized, code: "unauthorized", message: message, field: "Authorization")
    }

    /// A quota is used up until `retryAfter` seconds have passed (429).
    static func tooMany(_ field: String?, _ message: String, retryAfter: Int) -> GatewayError {
        var error = GatewayError(status: .tooManyRequests, code: "quota-exceeded", message: message, field: field, isRetriable: true)
        error.retryAfterSeconds = max(1, retryAfter)
        return error
    }

    /// The body is not JSON or not of the expected shape (400).
    static func malformed(_ message: String, field: String? = "body") -> GatewayError {
        GatewayError(status: .badRequest, code: "malformed-request", message: message, field: field)
    }

    /// The problem document's JSON text (RFC 9457).
    var problemJSON: String {
        var members: [(String, JSONOutput)] = [
            ("type", .string("urn:case-reminders:problem:\(code)")),
            ("title", .string(status.reasonPhrase)),
            ("status", .int(status.code)),
            ("detail", .string(message)),
        ]
        if let field { members.append(("field", .string(field))) }
        return JSONOutput.object(members).text
    }

    /// The problem document for this error.
    func problemResponse() -> Response {
        var headers: HTTPFields = [.contentType: "application/problem+json", .cacheControl: "no-store"]
        if status == .unauthorized {
            headers[.wwwAuthenticate] = "Bearer error=\"invalid_token\""
        }
        if let retryAfterSeconds {
            headers[.retryAfter] = String(retryAfterSeconds)
        } else if isRetriable {
            headers[.retryAfter] = "1"
        }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: problemJSON)))
    }

    /// Hummingbird's hook; the middleware normally answers first.
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        problemResponse()
    }
}
