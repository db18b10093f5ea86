import Fluent
import Foundation

/// One organization something is addressed to by name (an update for Kite and Lark): its people read that thing
/// (`Access.Object.named`). Not tied to one kind of thing: the owner and the thing's name within it say which.
// @unchecked: Fluent models are classes with property wrappers; each instance stays in one task.
final class NamedAudience: Model, @unchecked Sendable {
    static let schema = "named_audiences"

    @ID(key: .id) var id: UUID?
    /// The organization whose thing it is.
    @Parent(key: "owner_id") var owner: Organization
    /// The thing's name within the owner, as `Access.Object.named` gives it ("update-…").
    @Field(key: "object_name") var objectName: String
    /// The organization named: its people may read the thing.
    @Parent(key: "organization_id") var organization: Organization

    init() {}
}
