import BonafideCore
import Fluent
import Foundation

/// One commitment: who promised what to whom and by when, a wording change waiting for agreement, exactly the actions
/// the lifecycle accepts from the viewer's side now (ending the work last and confirmed), and its history.
struct CommitmentPage: Sendable {
    struct WordingChange: Sendable {
        struct Row: Sendable {
            var label: String
            var now: String
            var proposed: String
        }
        var rows: [Row]
        /// The viewer's side may agree or refuse; otherwise it waits for the other side.
        var mayDecide: Bool
    }

    var partnershipName: String
    var partnershipLink: String
    var title: String
    var status: String
    var atRiskReason: String?
    var newDate: (date: String, reason: String?)?
    var ownerName: String
    var recipientName: String
    var due: String
    var dueRelative: String
    /// The due date in the zone it was set in, when that differs from the viewer's.
    var dueAsSet: String?
    var delivered: String?
    var accepted: String?
    var deliverable: String
    var acceptanceCriteria: String
    var editing: CommitmentEditing.Mode?
    var editLink: String
    var change: WordingChange?
    var decisionURL: String
    var actions: [CommitmentAction]
    var transitionsURL: String
    /// Offered in the new-date form: a week after the current due date, in the commitment's own zone.
    var suggestedNewDate: String
    var timeZone: String
    var history: [HistoryEntry]
    var csrf: String

    static func load(
        _ c: Commitment, in p: Partnership, for actor: Actor, csrf: String, at now: Date = Date(), on db: any Database
    ) async throws -> Self {
        let clock = Clock(actor.user.timeZone)
        let ownClock = Clock(c.timeZone)
        let side = Policy.side(of: actor, in: c)
        let history = try await Timeline.events(of: p, commitment: c.id, on: db)
        let recipient = try await Organization.find(c.$recipientOrganization.id, on: db)
        var change: WordingChange?
        if let proposed = c.pendingWording, let by = c.pendingChangeSide {
            let rows = [
                WordingChange.Row(label: "What is promised", now: c.title, proposed: proposed.title),
                .init(label: "Deliverable", now: c.deliverable, proposed: proposed.deliverable),
                .init(label: "Acceptance criteria", now: c.acceptanceCriteria, proposed: proposed.acceptanceCriteria),
            ]
            change = WordingChange(
                rows: rows.filter { $0.now != $0.proposed },
                mayDecide: CommitmentEditing.mayDecide(status: c.status, side: side, proposedBy: by))
        }
        return CommitmentPage(
            partnershipName: p.name, partnershipLink: SiteURL.partnership(p.id), title: c.title, status: c.status.rawValue,
            atRiskReason: c.atRisk ? (c.atRiskReason ?? "") : nil,
            newDate: c.proposedDueAt.map { (clock.format($0), c.proposedDueReason) },
            ownerName: c.owner.name, recipientName: recipient?.name ?? "", due: clock.format(c.dueAt),
            dueRelative: Clock.relative(c.dueAt), dueAsSet: c.timeZone != clock.zone.identifier ? ownClock.format(c.dueAt) : nil,
            delivered: c.deliveredAt.map { clock.format($0) }, accepted: c.completedAt.map { clock.format($0) },
            deliverable: c.deliverable, acceptanceCriteria: c.acceptanceCriteria,
            editing: CommitmentEditing.mode(status: c.status, side: side, changePending: c.pendingChangeSide != nil),
            editLink: SiteURL.commitmentEdit(p.id, c.id), change: change, decisionURL: SiteURL.commitmentChangeDecision(p.id, c.id),
            actions: CommitmentLifecycle.allowedActions(in: c.state, by: side, at: now),
            transitionsURL: SiteURL.commitmentTransitions(p.id, c.id),
            suggestedNewDate: ownClock.inputValue(c.dueAt.addingTimeInterval(7 * 86_400)), timeZone: c.timeZone,
            history: history.map { HistoryEntry($0, clock: clock) },
            csrf: csrf)
    }

    func render() -> HTML {
        let risk: HTML = atRiskReason.map { "<p class=\"risk\">At risk: \($0)</p>" } ?? ""
        let pending: HTML =
            newDate.map { d in "<p class=\"risk\">New date proposed: \(d.date)\(d.reason.map { HTML(" (\($0))") } ?? "")</p>" } ?? ""
        let edit: HTML =
            switch editing {
            case .direct?: "<p><a href=\"\(editLink)\">Edit the proposal</a></p>"
            case .byAgreement?: "<p><a href=\"\(editLink)\">Propose new wording</a></p>"
            case nil: ""
            }
        return """
            <p><a href="\(partnershipLink)">← \(partnershipName)</a></p>
            <h1>\(title) \(statusBadge(status))</h1>\(risk)\(pending)\(renderChange())
            <div class="grid"><section class="card"><h2>Promise</h2>
            <p><strong>\(ownerName)</strong> promises this to <strong>\(recipientName)</strong>.</p>
            <p>Due <strong>\(due)</strong> (\(dueRelative))\(dueAsSet.map { HTML("<br><span class=\"small muted\">set as \($0)</span>") } ?? "")</p>
            \(delivered.map { HTML("<p>Delivered \($0)</p>") } ?? "")\(accepted.map { HTML("<p>Accepted \($0)</p>") } ?? "")
            </section><section class="card"><h2>Deliverable</h2><p>\(deliverable.isEmpty ? "—" : deliverable)</p>
            <h2>Acceptance criteria</h2><p>\(acceptanceCriteria.isEmpty ? "—" : acceptanceCriteria)</p>\(edit)</section></div>
            <section><h2>What you can do</h2>\(actions.isEmpty ? HTML("<p class=\"muted\">Nothing for your side right now.</p>") : HTML("<div class=\"grid\">\(HTML.join(actions.map(renderAction)))</div>"))</section>
            \(HistoryEntry.card(history))
            """
    }

    private func renderChange() -> HTML {
        guard let change else { return "" }
        let decide: HTML =
            change.mayDecide
            ? """
            <div class="actions"><form method="post" action="\(decisionURL)">\(csrfField(csrf))<input type="hidden" name="decision" value="accept"><button>Agree to the new wording</button></form>
            <form method="post" action="\(decisionURL)">\(csrfField(csrf))<input type="hidden" name="decision" value="refuse"><button class="secondary">Keep the current wording</button></form></div>
            """
            : "<p class=\"muted\">Waiting for the other side to agree.</p>"
        let rows = change.rows.map { r in
            HTML(
                "<tr><th scope=\"row\">\(r.label)</th><td><del>\(r.now.isEmpty ? "—" : r.now)</del></td><td><ins>\(r.proposed.isEmpty ? "—" : r.proposed)</ins></td></tr>"
            )
        }
        return """
            <section class="card" id="pending-change"><h2>New wording proposed</h2>
            <table><thead><tr><th></th><th>Now</th><th>Proposed</th></tr></thead><tbody>\(HTML.join(rows))</tbody></table>\(decide)</section>
            """
    }

    private func renderAction(_ action: CommitmentAction) -> HTML {
        let reason: HTML =
            action.requiresReason || [.deliver, .approveDelivery, .clearRisk].contains(action)
            ? "<input name=\"reason\" aria-label=\"Reason for: \(action.label)\" placeholder=\"\(action.requiresReason ? "Reason (required)" : "Note (optional)")\"\(HTML(raw: action.requiresReason ? " required" : ""))>"
            : ""
        let date: HTML =
            action == .proposeNewDate
            ? "<input type=\"datetime-local\" name=\"dueAt\" aria-label=\"New due date\" required value=\"\(suggestedNewDate)\"><input type=\"hidden\" name=\"timeZone\" value=\"\(timeZone)\">"
            : ""
        let title = action.label.prefix(1).uppercased() + action.label.dropFirst()
        // Ending the work is asked twice: opened, then confirmed (no script needed).
        if [.decline, .withdraw].contains(action) {
            return """
                <details class="card confirm" style="margin:0"><summary>\(title)…</summary>
                <form method="post" action="\(transitionsURL)">\(csrfField(csrf))<input type="hidden" name="action" value="\(action.rawValue)">
                <p class="small">This ends the commitment for both sides and cannot be undone.</p>\(reason)<button class="danger">Yes, \(action.label)</button></form></details>
                """
        }
        return """
            <form method="post" action="\(transitionsURL)" class="card" style="margin:0">\(csrfField(csrf))<input type="hidden" name="action" value="\(action.rawValue)">
            \(date)\(reason)<button\(HTML(raw: action == .sendBack ? " class=\"secondary\"" : ""))>\(title)</button></form>
            """
    }
}
