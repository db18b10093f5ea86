import BonafideCore
import Foundation

/// Which of a partnership's commitments the page lists, from the query string (`state`, `owner`, `due`), so a
/// filtered view is a link one can keep or send; unknown values fall back to showing everything.
struct CommitmentFilter: Sendable, Equatable {
    enum State: String, Sendable, CaseIterable {
        case all, open, proposed, accepted, delivered, completed, missed, atRisk, ended
        var title: String {
            switch self {
            case .all: "Any state"
            case .open: "Open (not finished)"
            case .atRisk: "At risk or new date asked"
            case .ended: "Declined or withdrawn"
            default: rawValue.prefix(1).uppercased() + rawValue.dropFirst()
            }
        }
    }

    enum Owner: String, Sendable, CaseIterable {
        case anyone, ours, theirs
        var title: String {
            switch self {
            case .anyone: "Either side"
            case .ours: "Promised by your side"
            case .theirs: "Promised to your side"
            }
        }
    }

    enum Due: String, Sendable, CaseIterable {
        case any, overdue, week, month
        var title: String {
            switch self {
            case .any: "Any time"
            case .overdue: "Past due, not delivered"
            case .week: "Due in the next 7 days"
            case .month: "Due in the next 30 days"
            }
        }
    }

    var state: State = .all
    var owner: Owner = .anyone
    var due: Due = .any

    init(state: State = .all, owner: Owner = .anyone, due: Due = .any) {
        self.state = state
        self.owner = owner
        self.due = due
    }

    init(query: (String) -> String?) {
        state = query("state").flatMap(State.init(rawValue:)) ?? .all
        owner = query("owner").flatMap(Owner.init(rawValue:)) ?? .anyone
        due = query("due").flatMap(Due.init(rawValue:)) ?? .any
    }

    var isEverything: Bool { self == CommitmentFilter() }

    func matches(_ c: Commitment, ourSide: UUID, at now: Date) -> Bool {
        matches(
            status: c.status, atRisk: c.atRisk, newDateProposed: c.proposedDueAt != nil, ownedBy: c.$ownerOrganization.id,
            owedTo: c.$recipientOrganization.id, dueAt: c.dueAt, ourSide: ourSide, at: now)
    }

    /// The partnership page's rows: the same test as for a model.
    func matches(_ c: CommitmentSummary, ourSide: UUID, at now: Date) -> Bool {
        matches(
            status: c.status, atRisk: c.atRisk, newDateProposed: c.proposedDueAt != nil, ownedBy: c.ownerOrganizationId,
            owedTo: c.recipientOrganizationId, dueAt: c.dueAt, ourSide: ourSide, at: now)
    }

    private func matches(
        status: CommitmentStatus, atRisk: Bool, newDateProposed: Bool, ownedBy: UUID, owedTo: UUID, dueAt: Date, ourSide: UUID,
        at now: Date
    ) -> Bool {
        let finished: Set<CommitmentStatus> = [.completed, .declined, .withdrawn]
        let stateOK: Bool =
            switch state {
            case .all: true
            case .open: !finished.contains(status) && status != .missed
            case .proposed: status == .proposed
            case .accepted: status == .accepted
            case .delivered: status == .delivered
            case .completed: status == .completed
            case .missed: status == .missed
            case .atRisk: (atRisk || newDateProposed) && !finished.contains(status)
            case .ended: [.declined, .withdrawn].contains(status)
            }
        let ownerOK: Bool =
            switch owner {
            case .anyone: true
            case .ours: ownedBy == ourSide
            case .theirs: owedTo == ourSide
            }
        let dueOK: Bool =
            switch due {
            case .any: true
            case .overdue: dueAt < now && [.proposed, .accepted, .missed].contains(status)
            case .week: dueAt >= now && dueAt <= now.addingTimeInterval(7 * 86_400)
            case .month: dueAt >= now && dueAt <= now.addingTimeInterval(30 * 86_400)
            }
        return stateOK && ownerOK && dueOK
    }

    /// A GET form: it works without script, and the result is a link.
    func form(action: String) -> HTML {
        func select<T: RawRepresentable & CaseIterable & Equatable>(
            _ name: String, _ label: String, _ current: T, _ title: (T) -> String
        ) -> HTML where T.RawValue == String {
            let options = HTML.join(
                T.allCases.map { v in
                    HTML("<option value=\"\(v.rawValue)\"\(HTML(raw: v == current ? " selected" : ""))>\(title(v))</option>")
                })
            return
                "<div><label for=\"filter-\(name)\">\(label)</label><select id=\"filter-\(name)\" name=\"\(name)\">\(options)</select></div>"
        }
        return """
            <form method="get" action="\(action)" class="filters" role="search" aria-label="Filter commitments">\
            \(select("state", "State", state, \.title))\(select("owner", "Who promised", owner, \.title))\(select("due", "Due", due, \.title))\
            <div><button class="secondary">Show</button>\(isEverything ? "" : HTML(" <a href=\"\(action)\">Show all</a>"))</div></form>
            """
    }
}
