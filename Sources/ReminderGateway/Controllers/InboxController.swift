import Foundation
import HTTPTypes
import Hummingbird
import Logging
import ReminderContracts
import ReminderStore
import ServiceLifecycle
import Synchronization

/// The caller's in-app notifications: `pending/me` for polling, `stream/me` for Server-Sent Events.
struct InboxController<Inbox: InboxRepository> {
    let inbox: Inbox
    let notifier: InboxNotifier
    let configuration: GatewayConfiguration

    /// At most this many entries per answer (pending) or per read (stream).
    static var pageSize: Int { 100 }
    /// An idle stream re-reads the inbox after this many heartbeats without a notification.
    static var heartbeatsPerSafetyRead: Int { 4 }

    func registerPending<M>(on routes: RouteTable<M>) {
        routes.add(.get, "/reminders/pending/me") { _, context in
            let user = try context.requireUser()
            let cache = notifier.pendingCache
            // Only while LISTEN is in place: without it, changes would go unheard.
            let cacheable = notifier.isListening
            if cacheable, let body = cache.lookup(user) {
                return Representations.response(body)
            }
            let ticket = cache.ticket(for: user)
            let page = try await inbox.pending(userID: user, limit: Self.pageSize)
            let body = ByteBuffer(string: JSONOutput.array(page.entries.map(Representations.inboxEntry)).text)
            if cacheable {
                cache.store(body, for: user, ticket: ticket, expiresIn: page.nextRelease.map { .seconds($0.timeIntervalSinceNow) })
            }
            return Representations.response(body)
        }
    }

    /// What the rate limit held back from the caller in the last 7 days: `{count, items}`,
    /// the newest first. Only the caller's own, of cases the caller may still access.
    func registerHeld<M>(on routes: RouteTable<M>) {
        routes.add(.get, "/reminders/held/me") { _, context in
            let user = try context.requireUser()
            let list = try await inbox.held(userID: user, limit: Self.pageSize)
            return Representations.response(ByteBuffer(string: Representations.held(list).text))
        }
    }

    /// Events are the user's new pending inbox entries, each with its inbox id as the event id.
    /// A reconnecting browser sends `Last-Event-ID` and gets what it missed (still pending);
    /// a fresh connection starts at the newest entry (the page polls `pending/me` for older ones).
    func registerStream<M>(on routes: RouteTable<M>) {
        routes.add(.get, "/reminders/stream/me") { request, context in
            let user = try context.requireUser()
            var cursor: Int?
            if let header = request.headers[.lastEventID] ?? request.uri.queryParameters["last_event_id"].map(String.init) {
                guard let id = Int(header.trimmingCharacters(in: .whitespaces)), id >= 0 else {
                    throw GatewayError.invalid("Last-Event-ID", "must be a whole number")
                }
                cursor = id
            }
            // The starting point first, then the subscription: an entry written
            // in between is read by the stream's first round (it reads past
            // `start` before it waits), and one written after it wakes the
            // stream. Subscribing first let an entry written before the
            // starting point was read count as "before the connection".
            let start: Int
            if let cursor {
                start = cursor
            } else {
                start = try await inbox.latestEntryID(userID: user)
            }
            let subscription: InboxNotifier.Subscription
            do {
                subscription = try notifier.subscribe(
                    userID: user, maximum: configuration.maximumStreams, maximumPerUser: configuration.maximumStreamsPerUser
                )
            } catch let refusal as InboxNotifier.SubscriptionRefusal {
                switch refusal {
                case .userFull(let limit):
                    throw GatewayError.tooMany(nil, "you have \(limit) event streams open; close one first", retryAfter: 10)
                case .gatewayFull:
                    throw GatewayError.tooMany(nil, "the gateway holds its most event streams; try again shortly", retryAfter: 10)
                }
            }
            // The stream ends when the token does: the browser reconnects with a fresh one.
            let tokenLifetime = context.tokenExpiresAt.map { Duration.milliseconds(Int64(max(0, $0.timeIntervalSinceNow) * 1000)) }
            let inbox = self.inbox
            let notifier = self.notifier
            let configuration = self.configuration
            let logger = context.logger
            let body = ResponseBody { writer in
                defer { notifier.unsubscribe(subscription) }
                // The server waits for open requests before it stops, so a stream must end by
                // itself on shutdown rather than at its lifetime's end.
                let shuttingDown = Mutex(false)
                try await withGracefulShutdownHandler {
                    try await writer.write(ServerSentEvents.retry(milliseconds: 3000))
                    try await writer.write(ServerSentEvents.comment("connected"))
                    var position = start
                    let closeAt = ContinuousClock.now + min(configuration.streamLifetime, tokenLifetime ?? configuration.streamLifetime)
                    var lastWrite = ContinuousClock.now
                    // The inbox is read when a notification wakes the stream, and otherwise only
                    // every few heartbeats (a safety net for a lost notification): thousands of
                    // idle streams then cost the database next to nothing.
                    var readDue = true
                    var lastRead = ContinuousClock.now
                    // Each round: send what is new, a heartbeat if the line was quiet for a whole
                    // interval, then wait for a notification or the next heartbeat.
                    while !Task.isCancelled, !notifier.isStopped, !shuttingDown.withLock({ $0 }), ContinuousClock.now < closeAt {
                        if readDue || ContinuousClock.now - lastRead >= configuration.heartbeatInterval * Self.heartbeatsPerSafetyRead {
                            lastRead = ContinuousClock.now
                            do {
                                while true {
                                    let entries = try await inbox.entries(userID: user, after: position, limit: Self.pageSize)
                                    for entry in entries where entry.isPending {
                                        try await writer.write(ServerSentEvents.event(
                                            id: entry.id, name: "reminder", json: Representations.inboxEntry(entry).text
                                        ))
                                        lastWrite = ContinuousClock.now
                                    }
                                    position = entries.last?.id ?? position
                                    if entries.count < Self.pageSize { break }
                                }
                            } catch let error as GatewayError {
                                throw error
                            } catch where !(error is CancellationError) && !Task.isCancelled {
                                // A database hiccup must not end the stream; the next round retries.
                                logger.warning("event stream could not read the inbox", metadata: [LogKey.error: "\(error)"])
                            }
                        }
                        if ContinuousClock.now - lastWrite >= configuration.heartbeatInterval {
                            try await writer.write(ServerSentEvents.comment("heartbeat"))
                            lastWrite = ContinuousClock.now
                        }
                        let untilHeartbeat = configuration.heartbeatInterval - (ContinuousClock.now - lastWrite)
                        let remaining = closeAt - ContinuousClock.now
                        readDue = await subscription.wake.wait(upTo: max(.zero, min(untilHeartbeat, remaining)))
                    }
                } onGracefulShutdown: {
                    shuttingDown.withLock { $0 = true }
                    subscription.wake.signal()
                }
                try await writer.finish(nil)
            }
            return Response(
                status: .ok,
                headers: [
                    .contentType: "text/event-stream",
                    .cacheControl: "no-cache",
                    HTTPField.Name("X-Accel-Buffering")!: "no",
                ],
                body: body
            )
        }
    }
}

extension HTTPField.Name {
    /// `Last-Event-ID`, sent by a reconnecting `EventSource`.
    static var lastEventID: Self { Self("Last-Event-ID")! }
}
