import Foundation
import Postgres

extension PostgresGatewayStore {
    public func caseRecord(id: Int) async throws -> CaseRecord? {
        try await postgres.query("SELECT id, titel, status, deadline FROM sag_sager WHERE id = $1 AND deleted_at IS NULL", [id])
            .first.map(Self.caseRecord(from:))
    }

    public func setStatus(_ status: String, ofCase id: Int) async throws -> CaseRecord? {
        try await postgres.query(
            "UPDATE sag_sager SET status = $2, updated_at = now() WHERE id = $1 AND deleted_at IS NULL RETURNING id, titel, status, deadline",
            [id, status]
        ).first.map(Self.caseRecord(from:))
    }

    static func caseRecord(from row: PostgresRow) throws -> CaseRecord {
        CaseRecord(id: try row.decode("id"), title: try row.decode("titel"), status: try row.decode("status"),
                   deadline: try row.decode("deadline", as: Date?.self))
    }
}
