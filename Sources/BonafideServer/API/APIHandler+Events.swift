import BonafideCore
import Foundation
import OpenAPIRuntime
import Vapor

extension API {
    // MARK: Events

    func listEvents(_ input: Operations.ListEvents.Input) async throws -> Operations.ListEvents.Output {
        let viewer = try await optionalActor()
        let limit = input.query.limit ?? 50
        guard (1...100).contains(limit) else { throw Problem.invalid("limit", "limit must be from 1 to 100.") }
        let from = try optionalID(input.query.organizationId, field: "organizationId")
        let entries = try await Events.visible(to: viewer.map { .person($0) } ?? .anyone, from: from, limit: limit, on: try req.db)
        return .ok(.init(body: .json(entries.map { DTO.liveEvent($0, videoLink: viewer?.organizationID == $0.organizationID) })))
    }

    func createEvent(_ input: Operations.CreateEvent.Input) async throws -> Operations.CreateEvent.Output {
        guard case .json(let b) = input.body else { throw Problem(.unsupportedMediaType, "Send JSON.") }
        let actor = try await actor()
        guard let audience = Audience(rawValue: b.visibility.rawValue) else { throw Problem.invalid("visibility", "Unknown visibility.") }
        let entry = try await Events.create(
            .init(
                title: b.title, description: b.description ?? "", startsAt: b.startsAt, durationMinutes: b.durationMinutes,
                timeZone: b.timeZone, capacity: b.capacity, videoLink: b.videoLink, audience: audience), by: actor, on: try req.db)
        return .created(.init(body: .json(DTO.liveEvent(entry, videoLink: true))))
    }

    func getEvent(_ input: Operations.GetEvent.Input) async throws -> Operations.GetEvent.Output {
        let view = try await Events.view(UUID(uuidString: input.path.eventId), for: try await optionalActor(), on: try req.db)
        return .ok(.init(body: .json(DTO.liveEvent(view))))
    }

    func updateEvent(_ input: Operations.UpdateEvent.Input) async throws -> Operations.UpdateEvent.Output {
        guard case .json(let b) = input.body else { throw Problem(.unsupportedMediaType, "Send JSON.") }
        let req = try req
        let changes = Events.Changes(
            title: b.title, description: b.description, startsAt: b.startsAt, durationMinutes: b.durationMinutes, timeZone: b.timeZone,
            capacity: b.capacity, unlimitedSeats: b.unlimitedSeats ?? false, videoLink: b.videoLink)
        let entry = try await Events.update(
            UUID(uuidString: input.path.eventId), changes, by: try await actor(), baseURL: req.application.bonafide.baseURL, on: req.db)
        return .ok(.init(body: .json(DTO.liveEvent(entry, videoLink: true))))
    }

    func cancelEvent(_ input: Operations.CancelEvent.Input) async throws -> Operations.CancelEvent.Output {
        let req = try req
        let entry = try await Events.cancel(
            UUID(uuidString: input.path.eventId), by: try await actor(), baseURL: req.application.bonafide.baseURL, on: req.db)
        return .ok(.init(body: .json(DTO.liveEvent(entry, videoLink: true))))
    }

    func listEventRegistrations(_ input: Operations.ListEventRegistrations.Input) async throws -> Operations.ListEventRegistrations.Output {
        let seats = try await Events.registrations(UUID(uuidString: input.path.eventId), by: try await actor(), on: try req.db)
        return .ok(.init(body: .json(seats.map { DTO.eventRegistration($0) })))
    }

    /// Signed in: the body is `{}` and the seat is the person's. Without a token: email and name, for a public event.
    func registerForEvent(_ input: Operations.RegisterForEvent.Input) async throws -> Operations.RegisterForEvent.Output {
        guard case .json(let b) = input.body else { throw Problem(.unsupportedMediaType, "Send JSON.") }
        let req = try req
        let id = UUID(uuidString: input.path.eventId)
        let base = req.application.bonafide.baseURL
        if let actor = try await optionalActor() {
            let seat = try await Events.register(id, by: actor, baseURL: base, on: req.db)
            return .created(.init(body: .json(DTO.eventRegistration(seat))))
        }
        // Each registration writes a mail to any address: counted per client, across servers.
        try await req.limitAttempts("event-registration", key: "", limit: Events.registrationsPerClient, window: 600)
        let (seat, token) = try await Events.register(id, email: b.email ?? "", name: b.name ?? "", baseURL: base, on: req.db)
        return .created(.init(body: .json(DTO.eventRegistration(seat, personalLink: base + SiteURL.eventLink(token)))))
    }

    func cancelEventRegistration(_ input: Operations.CancelEventRegistration.Input) async throws
        -> Operations.CancelEventRegistration.Output
    {
        let participant = try await eventParticipant(input.headers.xEventToken)
        let req = try req
        let seat = try await Events.cancelRegistration(
            UUID(uuidString: input.path.eventId), as: participant, baseURL: req.application.bonafide.baseURL, on: req.db)
        return .ok(.init(body: .json(DTO.eventRegistration(seat))))
    }

    // MARK: Questions

    func listEventQuestions(_ input: Operations.ListEventQuestions.Input) async throws -> Operations.ListEventQuestions.Output {
        // Anyone who may see the event reads its questions; a token or a personal link makes "mine" and "voted" theirs.
        let viewer: Events.Participant?
        if input.headers.xEventToken != nil {
            viewer = try await eventParticipant(input.headers.xEventToken)
        } else if let actor = try await optionalActor() {
            viewer = .person(actor)
        } else {
            viewer = nil
        }
        let questions = try await Events.questions(UUID(uuidString: input.path.eventId), for: viewer, on: try req.db)
        return .ok(.init(body: .json(questions.map(DTO.eventQuestion))))
    }

    func askEventQuestion(_ input: Operations.AskEventQuestion.Input) async throws -> Operations.AskEventQuestion.Output {
        guard case .json(let b) = input.body else { throw Problem(.unsupportedMediaType, "Send JSON.") }
        let participant = try await eventParticipant(input.headers.xEventToken)
        let question = try await Events.ask(UUID(uuidString: input.path.eventId), text: b.text, as: participant, on: try req.db)
        return .created(.init(body: .json(DTO.eventQuestion(question))))
    }

    func voteForEventQuestion(_ input: Operations.VoteForEventQuestion.Input) async throws -> Operations.VoteForEventQuestion.Output {
        let participant = try await eventParticipant(input.headers.xEventToken)
        let question = try await Events.vote(
            UUID(uuidString: input.path.eventId), question: UUID(uuidString: input.path.questionId), as: participant, on: try req.db)
        return .created(.init(body: .json(DTO.eventQuestion(question))))
    }

    func answerEventQuestion(_ input: Operations.AnswerEventQuestion.Input) async throws -> Operations.AnswerEventQuestion.Output {
        guard case .json(let b) = input.body else { throw Problem(.unsupportedMediaType, "Send JSON.") }
        let question = try await Events.answer(
            UUID(uuidString: input.path.eventId), question: UUID(uuidString: input.path.questionId), answer: b.answer,
            by: try await actor(), on: try req.db)
        return .ok(.init(body: .json(DTO.eventQuestion(question))))
    }

    // MARK: After the start

    func markEventAttendance(_ input: Operations.MarkEventAttendance.Input) async throws -> Operations.MarkEventAttendance.Output {
        guard case .json(let b) = input.body else { throw Problem(.unsupportedMediaType, "Send JSON.") }
        let actor = try await actor()
        let ids = try b.registrationIds.map { raw in
            guard let id = UUID(uuidString: raw) else { throw Problem.invalid("registrationIds", "Each registration id is a UUID.") }
            return id
        }
        let seats = try await Events.markAttendance(
            UUID(uuidString: input.path.eventId), registrations: ids, attended: b.attended, by: actor, on: try req.db)
        return .ok(.init(body: .json(seats.map { DTO.eventRegistration($0) })))
    }

    func setEventRecording(_ input: Operations.SetEventRecording.Input) async throws -> Operations.SetEventRecording.Output {
        guard case .json(let b) = input.body else { throw Problem(.unsupportedMediaType, "Send JSON.") }
        let entry = try await Events.setRecording(
            UUID(uuidString: input.path.eventId), link: b.recordingLink, by: try await actor(), on: try req.db)
        return .ok(.init(body: .json(DTO.liveEvent(entry, videoLink: true))))
    }

    func createEventFollowUpSurvey(_ input: Operations.CreateEventFollowUpSurvey.Input) async throws
        -> Operations.CreateEventFollowUpSurvey.Output
    {
        guard case .json(let b) = input.body else { throw Problem(.unsupportedMediaType, "Send JSON.") }
        let req = try req
        let (survey, invited) = try await Events.followUpSurvey(
            UUID(uuidString: input.path.eventId), kind: b.kind.rawValue, by: try await actor(), baseURL: req.application.bonafide.baseURL,
            on: req.db)
        return .created(.init(body: .json(.init(surveyId: survey.id!.apiString, invited: invited))))
    }

    /// The personal link's token when one is sent (counted per client address, like survey links: guessing stays
    /// slow), otherwise the signed-in person; neither is 401.
    private func eventParticipant(_ token: String?) async throws -> Events.Participant {
        if let token {
            try await req.limitAttempts("event-link", key: "", limit: 120, window: 600)
            return .link(token)
        }
        return .person(try await actor())
    }
}

extension DTO {
    /// `videoLink`: the viewer may have the way in (registered, or of the organizer's organization).
    static func liveEvent(_ e: Events.Entry, videoLink: Bool, registration: Events.Seat? = nil) -> Components.Schemas.LiveEvent {
        .init(
            id: e.id.apiString, organizationId: e.organizationID.apiString, organizationName: e.organizationName, title: e.title,
            description: e.description, descriptionHtml: Markdown.html(e.description).text, startsAt: e.startsAt, endsAt: e.endsAt,
            durationMinutes: e.durationMinutes, timeZone: e.timeZone, capacity: e.capacity, seatsLeft: e.seatsLeft,
            registered: e.registered,
            visibility: .init(rawValue: e.audience.rawValue)!, status: .init(rawValue: e.status.rawValue)!,
            videoLink: videoLink ? e.videoLink : nil, recordingLink: e.recordingLink,
            registration: registration.map { eventRegistration($0) })
    }

    static func liveEvent(_ v: Events.View) -> Components.Schemas.LiveEvent {
        liveEvent(v.entry, videoLink: v.videoLink != nil, registration: v.seat)
    }

    static func eventRegistration(_ s: Events.Seat, personalLink: String? = nil) -> Components.Schemas.EventRegistration {
        .init(
            id: s.id.apiString, eventId: s.eventID.apiString, name: s.name, email: s.email, withAccount: s.withAccount,
            registeredAt: s.registeredAt, cancelledAt: s.cancelledAt, attended: s.attended, personalLink: personalLink)
    }

    static func eventQuestion(_ q: Events.Question) -> Components.Schemas.EventQuestion {
        .init(
            id: q.id.apiString, eventId: q.eventID.apiString, text: q.text, votes: q.votes, askedBy: q.askedBy, mine: q.mine,
            votedByYou: q.votedByYou, answer: q.answer, answeredAt: q.answeredAt, createdAt: q.createdAt)
    }
}
