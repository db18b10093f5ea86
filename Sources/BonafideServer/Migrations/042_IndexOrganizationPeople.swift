import Fluent
import SQLKit

/// An organization's people and the colleagues it invited, by organization. Neither had an index leading with the
/// organization, so every dashboard view (the getting-started checklist counts them) and every notification to an
/// organization's people read the whole of both tables: at a hundred times the demo, thousands of people per view.
struct IndexOrganizationPeople: IndexMigration {
    var name: String { "042_IndexOrganizationPeople" }

    static let indexes = [
        "users_organization ON users (organization_id)",
        "colleague_invitations_organization ON colleague_invitations (organization_id)",
    ]
}
