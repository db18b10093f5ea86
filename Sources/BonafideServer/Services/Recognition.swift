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
        // Plain rows: an organization closes hundreds of commitments, and decoding each as a model cost more than reading it.
        struct Closed: Decodable {
            var status: String
            var due_at: Date
            var delivered_at: Date?
            var completed_at: Date?
        }
        let closed = try await db.sql().select().columns("status", "due_at", "delivered_at", "completed_at").from(Commitment.schema)
            .where("owner_organization_id", .equal, organization)
            .where("status", .in, [CommitmentStatus.completed.rawValue, CommitmentStatus.missed.rawValue]).all(decoding: Closed.self)
        let latestFirst = closed.sorted { ($0.delivered_at ?? $0.due_at) > ($1.delivered_at ?? $1.due_at) }
        var streak = 0
        for c in latestFirst {
            guard c.status == CommitmentStatus.completed.rawValue, (c.delivered_at ?? c.completed_at ?? .distantFuture) <= c.due_at else {
                break
            }
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
        let partnerships = try await Partnership.query(on: db)
            .group(.or) { $0.filter(\.$organization.$id == organization).filter(\.$partner.$id == organization) }.all().compactMap(\.id)
        guard !partnerships.isEmpty else { return nil }
        let asked = try await Message.query(on: db).filter(\.$partnership.$id ~~ partnerships).filter(\.$organization.$id != organization)
            .filter(\.$needsResponse == true).filter(\.$createdAt >= now.addingTimeInterval(-answerWindow))
            .field(\.$createdAt).field(\.$respondedAt).all()
        guard asked.count >= minimumQuestions else { return nil }
        let waits = asked.map { ($0.respondedAt ?? now).timeIntervalSince($0.createdAt) }.sorted()
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
        let active = try await Partnership.query(on: db).filter(\.$status == .active)
            .group(.or) { $0.filter(\.$organization.$id == organization).filter(\.$partner.$id == organization) }.all()
        guard let oldest = active.compactMap(\.createdAt).min(), now.timeIntervalSince(oldest) >= longPartnership else { return nil }
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
