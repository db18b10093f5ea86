import FluentKit

/// A message starts a thread or moves its last message time, inside the one writer (`Messages.post`).
extension MessageThread: HandSaved {
    var storedProperties: [any AnyDatabaseProperty] { [$id, $partnership, $subject, $createdBy, $createdAt, $lastMessageAt] }
}
