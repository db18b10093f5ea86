import BonafideCore
import Foundation
import Vapor

/// One challenge, for those who may read it, for visitors when it is public, and (through `ChallengeLinkPage`) for
/// people with a personal link: the prompt, the time box in the viewer's zone, the entry form while it is open (for a
/// visitor, the way to sign in and take part), the entries with the highlights first, and for owners and admins their
/// tools (highlight an entry, the figures, close early). A pure view of its model.
struct ChallengePage: Sendable {
    var view: Challenges.View
    var clock: Clock
    var csrf: String
    var typed: Typed?
    var problem: Problem?

    /// An entry as it was typed, shown again when it was refused.
    struct Typed: Sendable {
        var body: String
        var link: String
    }

    /// Where each form posts: the signed-in pages, or the personal link's.
    struct Actions: Sendable {
        var submit: String
        var highlight: (@Sendable (UUID) -> String)?
    }

    static func load(_ req: Request, for actor: Actor?, typed: Typed? = nil, problem: Problem? = nil) async throws -> Self {
        let participant: Challenges.Participant = actor.map { .person($0) } ?? .visitor
        let view = try await Challenges.view(WebPages.uuid(req, "chid"), as: participant, on: req.db)
        // A visitor has no zone of their own: times are given in the organizer's, named.
        let clock = Clock(actor?.user.timeZone ?? view.summary.timeZone)
        return ChallengePage(view: view, clock: clock, csrf: req.csrfToken, typed: typed, problem: problem)
    }

    func render() -> HTML {
        let id = view.summary.id
        // Owners and admins highlight; everyone else on the page gets no highlight form.
        var actions = Actions(submit: SiteURL.challengeEntries(id), highlight: nil)
        if view.organizer { actions.highlight = { SiteURL.challengeHighlight(id, $0) } }
        let back: HTML = view.visitor ? "" : "<p class=\"small\"><a href=\"\(SiteURL.challenges())\">← All challenges</a></p>"
        return """
            \(back)
            \(Self.body(view, actions: actions, clock: clock, csrf: csrf, typed: typed, problem: problem))
            \(organizerTools())
            """
    }

    /// The prompt, the time box, the entry form and the entries: the same for the signed-in and the link's page.
    static func body(
        _ view: Challenges.View, actions: Actions, clock: Clock, csrf: String, typed: Typed? = nil, problem: Problem? = nil
    ) -> HTML {
        let s = view.summary
        return """
            <article class="card" data-challenge="\(Access.key(s.id))"><h1>\(s.title)</h1>
            <p class="muted">\(s.organizationName) · <strong id="challenge-phase">\(view.phase.label)</strong></p>
            \(times(s, viewer: clock))
            <div class="markdown">\(Markdown.html(s.prompt))</div></article>
            \(entryForm(view, actions: actions, clock: clock, csrf: csrf, typed: typed, problem: problem))
            <section class="card" id="entries"><h2>Entries</h2>\(entryList(view, actions: actions, clock: clock, csrf: csrf))</section>
            """
    }

    /// The time box in the viewer's zone, and as the organizer gave it when that zone differs.
    static func times(_ s: Challenges.Summary, viewer: Clock) -> HTML {
        let organizer = Clock(s.timeZone)
        let theirs: HTML =
            viewer.zone.identifier == s.timeZone
            ? ""
            : HTML(
                "<br><span class=\"muted small\">For the organizer: \(organizer.format(s.opensAt)) to \(organizer.format(s.endsAt)) (\(s.timeZone))</span>"
            )
        let closedEarly: HTML = s.closedAt == nil ? "" : " (closed early)"
        return """
            <p id="challenge-time">From <strong>\(viewer.format(s.opensAt))</strong> to <strong>\(viewer.format(s.endsAt))</strong>\(closedEarly)\(theirs)</p>
            """
    }

    /// The viewer's entry: the form while the challenge is open (filled with the entry sent, to edit it), the entry as
    /// sent otherwise. The organization's people run the challenge and get no form.
    static func entryForm(
        _ view: Challenges.View, actions: Actions, clock: Clock, csrf: String, typed: Typed?, problem: Problem?
    ) -> HTML {
        guard !view.own else { return "" }
        let error: HTML = problem.map { "<p class=\"error-text\" role=\"alert\">\($0.detail)</p>" } ?? ""
        let s = view.summary
        if view.visitor { return visitorInvitation(view, clock: clock) }
        switch view.phase {
        case .upcoming:
            return """
                <section class="card" id="your-entry"><h2>Your entry</h2>\(error)
                <p class="muted">Entries open \(clock.format(s.opensAt)).</p></section>
                """
        case .closed:
            let sent: HTML =
                view.mine.map { m in
                    HTML("<div class=\"markdown\">\(Markdown.html(m.body))</div>\(linkLine(m.link))")
                } ?? "<p class=\"muted\">You did not send an entry.</p>"
            return """
                <section class="card" id="your-entry"><h2>Your entry</h2>\(error)
                <p class="muted">This challenge is closed: it takes no more entries.</p>\(sent)</section>
                """
        case .open:
            let body = typed?.body ?? view.mine?.body ?? ""
            let link = typed?.link ?? view.mine?.link ?? ""
            let status: HTML =
                view.mine.map { m in
                    HTML(
                        "<p class=\"small muted\">Sent \(clock.format(m.createdAt)); you can edit it until \(clock.format(s.closesAt)).</p>"
                    )
                } ?? ""
            return """
                <section class="card" id="your-entry"><h2>Your entry</h2>\(status)
                <form method="post" action="\(actions.submit)">\(csrfField(csrf))\(error)
                <label for="entry-body">Your answer <span class="muted small">(Markdown: **bold**, *italic*, lists, links)</span></label>
                <textarea id="entry-body" name="body" rows="6" required maxlength="\(Challenges.maxEntry)">\(body)</textarea>
                <label for="entry-link">A link showing it <span class="muted small">(optional, http or https)</span></label>
                <input id="entry-link" type="url" name="link" maxlength="\(Challenges.maxLink)" value="\(link)">
                <p class="small muted">Your entry is shown with your name to \(s.organizationName) and to the others taking part.</p>
                <button>\(view.mine == nil ? "Send your entry" : "Save your entry")</button></form></section>
                """
        }
    }

    /// Instead of the entry form for someone not signed in: taking part is with an account, and signing in brings them
    /// back here.
    static func visitorInvitation(_ view: Challenges.View, clock: Clock) -> HTML {
        let s = view.summary
        let signIn: HTML =
            "<p><a class=\"button\" id=\"sign-in-to-enter\" href=\"\(SiteURL.login(next: SiteURL.challenge(s.id)))\">Sign in to take part</a></p>"
        switch view.phase {
        case .upcoming:
            return """
                <section class="card" id="your-entry"><h2>Take part</h2><p class="muted">Entries open \(clock.format(s.opensAt)).</p>\(signIn)</section>
                """
        case .open:
            return """
                <section class="card" id="your-entry"><h2>Take part</h2><p class="muted">Entries are open until \(clock.format(s.closesAt)).</p>\(signIn)</section>
                """
        case .closed:
            return """
                <section class="card" id="your-entry"><h2>Take part</h2><p class="muted">This challenge is closed: it takes no more entries.</p></section>
                """
        }
    }

    /// The entries, highlights first, each with the organization's note; for owners and admins the form to highlight.
    static func entryList(_ view: Challenges.View, actions: Actions, clock: Clock, csrf: String) -> HTML {
        let shownWhen =
            view.visitor
            ? "they are shown here, highlights first, when the challenge closes"
            : "you see the others' entries once you have sent yours"
        let highlighted = view.summary.highlights > 0 ? " (\(view.summary.highlights) highlighted)" : ""
        let hidden: HTML =
            view.hiddenEntries > 0
            ? HTML(
                "<p class=\"muted\" id=\"entries-hidden\">\(view.hiddenEntries) entr\(view.hiddenEntries == 1 ? "y" : "ies") so far\(highlighted): \(shownWhen).</p>"
            ) : ""
        guard !view.entries.isEmpty else {
            return hidden.text.isEmpty ? "<p class=\"muted\" id=\"entries-empty\">No entries yet.</p>" : hidden
        }
        let items = view.entries.map { e -> HTML in
            let edited: HTML = e.updatedAt > e.createdAt ? " (edited)" : ""
            let note: HTML =
                e.highlightNote.map { n in
                    HTML("<p class=\"answer\"><strong>Highlighted by \(view.summary.organizationName):</strong> \(n)</p>")
                } ?? ""
            let mine: HTML = e.mine ? " · your entry" : ""
            let highlight: HTML =
                actions.highlight.map { action -> HTML in
                    HTML(
                        """
                        <form method="post" action="\(action(e.id))">\(csrfField(csrf))<label for="note-\(Access.key(e.id))">Why it stands out (the author reads it)</label>
                        <input id="note-\(Access.key(e.id))" name="note" required maxlength="\(Challenges.maxNote)" value="\(e.highlightNote ?? "")"><button class="secondary small">\(e.highlighted ? "Update the highlight" : "Highlight")</button></form>
                        """)
                } ?? ""
            return """
                <li data-entry="\(Access.key(e.id))"\(HTML(raw: e.highlighted ? " class=\"highlighted\"" : ""))><p class="small muted"><strong>\(e.author)</strong> · \(clock.format(e.createdAt))\(edited)\(mine)</p>
                \(note)<div class="markdown">\(Markdown.html(e.body))</div>\(linkLine(e.link))\(highlight)</li>
                """
        }
        return "\(hidden)<ol class=\"questions\">\(HTML.join(items))</ol>"
    }

    /// An entrant's link, marked as theirs: search engines are not asked to follow it.
    static func linkLine(_ link: String?) -> HTML {
        guard let link else { return "" }
        return "<p class=\"small\"><a href=\"\(link)\" rel=\"nofollow ugc noopener noreferrer\">\(link)</a></p>"
    }

    /// The figures and the early close, for owners and admins.
    private func organizerTools() -> HTML {
        guard view.organizer, let f = view.figures else { return "" }
        let close: HTML =
            view.phase == .closed
            ? ""
            : """
            <form method="post" action="\(SiteURL.challengeClose(view.summary.id))">\(csrfField(csrf))<button class="secondary">Close the challenge now</button></form>
            """
        return """
            <section class="card" id="organizer-tools"><h2>Figures</h2>
            <table><tbody><tr><th scope="row">Entries</th><td id="figure-entries">\(f.entries)</td></tr>
            <tr><th scope="row">Participants <span class="muted small">(organizations, and people with a personal link)</span></th><td id="figure-participants">\(f.participants)</td></tr>
            <tr><th scope="row">Highlights</th><td id="figure-highlights">\(f.highlights)</td></tr>
            <tr><th scope="row">Invited from a list</th><td id="figure-invited">\(f.invited)</td></tr></tbody></table>
            \(close)</section>
            """
    }
}
