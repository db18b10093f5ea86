import Fluent
import Foundation

/// A reader who opened an update (its page or its API answer), once per person however often: the "opened by"
/// figure its writer sees.
// @unchecked: Fluent models are classes with property wrappers; each instance stays in one task.
final class UpdateOpen: Model, @unchecked Sendable {
    static let schema = "update_opens"

    @ID(key: .id) var id: UUID?
    @Parent(key: "update_id") var update: OrganizationUpdate
    @Parent(key: "user_id") var user: User
    /// The reader's organization when they opened it.
    @Parent(key: "organization_id") var organization: Organization
    @Field(key: "opened_at") var openedAt: Date

    init() {}
}
