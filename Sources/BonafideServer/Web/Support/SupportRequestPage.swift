import BonafideCore
import Fluent
import Foundation
import Vapor

/// One support request: what was asked, by whom and when its first answer is due, the thread, and the forms to
/// reply, resolve or (for the organization that asked) reopen. Only the people of its two organizations get here;
/// the service answers anyone else "not found". A pure view of its model.
struct SupportRequestPage: Sendable {
    /// A reply refused, shown again as typed with the reason.
    struct Refusal: Sendable {
        var body: String
        var problem: Problem
    }

    var entry: Support.Entry
    var viewerOrganizationID: UUID
    var refused: Refusal?
    var clock: Clock
    var csrf: String

    static func load(_ req: Request, for actor: Actor, refused: Refusal? = nil) async throws -> Self {
        SupportRequestPage(
            entry: try await Support.find(WebPages.uuid(req, "srid"), for: actor, on: req.db), viewerOrganizationID: actor.organizationID,
            refused: refused, clock: Clock(actor.user.timeZone), csrf: req.csrfToken)
    }

    var isProvider: Bool { viewerOrganizationID == entry.providerID }

    func render() -> HTML {
        let e = entry
        let token = csrfField(csrf)
        let who = e.requesterPerson.map { "\(e.requesterName) (\($0))" } ?? e.requesterName
        let firstAnswer: HTML
        if let answered = e.firstResponseAt {
            firstAnswer = "First answer \(clock.format(answered)), \(e.late ? "after" : "within") its promise of \(e.promise)."
        } else {
            let overdue: HTML = e.late ? " <strong>Overdue.</strong>" : ""
            firstAnswer = "First answer due by \(clock.format(e.dueAt)) (promised within \(e.promise)).\(overdue)"
        }
        let thread = HTML.join(
            e.replies.map { r in
                let author = r.authorName.map { "\($0), \(r.organizationName)" } ?? r.organizationName
                return HTML(
                    """
                    <li data-support-message="\(Access.key(r.id))"><div class="small muted">\(author) · \(clock.format(r.createdAt, "d MMM yyyy, HH:mm"))</div>
                    <p style="white-space:pre-wrap">\(r.body)</p></li>
                    """)
            })
        let errors = FieldErrors(problem: refused?.problem, fields: ["body"])
        let replyForm: HTML =
            e.status == .resolved
            ? ""
            : """
            <form method="post" action="\(SiteURL.supportMessages(e.id))" id="support-reply">\(token)\(errors.general)
            <label for="support-reply-body">\(isProvider ? "Your answer" : "Add to your request")</label>
            <textarea id="support-reply-body" name="body" rows="5" required maxlength="\(Support.maxBody)"\(errors.invalid("body"))>\(refused?.body ?? "")</textarea>\(errors.message("body"))
            <button>Send</button></form>
            """
        let settle: HTML
        if e.status != .resolved {
            settle = """
                <form method="post" action="\(SiteURL.supportResolution(e.id))" class="inline">\(token)<input type="hidden" name="action" value="resolve">\
                <button class="secondary">Mark resolved</button></form>
                """
        } else if !isProvider {
            settle = """
                <form method="post" action="\(SiteURL.supportResolution(e.id))" class="inline">\(token)<input type="hidden" name="action" value="reopen">\
                <button class="secondary">Reopen</button></form>
                """
        } else {
            settle = ""
        }
        return """
            <p><a href="\(SiteURL.support())">← Support</a></p>
            <h1>\(e.subject)</h1>
            <section class="card" id="support-request" data-support-request="\(Access.key(e.id))">
            <p>\(SupportPage.badge(e))</p>
            <p class="small muted">From \(who) to <a href="\(SiteURL.organization(e.providerID))">\(e.providerName)</a>, \(clock.format(e.createdAt)).</p>
            <p style="white-space:pre-wrap">\(e.body)</p>
            <p class="small">\(firstAnswer)\(e.resolvedAt.map { HTML(" Resolved \(clock.format($0)).") } ?? "")</p></section>
            <section class="card" id="support-thread"><h2>Thread</h2>
            \(e.replies.isEmpty ? HTML("<p class=\"muted\">No answer yet.</p>") : HTML("<ul>\(thread)</ul>"))
            \(replyForm)\(settle)</section>
            """
    }
}
