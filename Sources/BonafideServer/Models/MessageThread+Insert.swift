import FluentKit

/// A message starts a thread inside the one writer (`Messages.post`, which moves a thread's last message time itself).
extension MessageThread: HandSaved {
    var storedProperties: [any AnyDatabaseProperty] { [$id, $partnership, $subject, $createdBy, $createdAt, $lastMessageAt] }
}
