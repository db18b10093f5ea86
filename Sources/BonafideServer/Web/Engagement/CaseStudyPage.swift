import BonafideCore
import Foundation
import Vapor

/// One case study: who tells of work with whom, where it stands, the figures the record shows for that work and the
/// story. The partner's owners and admins confirm it (in its words or their own) or decline it while it waits; either
/// side's withdraw it while it waits or is shown. Which forms appear is decided in `load` from the service's entry and
/// the policy; a refused form comes back with what was typed and the reason. `render` is a pure view.
struct CaseStudyPage: Sendable {
    static let fields = ["decision", "title", "body", "note"]

    enum Form: Sendable {
        case decision, withdrawal
    }

    /// A refused form, with what was typed in it.
    struct Refusal: Sendable {
        var form: Form
        var values: [String: String]
        var problem: Problem
    }

    var entry: CaseStudies.Entry
    /// One of the two sides looks at it (their list is a link away).
    var side: Bool
    var mayDecide: Bool
    var mayWithdraw: Bool
    var refused: Refusal?
    var clock: Clock
    var csrf: String

    static func load(_ req: Request, for actor: Actor, refused: Refusal? = nil) async throws -> Self {
        let entry = try await CaseStudies.find(WebPages.uuid(req, "csid"), for: actor, on: req.db)
        let own = actor.organizationID
        let side = [entry.authorID, entry.partnerID].contains(own)
        let manages = Policy.canManage(actor)
        return CaseStudyPage(
            entry: entry, side: side, mayDecide: manages && entry.partnerID == own && entry.status == .awaitingPartner,
            mayWithdraw: manages && side && [.awaitingPartner, .confirmed].contains(entry.status), refused: refused,
            clock: Clock(actor.user.timeZone), csrf: req.csrfToken)
    }

    func render() -> HTML {
        let e = entry
        let state: HTML =
            e.status == .confirmed
            ? """
            <p id="case-study-confirmed"><strong>Confirmed by \(e.partnerName)</strong>\(e.editedByPartner ? ", in their own words" : "")\
            \(e.decidedAt.map { HTML(", \(clock.format($0, "d MMM yyyy"))") } ?? "")</p>
            """
            : "<p>\(Self.badge(e.status))</p>"
        let note: HTML =
            e.partnerNote.map {
                HTML(
                    "<blockquote class=\"testimonial\" id=\"case-study-note\"><p>\($0)</p><footer class=\"small muted\">\(e.partnerName)'s note</footer></blockquote>"
                )
            } ?? ""
        // A refusal about a form the page no longer offers (it was decided meanwhile) is said at the top.
        let shownInForm = refused.map { ($0.form == .decision && mayDecide) || ($0.form == .withdrawal && mayWithdraw) } ?? false
        let notice: HTML =
            refused.map { r in shownInForm ? "" : HTML("<p class=\"error-text\" role=\"alert\">\(r.problem.detail)</p>") } ?? ""
        let back: HTML = side ? "<p class=\"small\"><a href=\"\(SiteURL.caseStudies())\">← Case studies</a></p>" : ""
        return """
            \(back)\(notice)<article class="card case-study" data-case-study="\(Access.key(e.id))">
            <h1>\(e.title)</h1>
            <p class="muted">by <a href="\(SiteURL.organization(e.authorID))">\(e.authorName)</a> about work with <a href="\(SiteURL.organization(e.partnerID))">\(e.partnerName)</a></p>
            \(state)
            <p class="small" id="case-study-figures">\(Self.figures(e.figures, clock: clock))</p>
            <div class="markdown">\(Markdown.html(e.body))</div>
            \(note)</article>
            \(mayDecide ? decisionForm() : "")\(mayWithdraw ? withdrawalForm() : "")
            """
    }

    private func decisionForm() -> HTML {
        let typed = refused?.form == .decision ? refused : nil
        let values = typed?.values ?? [:]
        let errors = FieldErrors(problem: typed?.problem, fields: Self.fields)
        let confirm = (values["decision"] ?? "confirm") != "decline"
        return """
            <section class="card" id="case-study-decision"><h2>Confirm or decline</h2>
            <p class="muted small">\(entry.authorName) asks you to confirm this case study. Once you confirm it, it shows on both organizations' profiles
            beside the figures from your record. You may change the title or the text first: it then says it is in your own words.</p>
            <form method="post" action="\(SiteURL.caseStudyDecision(entry.id))">\(csrfField(csrf))\(errors.general)
            <fieldset><legend>Your answer</legend>
            <label><input type="radio" name="decision" value="confirm"\(HTML(raw: confirm ? " checked" : ""))> Confirm it</label>
            <label><input type="radio" name="decision" value="decline"\(HTML(raw: confirm ? "" : " checked"))> Decline it</label></fieldset>\(errors.message("decision"))
            <label for="decision-title">Title</label><input id="decision-title" name="title" maxlength="\(CaseStudies.maxTitle)" value="\(values["title"] ?? entry.title)"\(errors.invalid("title"))>\(errors.message("title"))
            <label for="decision-body">Text <span class="muted small">(Markdown; change it only to confirm it in your own words)</span></label>
            <textarea id="decision-body" name="body" rows="10" maxlength="\(CaseStudies.maxBody)"\(errors.invalid("body"))>\(values["body"] ?? entry.body)</textarea>\(errors.message("body"))
            <label for="decision-note">Note to \(entry.authorName) <span class="muted small">(optional; shown beside the case study, or why you decline it)</span></label>
            <textarea id="decision-note" name="note" rows="2" maxlength="1000"\(errors.invalid("note"))>\(values["note"] ?? "")</textarea>\(errors.message("note"))
            <button>Send your answer</button></form></section>
            """
    }

    private func withdrawalForm() -> HTML {
        let problem = refused?.form == .withdrawal ? refused?.problem : nil
        return """
            <section class="card" id="case-study-withdrawal"><h2>Withdraw it</h2>
            <p class="muted small">Either side can take the case study back: it leaves both profiles and cannot be confirmed any more.</p>
            <form method="post" action="\(SiteURL.caseStudyWithdrawal(entry.id))">\(csrfField(csrf))\(FieldErrors(problem: problem, fields: []).general)
            <button class="danger">Withdraw the case study</button></form></section>
            """
    }

    /// The state as a pill, coloured like the commitment states it resembles.
    static func badge(_ status: CaseStudyStatus) -> HTML {
        let tone =
            switch status {
            case .awaitingPartner: "proposed"
            case .confirmed: "completed"
            case .declined: "declined"
            case .withdrawn: "withdrawn"
            }
        return statusBadge(status.label, tone: tone)
    }

    /// "3 commitments completed, 3 on time, March 2025 – October 2026", months in the viewer's zone.
    static func figures(_ f: CaseStudies.Figures, clock: Clock) -> String {
        guard f.completed > 0 else { return "No completed commitments in the record any more." }
        let from = clock.format(f.from, "MMMM yyyy")
        let to = clock.format(f.to, "MMMM yyyy")
        let count = f.completed == 1 ? "1 commitment completed" : "\(f.completed) commitments completed"
        return "\(count), \(f.onTime) on time, \(from == to ? from : "\(from) – \(to)")"
    }
}
