import Postgres

extension BenchmarkFixtures {
    /// One user; their id.
    @discardableResult
    public func addUser(name: String, email: String? = nil) async throws -> Int {
        try await postgres.query("INSERT INTO users (username, email) VALUES ($1, $2) RETURNING user_id", [name, email])[0]
            .decode("user_id", as: Int.self)
    }

    /// Users `user1` … `user<count>`, each with an address at example.test.
    public func addUsers(count: Int) async throws {
        try await postgres.query(
            "INSERT INTO users (username, email) SELECT 'user' || n, 'user' || n || '@example.test' FROM generate_series(1, $1) AS n", [count]
        )
    }

    /// The lowest user id.
    public func firstUserID() async throws -> Int {
        try await postgres.query("SELECT min(user_id) AS id FROM users")[0].decode("id", as: Int.self)
    }

    /// One case; its id.
    @discardableResult
    public func addCase(title: String) async throws -> Int {
        try await postgres.query("INSERT INTO sag_sager (titel) VALUES ($1) RETURNING id", [title])[0].decode("id", as: Int.self)
    }

    /// Cases `Case 1` … `Case <count>`.
    public func addCases(count: Int) async throws {
        try await postgres.query("INSERT INTO sag_sager (titel) SELECT 'Case ' || n FROM generate_series(1, $1) AS n", [count])
    }

    /// Moves case `id` to status `i_gang`, which fires its status_change reminders.
    public func startCase(_ id: Int) async throws {
        try await postgres.query("UPDATE sag_sager SET status = 'i_gang' WHERE id = $1", [id])
    }

    /// Moves every case to status `i_gang` in one statement.
    public func startAllCases() async throws {
        try await postgres.query("UPDATE sag_sager SET status = 'i_gang'")
    }
}
