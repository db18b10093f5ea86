import BonafideCore
import Foundation
import Vapor

/// The page behind a personal event link, for someone registered without an account: the event, the way in, the
/// questions to vote for, a form to ask one and a way to give the seat back. The link is the credential, so the
/// page says to keep it. A refused question comes back as typed. A pure view of its model.
struct EventLinkPage: Sendable {
    var token: String
    var view: Events.View
    var questions: [Events.Question]
    var now: Date
    var csrf: String
    var typed: String = ""
    var problem: Problem?

    static func load(_ req: Request, token: String, typed: String = "", problem: Problem? = nil, now: Date = Date()) async throws -> Self {
        let view = try await Events.view(link: token, on: req.db)
        let questions = try await Events.questions(view.entry.id, for: .link(token), on: req.db)
        return EventLinkPage(
            token: token, view: view, questions: questions, now: now, csrf: req.csrfToken, typed: typed, problem: problem)
    }

    func render() -> HTML {
        let e = view.entry
        let active = view.seat?.active == true
        let isOpen = e.status == .scheduled && now < e.endsAt
        let state: HTML =
            e.status == .cancelled
            ? "<p class=\"error-text\" id=\"event-cancelled\">This event was cancelled.</p>"
            : active
                ? "<p id=\"registration-state\"><strong>You are registered.</strong> This page is your personal link: bookmark it, and keep it to yourself. It is also in your confirmation mail.</p>"
                : "<p id=\"registration-state\">You cancelled your registration.</p>"
        let cancel: HTML =
            active && isOpen
            ? """
            <form method="post" action="\(SiteURL.eventLinkCancel(token))">\(csrfField(csrf))<button class="secondary small">Cancel my registration</button></form>
            """ : ""
        let takes = active && isOpen
        let link = token
        var vote: ((UUID) -> String)?
        if takes { vote = { SiteURL.eventLinkVote(link, $0) } }
        let list = EventPage.questionList(questions, csrf: csrf, vote: vote, answer: nil)
        let error: HTML = problem.map { "<p class=\"error-text\" id=\"text-error\" role=\"alert\">\($0.detail)</p>" } ?? ""
        let ask: HTML =
            takes
            ? """
            <form method="post" action="\(SiteURL.eventLinkQuestions(token))">\(csrfField(csrf))\(error)
            <label for="question-text">Your question</label><textarea id="question-text" name="text" rows="2" required maxlength="\(Events.maxQuestion)">\(typed)</textarea>
            <button>Ask</button></form>
            """ : error
        return """
            <div class="card" style="max-width:720px" data-event="\(Access.key(e.id))"><h1>\(e.title)</h1>
            <p class="muted">\(e.organizationName)</p>\(state)
            \(EventPage.times(e, viewer: nil))
            <div class="markdown">\(Markdown.html(e.description))</div>
            \(EventPage.links(view))\(cancel)</div>
            <section class="card" style="max-width:720px" id="questions"><h2>Questions</h2>\(list)\(ask)</section>
            """
    }
}
