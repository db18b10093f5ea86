import BonafideCore
import Fluent
import Foundation

/// Maps models to the API's generated types; models never leave a handler.
enum DTO {
    static func user(_ u: User) -> Components.Schemas.User {
        .init(
            id: u.id!.uuidString, email: u.email, name: u.name, timeZone: u.timeZone,
            organizationId: u.$organization.id.uuidString, role: .init(rawValue: u.role.rawValue)!)
    }

    static func token(_ t: APIToken) -> Components.Schemas.Token {
        .init(
            id: t.id!.uuidString, name: t.name, prefix: t.prefix, createdAt: t.createdAt ?? Date(),
            lastUsedAt: t.lastUsedAt, revokedAt: t.revokedAt)
    }

    static func organization(_ o: Organization) -> Components.Schemas.Organization {
        .init(
            id: o.id!.uuidString, name: o.name, description: o.description, capabilities: o.capabilities,
            limitations: o.limitations, risks: o.risks, timeZone: o.timeZone, languages: o.languages,
            workingHours: .init(
                start: WorkingHours.text(ofMinute: o.workStartMinute), end: WorkingHours.text(ofMinute: o.workEndMinute), days: o.workDays),
            messageSentiment: o.messageSentiment)
    }

    static func agreement(_ v: AgreementVersion) -> Components.Schemas.AgreementVersion {
        .init(
            version: v.version, text: v.text, authorId: v.$author.id.uuidString, authorName: v.$author.value?.name ?? "",
            createdAt: v.createdAt ?? Date())
    }

    static func event(_ e: PartnershipEvent) -> Components.Schemas.Event {
        .init(
            id: e.id!.uuidString, kind: e.kind, actorName: e.$actor.value??.name, summary: e.summary, reason: e.reason,
            commitmentId: e.commitmentID?.uuidString, incidentId: e.incidentID?.uuidString, createdAt: e.createdAt)
    }

    static func commitment(_ c: Commitment, history: [PartnershipEvent]? = nil) -> Components.Schemas.Commitment {
        .init(
            id: c.id!.uuidString, partnershipId: c.$partnership.id.uuidString, title: c.title, deliverable: c.deliverable,
            acceptanceCriteria: c.acceptanceCriteria, ownerId: c.$owner.id.uuidString, ownerName: c.$owner.value?.name ?? "",
            ownerOrganizationId: c.$ownerOrganization.id.uuidString, recipientOrganizationId: c.$recipientOrganization.id.uuidString,
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

    static func commitment(_ c: CommitmentRow) -> Components.Schemas.Commitment {
        .init(
            id: c.id.uuidString, partnershipId: c.partnershipId.uuidString, title: c.title, deliverable: c.deliverable,
            acceptanceCriteria: c.acceptanceCriteria, ownerId: c.ownerId.uuidString, ownerName: c.ownerName,
            ownerOrganizationId: c.ownerOrganizationId.uuidString, recipientOrganizationId: c.recipientOrganizationId.uuidString,
            dueAt: c.dueAt, timeZone: c.timeZone, status: .init(rawValue: c.status) ?? .proposed, atRisk: c.atRisk,
            atRiskReason: c.atRiskReason, proposedDueAt: c.proposedDueAt, proposedDueReason: c.proposedDueReason,
            deliveredAt: c.deliveredAt, completedAt: c.completedAt, createdAt: c.createdAt)
    }

    /// A message; its tone only for organizations that analyse tone (`MessageTone.isShown`).
    static func message(_ m: Message, tone: Bool = false) -> Components.Schemas.Message {
        .init(
            id: m.id!.uuidString, threadId: m.$thread.id.uuidString, authorId: m.$author.id.uuidString,
            authorName: m.$author.value?.name ?? "", organizationId: m.$organization.id.uuidString, body: m.body,
            needsResponse: m.needsResponse, respondedAt: m.respondedAt, createdAt: m.createdAt,
            sentiment: tone ? m.sentiment : nil,
            sentimentDrivers: tone && m.sentiment != nil ? StoredDrivers.decode(m.sentimentDriversJSON).map(\.phrase) : nil)
    }

    static func partnership(_ p: Partnership, detailed: Bool, on db: any Database) async throws -> Components.Schemas.Partnership {
        let org = try await Organization.find(p.$organization.id, on: db)
        let partner = try await p.$partner.id.asyncFlatMap { try await Organization.find($0, on: db) }
        let members = try await Partnerships.members(of: p, on: db)
        let open = try await Message.query(on: db).filter(\.$partnership.$id == p.id!).filter(\.$needsResponse == true)
            .filter(\.$respondedAt == nil).count()
        var dto = Components.Schemas.Partnership(
            id: p.id!.uuidString, name: p.name, status: .init(rawValue: p.status.rawValue)!,
            organization: .init(id: p.$organization.id.uuidString, name: org?.name ?? ""),
            partner: partner.map { .init(id: $0.id!.uuidString, name: $0.name) }, invitedEmail: p.invitedEmail,
            members: members.map {
                .init(userId: $0.$user.id.uuidString, name: $0.user.name, organizationId: $0.$organization.id.uuidString)
            },
            openRequests: open, createdAt: p.createdAt ?? Date())
        if detailed {
            dto.agreement = try await Partnerships.agreementVersions(of: p, on: db).first.map(agreement)
            dto.responseTimes = try await Messages.responseTimes(of: p, on: db).map {
                .init(
                    organizationId: $0.organization.id!.uuidString, organizationName: $0.organization.name,
                    medianSeconds: $0.medianSeconds.map { Int($0.rounded()) }, answered: $0.answered, open: $0.open)
            }
            dto.workingHoursOverlap = try await Partnerships.overlap(of: p, on: db).map { .init(start: $0.start, end: $0.end) }
        }
        return dto
    }
}
