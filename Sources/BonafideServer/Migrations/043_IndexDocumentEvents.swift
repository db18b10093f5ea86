import Fluent
import SQLKit

/// A partnership's document events, newest first: the Documents card shows the latest 30 on every partnership page, and
/// without it both databases read every event of the partnership to find them, which grows with its whole history.
/// Partial, so only document events are in it; a query uses it when it says `kind LIKE 'document.%'` as written here
/// (the literal, not a bound value: the planner must see that the query's condition is the index's).
struct IndexDocumentEvents: IndexMigration {
    var name: String { "043_IndexDocumentEvents" }

    static let indexes = [
        "events_partnership_documents ON partnership_events (partnership_id, created_at) WHERE kind LIKE \(documentKinds)"
    ]

    /// The condition on `kind`, in the index and in the card's query alike.
    static let documentKinds = "'document.%'"
}
