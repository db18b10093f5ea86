import BonafideCore
import Foundation
import OpenAPIRuntime
import Vapor

extension API {
    // MARK: Challenges

    func listChallenges(_ input: Operations.ListChallenges.Input) async throws -> Operations.ListChallenges.Output {
        let summaries = try await Challenges.visible(to: try await actor(), on: try req.db)
        let now = Date()
        return .ok(.init(body: .json(summaries.map { DTO.challenge($0, at: now) })))
    }

    func createChallenge(_ input: Operations.CreateChallenge.Input) async throws -> Operations.CreateChallenge.Output {
        guard case .json(let b) = input.body else { throw Problem(.unsupportedMediaType, "Send JSON.") }
        let req = try req
        let actor = try await actor()
        guard let audience = Audience(rawValue: b.visibility.rawValue) else { throw Problem.invalid("visibility", "Unknown visibility.") }
        let created = try await Challenges.create(
            .init(
                title: b.title, prompt: b.prompt, opensAt: b.opensAt, closesAt: b.closesAt, timeZone: b.timeZone ?? actor.user.timeZone,
                audience: audience, csv: b.csv ?? ""),
            by: actor, baseURL: req.application.bonafide.baseURL, on: req.db)
        return .created(
            .init(
                body: .json(
                    .init(
                        challenge: DTO.challenge(created.summary, at: Date()), invited: created.invited,
                        skipped: created.skipped.map { .init(email: $0.email, reason: $0.reason) }))))
    }

    func getChallenge(_ input: Operations.GetChallenge.Input) async throws -> Operations.GetChallenge.Output {
        let participant = try await challengeReader(input.headers.xChallengeToken)
        let view = try await Challenges.view(UUID(uuidString: input.path.challengeId), as: participant, on: try req.db)
        return .ok(.init(body: .json(DTO.challengeDetail(view))))
    }

    func listChallengeEntries(_ input: Operations.ListChallengeEntries.Input) async throws -> Operations.ListChallengeEntries.Output {
        let participant = try await challengeReader(input.headers.xChallengeToken)
        let entries = try await Challenges.entries(UUID(uuidString: input.path.challengeId), as: participant, on: try req.db)
        return .ok(.init(body: .json(entries.map(DTO.challengeEntry))))
    }

    func submitChallengeEntry(_ input: Operations.SubmitChallengeEntry.Input) async throws -> Operations.SubmitChallengeEntry.Output {
        guard case .json(let b) = input.body else { throw Problem(.unsupportedMediaType, "Send JSON.") }
        let participant = try await challengeParticipant(input.headers.xChallengeToken)
        let saved = try await Challenges.submit(
            UUID(uuidString: input.path.challengeId), body: b.body, link: b.link ?? "", as: participant, on: try req.db)
        let entry = DTO.challengeEntry(saved.submission)
        if saved.created { return .created(.init(body: .json(entry))) }
        return .ok(.init(body: .json(entry)))
    }

    func highlightChallengeEntry(_ input: Operations.HighlightChallengeEntry.Input) async throws
        -> Operations.HighlightChallengeEntry.Output
    {
        guard case .json(let b) = input.body else { throw Problem(.unsupportedMediaType, "Send JSON.") }
        let req = try req
        let entry = try await Challenges.highlight(
            UUID(uuidString: input.path.challengeId), entry: UUID(uuidString: input.path.entryId), note: b.note, by: try await actor(),
            baseURL: req.application.bonafide.baseURL, on: req.db)
        return .ok(.init(body: .json(DTO.challengeEntry(entry))))
    }

    func closeChallenge(_ input: Operations.CloseChallenge.Input) async throws -> Operations.CloseChallenge.Output {
        let now = Date()
        let summary = try await Challenges.close(UUID(uuidString: input.path.challengeId), by: try await actor(), at: now, on: try req.db)
        return .ok(.init(body: .json(DTO.challenge(summary, at: now))))
    }

    /// The personal link's token when one is sent (counted per client address, like panel links: guessing stays
    /// slow), otherwise the signed-in person; neither is 401.
    private func challengeParticipant(_ token: String?) async throws -> Challenges.Participant {
        if let token {
            try await req.limitAttempts("challenge-link", key: "", limit: 120, window: 600)
            return .link(token)
        }
        return .person(try await actor())
    }

    /// For reading: as `challengeParticipant`, and without credentials a visitor, who reads public challenges only
    /// (any other is 404 to them, as to someone outside the audience).
    private func challengeReader(_ token: String?) async throws -> Challenges.Participant {
        guard token == nil else { return try await challengeParticipant(token) }
        guard let actor = try await optionalActor() else { return .visitor }
        return .person(actor)
    }
}

extension DTO {
    static func challenge(_ s: Challenges.Summary, at now: Date) -> Components.Schemas.Challenge {
        .init(
            id: s.id.apiString, organizationId: s.organizationID.apiString, organizationName: s.organizationName, title: s.title,
            prompt: s.prompt, promptHtml: Markdown.html(s.prompt).text, opensAt: s.opensAt, closesAt: s.closesAt, closedAt: s.closedAt,
            timeZone: s.timeZone, visibility: .init(rawValue: s.audience.rawValue)!, state: .init(rawValue: s.phase(at: now).rawValue)!,
            entries: s.entries, highlights: s.highlights, createdAt: s.createdAt)
    }

    static func challengeEntry(_ e: Challenges.Submission) -> Components.Schemas.ChallengeEntry {
        .init(
            id: e.id.apiString, challengeId: e.challengeID.apiString, author: e.author, body: e.body,
            bodyHtml: Markdown.html(e.body).text, link: e.link, mine: e.mine, highlighted: e.highlighted, highlightNote: e.highlightNote,
            highlightedAt: e.highlightedAt, createdAt: e.createdAt, updatedAt: e.updatedAt)
    }

    static func challengeDetail(_ v: Challenges.View) -> Components.Schemas.ChallengeDetail {
        .init(
            challenge: challenge(v.summary, at: Date()), organizer: v.organizer, canEnter: v.canEnter,
            yourEntry: v.mine.map(challengeEntry), entries: v.entries.map(challengeEntry), hiddenEntries: v.hiddenEntries,
            figures: v.figures.map {
                .init(entries: $0.entries, participants: $0.participants, highlights: $0.highlights, invited: $0.invited)
            })
    }
}
