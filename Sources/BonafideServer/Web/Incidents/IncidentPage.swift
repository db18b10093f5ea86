import BonafideCore
import Fluent
import Foundation

/// One incident: what happened, who is responsible, how its handling reads so far, the steps the lifecycle accepts
/// from the viewer's side now, publication on the profile for the responsible side's managers, and its history.
/// A refused step comes back with what was typed and the reason at its field.
struct IncidentPage: Sendable {
    static let fields = ["note", "rootCause", "improvementPlan"]

    struct Milestone: Sendable {
        var label: String
        var at: String
        var afterRaising: String
    }

    struct Publication: Sendable {
        var publishedAt: String?
        var url: String
    }

    var partnershipName: String
    var partnershipLink: String
    var title: String
    var status: IncidentStatus
    var severity: String
    var handling: IncidentLifecycle.Handling
    var responsibleName: String
    var affectedName: String
    var raisedByName: String
    var selfReported: Bool
    var raisedRelative: String
    var description: String
    var happened: String
    var raised: String
    var milestones: [Milestone]
    var reopenCount: Int
    var rootCause: String?
    var improvementPlan: String?
    var actions: [IncidentAction]
    var transitionsURL: String
    var publication: Publication?
    var history: [HistoryEntry]
    /// The step that was refused, with what was typed for it.
    var refused: (action: IncidentAction, values: [String: String], problem: Problem)?
    var csrf: String

    static func load(
        _ i: Incident, in p: Partnership, for actor: Actor, refused: (IncidentAction, [String: String], Problem)? = nil, csrf: String,
        at now: Date = Date(), on db: any Database
    ) async throws -> Self {
        let clock = Clock(actor.user.timeZone)
        let side = Policy.side(of: actor, in: i)
        let history = try await Timeline.events(of: p, incident: i.id, on: db)
        let names = try await Organization.query(on: db).filter(\.$id ~~ [i.$responsible.id, i.$affected.id]).all()
        func name(_ id: UUID) -> String { names.first { $0.id == id }?.name ?? "" }
        let milestones: [(String, Date?)] = [
            ("Acknowledged", i.acknowledgedAt), ("Resolved", i.resolvedAt), (i.status == .withdrawn ? "Withdrawn" : "Closed", i.closedAt),
        ]
        let mayPublish =
            side == .responsible && Policy.canManage(actor) && (i.status == .resolved || i.status == .closed || i.publishedAt != nil)
        return IncidentPage(
            partnershipName: p.name, partnershipLink: SiteURL.partnership(p.id), title: i.title, status: i.status,
            severity: i.severity.rawValue, handling: IncidentLifecycle.handling(of: i.state, at: now),
            responsibleName: name(i.$responsible.id), affectedName: name(i.$affected.id), raisedByName: i.$raisedBy.value?.name ?? "",
            selfReported: i.selfReported, raisedRelative: Clock.relative(i.raisedAt), description: i.description,
            happened: clock.format(i.occurredAt), raised: clock.format(i.raisedAt),
            milestones: milestones.compactMap { label, date in
                date.map { Milestone(label: label, at: clock.format($0), afterRaising: Clock.duration($0.timeIntervalSince(i.raisedAt))) }
            },
            reopenCount: i.reopenCount, rootCause: i.rootCause, improvementPlan: i.improvementPlan,
            actions: IncidentLifecycle.allowedActions(in: i.state, by: side, at: now),
            transitionsURL: SiteURL.incidentTransitions(p.id, i.id),
            publication: mayPublish
                ? Publication(publishedAt: i.publishedAt.map { clock.format($0) }, url: SiteURL.incidentPublication(p.id, i.id)) : nil,
            history: history.map { HistoryEntry($0, clock: clock) },
            refused: refused.map { (action: $0.0, values: $0.1, problem: $0.2) }, csrf: csrf)
    }

    /// The verdict on the handling, as a badge; nothing while it is pending.
    static func badge(_ handling: IncidentLifecycle.Handling) -> HTML {
        switch handling {
        case .pending: ""
        case .handledOpenly: "<span class=\"status s-handled-openly\">handled openly</span>"
        case .mishandled: "<span class=\"status s-mishandled\">mishandled</span>"
        }
    }

    func render() -> HTML {
        let verdict: HTML =
            switch handling {
            case .pending:
                status == .open ? "<p class=\"risk\">Waiting for \(responsibleName) to acknowledge it (raised \(raisedRelative)).</p>" : ""
            case .handledOpenly(_, let why): "<p id=\"handling\">\(Self.badge(handling)) \(responsibleName) \(why).</p>"
            case .mishandled(_, let why): "<p id=\"handling\">\(Self.badge(handling)) \(why.prefix(1).uppercased() + why.dropFirst()).</p>"
            }
        let steps = milestones.map { m in
            HTML("<li>\(m.label) \(m.at) <span class=\"small muted\">(\(m.afterRaising) after it was raised)</span></li>")
        }
        let account: HTML =
            rootCause.map { cause in
                """
                <div class="grid"><section class="card"><h2>Root cause</h2><p style="white-space:pre-wrap" id="root-cause-text">\(cause)</p></section>\
                <section class="card"><h2>Improvement plan</h2><p style="white-space:pre-wrap" id="plan-text">\(improvementPlan ?? "")</p></section></div>
                """
            } ?? ""
        return """
            <p><a href="\(partnershipLink)">← \(partnershipName)</a></p>
            <h1>\(title) \(statusBadge(status.rawValue)) \(statusBadge(severity))</h1>\(verdict)
            <div class="grid"><section class="card"><h2>What happened</h2><p style="white-space:pre-wrap">\(description)</p>
            <p class="small muted">\(selfReported ? "Disclosed by" : "Raised by") \(raisedByName) · responsible: <strong>\(responsibleName)</strong> · affected: \(affectedName)</p></section>
            <section class="card"><h2>Handling</h2><ul><li>Happened \(happened)</li><li>Raised \(raised)</li>\(HTML.join(steps))</ul>
            \(reopenCount > 0 ? HTML("<p class=\"risk small\">Reopened \(reopenCount) time\(reopenCount == 1 ? "" : "s")</p>") : "")</section></div>
            \(account)
            <section><h2>What you can do</h2>\(actions.isEmpty ? HTML("<p class=\"muted\">Nothing for your side right now.</p>") : HTML("<div class=\"grid\">\(HTML.join(actions.map(renderAction)))</div>"))</section>
            \(renderPublication())
            \(HistoryEntry.card(history))
            """
    }

    private static let destructive: Set<IncidentAction> = [.reopen, .withdraw]

    /// The one step shown as the page's main action: the one that moves the incident on (acknowledge, resolve, close),
    /// not a status update, and never a destructive one.
    private var primaryAction: IncidentAction? {
        actions.first { !Self.destructive.contains($0) && $0 != .update } ?? actions.first { !Self.destructive.contains($0) }
    }

    private func renderAction(_ action: IncidentAction) -> HTML {
        let typed = refused?.action == action ? refused : nil
        let errors = FieldErrors(problem: typed?.problem, fields: Self.fields)
        let value = { (name: String) in typed?.values[name] ?? "" }
        let minimum = String(IncidentLifecycle.minimumExplanation)
        let fields: HTML =
            action == .resolve
            ? """
            <label for="root-cause">Root cause</label><textarea id="root-cause" name="rootCause" required minlength="\(minimum)" maxlength="4000"\(errors.invalid("rootCause"))>\(value("rootCause"))</textarea>\(errors.message("rootCause"))
            <label for="plan">Improvement plan</label><textarea id="plan" name="improvementPlan" required minlength="\(minimum)" maxlength="4000" placeholder="What changes, by when, so it does not happen again"\(errors.invalid("improvementPlan"))>\(value("improvementPlan"))</textarea>\(errors.message("improvementPlan"))
            """
            : """
            <input name="note" aria-label="Note for: \(action.label)" placeholder="\(action.noteRequired ? "Note (required)" : "Note (optional)")"\(HTML(raw: action.noteRequired ? " required" : "")) maxlength="4000" value="\(value("note"))"\(errors.invalid("note"))>\(errors.message("note"))
            """
        let style: HTML =
            Self.destructive.contains(action) ? " class=\"danger\"" : action == primaryAction ? "" : " class=\"secondary\""
        return """
            <form method="post" action="\(transitionsURL)" class="card" style="margin:0">\(csrfField(csrf))<input type="hidden" name="action" value="\(action.rawValue)">\(errors.general)
            \(fields)<button\(style)>\(action.label.prefix(1).uppercased() + action.label.dropFirst())</button></form>
            """
    }

    private func renderPublication() -> HTML {
        guard let publication else { return "" }
        let state: HTML =
            publication.publishedAt.map {
                "<p>Published \($0): anyone sees its title, severity, dates, root cause and improvement plan (never the description or this partnership).</p>"
            }
            ?? "<p class=\"muted\">Publishing your account (title, severity, dates, root cause and improvement plan; never the description or this partnership) on your organization's profile shows how you handle incidents.</p>"
        let published = publication.publishedAt != nil
        return """
            <section class="card"><h2>On your profile</h2>\(state)
            <form method="post" action="\(publication.url)">\(csrfField(csrf))<input type="hidden" name="published" value="\(published ? "false" : "true")">
            <button class="secondary">\(published ? "Take it off our profile" : "Publish on our profile")</button></form></section>
            """
    }
}
