import Fluent
import Foundation
import SQLKit

extension Partnerships {
    /// Makes the person a member for `organization` unless they are one, in one statement inside the caller's
    /// transaction: it runs on SQLite's one writer, where a read and then an insert would each wait their turn. The
    /// decision stays inside (the unique index on partnership and person decides), so a member removed just before
    /// the write is made a member again, and two writes at once make one membership. Stamped with the time of the
    /// write, as the model's own timestamp was.
    static func ensureMember(_ user: UUID, of organization: UUID, in partnership: UUID, on tx: any Database) async throws {
        try await tx.sql().insert(into: PartnershipMember.schema)
            .columns("id", "partnership_id", "user_id", "organization_id", "created_at")
            .values(SQLBind(UUID()), SQLBind(partnership), SQLBind(user), SQLBind(organization), SQLBind(Date()))
            .ignoringConflicts(with: ["partnership_id", "user_id"])
            .run()
    }
}
