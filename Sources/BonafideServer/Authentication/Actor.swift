import Foundation

/// The signed-in person a request acts for.
struct Actor: Sendable {
    let user: User
    var id: UUID { user.id! }
    var organizationID: UUID { user.$organization.id }
    var role: Role { user.role }
}
