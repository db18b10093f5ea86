import Foundation

/// Where a commitment stands. Stored as its raw string.
public enum CommitmentStatus: String, Sendable, CaseIterable, Codable {
    case proposed, accepted, delivered, completed, declined, withdrawn, missed

    /// Closed commitments accept no further transitions.
    public var isClosed: Bool { [.completed, .declined, .withdrawn].contains(self) }
}

/// What someone can do to a commitment.
public enum CommitmentAction: String, Sendable, CaseIterable, Codable {
    case accept, decline, withdraw, deliver, approveDelivery, sendBack
    case flagAtRisk, clearRisk, proposeNewDate, acceptNewDate, refuseNewDate

    /// The side allowed to take this action: the promiser acts on the work, the receiver judges it.
    public var side: CommitmentSide {
        switch self {
        case .withdraw, .deliver, .flagAtRisk, .clearRisk, .proposeNewDate: .owner
        case .accept, .decline, .approveDelivery, .sendBack, .acceptNewDate, .refuseNewDate: .recipient
        }
    }

    public var requiresReason: Bool { [.sendBack, .flagAtRisk, .proposeNewDate, .decline].contains(self) }
}

public enum CommitmentSide: String, Sendable {
    case owner, recipient
}

/// The facts of a commitment the lifecycle rules depend on.
public struct CommitmentState: Sendable, Equatable {
    public var status: CommitmentStatus
    public var dueAt: Date
    public var atRisk: Bool
    public var atRiskReason: String?
    public var proposedDueAt: Date?
    public var proposedDueReason: String?
    public var deliveredAt: Date?
    public var completedAt: Date?

    public init(
        status: CommitmentStatus, dueAt: Date, atRisk: Bool = false, atRiskReason: String? = nil,
        proposedDueAt: Date? = nil, proposedDueReason: String? = nil, deliveredAt: Date? = nil,
        completedAt: Date? = nil
    ) {
        self.status = status
        self.dueAt = dueAt
        self.atRisk = atRisk
        self.atRiskReason = atRiskReason
        self.proposedDueAt = proposedDueAt
        self.proposedDueReason = proposedDueReason
        self.deliveredAt = deliveredAt
        self.completedAt = completedAt
    }
}

/// Why a transition was refused, in words a user can act on.
public enum LifecycleError: Error, Equatable, Sendable, CustomStringConvertible {
    case wrongSide(CommitmentAction, needed: CommitmentSide)
    case notAllowed(CommitmentAction, from: CommitmentStatus)
    case reasonRequired(CommitmentAction)
    case dueDateRequired
    case dueDateNotInFuture
    case pastDue(CommitmentAction)
    case noPendingDateChange
    case dateChangeAlreadyPending
    case notAtRisk
    case alreadyAtRisk

    public var description: String {
        switch self {
        case .wrongSide(let action, let needed):
            "Only the \(needed == .owner ? "side that made the promise" : "receiving side") can \(action.label)."
        case .notAllowed(let action, let status):
            "A \(status.rawValue) commitment cannot be \(action.pastParticiple)."
        case .reasonRequired(let action): "A reason is required to \(action.label)."
        case .dueDateRequired: "A new due date (dueAt) is required."
        case .dueDateNotInFuture: "The new due date must be in the future."
        case .pastDue(let action): "The due date has passed: it is too late to \(action.label); deliver or propose a new date instead."
        case .noPendingDateChange: "No new date has been proposed."
        case .dateChangeAlreadyPending: "A new date is already waiting for an answer."
        case .notAtRisk: "The commitment is not flagged at risk."
        case .alreadyAtRisk: "The commitment is already flagged at risk; clear the flag first to give another reason."
        }
    }
}

extension CommitmentAction {
    public var label: String {
        switch self {
        case .accept: "accept the commitment"
        case .decline: "decline the commitment"
        case .withdraw: "withdraw the commitment"
        case .deliver: "mark it delivered"
        case .approveDelivery: "accept the delivery"
        case .sendBack: "send the delivery back"
        case .flagAtRisk: "flag it at risk"
        case .clearRisk: "clear the risk flag"
        case .proposeNewDate: "propose a new date"
        case .acceptNewDate: "accept the new date"
        case .refuseNewDate: "refuse the new date"
        }
    }

    public var pastParticiple: String {
        switch self {
        case .accept: "accepted"
        case .decline: "declined"
        case .withdraw: "withdrawn"
        case .deliver: "delivered"
        case .approveDelivery: "approved"
        case .sendBack: "sent back"
        case .flagAtRisk: "flagged at risk"
        case .clearRisk: "cleared of risk"
        case .proposeNewDate: "given a new date"
        case .acceptNewDate, .refuseNewDate: "answered about a new date"
        }
    }
}

/// The commitment lifecycle: proposed -> accepted -> delivered -> completed (or sent back), with early
/// notice (at risk, new date) before the due date, and missed once it passes undelivered.
public enum CommitmentLifecycle {
    /// Why the side may not take the action now, or nil when it may (given a reason and a date where needed): the
    /// one place each action's conditions live, so what is offered and what is accepted cannot differ.
    public static func refusal(of action: CommitmentAction, in state: CommitmentState, by side: CommitmentSide, at now: Date)
        -> LifecycleError?
    {
        guard side == action.side else { return .wrongSide(action, needed: action.side) }
        let allowed: [CommitmentStatus] =
            switch action {
            case .accept, .decline: [.proposed]
            case .withdraw, .flagAtRisk, .clearRisk: [.proposed, .accepted]
            case .deliver, .proposeNewDate, .acceptNewDate, .refuseNewDate: [.accepted, .missed]
            case .approveDelivery, .sendBack: [.delivered]
            }
        guard allowed.contains(state.status) else { return .notAllowed(action, from: state.status) }
        switch action {
        case .flagAtRisk:
            if now >= state.dueAt { return .pastDue(action) }
            if state.atRisk { return .alreadyAtRisk }
        case .clearRisk where !state.atRisk: return .notAtRisk
        case .proposeNewDate where state.proposedDueAt != nil: return .dateChangeAlreadyPending
        case .acceptNewDate where state.proposedDueAt == nil, .refuseNewDate where state.proposedDueAt == nil: return .noPendingDateChange
        default: break
        }
        return nil
    }

    /// The actions the side may take now, in the order a page offers them: moving the work forward first, then
    /// notice and dates, ending it last.
    public static func allowedActions(in state: CommitmentState, by side: CommitmentSide, at now: Date) -> [CommitmentAction] {
        let order: [CommitmentAction] = [
            .accept, .deliver, .approveDelivery, .acceptNewDate, .flagAtRisk, .clearRisk, .proposeNewDate, .refuseNewDate,
            .sendBack, .decline, .withdraw,
        ]
        return order.filter { refusal(of: $0, in: state, by: side, at: now) == nil }
    }

    public static func apply(
        _ action: CommitmentAction, to state: CommitmentState, by side: CommitmentSide, at now: Date,
        reason: String? = nil, newDueAt: Date? = nil
    ) throws(LifecycleError) -> CommitmentState {
        if let refusal = refusal(of: action, in: state, by: side, at: now) { throw refusal }
        let reason = reason?.trimmingCharacters(in: .whitespacesAndNewlines)
        if action.requiresReason, reason?.isEmpty ?? true { throw .reasonRequired(action) }
        var next = state
        switch action {
        case .accept:
            next.status = .accepted
        case .decline:
            next.status = .declined
        case .withdraw:
            next.status = .withdrawn
        case .deliver:
            // A missed commitment can still be delivered late; that lateness is part of the record. Delivered work
            // is no longer at risk (whether it was flagged in time stays on the record).
            next.status = .delivered
            next.deliveredAt = now
            next.proposedDueAt = nil
            next.proposedDueReason = nil
            next.atRisk = false
            next.atRiskReason = nil
        case .approveDelivery:
            next.status = .completed
            next.completedAt = now
        case .sendBack:
            next.status = now > state.dueAt ? .missed : .accepted
            next.deliveredAt = nil
        case .flagAtRisk:
            next.atRisk = true
            next.atRiskReason = reason
        case .clearRisk:
            next.atRisk = false
            next.atRiskReason = nil
        case .proposeNewDate:
            guard let newDueAt else { throw .dueDateRequired }
            guard newDueAt > now else { throw .dueDateNotInFuture }
            next.proposedDueAt = newDueAt
            next.proposedDueReason = reason
        case .acceptNewDate:
            let proposed = state.proposedDueAt!
            next.dueAt = proposed
            next.proposedDueAt = nil
            next.proposedDueReason = nil
            if state.status == .missed, proposed > now { next.status = .accepted }
        case .refuseNewDate:
            next.proposedDueAt = nil
            next.proposedDueReason = nil
        }
        return next
    }

    /// Whether the overdue job should mark this commitment missed.
    public static func isOverdue(_ state: CommitmentState, at now: Date) -> Bool {
        state.status == .accepted && state.dueAt <= now
    }

    /// How a finished commitment counts as evidence of reliability.
    public enum Outcome: String, Sendable {
        case onTime, lateWithNotice, lateWithoutNotice, missed, open
    }

    public static func outcome(
        of state: CommitmentState, flaggedBeforeDue: Bool, at now: Date
    ) -> Outcome {
        switch state.status {
        case .delivered, .completed:
            guard let delivered = state.deliveredAt ?? state.completedAt else { return .onTime }
            if delivered <= state.dueAt { return .onTime }
            return flaggedBeforeDue ? .lateWithNotice : .lateWithoutNotice
        case .missed: return .missed
        default: return .open
        }
    }
}
