import BonafideCore
import Fluent
import Foundation
import Vapor

extension WebPages {
    static func newCommitment(_ req: Request) async throws -> HTML {
        try await commitmentForm(req, values: [:], problem: nil)
    }

    /// The form to propose a commitment: empty, or as it was sent with the refusal next to its field, so nothing
    /// typed is lost.
    static func commitmentForm(_ req: Request, values: [String: String], problem: Problem?) async throws -> HTML {
        let (actor, p) = try await partnershipOf(req)
        let model = try await NewCommitmentPage.load(
            for: actor, in: p, values: values, problem: problem, csrf: req.csrfToken, on: req.db)
        return try await page(req, "New commitment", model.render())
    }

    static func createCommitment(_ req: Request) async throws -> Response {
        let (actor, p) = try await partnershipOf(req)
        let values = Dictionary(
            uniqueKeysWithValues: NewCommitmentPage.fields.map { ($0, field(req, $0)) })
        do {
            guard let due = Clock.parseLocal(values["dueAt"]!, zone: values["timeZone"]!) else {
                throw Problem.invalid("dueAt", "Enter the due date and time, and pick a time zone.")
            }
            let c = try await Commitments.create(
                .init(
                    title: values["title"]!, deliverable: values["deliverable"]!, acceptanceCriteria: values["acceptanceCriteria"]!,
                    dueAt: due, timeZone: values["timeZone"]!, ownerID: UUID(uuidString: values["ownerId"]!)), in: p, by: actor, on: req.db)
            req.flash("Proposed. The other side has been notified.")
            return req.safeRedirect(to: SiteURL.commitment(p.id, c.id))
        } catch let problem as Problem where problem.status == .unprocessableEntity {
            // Shown again as typed, with the refusal next to its field.
            return try await commitmentForm(req, values: values, problem: problem).encodeResponse(status: problem.status, for: req)
        } catch let problem as Problem {
            req.flash(problem.detail, error: true)
            return req.safeRedirect(to: SiteURL.newCommitment(p.id))
        }
    }

    static func commitment(_ req: Request) async throws -> HTML {
        let (actor, p) = try await partnershipOf(req)
        let c = try await Policy.commitment(uuid(req, "cid"), in: p, on: req.db)
        let model = try await CommitmentPage.load(c, in: p, for: actor, csrf: req.csrfToken, on: req.db)
        return try await page(req, model.title, model.render())
    }

    static func transition(_ req: Request) async throws -> Response {
        let (actor, p) = try await partnershipOf(req)
        let c = try await Policy.commitment(uuid(req, "cid"), in: p, on: req.db)
        let back = SiteURL.commitment(p.id, c.id)
        return try await act(req, back: back) {
            guard let action = CommitmentAction(rawValue: field(req, "action")) else { throw Problem.invalid("action", "Unknown action.") }
            var due: Date?
            if action == .proposeNewDate {
                guard let d = Clock.parseLocal(field(req, "dueAt"), zone: field(req, "timeZone")) else {
                    throw Problem.invalid("dueAt", "Enter the new due date and time.")
                }
                due = d
            }
            let reason = field(req, "reason")
            _ = try await Commitments.transition(
                c, in: p, action: action, reason: reason.isEmpty ? nil : reason,
                newDueAt: due, by: actor, on: req.db)
            req.flash(
                action == .proposeNewDate
                    ? "A new date for “\(c.title)” was proposed. The other side has been notified."
                    : "“\(c.title)” \(action.pastParticiple). The other side has been notified.")
            return field(req, "back") == SiteURL.dashboard() ? SiteURL.dashboard() : back
        }
    }

    static func thread(_ req: Request) async throws -> HTML {
        let (actor, p) = try await partnershipOf(req)
        guard let thread = try await thread(uuid(req, "tid"), in: p, on: req.db) else { throw Problem.notFound("thread") }
        let model = try await ThreadPage.load(thread: thread, in: p, for: actor, csrf: req.csrfToken, on: req.db)
        return try await page(req, model.subject, model.render())
    }

    /// A thread of this partnership, or nil.
    private static func thread(_ id: UUID?, in p: Partnership, on db: any Database) async throws -> MessageThread? {
        guard let id else { return nil }
        return try await MessageThread.query(on: db).filter(\.$id == id).filter(\.$partnership.$id == p.id!).first()
    }

    static func postMessage(_ req: Request) async throws -> Response {
        let (actor, p) = try await partnershipOf(req)
        let values = Dictionary(uniqueKeysWithValues: MessageForm.fields.map { ($0, field(req, $0)) })
        let threadID = UUID(uuidString: field(req, "threadId"))
        do {
            let subject = values["subject"]!
            let m = try await Messages.post(
                .init(
                    body: values["body"]!, needsResponse: values["needsResponse"] == "true",
                    threadID: threadID, subject: threadID == nil && !subject.isEmpty ? subject : nil), in: p, by: actor, on: req.db)
            req.flash(threadID == nil ? "Conversation started. The other side has been notified." : "Sent.")
            return req.safeRedirect(to: SiteURL.thread(p.id, m.$thread.id))
        } catch let problem as Problem where problem.status == .unprocessableEntity && problem.field != "threadId" {
            // Shown again as typed, with the refusal next to its field.
            if let thread = try await thread(threadID, in: p, on: req.db) {
                let model = try await ThreadPage.load(
                    thread: thread, in: p, for: actor, reply: (values, problem), csrf: req.csrfToken, on: req.db)
                return try await page(req, model.subject, model.render()).encodeResponse(status: problem.status, for: req)
            }
            let form = MessageForm(action: SiteURL.messages(p.id), values: values, problem: problem, csrf: req.csrfToken)
            let model = NewConversationPage(partnershipID: p.id!, partnershipName: p.name, form: form)
            return try await page(req, "Start a conversation", model.render()).encodeResponse(status: problem.status, for: req)
        } catch let problem as Problem {
            req.flash(problem.detail, error: true)
            return req.safeRedirect(to: threadID.map { SiteURL.thread(p.id, $0) } ?? SiteURL.partnership(p.id))
        }
    }
}
