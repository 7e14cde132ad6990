// swift-tools-version:6.0
import PackageDescription

// Layers, bottom to top: C bridges and shared formats (Timestamps) → Swift wrappers (no reminder vocabulary) →
// contracts (message shapes and names) → domain rules (pure) → store (SQL) → one module per service role → the entry point.
let package = Package(
    name: "case-reminders",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "reminders", targets: ["Reminders"]),
        .executable(name: "reminders-bench", targets: ["RemindersBenchmark"]),
    ],
    // Exact versions: the build is the same on every machine although
    // Package.resolved stays out of the repository. Raise them deliberately.
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", exact: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", exact: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", exact: "2.28.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", exact: "4.5.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", exact: "1.8.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", exact: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", exact: "2.4.1"),
        // The gateway's own channel handler (request size, early close) sits in NIO's pipeline.
        .package(url: "https://github.com/apple/swift-nio.git", exact: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", exact: "1.35.2"),
    ],
    targets: [
        // MARK: C bridges
        .systemLibrary(
            name: "CRDKafka",
            pkgConfig: "rdkafka",
            providers: [.apt(["librdkafka-dev"])]
        ),
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),

        // MARK: Shared formats (pure, below the wrappers so every layer can use them)
        .target(name: "Timestamps"),

        // MARK: Swift wrappers
        .target(
            name: "Kafka",
            dependencies: [
                "CRDKafka",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "Postgres",
            dependencies: [
                "CLibPQ", "Timestamps",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "Curl",
            dependencies: ["CCurl"]
        ),
        // Child processes started with posix_spawn and reaped with waitpid
        // (the benchmarks' servers, the integration tests' processes).
        .target(
            name: "Spawn"
        ),
        .target(
            name: "AsyncSupport",
            dependencies: [.product(name: "ServiceLifecycle", package: "swift-service-lifecycle")]
        ),
        // Health and readiness endpoints, the Prometheus registry and JSON log lines.
        .target(
            name: "Observability",
            dependencies: [
                "Timestamps",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),

        // MARK: Contracts, domain and store
        // What crosses a process boundary: topic names, message envelopes and
        // their JSON coding, metric names and log keys.
        .target(name: "ReminderContracts", dependencies: ["Timestamps"]),
        .target(name: "ReminderDomain", dependencies: ["ReminderContracts", "Timestamps"]),
        .target(
            name: "ReminderStore",
            dependencies: [
                "ReminderContracts", "ReminderDomain", "Timestamps", "Postgres", "Kafka", .product(name: "Logging", package: "swift-log"),
                // Webhook secrets are sealed (AES-GCM) at rest.
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),

        // MARK: Service roles
        .target(
            name: "OutboxRelay",
            dependencies: [
                "Observability", "AsyncSupport", "ReminderContracts", "ReminderDomain", "ReminderStore", "Kafka", "Postgres",
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "ReminderScheduler",
            dependencies: [
                "Observability", "AsyncSupport", "ReminderContracts", "ReminderDomain", "Timestamps", "ReminderStore", "Postgres",
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "ReminderDispatcher",
            dependencies: [
                "Observability", "AsyncSupport", "ReminderContracts", "ReminderDomain", "ReminderStore", "Kafka", "Postgres",
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "ReminderDelivery",
            dependencies: [
                "Observability", "AsyncSupport", "ReminderContracts", "ReminderDomain", "Timestamps", "ReminderStore", "Kafka", "Postgres", "Curl",
                // Webhook signatures (HMAC-SHA256).
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            resources: [.copy("Resources")]
        ),
        .target(
            name: "ReminderGateway",
            dependencies: [
                "Observability", "AsyncSupport", "ReminderContracts", "ReminderDomain", "Timestamps", "ReminderStore", "Postgres", "Curl",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            resources: [.copy("Resources")]
        ),
        .target(
            name: "ReminderAdmin",
            dependencies: [
                "ReminderContracts", "ReminderDomain", "ReminderStore", "Kafka", "Postgres",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // MARK: Entry point
        .executableTarget(
            name: "Reminders",
            dependencies: [
                "Observability", "OutboxRelay", "ReminderScheduler", "ReminderDispatcher", "ReminderDelivery", "ReminderGateway",
                "ReminderAdmin", "ReminderContracts", "ReminderDomain", "ReminderStore", "Timestamps", "Kafka", "Postgres",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),

        // MARK: Benchmarks (not tests: they print figures)
        .executableTarget(
            name: "RemindersBenchmark",
            dependencies: [
                "OutboxRelay", "ReminderScheduler", "ReminderDispatcher", "ReminderDelivery", "ReminderGateway",
                "ReminderContracts", "ReminderDomain", "ReminderStore", "Kafka", "Postgres", "Curl", "Spawn",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),

        // MARK: Tests
        .testTarget(
            name: "TimestampsTests",
            dependencies: ["Timestamps", "TestRandom"]
        ),
        .testTarget(
            name: "ReminderDomainTests",
            dependencies: ["ReminderContracts", "ReminderDomain", "Timestamps"]
        ),
        .testTarget(
            name: "ReminderContractsTests",
            dependencies: ["ReminderContracts", "Timestamps"]
        ),
        .testTarget(
            name: "ObservabilityTests",
            dependencies: [
                "Observability",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .testTarget(
            name: "KafkaTests",
            dependencies: ["Kafka"]
        ),
        .testTarget(
            name: "ArchitectureTests"
        ),
        .testTarget(
            name: "SpawnTests",
            dependencies: ["Spawn"]
        ),
        .testTarget(
            name: "AsyncSupportTests",
            dependencies: [
                "AsyncSupport",
                .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "OutboxRelayTests",
            dependencies: ["OutboxRelay", "Kafka"]
        ),
        .testTarget(
            name: "ReminderDeliveryTests",
            dependencies: ["ReminderDelivery", "ReminderContracts", "ReminderDomain", "ReminderStore", "TestRandom"]
        ),
        .testTarget(
            name: "ReminderGatewayTests",
            dependencies: [
                "ReminderGateway", "ReminderContracts", "ReminderDomain", "ReminderStore", "Timestamps",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        // Integration tests run against real servers (PostgreSQL, the broker,
        // SMTP and HTTP sinks on loopback): `swift test --filter IntegrationTests`.
        .testTarget(
            name: "KafkaIntegrationTests",
            dependencies: [
                "Kafka",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "PostgresIntegrationTests",
            dependencies: [
                "Postgres",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "CurlIntegrationTests",
            dependencies: ["Curl", "IntegrationSupport"]
        ),
        // Helpers for integration tests: the Python SMTP and HTTP sinks as
        // processes, and what they recorded.
        .target(
            name: "IntegrationSupport",
            dependencies: ["Kafka", "Spawn"],
            path: "Tests/IntegrationSupport"
        ),
        .target(
            name: "TestRandom",
            path: "Tests/TestRandom"
        ),
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "Kafka", "Postgres", "Curl", "ReminderContracts", "ReminderDomain", "ReminderStore", "OutboxRelay", "ReminderAdmin",
                "ReminderScheduler", "ReminderDispatcher", "ReminderDelivery", "ReminderGateway", "IntegrationSupport", "Timestamps", "Spawn",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
