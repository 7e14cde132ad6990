import HTTPTypes
import Hummingbird

/// Adds `X-Content-Type-Options: nosniff` to every response, so a browser never
/// runs a JSON body (which may quote user text) as script or HTML.
struct NoSniffMiddleware<Context: RequestContext>: RouterMiddleware {
    static var header: HTTPField.Name { HTTPField.Name("X-Content-Type-Options")! }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers[Self.header] = "nosniff"
        return response
    }
}
