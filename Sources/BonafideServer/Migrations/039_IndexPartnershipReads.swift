import Fluent
import SQLKit

/// What a partnership's page and the list of partnerships ask on every view, answered from an index alone. At a
/// hundred times the demo (3,000 partnerships, 200,000 messages, 100,000 commitments) each of these read through
/// the whole of its table:
/// - a partnership's conversations, most recently active first: there was no index by partnership, so every
///   conversation of every partnership was read and the few that matched sorted (some 2,000 pages per view);
/// - the requests of a partnership (the open count on lists, the response times on the page): by partnership,
///   whether answered and when, who asked and when, so neither reads a message row;
/// - the open commitments of the partnerships a list shows, counted by state: SQLite chose the index by state and
///   read every open commitment of every partnership (some 10,000 pages per view of the list); with partnership
///   and state leading it seeks each pair, and the due date and the risk flag it counts are in the index.
struct IndexPartnershipReads: IndexMigration {
    var name: String { "039_IndexPartnershipReads" }

    static let indexes = [
        "message_threads_partnership ON message_threads (partnership_id, last_message_at)",
        "messages_requests ON messages (partnership_id, needs_response, responded_at, organization_id, created_at)",
        "commitments_partnership_status ON commitments (partnership_id, status, due_at, at_risk)",
    ]
}
