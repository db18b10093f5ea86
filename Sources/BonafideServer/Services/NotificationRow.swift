import Foundation

/// A notification as its lists read it, decoded straight into values, with how many of the person's notifications
/// are unread: the list and its count come from one query instead of a count and a page of models.
struct NotificationRow: Decodable, Sendable {
    var id: UUID
    var text: String
    var link: String
    var createdAt: Date
    var readAt: Date?
    /// The same on every row of a page.
    var unread: Int

    enum CodingKeys: String, CodingKey {
        case id, text, link, unread
        case createdAt = "created_at", readAt = "read_at"
    }
}
