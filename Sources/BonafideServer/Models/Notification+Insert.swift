import FluentKit

/// Every change someone is told of inserts one per person, inside its write (`Notifier.notify`).
extension Notification: HandSaved {
    var storedProperties: [any AnyDatabaseProperty] { [$id, $user, $text, $link, $createdAt, $readAt] }
}
