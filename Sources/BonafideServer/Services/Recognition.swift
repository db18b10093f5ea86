import BonafideCore
import Fluent
import Foundation
import SQLKit

/// Badges an organization earns from its record and nothing else: they cannot be bought, claimed or granted by
/// hand. Each is worked out from the record when asked, so one that is no longer true (a streak broken, answers
/// grown slow) is gone on the next view. What earned it is said in figures, never naming a partner: partnerships
/// are private to their members.
enum Recognition {
    struct Badge: Sendable, Equatable {
        var key: String
        var title: String
        var earnedBy: String
    }

    /// How many commitments in a row, each delivered by its date, earn the streak badge.
    static let streakThreshold = 10
    /// How many questions from partners in the window the answer-time badge needs before it means anything.
    static let minimumQuestions = 5
    static let answerWindow: TimeInterval = 90 * 86_400
    static let incidentWindow: TimeInterval = 365 * 86_400
    static let acknowledgeWithin: TimeInterval = 2 * 86_400
    static let longPartnership: TimeInterval = 2 * 365 * 86_400

    static func badges(of organization: UUID, at now: Date = Date(), on db: any Database) async throws -> [Badge] {
        var badges: [Badge] = []
        if let b = try await onTimeStreak(of: organization, on: db) { badges.append(b) }
        if let b = try await answersWithinADay(of: organization, at: now, on: db) { badges.append(b) }
        if let b = try await openAboutIncidents(of: organization, at: now, on: db) { badges.append(b) }
        if let b = try await longPartnership(of: organization, at: now, on: db) { badges.append(b) }
        return badges
    }

    /// The commitments the organization owned, latest first, counted while each was delivered by its due date.
    static func onTimeStreak(of organization: UUID, on db: any Database) async throws -> Badge? {
        // Plain rows in the streak's order, read column by column only until the streak breaks: an organization closes
        // hundreds of commitments, and decoding each as a model, then through `SQLRowDecoder`, cost more than reading it.
        // Of commitments closed at the same moment, the one that breaks the streak (missed, or delivered late) is taken
        // as the later, so the badge never rests on which of them the database happens to return first; then the id,
        // so the order is always the same.
        let missed = CommitmentStatus.missed.rawValue
        let latestFirst = try await db.sql().raw(
            """
            SELECT status, due_at, delivered_at, completed_at FROM commitments
            WHERE owner_organization_id = \(bind: organization)
              AND status IN (\(bind: CommitmentStatus.completed.rawValue), \(bind: missed))
            ORDER BY COALESCE(delivered_at, due_at) DESC,
              CASE WHEN status = \(bind: missed) OR COALESCE(delivered_at, completed_at) IS NULL
                OR COALESCE(delivered_at, completed_at) > due_at THEN 0 ELSE 1 END,
              id
            """
        ).all()
        var streak = 0
        for row in latestFirst {
            guard try row.decode(column: "status", as: String.self) == CommitmentStatus.completed.rawValue else { break }
            let dueAt = try row.decode(column: "due_at", as: Date.self)
            let deliveredAt =
                try row.decodeIfPresent(column: "delivered_at", as: Date.self)
                ?? row.decodeIfPresent(column: "completed_at", as: Date.self)
            guard let deliveredAt, deliveredAt <= dueAt else { break }
            streak += 1
        }
        guard streak >= streakThreshold else { return nil }
        return Badge(
            key: "onTimeStreak", title: "Kept \(streak) commitments on time in a row",
            earnedBy: "The last \(streak) commitments it owned were each delivered by their due date and accepted.")
    }

    /// Questions from partners (messages that asked for an answer) in the last 90 days: the median time to answer,
    /// counting a question still open as waiting until now.
    static func answersWithinADay(of organization: UUID, at now: Date, on db: any Database) async throws -> Badge? {
        // Two columns of each question in one read, its partnerships a subquery: the partnerships and hundreds of
        // messages decoded as models through Fluent's reflection were a tenth of the profile page.
        let asked = try await db.sql().raw(Messages.questionsFromPartners(to: organization, since: now.addingTimeInterval(-answerWindow)))
            .all()
        guard asked.count >= minimumQuestions else { return nil }
        let waits = try asked.map { row in
            let askedAt = try row.decode(column: "asked_at", as: Date.self)
            let answeredAt = try row.decodeIfPresent(column: "answered_at", as: Date.self)
            return (answeredAt ?? now).timeIntervalSince(askedAt)
        }.sorted()
        let median = waits.count % 2 == 1 ? waits[waits.count / 2] : (waits[waits.count / 2 - 1] + waits[waits.count / 2]) / 2
        guard median <= 86_400 else { return nil }
        return Badge(
            key: "answersWithinADay", title: "Answers partners within a day",
            earnedBy: "Median time to answer a partner's question over the last 90 days: \(duration(median)) (\(asked.count) questions).")
    }

    /// Every incident it was responsible for in the last year acknowledged within two days, and each one resolved
    /// explained with a root cause and an improvement plan; none withdrawn counted.
    static func openAboutIncidents(of organization: UUID, at now: Date, on db: any Database) async throws -> Badge? {
        let incidents = try await Incident.query(on: db).filter(\.$responsible.$id == organization)
            .filter(\.$raisedAt >= now.addingTimeInterval(-incidentWindow)).filter(\.$status != .withdrawn).all()
        guard !incidents.isEmpty else { return nil }
        let handled = incidents.allSatisfy { i in
            let acknowledged = i.acknowledgedAt.map { $0.timeIntervalSince(i.raisedAt) <= acknowledgeWithin } ?? false
            let explained =
                ![.resolved, .closed].contains(i.status)
                || (!(i.rootCause ?? "").isEmpty && !(i.improvementPlan ?? "").isEmpty)
            return acknowledged && explained
        }
        guard handled else { return nil }
        let count = incidents.count == 1 ? "The 1 incident" : "All \(incidents.count) incidents"
        return Badge(
            key: "openAboutIncidents", title: "Handled every incident openly this year",
            earnedBy:
                "\(count) raised about its work in the last 12 months acknowledged within 2 days, each resolved one with its root cause and improvement plan."
        )
    }

    /// A partnership still active two years after it began.
    static func longPartnership(of organization: UUID, at now: Date, on db: any Database) async throws -> Badge? {
        // Only the oldest start matters: asked of the database rather than read from every active partnership's model.
        let row = try await db.sql().raw(
            """
            SELECT MIN(created_at) AS oldest FROM partnerships
            WHERE status = \(bind: PartnershipStatus.active.rawValue)
              AND (organization_id = \(bind: organization) OR partner_organization_id = \(bind: organization))
            """
        ).first()
        guard let oldest = try row?.decodeIfPresent(column: "oldest", as: Date.self), now.timeIntervalSince(oldest) >= longPartnership
        else { return nil }
        let years = Int(now.timeIntervalSince(oldest) / (365 * 86_400))
        return Badge(
            key: "longPartnership", title: "\(years) years with the same partner",
            earnedBy: "A partnership active without a break since \(oldest.formatted(.dateTime.month(.wide).year())).")
    }

    /// "3 h", "40 min", "1 day".
    static func duration(_ seconds: TimeInterval) -> String {
        if seconds < 3_600 { return "\(max(1, Int((seconds / 60).rounded()))) min" }
        if seconds < 86_400 { return "\(Int((seconds / 3_600).rounded())) h" }
        let days = Int((seconds / 86_400).rounded())
        return days == 1 ? "1 day" : "\(days) days"
    }
}
