import Fluent
import Foundation

/// A person who gets a mail for every update on an organization's status page.
final class StatusSubscription: Model, @unchecked Sendable {
    // @unchecked: Fluent models are classes with property wrappers; each instance stays in one task.
    static let schema = "status_subscriptions"

    @ID(key: .id) var id: UUID?
    @Parent(key: "organization_id") var organization: Organization
    @Parent(key: "user_id") var user: User
    @Field(key: "created_at") var createdAt: Date

    init() {}
}
