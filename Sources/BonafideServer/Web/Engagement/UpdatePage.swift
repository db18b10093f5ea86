import BonafideCore
import Foundation
import Vapor

/// One update in full. Open without signing in when its audience is everyone, since the Atom feed and shared links
/// point here; otherwise only to those `Updates` lets read it. A reader signed in sees their organization's private
/// thread with the writer and replies in it; the writer's people see how the update landed (whom it reached, who
/// opened it, how the replies lean) and every thread, each with a form to answer it. A refused reply comes back
/// as typed at its form. A pure view of its model.
struct UpdatePage: Sendable {
    static let fields = ["body"]

    /// A refused reply or answer, with what was typed.
    struct Refusal: Sendable {
        /// The reader organization whose thread the writer answered; nil for a reader's reply in its own.
        var thread: UUID?
        var body: String
        var problem: Problem
    }

    var entry: Updates.Entry
    /// The viewer's organization wrote it: the page says who reads it.
    var own: Bool
    /// Someone signed in: the writer's name leads to its profile and the page back to the list.
    var signedIn: Bool
    /// A reader's own thread, or for the writer's people every thread; none for visitors.
    var threads: [Updates.Thread] = []
    /// For the writer's people only.
    var figures: Updates.Figures?
    var refused: Refusal?
    var clock: Clock
    var csrf: String = ""

    static func load(_ req: Request, for actor: Actor?, refused: Refusal? = nil) async throws -> Self {
        let subject = actor.map { Access.Subject.person($0) } ?? .anyone
        let entry = try await Updates.find(WebPages.uuid(req, "uid"), for: subject, on: req.db)
        let own = actor?.organizationID == entry.organizationID
        var threads: [Updates.Thread] = []
        var figures: Updates.Figures?
        if let actor {
            threads = try await Updates.threads(of: entry.id, for: actor, on: req.db)
            if own { figures = try await Updates.figures(of: entry.id, for: actor, on: req.db) }
        }
        return UpdatePage(
            entry: entry, own: own, signedIn: actor != nil, threads: threads, figures: figures, refused: refused,
            clock: Clock(actor?.user.timeZone), csrf: req.csrfToken)
    }

    func render() -> HTML {
        let organization: HTML =
            signedIn && !own
            ? "<a href=\"\(SiteURL.organization(entry.organizationID))\">\(entry.organizationName)</a>" : "\(entry.organizationName)"
        let author: HTML = entry.writtenBy.map { HTML(" · by \($0)") } ?? ""
        let audience: HTML = own ? HTML("<p class=\"small muted\" id=\"update-audience\">Who reads it: \(entry.audienceLabel)</p>") : ""
        let back: HTML = signedIn ? "<p class=\"small\"><a href=\"\(SiteURL.updates())\">← All updates</a></p>" : ""
        // A refusal about a form the page does not show (a thread that is not the viewer's to answer) is said at the top.
        let shownInForm =
            refused.map { r in
                own ? threads.contains(where: { $0.organizationID == r.thread }) : signedIn && r.thread == nil
            } ?? false
        let notice: HTML =
            refused.map { r in shownInForm ? "" : HTML("<p class=\"error-text\" role=\"alert\">\(r.problem.detail)</p>") } ?? ""
        let replies: HTML = own ? writerSections() : signedIn ? readerSection() : ""
        return """
            \(back)\(notice)<article class="card update" data-update="\(Access.key(entry.id))">
            <h1>\(entry.title)</h1>
            <p class="muted">\(organization)\(author) · \(clock.format(entry.publishedAt))</p>\(audience)
            <div class="markdown">\(Markdown.html(entry.body))</div></article>
            \(replies)
            """
    }

    /// The reader's organization's thread with the writer, and the form to reply in it.
    private func readerSection() -> HTML {
        guard let thread = threads.first else { return "" }
        return """
            <section class="card" id="thread-\(Access.key(thread.organizationID))"><h2>Reply to \(entry.organizationName)</h2>
            <p class="muted small">A private thread: only \(entry.organizationName)'s people and \(thread.organizationName)'s see it.</p>
            \(messages(thread))\(form(thread: nil))</section>
            """
    }

    /// How the update landed, then every reader organization's thread with a form to answer it.
    private func writerSections() -> HTML {
        let figures: HTML =
            self.figures.map { f in
                let detail: HTML =
                    f.replies == 0
                    ? ""
                    : "<p class=\"small muted\" id=\"update-reply-counts\">\(Self.counts(f))</p>"
                return HTML(
                    """
                    <section class="card" id="update-figures"><h2>How it landed</h2><p id="update-figures-summary">\(Self.summary(f))</p>\(detail)</section>
                    """)
            } ?? ""
        let list: HTML =
            threads.isEmpty
            ? """
            <section class="card" id="update-threads-empty"><p class="muted">No replies yet. Each organization that reads the update can reply;
            its replies and your answers form a thread only its people and yours see.</p></section>
            """
            : HTML.join(
                threads.map { thread in
                    HTML(
                        """
                        <section class="card" id="thread-\(Access.key(thread.organizationID))"><h3>\(thread.organizationName)</h3>
                        \(messages(thread))\(form(thread: thread.organizationID))</section>
                        """)
                })
        return "\(figures)<div id=\"update-threads\"><h2>Replies</h2>\(list)</div>"
    }

    private func messages(_ thread: Updates.Thread) -> HTML {
        guard !thread.replies.isEmpty else { return "<p class=\"muted\">No replies yet.</p>" }
        return HTML.join(
            thread.replies.map { r in
                let who = r.writtenBy.map { "\($0), \(r.organizationName)" } ?? r.organizationName
                // The tone is for the writer's figures: readers are not shown a score of what they wrote.
                let label = Sentiment.label(for: r.sentiment).rawValue
                let tone: HTML =
                    own && r.side == .reader
                    ? " · <span class=\"sentiment-\(label)\">\(label) \(String(format: "%+.2f", r.sentiment))</span>" : ""
                return HTML(
                    """
                    <div class="message" data-reply="\(Access.key(r.id))" data-side="\(r.side.rawValue)"><strong>\(who)</strong> <span class="small muted">\(clock.format(r.createdAt))\(tone)</span>
                    <p style="white-space:pre-wrap;margin:.3rem 0">\(r.body)</p></div>
                    """)
            })
    }

    /// A reader's reply (`thread` nil) or the writer's answer in a reader organization's thread; the refused one
    /// comes back as typed with the reason under it.
    private func form(thread: UUID?) -> HTML {
        let typed = refused.flatMap { $0.thread == thread ? $0 : nil }
        let errors = FieldErrors(problem: typed?.problem, fields: Self.fields)
        let id = "reply-\(thread.map { Access.key($0) } ?? "own")"
        let target: HTML = thread.map { HTML("<input type=\"hidden\" name=\"organization\" value=\"\(Access.key($0))\">") } ?? ""
        return """
            <form method="post" action="\(SiteURL.updateReplies(entry.id))">\(csrfField(csrf))\(target)\(errors.general)
            <label for="\(id)">\(thread == nil ? "Your reply" : "Your answer")</label>
            <textarea id="\(id)" name="body" rows="3" required maxlength="\(Updates.maxReply)"\(errors.invalid("body"))>\(typed?.body ?? "")</textarea>\(errors.message("body"))
            <button>\(thread == nil ? "Send reply" : "Send answer")</button></form>
            """
    }

    /// "Reached 6 people in 2 organizations · opened by 3 · 2 organizations replied · replies lean positive (+0.42)"
    static func summary(_ f: Updates.Figures) -> String {
        var parts = ["Reached \(count(f.reached, "person", "people")) in \(count(f.reachedOrganizations, "organization", "organizations"))"]
        parts.append("opened by \(f.opened)")
        if f.replies == 0 {
            parts.append("no replies yet")
        } else {
            parts.append("\(count(f.replyingOrganizations, "organization", "organizations")) replied")
            if let s = f.sentiment, let label = f.label {
                let lean = label == .neutral ? "replies are neutral" : "replies lean \(label.rawValue)"
                parts.append("\(lean) (\(String(format: "%+.2f", s)))")
            }
        }
        return parts.joined(separator: " · ")
    }

    /// "3 replies, 1 answer from you · most said: “great news”, “love”"
    static func counts(_ f: Updates.Figures) -> String {
        let said = f.drivers.isEmpty ? "" : " · most said: " + f.drivers.map { "“\($0)”" }.joined(separator: ", ")
        return "\(count(f.replies, "reply", "replies")), \(count(f.answers, "answer", "answers")) from you\(said)"
    }

    private static func count(_ n: Int, _ one: String, _ many: String) -> String { "\(n) \(n == 1 ? one : many)" }
}
