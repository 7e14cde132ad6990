import Hummingbird
import Synchronization

/// One route of the gateway: method and path template as written in the OpenAPI document.
public struct GatewayRoute: Sendable, Hashable, CustomStringConvertible {
    /// `GET`, `POST`, …
    public var method: String
    /// E.g. `/api/v1/sag/reminders/{reminder_id}`.
    public var path: String
    /// `GET /healthz`.
    public var description: String { "\(method) \(path)" }
}

/// Collects the routes as they are registered, so a test can hold them against the OpenAPI document.
public final class RouteRecorder: Sendable {
    private let recorded = Mutex<[GatewayRoute]>([])

    /// An empty recorder.
    public init() {}

    /// Every route registered so far.
    public var routes: [GatewayRoute] { recorded.withLock { $0 } }

    func record(_ route: GatewayRoute) {
        recorded.withLock { $0.append(route) }
    }
}

/// Registers handlers on a router or group under a path prefix and records each route.
struct RouteTable<Methods: RouterMethods<GatewayRequestContext>> {
    let methods: Methods
    let prefix: String
    let recorder: RouteRecorder?

    typealias Handler = @Sendable (Request, GatewayRequestContext) async throws -> Response

    /// `path` uses `{name}` for parameters, as OpenAPI does; Hummingbird's form is `:name`.
    func add(_ method: HTTPRequest.Method, _ path: String, _ handler: @escaping Handler) {
        let hummingbirdPath = path.split(separator: "/", omittingEmptySubsequences: false).map { segment in
            segment.hasPrefix("{") && segment.hasSuffix("}") ? ":" + segment.dropFirst().dropLast() : String(segment)
        }.joined(separator: "/")
        methods.on(RouterPath(hummingbirdPath), method: method, use: handler)
        recorder?.record(GatewayRoute(method: method.rawValue, path: prefix + path))
    }
}

/// Reads path and query parameters; a bad value is a 404 (path) or 422 (query) naming it.
enum Parameters {
    /// A positive 32-bit id from the path (the ids are `INTEGER` columns).
    static func id(_ name: String, _ context: GatewayRequestContext) throws(GatewayError) -> Int {
        guard let text = context.parameters.get(name), text.allSatisfy(\.isASCII), let id = Int(text), (1...Int(Int32.max)).contains(id) else {
            throw .notFound(name, "no such \(name.replacingOccurrences(of: "_id", with: ""))")
        }
        return id
    }

    /// An optional whole-number query parameter within `range`.
    static func query(_ name: String, _ request: Request, range: ClosedRange<Int>) throws(GatewayError) -> Int? {
        guard let text = request.uri.queryParameters[name[...]] else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw .invalid(name, "must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }
}
