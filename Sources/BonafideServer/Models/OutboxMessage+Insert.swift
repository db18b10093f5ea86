import FluentKit

/// Every change someone is told of by mail queues one per person, inside its write (`Notifier.notify`).
extension OutboxMessage: HandSaved {
    var storedProperties: [any AnyDatabaseProperty] {
        [
            $id, $organization, $toEmail, $subject, $body, $kind, $createdAt, $status, $attempts, $nextAttemptAt, $claimedUntil,
            $sentAt, $lastError, $userID, $eventKind, $link, $threadKey, $dedupeKey, $calendar,
        ]
    }
}
