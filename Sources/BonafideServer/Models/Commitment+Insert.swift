import FluentKit

/// A commitment is proposed and moved through its steps inside the one writer (`Commitments.create`, `transition`).
extension Commitment: HandSaved {
    var storedProperties: [any AnyDatabaseProperty] {
        [
            $id, $partnership, $title, $deliverable, $acceptanceCriteria, $owner, $ownerOrganization, $recipientOrganization,
            $dueAt, $timeZone, $status, $atRisk, $atRiskReason, $flaggedAt, $proposedDueAt, $proposedDueReason,
            $dueSoonNotifiedAt, $deliveredAt, $completedAt, $createdBy, $createdAt, $pendingTitle, $pendingDeliverable,
            $pendingAcceptanceCriteria, $pendingChangeSideName, $pendingChangeBy, $pendingChangeAt,
        ]
    }
}
