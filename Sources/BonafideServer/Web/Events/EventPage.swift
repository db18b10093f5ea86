import BonafideCore
import Foundation
import Vapor

/// One event: its time in the viewer's zone and in the organizer's, how full it is, the way to register (with the
/// account, or for a visitor at a public event with an address) or to give the seat back, the questions with their
/// votes and answers, and for the organizer's owners and admins their tools (answers, attendance, recording,
/// follow-up survey, cancelling). A pure view of its model.
struct EventPage: Sendable {
    var view: Events.View
    var questions: [Events.Question]
    /// For the organizer's owners and admins only.
    var registrations: [Events.Seat]
    var signedIn: Bool
    var clock: Clock
    var now: Date
    var csrf: String
    /// A visitor's refused registration, as typed.
    var values: [String: String] = [:]
    var problem: Problem?
    /// The organizer's form to change the event, while it can still change.
    var editForm: EventEditForm?

    static func load(
        _ req: Request, for actor: Actor?, values: [String: String] = [:], problem: Problem? = nil,
        editValues: [String: String]? = nil, editProblem: Problem? = nil, now: Date = Date()
    ) async throws -> Self {
        let view = try await Events.view(WebPages.uuid(req, "evid"), for: actor, on: req.db)
        let questions = try await Events.questions(view.entry.id, for: actor.map { .person($0) }, on: req.db)
        var registrations: [Events.Seat] = []
        if view.organizer, let actor { registrations = try await Events.registrations(view.entry.id, by: actor, on: req.db) }
        var editForm: EventEditForm?
        if view.organizer, view.entry.status == .scheduled, now < view.entry.endsAt {
            editForm = EventEditForm(view.entry, values: editValues, problem: editProblem, csrf: req.csrfToken)
        }
        return EventPage(
            view: view, questions: questions, registrations: registrations, signedIn: actor != nil, clock: Clock(actor?.user.timeZone),
            now: now, csrf: req.csrfToken, values: values, problem: problem, editForm: editForm)
    }

    var entry: Events.Entry { view.entry }
    var over: Bool { now >= entry.endsAt }
    var isOpen: Bool { entry.status == .scheduled && !over }

    func render() -> HTML {
        let back: HTML = signedIn ? "<p class=\"small\"><a href=\"\(SiteURL.events())\">← All events</a></p>" : ""
        let organization: HTML =
            signedIn && !view.own
            ? "<a href=\"\(SiteURL.organization(entry.organizationID))\">\(entry.organizationName)</a>" : "\(entry.organizationName)"
        let cancelled: HTML =
            entry.status == .cancelled ? "<p class=\"error-text\" id=\"event-cancelled\">This event was cancelled.</p>" : ""
        let audience: HTML = view.own ? HTML("<p class=\"small muted\" id=\"event-audience\">Who sees it: \(entry.audience.label)</p>") : ""
        let edit: HTML = editForm?.render() ?? ""
        return """
            \(back)<article class="card event" data-event="\(Access.key(entry.id))">
            <h1>\(entry.title)</h1>
            <p class="muted">\(organization)</p>\(cancelled)\(audience)
            \(Self.times(entry, viewer: signedIn ? clock : nil))
            \(Self.seats(entry))
            <div class="markdown">\(Markdown.html(entry.description))</div>
            \(Self.links(view))</article>
            \(registration())
            \(questionsSection())
            \(edit)
            \(organizerTools())
            """
    }

    /// The start in the viewer's zone (when known) and as the organizer gave it, and the length.
    static func times(_ e: Events.Entry, viewer: Clock?) -> HTML {
        let organizer = Clock(e.timeZone)
        let own: HTML =
            viewer.map { c in
                c.zone.identifier == e.timeZone
                    ? "" : HTML("<br><span class=\"muted small\">For the organizer: \(organizer.format(e.startsAt)) (\(e.timeZone))</span>")
            } ?? ""
        let main = viewer?.format(e.startsAt) ?? "\(organizer.format(e.startsAt)) (\(e.timeZone))"
        return """
            <p id="event-time"><strong>\(main)</strong>, \(e.durationMinutes) minutes\(own)</p>
            """
    }

    static func seats(_ e: Events.Entry) -> HTML {
        guard let capacity = e.capacity else { return "<p class=\"small muted\" id=\"event-seats\">\(e.registered) registered</p>" }
        return "<p class=\"small muted\" id=\"event-seats\">\(e.registered) of \(capacity) seats taken</p>"
    }

    /// The way in for those registered and the organizer's people; the recording, once there is one, for all who see it.
    static func links(_ v: Events.View) -> HTML {
        let video: HTML =
            v.videoLink.map { HTML("<p id=\"event-video\">Join: <a href=\"\($0)\" rel=\"noopener noreferrer\">\($0)</a></p>") } ?? ""
        let recording: HTML =
            v.entry.recordingLink.map {
                HTML("<p id=\"event-recording\">Recording: <a href=\"\($0)\" rel=\"noopener noreferrer\">\($0)</a></p>")
            } ?? ""
        return "\(video)\(recording)"
    }

    private func registration() -> HTML {
        guard entry.status == .scheduled else { return "" }
        if over { return "<section class=\"card\" id=\"registration\"><p class=\"muted\">This event is over.</p></section>" }
        if let seat = view.seat, seat.active {
            return """
                <section class="card" id="registration"><p><strong>You are registered.</strong> The event is in your calendar feed.</p>
                <form method="post" action="\(SiteURL.eventUnregister(entry.id))">\(csrfField(csrf))<button class="secondary">Cancel my registration</button></form></section>
                """
        }
        if entry.seatsLeft == 0 {
            return "<section class=\"card\" id=\"registration\"><p class=\"muted\">The event is full.</p></section>"
        }
        if signedIn {
            return """
                <section class="card" id="registration"><form method="post" action="\(SiteURL.eventRegistration(entry.id))">\(csrfField(csrf))<button>Register</button></form></section>
                """
        }
        // A visitor sees only public events: they register with an address and get a personal link.
        let errors = FieldErrors(problem: problem, fields: ["name", "email"])
        return """
            <section class="card" id="registration"><h2>Register</h2>
            <p class="muted small">No account needed: you get a confirmation with the invitation for your calendar and a personal link to ask questions.</p>
            <form method="post" action="\(SiteURL.eventRegistration(entry.id))">\(csrfField(csrf))\(errors.general)
            <label for="registration-name">Your name</label><input id="registration-name" name="name" required maxlength="\(Events.maxName)" value="\(values["name"] ?? "")"\(errors.invalid("name"))>\(errors.message("name"))
            <label for="registration-email">Your email address</label><input id="registration-email" type="email" name="email" required value="\(values["email"] ?? "")"\(errors.invalid("email"))>\(errors.message("email"))
            <button>Register</button></form></section>
            """
    }

    private func questionsSection() -> HTML {
        let canTake = isOpen && view.seat?.active == true
        let id = entry.id
        var vote: ((UUID) -> String)?
        if canTake { vote = { SiteURL.eventVote(id, $0) } }
        var answer: ((UUID) -> String)?
        if view.organizer { answer = { SiteURL.eventAnswer(id, $0) } }
        let list = Self.questionList(questions, csrf: csrf, vote: vote, answer: answer)
        let ask: HTML =
            canTake
            ? """
            <form method="post" action="\(SiteURL.eventQuestions(entry.id))">\(csrfField(csrf))
            <label for="question-text">Your question</label><textarea id="question-text" name="text" rows="2" required maxlength="\(Events.maxQuestion)"></textarea>
            <button>Ask</button></form>
            """
            : isOpen ? "<p class=\"small muted\">Register to ask a question and vote for the ones you want answered.</p>" : ""
        return "<section class=\"card\" id=\"questions\"><h2>Questions</h2>\(list)\(ask)</section>"
    }

    /// The questions, most votes first, each with its answer; a vote button where the viewer may still vote, an
    /// answer form for the organizer where none is given yet.
    static func questionList(
        _ questions: [Events.Question], csrf: String, vote: ((UUID) -> String)?, answer: ((UUID) -> String)?
    ) -> HTML {
        guard !questions.isEmpty else { return "<p class=\"muted\" id=\"questions-empty\">No questions yet.</p>" }
        let items = questions.map { q -> HTML in
            let who: HTML = q.askedBy.map { HTML(" · asked by \($0)") } ?? (q.mine ? " · your question" : "")
            let votes: HTML = "<span class=\"votes\">\(q.votes) vote\(q.votes == 1 ? "" : "s")</span>"
            let button: HTML =
                vote.map { action in
                    q.votedByYou
                        ? HTML("<span class=\"small muted\"> · you voted</span>")
                        : HTML(
                            "<form method=\"post\" action=\"\(action(q.id))\" class=\"inline\">\(csrfField(csrf))<button class=\"link\">+1</button></form>"
                        )
                } ?? ""
            let answered: HTML =
                q.answer.map { HTML("<p class=\"answer\"><strong>Answer:</strong> <span style=\"white-space:pre-wrap\">\($0)</span></p>") }
                ?? ""
            let form: HTML =
                q.answer == nil
                ? answer.map { action in
                    HTML(
                        """
                        <form method="post" action="\(action(q.id))">\(csrfField(csrf))<label for="answer-\(Access.key(q.id))">Answer</label>
                        <textarea id="answer-\(Access.key(q.id))" name="answer" rows="2" required maxlength="\(Events.maxAnswer)"></textarea><button>Mark answered</button></form>
                        """)
                } ?? "" : ""
            return """
                <li data-question="\(Access.key(q.id))"><p style="white-space:pre-wrap;margin:.2rem 0">\(q.text)</p>
                <p class="small muted">\(votes)\(who)\(button)</p>\(answered)\(form)</li>
                """
        }
        return "<ol class=\"questions\">\(HTML.join(items))</ol>"
    }

    private func organizerTools() -> HTML {
        guard view.organizer else { return "" }
        let started = now >= entry.startsAt
        let rows = HTML.join(
            registrations.map { r in
                let state: String =
                    r.cancelledAt != nil ? "cancelled" : r.attended.map { $0 ? "attended" : "did not attend" } ?? "not marked"
                let mark: HTML =
                    started && entry.status == .scheduled
                    ? """
                    <form method="post" action="\(SiteURL.eventAttendance(entry.id))" class="inline">\(csrfField(csrf))<input type="hidden" name="registration" value="\(Access.key(r.id))"><input type="hidden" name="attended" value="1"><button class="link">Attended</button></form>
                    <form method="post" action="\(SiteURL.eventAttendance(entry.id))" class="inline">\(csrfField(csrf))<input type="hidden" name="registration" value="\(Access.key(r.id))"><input type="hidden" name="attended" value="0"><button class="link">Did not attend</button></form>
                    """ : ""
                return HTML(
                    "<tr data-registration=\"\(Access.key(r.id))\"><td>\(r.name)</td><td>\(r.email)</td><td>\(state)</td><td>\(mark)</td></tr>"
                )
            })
        let table: HTML =
            registrations.isEmpty
            ? "<p class=\"muted\">Nobody has registered yet.</p>"
            : "<table><thead><tr><th>Name</th><th>Email</th><th>Attendance</th><th></th></tr></thead><tbody>\(rows)</tbody></table>"
        let recording: HTML =
            started && entry.status == .scheduled
            ? """
            <form method="post" action="\(SiteURL.eventRecording(entry.id))">\(csrfField(csrf))<label for="event-recording-link">Recording link (https)</label>
            <input id="event-recording-link" type="url" name="recordingLink" required maxlength="\(Events.maxLink)" value="\(entry.recordingLink ?? "")"><button>Save the recording link</button></form>
            """ : "<p class=\"small muted\">Attendance and the recording link are set once the event has started.</p>"
        let survey: HTML =
            over && entry.status == .scheduled
            ? """
            <form method="post" action="\(SiteURL.eventFollowUp(entry.id))">\(csrfField(csrf))<label for="event-survey-kind">Follow-up survey to the attendees</label>
            <select id="event-survey-kind" name="kind"><option value="csat">CSAT: how satisfied (1-5)</option><option value="nps">NPS: would they recommend you (0-10)</option></select><button>Send the survey</button></form>
            """ : ""
        let cancel: HTML =
            isOpen
            ? """
            <form method="post" action="\(SiteURL.eventCancel(entry.id))">\(csrfField(csrf))<button class="secondary">Cancel the event</button></form>
            """ : ""
        return """
            <section class="card" id="organizer-tools"><h2>Registrations</h2>\(table)\(recording)\(survey)\(cancel)</section>
            """
    }
}
