import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Keeps a client that sends too much from pinning a connection.
///
/// - A request whose `Content-Length` is over the limit is answered 413 at
///   once, before any of its body is read, and never reaches the router.
/// - Any answer given while the request's body is still arriving (that 413,
///   a 401 before the body was wanted, the router's own 413 for a chunked
///   body) says `Connection: close`.
/// - After such an answer the connection reads and discards what the client
///   still sends, for at most `drainTime` and `drainBytes`, then closes. The
///   drain lets a client that is blocked writing its body get to read the
///   answer; the bounds keep it from holding the socket.
final class RequestBodyLimitHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private enum State {
        /// Between requests, or reading one whose body is complete.
        case idle
        /// Reading a request's body.
        case receiving
        /// Answered early: everything read from now on is thrown away.
        case draining(discarded: Int)
    }

    let limit: Int
    let drainBytes: Int
    let drainTime: TimeAmount
    private var state = State.idle
    /// The current answer was written while the body was still arriving.
    private var closeAfterResponse = false
    private var drainDeadline: Scheduled<Void>?

    init(limit: Int, drainBytes: Int = 1 << 20, drainTime: TimeAmount = .seconds(2)) {
        self.limit = limit
        self.drainBytes = drainBytes
        self.drainTime = drainTime
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        switch (state, part) {
        case (.draining(let discarded), .body(let buffer)):
            let total = discarded + buffer.readableBytes
            state = .draining(discarded: total)
            if total > drainBytes { context.close(promise: nil) }
        case (.draining, .end):
            // The client finished sending: it is reading the answer now.
            context.close(promise: nil)
        case (.draining, .head):
            context.close(promise: nil)
        case (_, .head(let head)):
            if let length = head.headerFields[.contentLength].flatMap(Int.init), length > limit {
                refuse(context: context)
                return
            }
            state = .receiving
            context.fireChannelRead(data)
        case (_, .body):
            context.fireChannelRead(data)
        case (_, .end):
            state = .idle
            context.fireChannelRead(data)
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(var head):
            if case .receiving = state {
                closeAfterResponse = true
                head.headerFields[.connection] = "close"
                context.write(wrapOutboundOut(.head(head)), promise: promise)
                return
            }
            context.write(data, promise: promise)
        case .body:
            context.write(data, promise: promise)
        case .end:
            context.write(data, promise: promise)
            if closeAfterResponse {
                closeAfterResponse = false
                context.flush()
                startDraining(context: context)
            }
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        drainDeadline?.cancel()
        drainDeadline = nil
    }

    /// Answers 413 for an announced body over the limit, without reading it.
    private func refuse(context: ChannelHandlerContext) {
        let problem = GatewayError(
            status: .contentTooLarge, code: "http-413",
            message: "the request body may have at most \(limit) bytes", field: "body"
        ).problemJSON
        var body = context.channel.allocator.buffer(capacity: problem.utf8.count)
        body.writeString(problem)
        let head = HTTPResponse(status: .contentTooLarge, headerFields: [
            .contentType: "application/problem+json", .contentLength: String(body.readableBytes),
            .connection: "close", .cacheControl: "no-store", NoSniffMiddleware<GatewayRequestContext>.header: "nosniff",
        ])
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        startDraining(context: context)
    }

    private func startDraining(context: ChannelHandlerContext) {
        state = .draining(discarded: 0)
        guard drainDeadline == nil else { return }
        drainDeadline = context.eventLoop.assumeIsolated().scheduleTask(in: drainTime) {
            context.close(promise: nil)
        }
    }
}
