/// One ordered SQL migration, named `NNN_description.sql`.
public struct MigrationFile: Sendable, Equatable {
    /// The numeric prefix, which orders migrations.
    public var version: Int
    /// The file name.
    public var name: String
    /// The SQL it runs, in one transaction.
    public var sql: String

    /// Creates a migration.
    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }

    /// A stable fingerprint of the SQL (FNV-1a, 64 bit), so an applied
    /// migration that was edited afterwards is noticed.
    public var checksum: String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in sql.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
