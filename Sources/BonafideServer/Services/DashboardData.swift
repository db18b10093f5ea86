import BonafideCore
import Fluent
import Foundation
import SQLKit

/// What needs a person's attention across all their partnerships.
struct DashboardData: Sendable {
    /// Something only the person's side can move: a proposal to accept or decline, a delivery to judge, a new date
    /// to answer, an incident to acknowledge or a fix to accept.
    struct Waiting: Sendable {
        var what: String
        var title: String
        var partnershipID: UUID
        var link: String
        var since: Date
        /// The one step that needs no words and undoes nothing, offered right in the list; anything else is done on
        /// the item's own page.
        var quick: QuickAction? = nil
    }

    struct QuickAction: Sendable, Equatable {
        var label: String
        var url: String
        var action: String
    }

    static let quickLabels: [CommitmentAction: String] = [
        .accept: "Accept", .approveDelivery: "Accept delivery", .acceptNewDate: "Accept new date",
    ]

    var waiting: [Waiting]
    var waitingCommitments: Set<UUID>
    var partnerships: [PartnershipListRow]
    var dueSoonMine: [CommitmentRow]
    var dueSoonOwed: [CommitmentRow]
    var openRequests: [OpenRequestRow]
    var slipped: [CommitmentRow]

    /// What the page lists under "owed to your side": not what already waits for the person above it.
    var owedNotWaiting: [CommitmentRow] { dueSoonOwed.filter { !waitingCommitments.contains($0.id) } }
    /// What slipped that no list above shows: each item once on the page.
    var slippedNotListed: [CommitmentRow] {
        let listed = waitingCommitments.union((dueSoonMine + dueSoonOwed).map(\.id))
        return slipped.filter { !listed.contains($0.id) }
    }

    /// Read in four queries however many partnerships and items there are (the partnerships, the commitments of the
    /// four lists, the incidents, the requests), each decoded into plain values: models decoded through Fluent's
    /// reflection were most of the page's time. The API's dashboard has no "waiting" list, so it skips the incidents
    /// (`withIncidents: false`), which only that list shows: one statement fewer on every call.
    static func load(for actor: Actor, withIncidents: Bool = true, now: Date = Date(), on db: any Database) async throws
        -> DashboardData
    {
        let partnerships = try await Policy.visiblePartnershipRows(for: actor, on: db)
        let ids = partnerships.map(\.id)
        var mine: [CommitmentRow] = []
        var owed: [CommitmentRow] = []
        var slipped: [CommitmentRow] = []
        var waiting: [Waiting] = []
        var waitingCommitments = Set<UUID>()
        if !ids.isEmpty {
            let closed: [CommitmentStatus] = [.completed, .declined, .withdrawn]
            let horizon = now.addingTimeInterval(14 * 86_400)
            // The four lists of commitments below (what waits for this side, new wording to agree to, what is due soon,
            // what slipped) from one query for any of them, each then taken out by its own condition: four queries
            // were a third of the page's.
            let candidates = try await CommitmentRow.attention(in: ids, for: actor.organizationID, dueBy: horizon, on: db)
            let mineToMove = candidates.filter { c in
                c.recipientOrganizationId == actor.organizationID
                    && ([.proposed, .delivered].contains(c.status) || c.proposedDueAt != nil) && !closed.contains(c.status)
            }
            for c in mineToMove {
                let what =
                    c.status == .proposed
                    ? "Accept or decline" : c.status == .delivered ? "Accept the delivery or send it back" : "Answer the new date"
                let step: CommitmentAction =
                    c.status == .proposed ? .accept : c.status == .delivered ? .approveDelivery : .acceptNewDate
                let allowed = CommitmentLifecycle.allowedActions(in: c.state, by: .recipient, at: now).contains(step)
                let url = SiteURL.commitmentTransitions(c.partnershipId, c.id)
                waiting.append(
                    .init(
                        what: what, title: c.title, partnershipID: c.partnershipId, link: SiteURL.commitment(c.partnershipId, c.id),
                        since: c.status == .delivered ? (c.deliveredAt ?? c.createdAt) : c.createdAt,
                        quick: allowed ? QuickAction(label: Self.quickLabels[step] ?? "", url: url, action: step.rawValue) : nil))
            }
            var incidents: [IncidentSummary] = []
            if withIncidents { incidents = try await waitingIncidents(in: ids, for: actor.organizationID, on: db) }
            for i in incidents {
                let acknowledge =
                    i.responsibleOrganizationId == actor.organizationID
                    && IncidentLifecycle.allowedActions(in: i.state, by: .responsible, at: now).contains(.acknowledge)
                waiting.append(
                    .init(
                        what: i.status == .open ? "Acknowledge the incident" : "Accept the fix or reopen", title: i.title,
                        partnershipID: i.partnershipId, link: SiteURL.incident(i.partnershipId, i.id),
                        since: i.status == .open ? i.raisedAt : (i.resolvedAt ?? i.raisedAt),
                        quick: acknowledge
                            ? QuickAction(
                                label: "Acknowledge", url: SiteURL.incidentTransitions(i.partnershipId, i.id), action: "acknowledge")
                            : nil))
            }
            // New wording the other side proposed for accepted work waits for this side's agreement.
            let changes = candidates.filter { $0.status == .accepted && $0.pendingChangeSideName != nil }
                .filter { $0.pendingChangeSide != nil && $0.pendingChangeSide != Policy.side(of: actor, in: $0) }
            for c in changes {
                waiting.append(
                    .init(
                        what: "Agree to new wording or keep it", title: c.title, partnershipID: c.partnershipId,
                        link: SiteURL.commitment(c.partnershipId, c.id), since: c.pendingChangeAt ?? c.createdAt))
            }
            waiting.sort { $0.since < $1.since }
            let open = candidates.filter { [.proposed, .accepted].contains($0.status) && $0.dueAt <= horizon }
            waitingCommitments = Set((mineToMove + changes).map(\.id))
            mine = open.filter { $0.ownerOrganizationId == actor.organizationID }
            owed = open.filter { $0.recipientOrganizationId == actor.organizationID }
            slipped = candidates.filter { c in
                (c.status == .missed || c.atRisk || c.proposedDueAt != nil) && !closed.contains(c.status)
            }
        }
        let requests = try await OpenRequestRow.waiting(in: ids, for: actor.organizationID, on: db)
        // The unread count is not read here: the page's frame reads it anyway, and the API asks for it itself.
        return DashboardData(
            waiting: waiting, waitingCommitments: waitingCommitments, partnerships: partnerships, dueSoonMine: mine, dueSoonOwed: owed,
            openRequests: requests, slipped: slipped)
    }

    /// The incidents that wait for the organization: open ones it is responsible for (to acknowledge), resolved ones
    /// that affected it (to accept the fix or reopen).
    static func waitingIncidents(in partnershipIDs: [UUID], for organization: UUID, on db: any Database) async throws
        -> [IncidentSummary]
    {
        try await db.sql().raw(
            """
            SELECT i.id, i.partnership_id, i.responsible_organization_id, i.title, i.severity, i.raised_at, i.self_reported,
                   i.status, i.acknowledged_at, i.resolved_at, i.closed_at, i.root_cause, i.improvement_plan, i.reopen_count,
                   i.reopened_at
            FROM incidents i
            WHERE i.partnership_id IN \(SQLBind.group(partnershipIDs)) AND (
              (i.responsible_organization_id = \(bind: organization) AND i.status = \(bind: IncidentStatus.open.rawValue))
              OR (i.affected_organization_id = \(bind: organization) AND i.status = \(bind: IncidentStatus.resolved.rawValue)))
            ORDER BY i.raised_at, i.id
            """
        ).all().map(IncidentSummary.init(row:))
    }
}
