import BonafideCore
import Fluent
import FluentSQL
import Foundation
import SQLKit

/// Every authorization rule lives here. What someone may not see is reported as not found, so
/// its existence does not leak.
enum Policy {
    /// A partnership is visible to its members, and to owners and admins of either side (`Access`). Every
    /// partnership page and API call starts here, so the row and whether the person is a member of it are read in
    /// one query, and `Access` decides on them without reading again.
    static func partnership(_ id: UUID?, for actor: Actor, on db: any Database) async throws -> Partnership {
        guard let id else { throw Problem.notFound("partnership") }
        let sql = try db.sql()
        guard
            let row = try await sql.raw(
                """
                SELECT p.*, CASE WHEN EXISTS (
                  SELECT 1 FROM partnership_members m WHERE m.partnership_id = p.id AND m.user_id = \(bind: actor.id)
                ) THEN 1 ELSE 0 END AS viewer_is_member
                FROM partnerships p WHERE p.id = \(bind: id)
                """
            ).first()
        else { throw Problem.notFound("partnership") }
        let partnership = try Partnership.load(from: RowOutput(row: row))
        let isMember = try row.decode(column: "viewer_is_member", as: Int.self) == 1
        guard Access.canView(partnership, by: actor, isMember: isMember) else { throw Problem.notFound("partnership") }
        return partnership
    }

    static func visiblePartnerships(for actor: Actor, on db: any Database) async throws -> [Partnership] {
        try await Access.visiblePartnerships(for: actor, on: db)
    }

    /// The same partnerships as rows with what lists show of them (sides' names, open requests).
    static func visiblePartnershipRows(for actor: Actor, on db: any Database) async throws -> [PartnershipListRow] {
        try await Access.visiblePartnershipRows(for: actor, on: db)
    }

    /// Work inside a partnership (commitments, messages) needs both sides to have joined.
    static func requireActive(_ partnership: Partnership) throws {
        guard partnership.status == .active else {
            throw Problem(
                .conflict, "This partnership is \(partnership.status.rawValue); commitments and messages need an active partnership.")
        }
    }

    static func commitment(_ id: UUID?, in partnership: Partnership, on db: any Database) async throws -> Commitment {
        guard let id,
            let commitment = try await Commitment.query(on: db)
                .filter(\.$id == id).filter(\.$partnership.$id == partnership.id!)
                .with(\.$owner).first()
        else { throw Problem.notFound("commitment") }
        return commitment
    }

    static func incident(_ id: UUID?, in partnership: Partnership, on db: any Database) async throws -> Incident {
        guard let id,
            let incident = try await Incident.query(on: db).filter(\.$id == id).filter(\.$partnership.$id == partnership.id!)
                .with(\.$raisedBy).first()
        else { throw Problem.notFound("incident") }
        return incident
    }

    static func side(of actor: Actor, in incident: Incident) -> IncidentSide {
        incident.$responsible.id == actor.organizationID ? .responsible : .affected
    }

    /// An incident's account is published on a profile only by owners and admins of the side responsible for it.
    static func publishIncident(_ incident: Incident, by actor: Actor) throws {
        guard incident.$responsible.id == actor.organizationID else {
            throw Problem(.forbidden, "Only the side responsible for an incident publishes its account of it.")
        }
        try manageOrganization(actor)
    }

    static func side(of actor: Actor, in commitment: Commitment) -> CommitmentSide {
        commitment.$ownerOrganization.id == actor.organizationID ? .owner : .recipient
    }

    /// The same side for a commitment read as a row (`CommitmentRow`).
    static func side(of actor: Actor, in commitment: CommitmentRow) -> CommitmentSide {
        commitment.ownerOrganizationId == actor.organizationID ? .owner : .recipient
    }

    /// Whether the person runs their organization (owner or admin): what pages ask before offering a setting.
    static func canManage(_ actor: Actor) -> Bool {
        Access.check(actor, "manager", organization: actor.organizationID).allowed
    }

    static func manageOrganization(_ actor: Actor) throws {
        guard canManage(actor) else {
            throw Problem(.forbidden, "Only owners and admins of your organization can do this.")
        }
    }

    /// A testimonial needs real, completed work: a partnership between the two in which the subject owned a
    /// commitment to the author's organization that the author accepted as complete. Returns the latest such.
    static func testimonialBasis(author actor: Actor, subject: UUID, on db: any Database) async throws -> Partnership {
        let completed = try await Commitment.query(on: db).filter(\.$ownerOrganization.$id == subject)
            .filter(\.$recipientOrganization.$id == actor.organizationID).filter(\.$status == .completed)
            .sort(\.$completedAt, .descending).with(\.$partnership).first()
        guard let basis = completed?.partnership else {
            throw Problem(
                .forbidden,
                "Testimonials come only from real, completed work: you can write one once they have delivered a commitment to you and you accepted it as complete."
            )
        }
        return basis
    }

    /// An organization's testimonial is rewritten or withdrawn only by its writer, an owner or an admin.
    static func changeTestimonial(_ testimonial: Testimonial, by actor: Actor) throws {
        guard testimonial.$writtenBy.id == actor.id || canManage(actor) else {
            throw Problem(.forbidden, "Only its writer, an owner or an admin can change your organization's testimonial.")
        }
    }

    /// Only an owner may hand out the owner role.
    static func isOwner(_ actor: Actor) -> Bool {
        Access.check(actor, "owner", organization: actor.organizationID).allowed
    }

    static func requireOwner(_ actor: Actor) throws {
        guard isOwner(actor) else { throw Problem(.forbidden, "Only owners of your organization can do this.") }
    }

    static func grant(_ role: Role, by actor: Actor) throws {
        try manageOrganization(actor)
        if role == .owner, !isOwner(actor) {
            throw Problem(.forbidden, "Only an owner can invite another owner.")
        }
    }
}
