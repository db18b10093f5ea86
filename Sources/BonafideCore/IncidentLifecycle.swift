import Foundation

/// Where an incident stands. Stored as its raw string.
public enum IncidentStatus: String, Sendable, CaseIterable, Codable {
    /// Raised, not yet acknowledged by the responsible side.
    case open
    /// The responsible side has said it is on it.
    case acknowledged
    /// The responsible side has explained the root cause and committed to an improvement plan.
    case resolved
    /// The affected side accepted the resolution.
    case closed
    /// The affected side took it back (raised in error); it counts for nothing.
    case withdrawn

    public var isFinal: Bool { self == .closed || self == .withdrawn }
}

/// How bad it was; the weight of the incident as evidence.
public enum IncidentSeverity: String, Sendable, CaseIterable, Codable {
    case minor, major, critical

    public var weight: Double {
        switch self {
        case .minor: 0.5
        case .major: 1
        case .critical: 2
        }
    }
}

public enum IncidentSide: String, Sendable {
    /// The organization the incident is about: it acknowledges, explains and fixes.
    case responsible
    /// The other side of the partnership: it judges the fix.
    case affected
}

public enum IncidentAction: String, Sendable, CaseIterable, Codable {
    case acknowledge, update, resolve, reopen, close, withdraw

    public var side: IncidentSide? {
        switch self {
        case .acknowledge, .resolve: .responsible
        case .reopen, .close, .withdraw: .affected
        case .update: nil
        }
    }

    public var label: String {
        switch self {
        case .acknowledge: "acknowledge it"
        case .update: "post an update"
        case .resolve: "resolve it with a root cause and an improvement plan"
        case .reopen: "reopen it"
        case .close: "accept the resolution and close it"
        case .withdraw: "withdraw it"
        }
    }

    /// Whether the action must say why.
    public var noteRequired: Bool { [.update, .reopen, .withdraw].contains(self) }
}

/// The facts of an incident the rules depend on.
public struct IncidentState: Sendable, Equatable {
    public var status: IncidentStatus
    public var severity: IncidentSeverity
    public var raisedAt: Date
    /// Raised by the responsible side itself: disclosed before anyone had to complain.
    public var selfReported: Bool
    public var acknowledgedAt: Date?
    public var resolvedAt: Date?
    public var closedAt: Date?
    public var rootCause: String?
    public var improvementPlan: String?
    public var reopenCount: Int
    /// The last time the affected side sent the resolution back: the time to resolve counts afresh from it.
    public var reopenedAt: Date?

    public init(
        status: IncidentStatus = .open, severity: IncidentSeverity, raisedAt: Date, selfReported: Bool = false,
        acknowledgedAt: Date? = nil, resolvedAt: Date? = nil, closedAt: Date? = nil, rootCause: String? = nil,
        improvementPlan: String? = nil, reopenCount: Int = 0, reopenedAt: Date? = nil
    ) {
        self.status = status
        self.severity = severity
        self.raisedAt = raisedAt
        self.selfReported = selfReported
        self.acknowledgedAt = acknowledgedAt
        self.resolvedAt = resolvedAt
        self.closedAt = closedAt
        self.rootCause = rootCause
        self.improvementPlan = improvementPlan
        self.reopenCount = reopenCount
        self.reopenedAt = reopenedAt
    }
}

public enum IncidentError: Error, Equatable, Sendable, CustomStringConvertible {
    case wrongSide(IncidentAction, needed: IncidentSide)
    case notAllowed(IncidentAction, from: IncidentStatus)
    case noteRequired(IncidentAction)
    case rootCauseRequired
    case improvementPlanRequired
    case reopenWindowClosed

    public var description: String {
        switch self {
        case .wrongSide(let action, let needed):
            "Only the \(needed == .responsible ? "side responsible for the incident" : "affected side") can \(action.label)."
        case .notAllowed(let action, let status):
            "An incident that is \(status.rawValue) cannot \(action == .update ? "take updates" : "be \(action.pastParticiple)")."
        case .noteRequired(let action): "Say why, in a few words, to \(action.label)."
        case .rootCauseRequired:
            "Explain the root cause (at least \(IncidentLifecycle.minimumExplanation) characters): what really made it happen."
        case .reopenWindowClosed:
            "A resolution can be sent back only within \(Int(IncidentLifecycle.acceptedAfter / 86_400)) days; after that it stands. Raise a new incident if something new went wrong."
        case .improvementPlanRequired:
            "Describe the improvement plan (at least \(IncidentLifecycle.minimumExplanation) characters): what changes so it does not happen again."
        }
    }
}

extension IncidentAction {
    var pastParticiple: String {
        switch self {
        case .acknowledge: "acknowledged"
        case .update: "updated"
        case .resolve: "resolved"
        case .reopen: "reopened"
        case .close: "closed"
        case .withdraw: "withdrawn"
        }
    }
}

/// An incident's lifecycle and what its handling says about the responsible side.
///
/// ```swift
/// var s = IncidentState(severity: .major, raisedAt: raised)
/// s = try IncidentLifecycle.apply(.acknowledge, to: s, by: .responsible, at: raised + 3_600)
/// IncidentLifecycle.handling(of: s, at: .now)   // .pending until resolved, or mishandled once late
/// ```
///
/// - The responsible side acknowledges, then resolves with a root cause and an improvement plan; the affected
///   side closes (accepts) or reopens. Either side may post updates until it is closed, so the whole exchange
///   is on the record.
/// - Handled openly: disclosed by the responsible side itself or acknowledged within `acknowledgeWithin`, and a
///   resolution the affected side accepted (or did not send back within `acceptedAfter`). Counts for credibility.
/// - Mishandled: left unacknowledged past `mishandledAfter`, or not resolved within `resolveWithin` of being
///   raised (or of the last time the fix was sent back). Counts against credibility, on top of the incident's
///   cost to reliability. Acknowledged between the two limits and then resolved: neither.
/// - The affected side can send a resolution back only within `acceptedAfter`, so an old fix cannot be reopened
///   to make it look late. A disclosure can be withdrawn by the side that disclosed it, anything else only by
///   the side that raised it.
public enum IncidentLifecycle {
    public static let minimumExplanation = 20
    public static let acknowledgeWithin: TimeInterval = 2 * 86_400
    public static let mishandledAfter: TimeInterval = 7 * 86_400
    public static let resolveWithin: TimeInterval = 30 * 86_400
    public static let acceptedAfter: TimeInterval = 14 * 86_400

    /// Why this side may not take this action now, before anything it would write is looked at; nil when it may.
    public static func refusal(_ action: IncidentAction, in state: IncidentState, by side: IncidentSide, at now: Date) -> IncidentError? {
        let needed = action == .withdraw && state.selfReported ? .responsible : action.side
        if let needed, needed != side { return .wrongSide(action, needed: needed) }
        let allowed: [IncidentStatus]
        switch action {
        case .acknowledge: allowed = [.open]
        case .update: allowed = [.open, .acknowledged, .resolved]
        case .resolve: allowed = [.open, .acknowledged]
        case .reopen, .close: allowed = [.resolved]
        case .withdraw: allowed = [.open, .acknowledged]
        }
        guard allowed.contains(state.status) else { return .notAllowed(action, from: state.status) }
        if action == .reopen, state.resolvedAt.map({ now > $0.addingTimeInterval(acceptedAfter) }) ?? true { return .reopenWindowClosed }
        return nil
    }

    /// What this side may do now, in the order a page offers it: moving the incident on first, withdrawing last.
    public static func allowedActions(in state: IncidentState, by side: IncidentSide, at now: Date) -> [IncidentAction] {
        let order: [IncidentAction] = [.acknowledge, .resolve, .close, .reopen, .update, .withdraw]
        return order.filter { refusal($0, in: state, by: side, at: now) == nil }
    }

    public static func apply(
        _ action: IncidentAction, to state: IncidentState, by side: IncidentSide, at now: Date, note: String? = nil,
        rootCause: String? = nil, improvementPlan: String? = nil
    ) throws(IncidentError) -> IncidentState {
        if let refused = refusal(action, in: state, by: side, at: now) { throw refused }
        if action.noteRequired, (note?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "").isEmpty { throw .noteRequired(action) }
        var next = state
        switch action {
        case .acknowledge:
            next.status = .acknowledged
            next.acknowledgedAt = now
        case .update:
            break
        case .resolve:
            let cause = rootCause?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            let plan = improvementPlan?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            guard cause.count >= minimumExplanation else { throw .rootCauseRequired }
            guard plan.count >= minimumExplanation else { throw .improvementPlanRequired }
            next.status = .resolved
            // Resolving says "we are on it" too.
            next.acknowledgedAt = state.acknowledgedAt ?? now
            next.resolvedAt = now
            next.rootCause = cause
            next.improvementPlan = plan
        case .reopen:
            next.status = .acknowledged
            next.reopenedAt = now
            next.resolvedAt = nil
            next.reopenCount += 1
        case .close:
            next.status = .closed
            next.closedAt = now
        case .withdraw:
            next.status = .withdrawn
            next.closedAt = now
        }
        return next
    }

    public enum Handling: Equatable, Sendable {
        /// Nothing to say yet either way.
        case pending
        case handledOpenly(at: Date, why: String)
        case mishandled(at: Date, why: String)
    }

    /// What the handling so far says about the responsible side. A late acknowledgement or a late resolution
    /// stays on the record whatever happens next.
    public static func handling(of s: IncidentState, at now: Date) -> Handling {
        if s.status == .withdrawn { return .pending }
        let lateAcknowledgement = s.raisedAt.addingTimeInterval(mishandledAfter)
        if !s.selfReported {
            if let ack = s.acknowledgedAt {
                if ack > lateAcknowledgement {
                    return .mishandled(at: lateAcknowledgement, why: "acknowledged only after \(days(ack.timeIntervalSince(s.raisedAt)))")
                }
            } else if now > lateAcknowledgement {
                return .mishandled(at: lateAcknowledgement, why: "not acknowledged for \(days(now.timeIntervalSince(s.raisedAt)))")
            }
        }
        let clockStart = s.reopenedAt ?? s.raisedAt
        let since = s.reopenedAt == nil ? "it was raised" : "its fix was sent back"
        let resolveBy = clockStart.addingTimeInterval(resolveWithin)
        if let resolved = s.resolvedAt, resolved > resolveBy {
            return .mishandled(at: resolveBy, why: "resolved only \(days(resolved.timeIntervalSince(clockStart))) after \(since)")
        }
        if s.status == .open || s.status == .acknowledged, now > resolveBy {
            return .mishandled(at: resolveBy, why: "still unresolved \(days(now.timeIntervalSince(clockStart))) after \(since)")
        }
        let promptly: String
        if s.selfReported {
            promptly = "disclosed it themselves"
        } else if let ack = s.acknowledgedAt, ack.timeIntervalSince(s.raisedAt) <= acknowledgeWithin {
            promptly = "acknowledged it within \(hours(ack.timeIntervalSince(s.raisedAt)))"
        } else {
            // Acknowledged, but not promptly: no credit either way.
            return .pending
        }
        if s.status == .closed, let closed = s.closedAt {
            return .handledOpenly(at: closed, why: "\(promptly), explained the root cause, and the improvement plan was accepted")
        }
        if s.status == .resolved, let resolved = s.resolvedAt, now > resolved.addingTimeInterval(acceptedAfter) {
            return .handledOpenly(
                at: resolved.addingTimeInterval(acceptedAfter),
                why: "\(promptly) and explained the root cause and an improvement plan, uncontested")
        }
        return .pending
    }

    /// Whether the handling can no longer change: a verdict is reached (it is permanent), or the incident ended
    /// without one (withdrawn; or acknowledged late but fixed, and closed or past the time to send the fix back).
    public static func isSettled(_ s: IncidentState, at now: Date) -> Bool {
        if handling(of: s, at: now) != .pending { return true }
        if s.status.isFinal { return true }
        return s.status == .resolved && s.resolvedAt.map { now > $0.addingTimeInterval(acceptedAfter) } == true
    }

    static func days(_ interval: TimeInterval) -> String {
        let d = Int((interval / 86_400).rounded(.down))
        return d == 1 ? "1 day" : "\(d) days"
    }

    static func hours(_ interval: TimeInterval) -> String {
        let h = max(1, Int((interval / 3_600).rounded(.up)))
        // "Within" rounds up: 47.5 hours is within 2 days, not 1.
        return h < 48 ? (h == 1 ? "1 hour" : "\(h) hours") : days(interval + 86_399)
    }
}
