import Postgres
import Testing

@Suite("LISTEN / NOTIFY", .timeLimit(.minutes(1)))
struct PostgresListenTests {
    @Test("a NOTIFY from another connection arrives with its payload; cancelling closes the listener")
    func notificationArrives() async throws {
        let listenerName = TestDatabase.uniqueName("pglisten")
        let listenerClient = try TestDatabase.client(applicationName: listenerName)
        let admin = try TestDatabase.client()
        let channel = TestDatabase.uniqueName("channel")
        let payload = "hello æøå 'quoted'"
        let collector = NotificationCollector()

        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await notification in listenerClient.listen(on: channel) {
                    await collector.append(notification)
                }
            }
            // LISTEN is in place once the listener's backend is idle after running it.
            #expect(try await TestDatabase.eventually {
                try await !TestDatabase.listeningBackends(admin, applicationName: listenerName).isEmpty
            })
            try await admin.query("SELECT pg_notify($1, $2)", [channel, payload])
            try await admin.query("SELECT pg_notify($1, $2)", [TestDatabase.uniqueName("other"), "not for us"])

            #expect(try await TestDatabase.eventually { await !collector.received.isEmpty })
            let received = await collector.received
            #expect(received.count == 1)
            #expect(received.first == PostgresNotification(channel: channel, payload: payload, isReconnect: false))

            group.cancelAll()
        }
        // The dedicated connection is closed once iteration stops.
        #expect(try await TestDatabase.eventually {
            try await TestDatabase.backendCount(admin, applicationName: listenerName) == 0
        })
    }

    @Test("after its backend is terminated the listener reconnects, yields isReconnect, then delivers later NOTIFYs")
    func listenerReconnects() async throws {
        let listenerName = TestDatabase.uniqueName("pglistenre")
        let listenerClient = try TestDatabase.client(applicationName: listenerName)
        let admin = try TestDatabase.client()
        let channel = TestDatabase.uniqueName("channel")
        let collector = NotificationCollector()

        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await notification in listenerClient.listen(on: channel) {
                    await collector.append(notification)
                }
            }
            #expect(try await TestDatabase.eventually {
                try await !TestDatabase.listeningBackends(admin, applicationName: listenerName).isEmpty
            })
            try await admin.query(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1",
                [listenerName]
            )
            #expect(try await TestDatabase.eventually { await collector.received.contains(where: \.isReconnect) })
            // The marker is yielded only after LISTEN ran again, so this NOTIFY cannot be missed.
            try await admin.query("SELECT pg_notify($1, $2)", [channel, "after reconnect"])
            #expect(try await TestDatabase.eventually {
                await collector.received.contains { $0.payload == "after reconnect" && !$0.isReconnect }
            })
            let received = await collector.received
            #expect(received.map(\.isReconnect) == [true, false])
            #expect(received.allSatisfy { $0.channel == channel })
            group.cancelAll()
        }
    }
}

@Suite("LISTEN lifetime", .timeLimit(.minutes(1)))
struct PostgresListenLifetimeTests {
    @Test("dropping the iterator closes the listening connection")
    func droppingIteratorStopsListener() async throws {
        let listenerName = TestDatabase.uniqueName("pglistendrop")
        let listenerClient = try TestDatabase.client(applicationName: listenerName)
        let admin = try TestDatabase.client()
        do {
            let iterator = listenerClient.listen(on: TestDatabase.uniqueName("channel")).makeAsyncIterator()
            #expect(try await TestDatabase.eventually {
                try await !TestDatabase.listeningBackends(admin, applicationName: listenerName).isEmpty
            })
            withExtendedLifetime(iterator) {}
        }
        #expect(try await TestDatabase.eventually {
            try await TestDatabase.backendCount(admin, applicationName: listenerName) == 0
        })
    }

    @Test("the sequence finishes when the client shuts down")
    func sequenceEndsWithClient() async throws {
        let listenerName = TestDatabase.uniqueName("pglistenend")
        let listenerClient = try TestDatabase.client(applicationName: listenerName)
        let admin = try TestDatabase.client()
        let service = Task { try await listenerClient.run() }
        let iteration = Task {
            var count = 0
            for await _ in listenerClient.listen(on: TestDatabase.uniqueName("channel")) { count += 1 }
            return count
        }
        #expect(try await TestDatabase.eventually {
            try await !TestDatabase.listeningBackends(admin, applicationName: listenerName).isEmpty
        })
        service.cancel()
        try await service.value
        // Returns only if the sequence finished by itself (the iterating task is not cancelled).
        #expect(await iteration.value == 0)
        #expect(try await TestDatabase.eventually {
            try await TestDatabase.backendCount(admin, applicationName: listenerName) == 0
        })
    }
}
