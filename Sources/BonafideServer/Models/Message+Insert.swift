import FluentKit

/// Every message posted is inserted inside the one writer (`Messages.post`).
extension Message: HandSaved {
    var storedProperties: [any AnyDatabaseProperty] {
        [
            $id, $thread, $partnership, $author, $organization, $body, $needsResponse, $respondedAt, $createdAt, $sentiment,
            $sentimentDriversJSON, $remindedAt,
        ]
    }
}
