import Foundation
import Postgres

/// The gateway's queries against PostgreSQL: one type for every repository the gateway uses,
/// since they share the pool and the row decoding.
public struct PostgresGatewayStore: GatewayStore {
    let postgres: PostgresClient
    /// Active users seen recently: the check runs on every request, and users are rarely
    /// deactivated. Unknown and inactive users are not cached.
    private let activeUsers = ActiveUserCache(lifetime: 30)

    /// Queries through `postgres`.
    public init(postgres: PostgresClient) {
        self.postgres = postgres
    }

    // MARK: Users

    public func status(of userID: Int) async throws -> UserStatus {
        if activeUsers.contains(userID) { return .active }
        let rows = try await postgres.query("SELECT is_active FROM users WHERE user_id = $1", [userID])
        guard let row = rows.first else { return .unknown }
        guard try row.decode("is_active", as: Bool.self) else { return .inactive }
        activeUsers.insert(userID)
        return .active
    }

    // MARK: Health

    public func checkDatabase() async throws {
        try await PostgresHealthProbe(postgres: postgres).checkDatabase()
    }
}
