import BonafideCore
import Fluent
import Foundation
import Vapor

/// Feedback panels: the list with its form, one panel with the members' and the organizer's actions, and the
/// personal link's page for members without an account.
extension WebPages {
    static func panels(_ req: Request) async throws -> HTML {
        let model = try await PanelsPage.load(req, for: try req.requireActor())
        return try await page(req, "Feedback panels", model.render())
    }

    static func createPanel(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        let title = typedText(req, "title")
        let purpose = typedText(req, "purpose")
        return try await act(req, back: SiteURL.panels()) {
            let entry = try await FeedbackPanels.create(title: title, purpose: purpose, by: actor, on: req.db)
            req.flash("The panel is open. Invite members from a circle or a list.")
            return SiteURL.panel(entry.id)
        }
    }

    static func panelPage(_ req: Request) async throws -> HTML {
        let model = try await PanelPage.load(req, for: try req.requireActor())
        return try await page(req, model.view.entry.title, model.render())
    }

    /// The signed-in member's and organizer's actions: each goes back to the panel with what it did, or why not.
    private static func panelAction(_ req: Request, anchor: String = "", _ work: @escaping @Sendable (Actor, UUID?) async throws -> String)
        async throws -> Response
    {
        let actor = try req.requireActor()
        let id = uuid(req, "pnid")
        let back = SiteURL.panel(id) + anchor
        return try await act(req, back: back) {
            let done = try await work(actor, id)
            req.flash(done)
            return back
        }
    }

    static func invitePanelMembers(_ req: Request) async throws -> Response {
        let circle = field(req, "circle")
        let csv = typedText(req, "csv")
        return try await panelAction(req, anchor: "#organizer-tools") { actor, id in
            let result = try await FeedbackPanels.invite(
                id, circle: circle, csv: csv, by: actor, baseURL: req.application.bonafide.baseURL, on: req.db)
            let skipped = result.skipped.prefix(5).map { "\($0.email) (\($0.reason))" }.joined(separator: ", ")
            return "Invited \(result.invited)."
                + (result.skipped.isEmpty ? "" : " Skipped \(result.skipped.count): \(skipped)\(result.skipped.count > 5 ? ", …" : "").")
        }
    }

    static func proposePanelIdea(_ req: Request) async throws -> Response {
        let title = typedText(req, "title")
        let details = typedText(req, "details")
        return try await panelAction(req, anchor: "#ideas") { actor, id in
            _ = try await FeedbackPanels.propose(id, title: title, details: details, as: .person(actor), on: req.db)
            return "Your idea is on the panel; members can vote for it."
        }
    }

    static func voteOnPanelIdea(_ req: Request) async throws -> Response {
        let idea = uuid(req, "iid")
        return try await panelAction(req, anchor: "#ideas") { actor, id in
            _ = try await FeedbackPanels.vote(id, idea: idea, as: .person(actor), on: req.db)
            return "Your vote counts."
        }
    }

    static func commentOnPanelIdea(_ req: Request) async throws -> Response {
        let idea = uuid(req, "iid")
        let body = typedText(req, "body")
        return try await panelAction(req, anchor: "#ideas") { actor, id in
            _ = try await FeedbackPanels.comment(id, idea: idea, body: body, as: .person(actor), on: req.db)
            return "Your comment is in."
        }
    }

    static func decidePanelIdea(_ req: Request) async throws -> Response {
        let idea = uuid(req, "iid")
        let status = field(req, "status")
        let outcome = typedText(req, "outcome")
        return try await panelAction(req, anchor: "#ideas") { actor, id in
            _ = try await FeedbackPanels.decide(
                id, idea: idea, status: status, outcome: outcome, by: actor, baseURL: req.application.bonafide.baseURL, on: req.db)
            return "Decision saved; those who proposed, voted or commented are told."
        }
    }

    static func closePanel(_ req: Request) async throws -> Response {
        try await panelAction(req) { actor, id in
            _ = try await FeedbackPanels.close(id, by: actor, on: req.db)
            return "The panel is closed; its ideas and decisions stay."
        }
    }

    static func leavePanel(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        let id = uuid(req, "pnid")
        return try await act(req, back: SiteURL.panel(id)) {
            let entry = try await FeedbackPanels.leave(id, as: .person(actor), on: req.db)
            req.flash("You left “\(entry.title)”. Your ideas, votes and comments stay on it.")
            return SiteURL.panels()
        }
    }

    // MARK: Personal link (no account; the link is the credential)

    static func panelLinkPage(_ req: Request) async throws -> Response {
        let token = req.parameters.get("token") ?? ""
        try await req.limitAttempts("panel-link", key: "", limit: 120, window: 600)
        return try await panelLinkResponse(req, try await PanelLinkPage.load(req, token: token), status: .ok)
    }

    /// Runs one action of a link holder: back to their page when it worked, the page with the reason when not.
    private static func throughPanelLink(
        _ req: Request, typed: String = "", _ work: @escaping @Sendable (String, UUID?) async throws -> Void
    ) async throws -> Response {
        let token = req.parameters.get("token") ?? ""
        try await req.limitAttempts("panel-link", key: "", limit: 120, window: 600)
        let (panel, _) = try await FeedbackPanels.byLink(token, on: req.db)
        do {
            try await work(token, panel.id)
            return req.safeRedirect(to: SiteURL.panelLink(token) + "#ideas")
        } catch let problem as Problem where problem.status != .notFound {
            let model = try await PanelLinkPage.load(req, token: token, typed: typed, problem: problem)
            return try await panelLinkResponse(req, model, status: problem.status)
        }
    }

    static func proposeThroughPanelLink(_ req: Request) async throws -> Response {
        let title = typedText(req, "title")
        let details = typedText(req, "details")
        return try await throughPanelLink(req, typed: title) { token, id in
            _ = try await FeedbackPanels.propose(id, title: title, details: details, as: .link(token), on: req.db)
        }
    }

    static func voteThroughPanelLink(_ req: Request) async throws -> Response {
        let idea = uuid(req, "iid")
        return try await throughPanelLink(req) { token, id in
            _ = try await FeedbackPanels.vote(id, idea: idea, as: .link(token), on: req.db)
        }
    }

    static func commentThroughPanelLink(_ req: Request) async throws -> Response {
        let idea = uuid(req, "iid")
        let body = typedText(req, "body")
        return try await throughPanelLink(req) { token, id in
            _ = try await FeedbackPanels.comment(id, idea: idea, body: body, as: .link(token), on: req.db)
        }
    }

    /// Once left, the link opens nothing: the answer says so on a page of its own instead of leading back to it.
    static func leaveThroughPanelLink(_ req: Request) async throws -> Response {
        let token = req.parameters.get("token") ?? ""
        try await req.limitAttempts("panel-link", key: "", limit: 120, window: 600)
        let (panel, _) = try await FeedbackPanels.byLink(token, on: req.db)
        let entry: FeedbackPanels.Entry
        do {
            entry = try await FeedbackPanels.leave(panel.id, as: .link(token), on: req.db)
        } catch let problem as Problem where problem.status != .notFound {
            let model = try await PanelLinkPage.load(req, token: token, problem: problem)
            return try await panelLinkResponse(req, model, status: problem.status)
        }
        let left = PanelLeftPage(title: entry.title, organizationName: entry.organizationName)
        let res = try await customerPage(req, "You left the panel", left.render()).encodeResponse(status: .ok, for: req)
        res.headers.replaceOrAdd(name: "Referrer-Policy", value: "no-referrer")
        res.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return res
    }

    /// The link is a secret in the address: it is not sent on as a referrer nor kept in caches.
    private static func panelLinkResponse(_ req: Request, _ model: PanelLinkPage, status: HTTPStatus) async throws -> Response {
        let res = try await customerPage(req, model.view.entry.title, model.render()).encodeResponse(status: status, for: req)
        res.headers.replaceOrAdd(name: "Referrer-Policy", value: "no-referrer")
        res.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return res
    }
}
