import BonafideCore
import Fluent
import Foundation

/// Maps models to the API's generated types; models never leave a handler.
enum DTO {
    static func user(_ u: User) -> Components.Schemas.User {
        .init(
            id: u.id!.apiString, email: u.email, name: u.name, timeZone: u.timeZone,
            organizationId: u.$organization.id.apiString, role: .init(rawValue: u.role.rawValue)!)
    }

    static func token(_ t: APIToken) -> Components.Schemas.Token {
        .init(
            id: t.id!.apiString, name: t.name, prefix: t.prefix, createdAt: t.createdAt ?? Date(),
            lastUsedAt: t.lastUsedAt, revokedAt: t.revokedAt)
    }

    static func organization(_ o: Organization) -> Components.Schemas.Organization {
        .init(
            id: o.id!.apiString, name: o.name, description: o.description, capabilities: o.capabilities,
            limitations: o.limitations, risks: o.risks, timeZone: o.timeZone, languages: o.languages,
            workingHours: .init(
                start: WorkingHours.text(ofMinute: o.workStartMinute), end: WorkingHours.text(ofMinute: o.workEndMinute), days: o.workDays),
            messageSentiment: o.messageSentiment)
    }

    static func agreement(_ v: AgreementVersion) -> Components.Schemas.AgreementVersion {
        .init(
            version: v.version, text: v.text, authorId: v.$author.id.apiString, authorName: v.$author.value?.name ?? "",
            createdAt: v.createdAt ?? Date())
    }

    static func event(_ e: TimelineEvent) -> Components.Schemas.Event {
        .init(
            id: e.id.apiString, kind: e.kind, actorName: e.actorName, summary: e.summary, reason: e.reason,
            commitmentId: e.commitmentId?.apiString, incidentId: e.incidentId?.apiString, createdAt: e.createdAt)
    }

    static func commitment(_ c: Commitment, history: [TimelineEvent]? = nil) -> Components.Schemas.Commitment {
        .init(
            id: c.id!.apiString, partnershipId: c.$partnership.id.apiString, title: c.title, deliverable: c.deliverable,
            acceptanceCriteria: c.acceptanceCriteria, ownerId: c.$owner.id.apiString, ownerName: c.$owner.value?.name ?? "",
            ownerOrganizationId: c.$ownerOrganization.id.apiString, recipientOrganizationId: c.$recipientOrganization.id.apiString,
            dueAt: c.dueAt, timeZone: c.timeZone, status: .init(rawValue: c.status.rawValue)!, atRisk: c.atRisk,
            atRiskReason: c.atRiskReason, proposedDueAt: c.proposedDueAt, proposedDueReason: c.proposedDueReason,
            deliveredAt: c.deliveredAt, completedAt: c.completedAt, createdAt: c.createdAt,
            pendingChange: c.pendingWording.flatMap { w in
                c.pendingChangeSide.map { side in
                    .init(
                        title: w.title, deliverable: w.deliverable, acceptanceCriteria: w.acceptanceCriteria,
                        proposedBy: side == .owner ? .owner : .recipient, proposedAt: c.pendingChangeAt ?? c.createdAt)
                }
            }, history: history?.map(event))
    }

    /// A commitment as lists read it (`CommitmentRow`): the same fields as from the model, wording waiting for an
    /// answer included.
    static func commitment(_ c: CommitmentRow) -> Components.Schemas.Commitment {
        .init(
            id: c.id.apiString, partnershipId: c.partnershipId.apiString, title: c.title, deliverable: c.deliverable,
            acceptanceCriteria: c.acceptanceCriteria, ownerId: c.ownerId.apiString, ownerName: c.ownerName,
            ownerOrganizationId: c.ownerOrganizationId.apiString, recipientOrganizationId: c.recipientOrganizationId.apiString,
            dueAt: c.dueAt, timeZone: c.timeZone, status: .init(rawValue: c.status.rawValue)!, atRisk: c.atRisk,
            atRiskReason: c.atRiskReason, proposedDueAt: c.proposedDueAt, proposedDueReason: c.proposedDueReason,
            deliveredAt: c.deliveredAt, completedAt: c.completedAt, createdAt: c.createdAt,
            pendingChange: c.pendingWording.flatMap { w in
                c.pendingChangeSide.map { side in
                    .init(
                        title: w.title, deliverable: w.deliverable, acceptanceCriteria: w.acceptanceCriteria,
                        proposedBy: side == .owner ? .owner : .recipient, proposedAt: c.pendingChangeAt ?? c.createdAt)
                }
            })
    }

    /// A message; its tone only for organizations that analyse tone (`MessageTone.isShown`).
    static func message(_ m: Message, tone: Bool = false) -> Components.Schemas.Message {
        .init(
            id: m.id!.apiString, threadId: m.$thread.id.apiString, authorId: m.$author.id.apiString,
            authorName: m.$author.value?.name ?? "", organizationId: m.$organization.id.apiString, body: m.body,
            needsResponse: m.needsResponse, respondedAt: m.respondedAt, createdAt: m.createdAt,
            sentiment: tone ? m.sentiment : nil,
            sentimentDrivers: tone && m.sentiment != nil ? StoredDrivers.decode(m.sentimentDriversJSON).map(\.phrase) : nil)
    }

    /// A message as the list reads it (`MessageRow`): the same fields as from the model.
    static func message(_ m: MessageRow, tone: Bool) -> Components.Schemas.Message {
        .init(
            id: m.id.apiString, threadId: m.threadId.apiString, authorId: m.authorId.apiString, authorName: m.authorName,
            organizationId: m.organizationId.apiString, body: m.body, needsResponse: m.needsResponse, respondedAt: m.respondedAt,
            createdAt: m.createdAt, sentiment: tone ? m.sentiment : nil,
            sentimentDrivers: tone && m.sentiment != nil ? StoredDrivers.decode(m.sentimentDrivers).map(\.phrase) : nil)
    }

    /// A request as the dashboard lists it (`OpenRequestRow`): the same fields as from the model, without its tone.
    static func message(_ m: OpenRequestRow) -> Components.Schemas.Message {
        .init(
            id: m.id.apiString, threadId: m.threadId.apiString, authorId: m.authorId.apiString, authorName: m.authorName,
            organizationId: m.organizationId.apiString, body: m.body, needsResponse: m.needsResponse, respondedAt: m.respondedAt,
            createdAt: m.createdAt, sentiment: nil, sentimentDrivers: nil)
    }

    static func partnership(_ p: Partnership, detailed: Bool, on db: any Database) async throws -> Components.Schemas.Partnership {
        guard detailed else { return try await partnerships([p], on: db)[0] }
        // One partnership in full: both sides are read once for the names, the response times and the overlap.
        let sides = try await Partnerships.sides(of: p, on: db)
        var dto = try await partnerships([p], sides: sides, on: db)[0]
        dto.agreement = try await Partnerships.latestAgreement(of: p, on: db).map(agreement)
        dto.responseTimes = try await Messages.responseTimes(of: p, sides: sides, on: db).map {
            .init(
                organizationId: $0.organization.id!.apiString, organizationName: $0.organization.name,
                medianSeconds: $0.medianSeconds.map { Int($0.rounded()) }, answered: $0.answered, open: $0.open)
        }
        dto.workingHoursOverlap = try await Partnerships.overlap(of: p, sides: sides, on: db).map { .init(start: $0.start, end: $0.end) }
        return dto
    }

    /// Partnerships as lists show them, in the order given, in three queries however many there are: the sides'
    /// names, the members with their people, and the open requests are each read once for all of them (mapping one
    /// at a time took four or five queries per partnership). `sides`, when the caller has them, saves the first.
    static func partnerships(_ ps: [Partnership], sides: [UUID: Organization]? = nil, on db: any Database) async throws
        -> [Components.Schemas.Partnership]
    {
        guard !ps.isEmpty else { return [] }
        let ids = ps.map { $0.id! }
        let names: [UUID: String]
        if let sides {
            names = sides.mapValues(\.name)
        } else {
            var sideIDs = Set<UUID>()
            for p in ps {
                sideIDs.insert(p.$organization.id)
                if let partner = p.$partner.id { sideIDs.insert(partner) }
            }
            let organizations = try await Organization.query(on: db).filter(\.$id ~~ Array(sideIDs)).field(\.$id).field(\.$name).all()
            names = Dictionary(organizations.map { ($0.id!, $0.name) }, uniquingKeysWith: { a, _ in a })
        }
        let members = try await Partnerships.members(of: ids, on: db)
        let open = try await Messages.openRequestCounts(of: ids, on: db)
        return ps.map { p in
            Components.Schemas.Partnership(
                id: p.id!.apiString, name: p.name, status: .init(rawValue: p.status.rawValue)!,
                organization: .init(id: p.$organization.id.apiString, name: names[p.$organization.id] ?? ""),
                partner: p.$partner.id.flatMap { id in names[id].map { Components.Schemas.OrganizationRef(id: id.apiString, name: $0) } },
                invitedEmail: p.invitedEmail,
                members: (members[p.id!] ?? []).map {
                    .init(userId: $0.$user.id.apiString, name: $0.user.name, organizationId: $0.$organization.id.apiString)
                },
                openRequests: open[p.id!] ?? 0, createdAt: p.createdAt ?? Date())
        }
    }

    /// Partnerships as lists show them from their rows (`Policy.visiblePartnershipRows`), which carry the sides' names
    /// and open requests already: the same answer as the models' mapping above, with one query (the members).
    static func partnerships(_ rows: [PartnershipListRow], on db: any Database) async throws -> [Components.Schemas.Partnership] {
        guard !rows.isEmpty else { return [] }
        let members = try await PartnershipMemberRow.members(of: rows.map(\.id), on: db)
        return try rows.map { p -> Components.Schemas.Partnership in
            // What decoding the model's enum would refuse is refused here too.
            guard let status = PartnershipStatus(rawValue: p.status) else {
                throw Problem(.internalServerError, "Partnership \(p.id.apiString) has an unknown status.")
            }
            return Components.Schemas.Partnership(
                id: p.id.apiString, name: p.name, status: .init(rawValue: status.rawValue)!,
                organization: .init(id: p.organizationId.apiString, name: p.organizationName ?? ""),
                partner: p.partnerOrganizationId.flatMap { id in
                    p.partnerName.map { Components.Schemas.OrganizationRef(id: id.apiString, name: $0) }
                },
                invitedEmail: p.invitedEmail,
                members: (members[p.id] ?? []).map {
                    .init(userId: $0.userId.apiString, name: $0.name, organizationId: $0.organizationId.apiString)
                },
                openRequests: p.openRequests, createdAt: p.createdAt ?? Date())
        }
    }
}
