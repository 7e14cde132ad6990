/// The one error type of the Kafka module.
///
/// `description` carries a human-readable message only: it never contains
/// message payloads or configuration values (which may be passwords).
public struct KafkaError: Error, Sendable, CustomStringConvertible {
    /// What kind of operation failed.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private let name: String

        private init(_ name: String) { self.name = name }

        /// A configuration property was rejected, or a client could not be created.
        public static let configuration = Code("configuration")
        /// The cluster could not be reached.
        public static let connection = Code("connection")
        /// A message could not be produced or was not acknowledged.
        public static let produce = Code("produce")
        /// Consuming failed.
        public static let consume = Code("consume")
        /// Committing offsets failed.
        public static let commit = Code("commit")
        /// An admin operation (such as creating topics) failed.
        public static let admin = Code("admin")
        /// An operation did not finish within its time limit.
        public static let timeout = Code("timeout")
        /// The client has stopped (or was never started) and cannot serve the request.
        public static let shutdown = Code("shutdown")
        /// The client hit a fatal error and must be rebuilt.
        public static let fatal = Code("fatal")

        /// The code's name, such as `connection`.
        public var description: String { name }
    }

    /// What kind of operation failed.
    public var code: Code
    /// The underlying librdkafka error (`rd_kafka_resp_err_t` raw value), when there is one.
    public var rdKafkaError: Int32?
    /// A human-readable explanation; free of payloads and secrets.
    public var message: String
    /// Whether repeating the same operation later may succeed.
    public var isRetriable: Bool
    /// Whether the client is unusable from now on and must be rebuilt.
    public var isFatal: Bool
    /// Whether a produce failed because of the record itself, not the connection or the
    /// cluster: it is too large, malformed, or bound for a topic that is invalid, unknown or
    /// closed to us. Other records are unaffected; with `isRetriable` false, sending the same
    /// record again fails the same way.
    public var concernsRecord: Bool

    /// Creates an error; the module creates these, the initialiser is public for test doubles.
    public init(
        code: Code,
        message: String,
        rdKafkaError: Int32? = nil,
        isRetriable: Bool = false,
        isFatal: Bool = false,
        concernsRecord: Bool = false
    ) {
        self.code = code
        self.message = message
        self.rdKafkaError = rdKafkaError
        self.isRetriable = isRetriable
        self.isFatal = isFatal
        self.concernsRecord = concernsRecord
    }

    /// The message, so that logs read like "cannot reach Kafka broker at host:port: reason".
    public var description: String { message }
}
