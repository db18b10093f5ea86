import FluentKit

/// Every state change of a partnership appends one, inside its write (`Timeline.append`).
extension PartnershipEvent: HandSaved {
    var storedProperties: [any AnyDatabaseProperty] {
        [$id, $partnership, $actor, $kind, $summary, $reason, $commitmentID, $incidentID, $createdAt]
    }
}
