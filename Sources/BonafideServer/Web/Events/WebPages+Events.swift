import BonafideCore
import Fluent
import Foundation
import Vapor

/// Events: the list with its form, one event with registration, questions and the organizer's tools, and the
/// personal link's page for people without an account.
extension WebPages {
    static func events(_ req: Request) async throws -> HTML {
        try await eventsPage(req, form: nil)
    }

    private static func eventsPage(_ req: Request, form: EventForm?) async throws -> HTML {
        let model = try await EventsPage.load(req, for: try req.requireActor(), form: form)
        return try await page(req, "Events", model.render())
    }

    static func createEvent(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        let values = Dictionary(uniqueKeysWithValues: EventForm.fields.map { ($0, typedText(req, $0)) })
        do {
            let entry = try await Events.create(try eventDraft(values), by: actor, on: req.db)
            req.flash("Planned. Who sees it: \(entry.audience.label.lowercased()).")
            return req.safeRedirect(to: SiteURL.event(entry.id))
        } catch let problem as Problem where Policy.canManage(actor) {
            // Shown again as typed, with the refusal next to its field.
            let form = EventForm(values: values, problem: problem, csrf: req.csrfToken, defaultZone: actor.user.timeZone)
            return try await eventsPage(req, form: form).encodeResponse(status: problem.status, for: req)
        } catch let problem as Problem {
            req.flash(problem.detail, error: true)
            return req.safeRedirect(to: SiteURL.events())
        }
    }

    /// The form's text as a draft: the start is read in the chosen zone, so the zone is checked first.
    static func eventDraft(_ values: [String: String]) throws -> Events.Draft {
        guard let audience = Audience(rawValue: values["visibility"] ?? "") else {
            throw Problem.invalid("visibility", "Choose who sees the event.")
        }
        let zone = (values["timeZone"] ?? "").trimmingCharacters(in: .whitespaces)
        guard Validation.isTimeZone(zone) else { throw Problem.invalid("timeZone", "Choose the time zone the start is given in.") }
        let seats = (values["capacity"] ?? "").trimmingCharacters(in: .whitespaces)
        var capacity: Int?
        if !seats.isEmpty {
            guard let n = Int(seats) else { throw Problem.invalid("capacity", "Seats are a whole number; leave it empty for no limit.") }
            capacity = n
        }
        let minutes = Int((values["durationMinutes"] ?? "").trimmingCharacters(in: .whitespaces)) ?? 0
        return Events.Draft(
            title: values["title"] ?? "", description: values["description"] ?? "",
            startsAt: Clock.parseLocal((values["startsAt"] ?? "").trimmingCharacters(in: .whitespaces), zone: zone),
            durationMinutes: minutes, timeZone: zone, capacity: capacity, videoLink: values["videoLink"] ?? "", audience: audience)
    }

    static func eventPage(_ req: Request) async throws -> Response {
        do {
            let model = try await EventPage.load(req, for: req.actor)
            return try await page(req, model.entry.title, model.render()).encodeResponse(for: req)
        } catch let problem as Problem where problem.status == .notFound && req.actor == nil {
            // An event for partners or circles may well be the visitor's once signed in. Every unknown or hidden event
            // gets the same answer, so this tells nothing about which exist.
            return req.redirect(to: SiteURL.login(next: req.url.path))
        }
    }

    /// Signed in: the person's seat. A visitor, at a public event: a seat by address, then the personal link's page.
    static func registerForEvent(_ req: Request) async throws -> Response {
        let id = uuid(req, "evid")
        if let actor = req.actor {
            return try await act(req, back: SiteURL.event(id)) {
                _ = try await Events.register(id, by: actor, baseURL: req.application.bonafide.baseURL, on: req.db)
                req.flash("You are registered. The invitation is in your mail, and the event in your calendar feed.")
                return SiteURL.event(id)
            }
        }
        let values = ["name": typedText(req, "name"), "email": typedText(req, "email")]
        do {
            // Each registration writes a mail to any address: counted per client, across servers.
            try await req.limitAttempts("event-registration", key: "", limit: Events.registrationsPerClient, window: 600)
            let (_, token) = try await Events.register(
                id, email: values["email"] ?? "", name: values["name"] ?? "", baseURL: req.application.bonafide.baseURL, on: req.db)
            // The page the personal link opens says what it is; the same link is in the confirmation mail.
            return req.safeRedirect(to: SiteURL.eventLink(token))
        } catch let problem as Problem where problem.status != .notFound {
            let model = try await EventPage.load(req, for: nil, values: values, problem: problem)
            return try await page(req, model.entry.title, model.render()).encodeResponse(status: problem.status, for: req)
        }
    }

    /// The signed-in organizer's and participant's actions: each goes back to the event with what it did, or why not.
    private static func eventAction(_ req: Request, anchor: String = "", _ work: @escaping @Sendable (Actor, UUID?) async throws -> String)
        async throws -> Response
    {
        let actor = try req.requireActor()
        let id = uuid(req, "evid")
        let back = SiteURL.event(id) + anchor
        return try await act(req, back: back) {
            let done = try await work(actor, id)
            req.flash(done)
            return back
        }
    }

    static func unregisterFromEvent(_ req: Request) async throws -> Response {
        try await eventAction(req) { actor, id in
            _ = try await Events.cancelRegistration(id, as: .person(actor), baseURL: req.application.bonafide.baseURL, on: req.db)
            return "Your registration is cancelled; the seat is free for someone else."
        }
    }

    static func askAtEvent(_ req: Request) async throws -> Response {
        let text = typedText(req, "text")
        return try await eventAction(req, anchor: "#questions") { actor, id in
            _ = try await Events.ask(id, text: text, as: .person(actor), on: req.db)
            return "Your question is in; others can vote for it."
        }
    }

    static func voteAtEvent(_ req: Request) async throws -> Response {
        let question = uuid(req, "qid")
        return try await eventAction(req, anchor: "#questions") { actor, id in
            _ = try await Events.vote(id, question: question, as: .person(actor), on: req.db)
            return "Your vote counts."
        }
    }

    static func answerAtEvent(_ req: Request) async throws -> Response {
        let question = uuid(req, "qid")
        let answer = typedText(req, "answer")
        return try await eventAction(req, anchor: "#questions") { actor, id in
            _ = try await Events.answer(id, question: question, answer: answer, by: actor, on: req.db)
            return "Marked answered; the answer stays with the question."
        }
    }

    static func markEventAttendance(_ req: Request) async throws -> Response {
        let registration = UUID(uuidString: field(req, "registration"))
        let attended = field(req, "attended") == "1"
        return try await eventAction(req, anchor: "#organizer-tools") { actor, id in
            guard let registration else { throw Problem.invalid("registration", "Choose a registration.") }
            let marked = try await Events.markAttendance(id, registrations: [registration], attended: attended, by: actor, on: req.db)
            return "\(marked.first?.name ?? "They") \(attended ? "attended" : "did not attend")."
        }
    }

    static func setEventRecording(_ req: Request) async throws -> Response {
        let link = field(req, "recordingLink")
        return try await eventAction(req, anchor: "#organizer-tools") { actor, id in
            _ = try await Events.setRecording(id, link: link, by: actor, on: req.db)
            return "The recording link is set."
        }
    }

    static func sendEventFollowUp(_ req: Request) async throws -> Response {
        let kind = field(req, "kind")
        return try await eventAction(req, anchor: "#organizer-tools") { actor, id in
            let (_, invited) = try await Events.followUpSurvey(
                id, kind: kind, by: actor, baseURL: req.application.bonafide.baseURL, on: req.db)
            return "Survey sent to \(invited) attendee\(invited == 1 ? "" : "s"); its results are on the surveys page."
        }
    }

    /// The organizer's change: back to the event when saved, the page with the form as typed and the reason at its
    /// field when refused.
    static func updateEvent(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        let id = uuid(req, "evid")
        let values = Dictionary(uniqueKeysWithValues: EventEditForm.fields.map { ($0, typedText(req, $0)) })
        do {
            let changes = try eventChanges(values, shownStart: field(req, "shownStartsAt"), shownZone: field(req, "shownTimeZone"))
            _ = try await Events.update(id, changes, by: actor, baseURL: req.application.bonafide.baseURL, on: req.db)
            req.flash("Saved. Those registered are told of a new time, title or video link, with the updated invitation.")
            return req.safeRedirect(to: SiteURL.event(id))
        } catch let problem as Problem where problem.status == .unprocessableEntity {
            let model = try await EventPage.load(req, for: actor, editValues: values, editProblem: problem)
            return try await page(req, model.entry.title, model.render()).encodeResponse(status: problem.status, for: req)
        } catch let problem as Problem {
            req.flash(problem.detail, error: true)
            return req.safeRedirect(to: SiteURL.event(id))
        }
    }

    /// The edit form's text as changes. Every field is sent; the start counts as changed only when it differs from
    /// what the form showed, so an event under way (or one planned to the second) keeps its start when saved as is.
    static func eventChanges(_ values: [String: String], shownStart: String, shownZone: String) throws -> Events.Changes {
        let zone = (values["timeZone"] ?? "").trimmingCharacters(in: .whitespaces)
        guard Validation.isTimeZone(zone) else { throw Problem.invalid("timeZone", "Choose the time zone the start is given in.") }
        var changes = Events.Changes(
            title: values["title"] ?? "", description: values["description"] ?? "", videoLink: values["videoLink"] ?? "")
        let start = (values["startsAt"] ?? "").trimmingCharacters(in: .whitespaces)
        if start != shownStart || zone != shownZone {
            guard let startsAt = Clock.parseLocal(start, zone: zone) else {
                throw Problem.invalid("startsAt", "Give the date and time the event starts.")
            }
            changes.startsAt = startsAt
            changes.timeZone = zone
        }
        guard let minutes = Int((values["durationMinutes"] ?? "").trimmingCharacters(in: .whitespaces)) else {
            throw Problem.invalid("durationMinutes", "The length is a whole number of minutes.")
        }
        changes.durationMinutes = minutes
        let seats = (values["capacity"] ?? "").trimmingCharacters(in: .whitespaces)
        if seats.isEmpty {
            changes.unlimitedSeats = true
        } else {
            guard let n = Int(seats) else { throw Problem.invalid("capacity", "Seats are a whole number; leave it empty for no limit.") }
            changes.capacity = n
        }
        return changes
    }

    static func cancelEvent(_ req: Request) async throws -> Response {
        try await eventAction(req) { actor, id in
            _ = try await Events.cancel(id, by: actor, baseURL: req.application.bonafide.baseURL, on: req.db)
            return "Cancelled; everyone registered has been told."
        }
    }

    // MARK: Personal link (no account; the link is the credential)

    static func eventLinkPage(_ req: Request) async throws -> Response {
        let token = req.parameters.get("token") ?? ""
        try await req.limitAttempts("event-link", key: "", limit: 120, window: 600)
        let model = try await EventLinkPage.load(req, token: token)
        return try await linkResponse(req, model, status: .ok)
    }

    static func askThroughEventLink(_ req: Request) async throws -> Response {
        let token = req.parameters.get("token") ?? ""
        try await req.limitAttempts("event-link", key: "", limit: 120, window: 600)
        let (event, _) = try await Events.byLink(token, on: req.db)
        let text = typedText(req, "text")
        do {
            _ = try await Events.ask(event.id, text: text, as: .link(token), on: req.db)
            return req.safeRedirect(to: SiteURL.eventLink(token) + "#questions")
        } catch let problem as Problem where problem.status != .notFound {
            let model = try await EventLinkPage.load(req, token: token, typed: text, problem: problem)
            return try await linkResponse(req, model, status: problem.status)
        }
    }

    static func voteThroughEventLink(_ req: Request) async throws -> Response {
        let token = req.parameters.get("token") ?? ""
        try await req.limitAttempts("event-link", key: "", limit: 120, window: 600)
        let (event, _) = try await Events.byLink(token, on: req.db)
        do {
            _ = try await Events.vote(event.id, question: uuid(req, "qid"), as: .link(token), on: req.db)
            return req.safeRedirect(to: SiteURL.eventLink(token) + "#questions")
        } catch let problem as Problem where problem.status != .notFound {
            let model = try await EventLinkPage.load(req, token: token, problem: problem)
            return try await linkResponse(req, model, status: problem.status)
        }
    }

    static func cancelThroughEventLink(_ req: Request) async throws -> Response {
        let token = req.parameters.get("token") ?? ""
        try await req.limitAttempts("event-link", key: "", limit: 120, window: 600)
        let (event, _) = try await Events.byLink(token, on: req.db)
        do {
            _ = try await Events.cancelRegistration(event.id, as: .link(token), baseURL: req.application.bonafide.baseURL, on: req.db)
            return req.safeRedirect(to: SiteURL.eventLink(token))
        } catch let problem as Problem where problem.status != .notFound {
            let model = try await EventLinkPage.load(req, token: token, problem: problem)
            return try await linkResponse(req, model, status: problem.status)
        }
    }

    /// The link is a secret in the address: it is not sent on as a referrer nor kept in caches.
    private static func linkResponse(_ req: Request, _ model: EventLinkPage, status: HTTPStatus) async throws -> Response {
        let res = try await customerPage(req, model.view.entry.title, model.render()).encodeResponse(status: status, for: req)
        res.headers.replaceOrAdd(name: "Referrer-Policy", value: "no-referrer")
        res.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return res
    }
}
