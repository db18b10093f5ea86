import BonafideCore
import Foundation
import OpenAPIRuntime
import Vapor

extension API {
    // MARK: Feedback panels

    func listPanels(_ input: Operations.ListPanels.Input) async throws -> Operations.ListPanels.Output {
        let entries = try await FeedbackPanels.visible(to: try await actor(), on: try req.db)
        return .ok(.init(body: .json(entries.map(DTO.panel))))
    }

    func createPanel(_ input: Operations.CreatePanel.Input) async throws -> Operations.CreatePanel.Output {
        guard case .json(let b) = input.body else { throw Problem(.unsupportedMediaType, "Send JSON.") }
        let entry = try await FeedbackPanels.create(title: b.title, purpose: b.purpose ?? "", by: try await actor(), on: try req.db)
        return .created(.init(body: .json(DTO.panel(entry))))
    }

    func getPanel(_ input: Operations.GetPanel.Input) async throws -> Operations.GetPanel.Output {
        let participant = try await panelParticipant(input.headers.xPanelToken)
        let view = try await FeedbackPanels.view(UUID(uuidString: input.path.panelId), as: participant, on: try req.db)
        return .ok(.init(body: .json(DTO.panelDetail(view))))
    }

    func invitePanelMembers(_ input: Operations.InvitePanelMembers.Input) async throws -> Operations.InvitePanelMembers.Output {
        guard case .json(let b) = input.body else { throw Problem(.unsupportedMediaType, "Send JSON.") }
        let req = try req
        let result = try await FeedbackPanels.invite(
            UUID(uuidString: input.path.panelId), circle: b.circle?.rawValue, csv: b.csv, by: try await actor(),
            baseURL: req.application.bonafide.baseURL, on: req.db)
        return .ok(
            .init(
                body: .json(
                    .init(invited: result.invited, skipped: result.skipped.map { .init(email: $0.email, reason: $0.reason) }))))
    }

    func proposePanelIdea(_ input: Operations.ProposePanelIdea.Input) async throws -> Operations.ProposePanelIdea.Output {
        guard case .json(let b) = input.body else { throw Problem(.unsupportedMediaType, "Send JSON.") }
        let participant = try await panelParticipant(input.headers.xPanelToken)
        let idea = try await FeedbackPanels.propose(
            UUID(uuidString: input.path.panelId), title: b.title, details: b.details ?? "", as: participant, on: try req.db)
        return .created(.init(body: .json(DTO.panelIdea(idea))))
    }

    func voteForPanelIdea(_ input: Operations.VoteForPanelIdea.Input) async throws -> Operations.VoteForPanelIdea.Output {
        let participant = try await panelParticipant(input.headers.xPanelToken)
        let idea = try await FeedbackPanels.vote(
            UUID(uuidString: input.path.panelId), idea: UUID(uuidString: input.path.ideaId), as: participant, on: try req.db)
        return .created(.init(body: .json(DTO.panelIdea(idea))))
    }

    func commentOnPanelIdea(_ input: Operations.CommentOnPanelIdea.Input) async throws -> Operations.CommentOnPanelIdea.Output {
        guard case .json(let b) = input.body else { throw Problem(.unsupportedMediaType, "Send JSON.") }
        let participant = try await panelParticipant(input.headers.xPanelToken)
        let comment = try await FeedbackPanels.comment(
            UUID(uuidString: input.path.panelId), idea: UUID(uuidString: input.path.ideaId), body: b.body, as: participant,
            on: try req.db)
        return .created(.init(body: .json(DTO.panelComment(comment))))
    }

    func decidePanelIdea(_ input: Operations.DecidePanelIdea.Input) async throws -> Operations.DecidePanelIdea.Output {
        guard case .json(let b) = input.body else { throw Problem(.unsupportedMediaType, "Send JSON.") }
        let req = try req
        let idea = try await FeedbackPanels.decide(
            UUID(uuidString: input.path.panelId), idea: UUID(uuidString: input.path.ideaId), status: b.status.rawValue,
            outcome: b.outcome, by: try await actor(), baseURL: req.application.bonafide.baseURL, on: req.db)
        return .ok(.init(body: .json(DTO.panelIdea(idea))))
    }

    func closePanel(_ input: Operations.ClosePanel.Input) async throws -> Operations.ClosePanel.Output {
        let entry = try await FeedbackPanels.close(UUID(uuidString: input.path.panelId), by: try await actor(), on: try req.db)
        return .ok(.init(body: .json(DTO.panel(entry))))
    }

    func leavePanel(_ input: Operations.LeavePanel.Input) async throws -> Operations.LeavePanel.Output {
        let participant = try await panelParticipant(input.headers.xPanelToken)
        let entry = try await FeedbackPanels.leave(UUID(uuidString: input.path.panelId), as: participant, on: try req.db)
        return .ok(.init(body: .json(DTO.panel(entry))))
    }

    /// The personal link's token when one is sent (counted per client address, like event links: guessing stays
    /// slow), otherwise the signed-in person; neither is 401.
    private func panelParticipant(_ token: String?) async throws -> FeedbackPanels.Participant {
        if let token {
            try await req.limitAttempts("panel-link", key: "", limit: 120, window: 600)
            return .link(token)
        }
        return .person(try await actor())
    }
}

extension DTO {
    static func panel(_ e: FeedbackPanels.Entry) -> Components.Schemas.Panel {
        .init(
            id: e.id.apiString, organizationId: e.organizationID.apiString, organizationName: e.organizationName, title: e.title,
            purpose: e.purpose, status: .init(rawValue: e.status.rawValue)!, members: e.members, createdAt: e.createdAt)
    }

    static func panelComment(_ c: FeedbackPanels.Comment) -> Components.Schemas.PanelComment {
        .init(id: c.id.apiString, author: c.author, body: c.body, createdAt: c.createdAt)
    }

    static func panelIdea(_ i: FeedbackPanels.Idea) -> Components.Schemas.PanelIdea {
        .init(
            id: i.id.apiString, panelId: i.panelID.apiString, title: i.title, details: i.details,
            status: .init(rawValue: i.status.rawValue)!, outcome: i.outcome, votes: i.votes, proposedBy: i.proposedBy, mine: i.mine,
            votedByYou: i.votedByYou, createdAt: i.createdAt, decidedAt: i.decidedAt, comments: i.comments.map(panelComment))
    }

    static func panelDetail(_ v: FeedbackPanels.View) -> Components.Schemas.PanelDetail {
        .init(
            panel: panel(v.entry), organizer: v.organizer, member: v.memberID != nil, ideas: v.ideas.map(panelIdea),
            actedOn: v.actedOn.map(panelIdea),
            members: v.members.map {
                .init(id: $0.id.apiString, name: $0.name, email: $0.email, withAccount: $0.withAccount, invitedAt: $0.invitedAt)
            })
    }
}
