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
        let finished: Set<CommitmentStatus> = [.completed, .declined, .withdrawn]
        let stateOK: Bool =
            switch state {
            case .all: true
            case .open: !finished.contains(c.status) && c.status != .missed
            case .proposed: c.status == .proposed
            case .accepted: c.status == .accepted
            case .delivered: c.status == .delivered
            case .completed: c.status == .completed
            case .missed: c.status == .missed
            case .atRisk: (c.atRisk || c.proposedDueAt != nil) && !finished.contains(c.status)
            case .ended: [.declined, .withdrawn].contains(c.status)
            }
        let ownerOK: Bool =
            switch owner {
            case .anyone: true
            case .ours: c.$ownerOrganization.id == ourSide
            case .theirs: c.$recipientOrganization.id == ourSide
            }
        let dueOK: Bool =
            switch due {
            case .any: true
            case .overdue: c.dueAt < now && [.proposed, .accepted, .missed].contains(c.status)
            case .week: c.dueAt >= now && c.dueAt <= now.addingTimeInterval(7 * 86_400)
            case .month: c.dueAt >= now && c.dueAt <= now.addingTimeInterval(30 * 86_400)
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
