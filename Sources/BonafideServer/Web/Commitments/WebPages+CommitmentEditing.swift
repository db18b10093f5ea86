import BonafideCore
import Foundation
import Vapor

extension WebPages {
    static func editCommitmentForm(_ req: Request) async throws -> HTML {
        let (page, _) = try await commitmentEditPage(req, values: nil, problem: nil)
        return try await self.page(req, page.mode == .direct ? "Edit the proposal" : "Propose new wording", page.render())
    }

    static func editCommitment(_ req: Request) async throws -> Response {
        let (actor, p) = try await partnershipOf(req)
        let c = try await Policy.commitment(uuid(req, "cid"), in: p, on: req.db)
        let values = Dictionary(uniqueKeysWithValues: CommitmentEditPage.fields.map { ($0, field(req, $0)) })
        do {
            var due: Date?
            if CommitmentEditing.mode(status: c.status, side: Policy.side(of: actor, in: c), changePending: c.pendingChangeSide != nil)
                == .direct
            {
                guard let d = Clock.parseLocal(values["dueAt"]!, zone: c.timeZone) else {
                    throw Problem.invalid("dueAt", "Enter the due date and time.")
                }
                due = d
            }
            let wording = CommitmentWording(
                title: values["title"]!, deliverable: values["deliverable"]!, acceptanceCriteria: values["acceptanceCriteria"]!)
            let updated = try await Commitments.edit(c, in: p, to: wording, dueAt: due, by: actor, on: req.db)
            req.flash(
                updated.pendingChangeSide != nil
                    ? "Your change of “\(c.title)” waits for the other side's agreement; they have been notified."
                    : "The proposal “\(updated.title)” is updated. The other side has been notified.")
            return req.safeRedirect(to: SiteURL.commitment(p.id, c.id))
        } catch let problem as Problem where problem.status == .unprocessableEntity {
            let (page, _) = try await commitmentEditPage(req, values: values, problem: problem)
            return try await self.page(req, "Edit", page.render()).encodeResponse(status: problem.status, for: req)
        } catch let problem as Problem {
            req.flash(problem.detail, error: true)
            return req.safeRedirect(to: SiteURL.commitment(p.id, c.id))
        }
    }

    static func decideCommitmentChange(_ req: Request) async throws -> Response {
        let (actor, p) = try await partnershipOf(req)
        let c = try await Policy.commitment(uuid(req, "cid"), in: p, on: req.db)
        let back = SiteURL.commitment(p.id, c.id)
        return try await act(req, back: back) {
            let decision = field(req, "decision")
            guard decision == "accept" || decision == "refuse" else {
                throw Problem.invalid("decision", "Answer with accept or refuse.")
            }
            let updated = try await Commitments.decideChange(c, in: p, accept: decision == "accept", by: actor, on: req.db)
            req.flash(
                decision == "accept"
                    ? "Agreed: the commitment now reads “\(updated.title)”. The other side has been notified."
                    : "Refused: “\(updated.title)” keeps its wording. The other side has been notified.")
            return back
        }
    }

    /// The form as it stands (or as typed, with the refusal), for a commitment this side may change now.
    private static func commitmentEditPage(_ req: Request, values typed: [String: String]?, problem: Problem?) async throws -> (
        CommitmentEditPage, Commitment
    ) {
        let (actor, p) = try await partnershipOf(req)
        let c = try await Policy.commitment(uuid(req, "cid"), in: p, on: req.db)
        let side = Policy.side(of: actor, in: c)
        guard let mode = CommitmentEditing.mode(status: c.status, side: side, changePending: c.pendingChangeSide != nil) else {
            throw Problem(
                .conflict,
                c.pendingChangeSide != nil
                    ? "A change of wording is already waiting for an answer."
                    : "This commitment cannot be changed by your side now (it is \(c.status.rawValue)).")
        }
        let other = try await Organization.find(side == .owner ? c.$recipientOrganization.id : c.$ownerOrganization.id, on: req.db)
        let values =
            typed ?? [
                "title": c.title, "deliverable": c.deliverable, "acceptanceCriteria": c.acceptanceCriteria,
                "dueAt": Clock(c.timeZone).inputValue(c.dueAt),
            ]
        return (
            CommitmentEditPage(
                partnershipName: p.name, partnershipLink: SiteURL.partnership(p.id), title: c.title,
                commitmentLink: SiteURL.commitment(p.id, c.id), action: SiteURL.commitmentEdit(p.id, c.id), mode: mode,
                otherSide: other?.name ?? "The other side", values: values, timeZone: c.timeZone, problem: problem, csrf: req.csrfToken), c
        )
    }
}
