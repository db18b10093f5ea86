import BonafideCore
import Foundation
import SQLKit

/// The rows the scaled demo writes, as plain values with their columns: each table's required columns as the
/// migrations define them, optional ones left NULL unless the state calls for them (as the services leave them).
extension DemoScale {
    /// Seeded randomness with the few shapes the generator needs.
    struct Dice: Sendable {
        var generator: SplitMix64

        init(seed: UInt64) { generator = SplitMix64(seed: seed) }

        /// Uniform in [0, 1).
        mutating func unit() -> Double { Double(generator.next() >> 11) * 0x1p-53 }
        mutating func chance(_ p: Double) -> Bool { unit() < p }
        mutating func double(_ low: Double, _ high: Double) -> Double { low + (high - low) * unit() }
        mutating func int(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(generator.next() % UInt64(range.count)) }
        mutating func pick<T>(_ items: [T]) -> T { items[int(0...(items.count - 1))] }
    }

    struct Person: Sendable {
        var id: UUID
        var name: String
        var email: String
        var timeZone: String
    }

    /// An organization as the generator uses it: who can act for it and what it does.
    struct Party: Sendable {
        var id: UUID
        var name: String
        var trade: Int
        var people: [Person]
    }

    /// Two organizations that work together; `a` invited `b` (its first person's address).
    struct Pairing: Sendable {
        var a: Party
        var b: Party
    }

    struct NewOrganization: Sendable {
        var id: UUID
        var name: String
        var description: String
        var capabilities: [String]
        var limitations: [String]
        var timeZone: String
        var languages: [String]
        var workStart: Int
        var workEnd: Int
        var workDays: [Int]
        var createdAt: Date

        static let columns = [
            "id", "name", "description", "capabilities", "limitations", "risks", "time_zone", "languages", "work_start_minute",
            "work_end_minute", "work_days", "message_sentiment", "require_two_factor", "status_page", "created_at",
        ]
        var values: [any SQLExpression] {
            [
                SQLBind(id), SQLBind(name), SQLBind(description), SQLBind(capabilities), SQLBind(limitations), SQLBind([String]()),
                SQLBind(timeZone), SQLBind(languages), SQLBind(workStart), SQLBind(workEnd), SQLBind(workDays), SQLBind(false),
                SQLBind(false), SQLBind(StatusPageVisibility.off.rawValue), SQLBind(createdAt),
            ]
        }
    }

    /// A person who can sign in: the demo password, the address confirmed (demo people read their mail).
    struct NewUser: Sendable {
        var id: UUID
        var email: String
        var name: String
        var passwordHash: String
        var timeZone: String
        var organizationID: UUID
        var role: String
        var createdAt: Date

        static let columns = [
            "id", "email", "name", "password_hash", "time_zone", "organization_id", "role", "created_at", "email_verified_at",
        ]
        var values: [any SQLExpression] {
            [
                SQLBind(id), SQLBind(email), SQLBind(name), SQLBind(passwordHash), SQLBind(timeZone), SQLBind(organizationID),
                SQLBind(role), SQLBind(createdAt), SQLBind(createdAt),
            ]
        }
    }

    struct NewPartnership: Sendable {
        var id: UUID
        var name: String
        var organizationID: UUID
        var partnerID: UUID?
        var status: PartnershipStatus
        var invitedEmail: String?
        var secretHash: String?
        var createdByID: UUID
        var createdAt: Date

        static let columns = [
            "id", "name", "organization_id", "partner_organization_id", "status", "invited_email", "invitation_secret_hash",
            "created_by_id", "created_at",
        ]
        var values: [any SQLExpression] {
            [
                SQLBind(id), SQLBind(name), SQLBind(organizationID), DemoScale.bind(partnerID), SQLBind(status.rawValue),
                DemoScale.bind(invitedEmail), DemoScale.bind(secretHash), SQLBind(createdByID), SQLBind(createdAt),
            ]
        }
    }

    struct NewMember: Sendable {
        var id = UUID()
        var partnershipID: UUID
        var userID: UUID
        var organizationID: UUID
        var createdAt: Date

        static let columns = ["id", "partnership_id", "user_id", "organization_id", "created_at"]
        var values: [any SQLExpression] {
            [SQLBind(id), SQLBind(partnershipID), SQLBind(userID), SQLBind(organizationID), SQLBind(createdAt)]
        }
    }

    struct NewAgreement: Sendable {
        var id = UUID()
        var partnershipID: UUID
        var version: Int
        var text: String
        var authorID: UUID
        var createdAt: Date

        static let columns = ["id", "partnership_id", "version", "text", "author_id", "created_at"]
        var values: [any SQLExpression] {
            [SQLBind(id), SQLBind(partnershipID), SQLBind(version), SQLBind(text), SQLBind(authorID), SQLBind(createdAt)]
        }
    }

    struct NewCommitment: Sendable {
        var id: UUID
        var partnershipID: UUID
        var title: String
        var deliverable: String
        var acceptanceCriteria: String
        var ownerID: UUID
        var ownerOrganizationID: UUID
        var recipientOrganizationID: UUID
        var timeZone: String
        /// Status, due date, risk, proposed date, delivery and completion as the lifecycle left them.
        var state: CommitmentState
        var flaggedAt: Date?
        /// When the overdue sweep told both sides the due date was near (open commitments only).
        var dueSoonNotifiedAt: Date?
        var createdAt: Date

        static let columns = [
            "id", "partnership_id", "title", "deliverable", "acceptance_criteria", "owner_id", "owner_organization_id",
            "recipient_organization_id", "due_at", "time_zone", "status", "at_risk", "at_risk_reason", "flagged_at", "proposed_due_at",
            "proposed_due_reason", "delivered_at", "completed_at", "due_soon_notified_at", "created_by_id", "created_at",
        ]
        var values: [any SQLExpression] {
            [
                SQLBind(id), SQLBind(partnershipID), SQLBind(title), SQLBind(deliverable), SQLBind(acceptanceCriteria), SQLBind(ownerID),
                SQLBind(ownerOrganizationID), SQLBind(recipientOrganizationID), SQLBind(state.dueAt), SQLBind(timeZone),
                SQLBind(state.status.rawValue), SQLBind(state.atRisk), DemoScale.bind(state.atRiskReason), DemoScale.bind(flaggedAt),
                DemoScale.bind(state.proposedDueAt), DemoScale.bind(state.proposedDueReason), DemoScale.bind(state.deliveredAt),
                DemoScale.bind(state.completedAt), DemoScale.bind(dueSoonNotifiedAt), SQLBind(ownerID), SQLBind(createdAt),
            ]
        }
    }

    struct NewThread: Sendable {
        var id: UUID
        var partnershipID: UUID
        var subject: String
        var createdByID: UUID
        var createdAt: Date
        var lastMessageAt: Date

        static let columns = ["id", "partnership_id", "subject", "created_by_id", "created_at", "last_message_at"]
        var values: [any SQLExpression] {
            [SQLBind(id), SQLBind(partnershipID), SQLBind(subject), SQLBind(createdByID), SQLBind(createdAt), SQLBind(lastMessageAt)]
        }
    }

    struct NewMessage: Sendable {
        var id: UUID
        var threadID: UUID
        var partnershipID: UUID
        var authorID: UUID
        var organizationID: UUID
        var body: String
        var needsResponse: Bool
        var respondedAt: Date?
        /// When the other side was reminded of the request (the sweep does it once, after two working days).
        var remindedAt: Date?
        var createdAt: Date

        static let columns = [
            "id", "thread_id", "partnership_id", "author_id", "organization_id", "body", "needs_response", "responded_at",
            "reminded_at", "created_at",
        ]
        var values: [any SQLExpression] {
            [
                SQLBind(id), SQLBind(threadID), SQLBind(partnershipID), SQLBind(authorID), SQLBind(organizationID), SQLBind(body),
                SQLBind(needsResponse), DemoScale.bind(respondedAt), DemoScale.bind(remindedAt), SQLBind(createdAt),
            ]
        }
    }

    /// A timeline event and, through `entry`, the log entry `Timeline.append` writes with it.
    struct NewEvent: Sendable {
        var id = UUID()
        var partnershipID: UUID
        var actorID: UUID?
        var kind: String
        var summary: String
        var reason: String?
        var commitmentID: UUID?
        var createdAt: Date
        var extra: [String: String]

        static let columns = ["id", "partnership_id", "actor_id", "kind", "summary", "reason", "commitment_id", "created_at"]
        var values: [any SQLExpression] {
            [
                SQLBind(id), SQLBind(partnershipID), DemoScale.bind(actorID), SQLBind(kind), SQLBind(summary), DemoScale.bind(reason),
                DemoScale.bind(commitmentID), SQLBind(createdAt),
            ]
        }

        /// The payload keys are Timeline.append's: the extra fields, then event, summary, reason and commitment.
        var entry: LedgerEntry {
            var payload = extra
            payload["event"] = Access.key(id)
            payload["summary"] = summary
            if let reason { payload["reason"] = reason }
            if let commitmentID { payload["commitment"] = Access.key(commitmentID) }
            return LedgerEntry(partnership: partnershipID, type: kind, actor: actorID, time: createdAt, payload: payload)
        }
    }

    struct Log: Sendable {
        var partnership: UUID
        var entries: [LedgerEntry]
    }

    /// What one transaction writes: the rows of a few dozen partnerships, their logs and trust queue pairs.
    struct Batch: Sendable {
        var partnerships: [NewPartnership] = []
        var members: [NewMember] = []
        var agreements: [NewAgreement] = []
        var commitments: [NewCommitment] = []
        var threads: [NewThread] = []
        var messages: [NewMessage] = []
        var events: [NewEvent] = []
        var logs: [Log] = []
        var trust: [TrustService.Pair] = []

        /// Events go in time order (ties in the order they happened), so the log reads as the history did.
        mutating func add(_ history: History) {
            guard let p = history.partnership else { return }
            partnerships.append(p)
            members += history.members
            agreements += history.agreements
            commitments += history.commitments
            threads += history.threads
            messages += history.messages
            let ordered = history.events.enumerated()
                .sorted { ($0.element.createdAt, $0.offset) < ($1.element.createdAt, $1.offset) }.map { $0.element }
            events += ordered
            logs.append(Log(partnership: p.id, entries: ordered.map(\.entry)))
            if let partner = p.partnerID {
                trust.append(TrustService.Pair(viewer: p.organizationID, subject: partner))
                trust.append(TrustService.Pair(viewer: partner, subject: p.organizationID))
            }
        }

        /// Rows written, counting a log of n entries as its n leaves, its hash tiles (one per 256 hashes of each tile
        /// level: n, n/256, …) and its head.
        var rows: Int {
            let tiles = logs.reduce(0) { total, log in
                var n = log.entries.count
                var sum = 0
                while n > 0 {
                    sum += (n + 255) / 256
                    n >>= 8
                }
                return total + sum
            }
            return partnerships.count + members.count + agreements.count + commitments.count + threads.count + messages.count
                + 2 * events.count + tiles + logs.count + trust.count
        }
    }
}
