import BonafideCore
import Foundation
import Vapor

/// One feedback panel, for its members and the organization's people, and (through `PanelLinkPage`) for members
/// with a personal link: what was done with the feedback, the ideas by votes with their comments, the form to
/// propose one, and for owners and admins their tools (invite from a circle or a CSV list, decide, close).
/// A pure view of its model.
struct PanelPage: Sendable {
    var view: FeedbackPanels.View
    var clock: Clock
    var csrf: String

    static func load(_ req: Request, for actor: Actor) async throws -> Self {
        let view = try await FeedbackPanels.view(WebPages.uuid(req, "pnid"), as: .person(actor), on: req.db)
        return PanelPage(view: view, clock: Clock(actor.user.timeZone), csrf: req.csrfToken)
    }

    /// Where each form of the panel posts: the signed-in pages, or the personal link's.
    struct Actions: Sendable {
        var propose: String
        var vote: (@Sendable (UUID) -> String)?
        var comment: @Sendable (UUID) -> String
        var decide: (@Sendable (UUID) -> String)?
    }

    func render() -> HTML {
        let id = view.entry.id
        // Members vote; owners and admins decide. Anyone else on the page gets neither form.
        var actions = Actions(propose: SiteURL.panelIdeas(id), vote: nil, comment: { SiteURL.panelComment(id, $0) }, decide: nil)
        if view.memberID != nil { actions.vote = { SiteURL.panelVote(id, $0) } }
        if view.organizer { actions.decide = { SiteURL.panelDecision(id, $0) } }
        let leave: HTML = view.memberID != nil ? Self.leaving(action: SiteURL.panelLeave(id), csrf: csrf) : ""
        return """
            <p class="small"><a href="\(SiteURL.panels())">← All panels</a></p>
            \(Self.body(view, actions: actions, clock: clock, csrf: csrf))
            \(leave)
            \(organizerTools())
            """
    }

    /// A member's way off the panel, for either kind of member: a quiet secondary action below the ideas.
    static func leaving(action: String, csrf: String) -> HTML {
        """
        <section class="card" id="membership"><p class="small muted">You are a member of this panel. Leaving ends your membership; your ideas, votes and comments stay on the panel.</p>
        <form method="post" action="\(action)">\(csrfField(csrf))<button class="secondary">Leave the panel</button></form></section>
        """
    }

    /// The panel's heading, what was done, the ideas and the form to propose: the same for both kinds of member.
    static func body(_ view: FeedbackPanels.View, actions: Actions, clock: Clock, csrf: String, typed: String = "", problem: Problem? = nil)
        -> HTML
    {
        let e = view.entry
        let closed: HTML =
            e.status == .closed ? "<p class=\"muted\" id=\"panel-closed\">This panel is closed: it takes no new ideas or votes.</p>" : ""
        let done = view.actedOn.map { i -> HTML in
            "<li data-acted=\"\(Access.key(i.id))\"><strong>\(i.title)</strong><p style=\"white-space:pre-wrap;margin:.2rem 0\">\(i.outcome)</p></li>"
        }
        let actedOn: HTML =
            done.isEmpty
            ? "" : "<section class=\"card\" id=\"acted-on\"><h2>What we did with your feedback</h2><ul>\(HTML.join(done))</ul></section>"
        let error: HTML = problem.map { "<p class=\"error-text\" role=\"alert\">\($0.detail)</p>" } ?? ""
        let propose: HTML =
            view.isOpen
            ? """
            <form method="post" action="\(actions.propose)">\(csrfField(csrf))\(error)
            <label for="idea-title">Your idea</label><input id="idea-title" name="title" required maxlength="\(FeedbackPanels.maxIdeaTitle)" value="\(typed)">
            <label for="idea-details">Details <span class="muted small">(optional)</span></label><textarea id="idea-details" name="details" rows="3" maxlength="\(FeedbackPanels.maxDetails)"></textarea>
            <button>Propose</button></form>
            """ : error
        return """
            <article class="card" data-panel="\(Access.key(e.id))"><h1>\(e.title)</h1>
            <p class="muted">\(e.organizationName) · \(e.members) member\(e.members == 1 ? "" : "s")</p>\(closed)
            <p style="white-space:pre-wrap">\(e.purpose)</p></article>
            \(actedOn)
            <section class="card" id="ideas"><h2>Ideas</h2>\(ideaList(view, actions: actions, clock: clock, csrf: csrf))\(propose)</section>
            """
    }

    /// The ideas, most votes first: status and outcome, a vote button where the member has not voted, the comments
    /// and a comment form while the panel is open, and the decision form for owners and admins.
    static func ideaList(_ view: FeedbackPanels.View, actions: Actions, clock: Clock, csrf: String) -> HTML {
        guard !view.ideas.isEmpty else { return "<p class=\"muted\" id=\"ideas-empty\">No ideas yet.</p>" }
        let items = view.ideas.map { i -> HTML in
            let by: HTML = i.proposedBy.map { HTML(" · proposed by \($0)") } ?? (i.mine ? " · your idea" : "")
            let vote: HTML =
                view.isOpen
                ? actions.vote.map { action in
                    i.votedByYou
                        ? HTML("<span class=\"small muted\"> · you voted</span>")
                        : HTML(
                            "<form method=\"post\" action=\"\(action(i.id))\" class=\"inline\">\(csrfField(csrf))<button class=\"link\">+1</button></form>"
                        )
                } ?? "" : ""
            let outcome: HTML =
                i.outcome.map {
                    HTML("<p class=\"answer\"><strong>\(i.status.label):</strong> <span style=\"white-space:pre-wrap\">\($0)</span></p>")
                }
                ?? ""
            let comments = HTML.join(
                i.comments.map { c in
                    HTML(
                        "<li><span class=\"small muted\">\(c.author), \(clock.format(c.createdAt))</span><p style=\"white-space:pre-wrap;margin:.1rem 0\">\(c.body)</p></li>"
                    )
                })
            let commentForm: HTML =
                view.isOpen
                ? """
                <form method="post" action="\(actions.comment(i.id))">\(csrfField(csrf))<label for="comment-\(Access.key(i.id))">Comment</label>
                <textarea id="comment-\(Access.key(i.id))" name="body" rows="2" required maxlength="\(FeedbackPanels.maxComment)"></textarea><button class="secondary small">Comment</button></form>
                """ : ""
            let decide: HTML =
                actions.decide.map { action -> HTML in
                    let options = HTML.join(
                        [PanelIdeaStatus.planned, .done, .declined].map { s in
                            HTML("<option value=\"\(s.rawValue)\"\(HTML(raw: s == i.status ? " selected" : ""))>\(s.label)</option>")
                        })
                    return HTML(
                        """
                        <form method="post" action="\(action(i.id))">\(csrfField(csrf))<label for="decision-\(Access.key(i.id))">Decision</label>
                        <select id="decision-\(Access.key(i.id))" name="status">\(options)</select>
                        <label for="outcome-\(Access.key(i.id))">What was done, or why not (the members read it)</label>
                        <textarea id="outcome-\(Access.key(i.id))" name="outcome" rows="2" required maxlength="\(FeedbackPanels.maxOutcome)">\(i.outcome)</textarea><button>Save the decision</button></form>
                        """)
                } ?? ""
            return """
                <li data-idea="\(Access.key(i.id))"><p style="margin:.2rem 0"><strong>\(i.title)</strong></p>
                <p style="white-space:pre-wrap;margin:.2rem 0">\(i.details)</p>
                <p class="small muted"><span class="votes">\(i.votes) vote\(i.votes == 1 ? "" : "s")</span> · \(i.status.label)\(by)\(vote)</p>\(outcome)
                <ul class="comments">\(comments)</ul>\(commentForm)\(decide)</li>
                """
        }
        return "<ol class=\"questions\">\(HTML.join(items))</ol>"
    }

    private func organizerTools() -> HTML {
        guard view.organizer else { return "" }
        let id = view.entry.id
        let rows = HTML.join(
            view.members.map { m in
                HTML(
                    "<tr><td>\(m.name)</td><td>\(m.email)</td><td>\(m.withAccount ? "account" : "personal link")</td><td>\(clock.format(m.invitedAt))</td></tr>"
                )
            })
        let table: HTML =
            view.members.isEmpty
            ? "<p class=\"muted\">Nobody is on the panel yet.</p>"
            : "<table><thead><tr><th>Name</th><th>Email</th><th>Through</th><th>Invited</th></tr></thead><tbody>\(rows)</tbody></table>"
        let circles = HTML.join(Circle.allCases.map { c in HTML("<option value=\"\(c.rawValue)\">\(c.title)</option>") })
        let invite: HTML =
            view.isOpen
            ? """
            <form method="post" action="\(SiteURL.panelMembers(id))">\(csrfField(csrf))<label for="panel-circle">Invite the people of a circle</label>
            <select id="panel-circle" name="circle">\(circles)</select><button>Invite the circle</button></form>
            <form method="post" action="\(SiteURL.panelMembers(id))">\(csrfField(csrf))<label for="panel-csv">Or invite from a list: one person a line, as email,name</label>
            <textarea id="panel-csv" name="csv" rows="4" placeholder="ana@customer.example,Ana Ruiz"></textarea><button>Invite the list</button></form>
            <form method="post" action="\(SiteURL.panelClose(id))">\(csrfField(csrf))<button class="secondary">Close the panel</button></form>
            """ : ""
        return "<section class=\"card\" id=\"organizer-tools\"><h2>Members</h2>\(table)\(invite)</section>"
    }
}
