import Foundation

/// The words of a commitment: what is promised and how the other side will judge it.
public struct CommitmentWording: Equatable, Sendable {
    public var title: String
    public var deliverable: String
    public var acceptanceCriteria: String

    public init(title: String, deliverable: String, acceptanceCriteria: String) {
        self.title = title.trimmingCharacters(in: .whitespacesAndNewlines)
        self.deliverable = deliverable.trimmingCharacters(in: .whitespacesAndNewlines)
        self.acceptanceCriteria = acceptanceCriteria.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// What differs from `other`, in the words a person uses, in a fixed order.
    public func changes(from other: CommitmentWording) -> [String] {
        var changed: [String] = []
        if title != other.title { changed.append("title") }
        if deliverable != other.deliverable { changed.append("deliverable") }
        if acceptanceCriteria != other.acceptanceCriteria { changed.append("acceptance criteria") }
        return changed
    }
}

/// Who may change a commitment's wording, and whether it takes the other side's agreement.
///
/// While a commitment is proposed, the side that promises it rewrites its own proposal: the other side has agreed
/// to nothing yet and answers the proposal as it stands. Once accepted, the words are what both agreed to, so either
/// side may only propose new words, which take effect when the other side agrees (one proposal at a time). Delivered
/// or finished work is judged against the words it was done to and is not reworded.
public enum CommitmentEditing {
    public enum Mode: Equatable, Sendable {
        case direct
        case byAgreement
    }

    public static func mode(status: CommitmentStatus, side: CommitmentSide, changePending: Bool) -> Mode? {
        switch status {
        case .proposed: side == .owner ? .direct : nil
        case .accepted: changePending ? nil : .byAgreement
        case .delivered, .completed, .declined, .withdrawn, .missed: nil
        }
    }

    /// Whether this side may answer a pending change: only the side that did not propose it, while it still applies.
    public static func mayDecide(status: CommitmentStatus, side: CommitmentSide, proposedBy: CommitmentSide) -> Bool {
        status == .accepted && side != proposedBy
    }
}
