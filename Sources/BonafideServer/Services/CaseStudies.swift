import BonafideCore
import Fluent
import Foundation

/// Case studies: one organization tells of its work with a partner. Only a real partnership with completed work
/// entitles it to, the figures shown beside it (period, commitments completed and kept on time) are read from the
/// record each time rather than typed, and nobody beyond the two sides sees it until the partner confirms it, in
/// the author's words or its own. Either side can withdraw it later.
enum CaseStudies {
    static let maxTitle = 200
    static let minBody = 20
    static let maxBody = 20_000

    /// What the record shows of the work the case study is about.
    struct Figures: Sendable, Equatable {
        var completed: Int
        var onTime: Int
        var from: Date
        var to: Date
    }

    struct Entry: Sendable {
        var id: UUID
        var authorID: UUID
        var authorName: String
        var partnerID: UUID
        var partnerName: String
        var partnershipID: UUID
        var title: String
        var body: String
        var status: CaseStudyStatus
        var partnerNote: String?
        var editedByPartner: Bool
        var createdAt: Date
        var decidedAt: Date?
        var figures: Figures
    }

    static func propose(
        partnership id: UUID?, title rawTitle: String, body rawBody: String, by actor: Actor, at now: Date = Date(), on db: any Database
    )
        async throws -> Entry
    {
        let p = try await Policy.partnership(id, for: actor, on: db)
        try Policy.manageOrganization(actor)
        let (title, body) = try validated(title: rawTitle, body: rawBody)
        guard let partnerID = actor.organizationID == p.$organization.id ? p.$partner.id : p.$organization.id,
            [.active, .ended].contains(p.status)
        else { throw Problem(.conflict, "A case study is about work with a partner: this partnership has not started.") }
        guard let figures = try await figures(of: p.id!, on: db) else {
            throw Problem(
                .unprocessableEntity,
                "A case study tells of finished work: this partnership has no completed commitment yet. Write it once something was delivered and accepted."
            )
        }
        return try await db.writeTransaction { tx in
            // Locked so that two people proposing at once get one proposal and a 409, not two waiting side by side.
            guard try await tx.lockedRow(Partnership.self, p.id!) != nil else { throw Problem.notFound("partnership") }
            let waiting = try await CaseStudy.query(on: tx).filter(\.$partnership.$id == p.id!)
                .filter(\.$author.$id == actor.organizationID).filter(\.$status == .awaitingPartner).count()
            guard waiting == 0 else {
                throw Problem(
                    .conflict, "A case study about this partnership is already waiting for your partner; withdraw it to write another.")
            }
            let study = CaseStudy()
            study.$author.id = actor.organizationID
            study.$partner.id = partnerID
            study.$partnership.id = p.id!
            study.title = title
            study.body = body
            study.status = .awaitingPartner
            study.editedByPartner = false
            study.$writtenBy.id = actor.id
            study.createdAt = now
            try await study.save(on: tx)
            let names = try await names(of: [actor.organizationID, partnerID], on: tx)
            try await tell(
                partnerID, "\(names[actor.organizationID] ?? "A partner") asks you to confirm a case study: \(title)", study,
                event: "proposed", detail: String(Markdown.plainText(body).prefix(1_500)), at: now, on: tx)
            return entry(study, names: names, figures: figures)
        }
    }

    /// The partner confirms (optionally in its own words) or declines; decided once, on the row as it is now.
    static func decide(
        _ id: UUID?, confirm: Bool, note rawNote: String?, title: String? = nil, body: String? = nil, by actor: Actor,
        at now: Date = Date(),
        on db: any Database
    ) async throws -> Entry {
        guard let id else { throw Problem.notFound("case study") }
        let note = rawNote?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        guard note.length <= 1_000 else { throw Problem.invalid("note", "A note has at most 1000 characters.") }
        if !confirm, title != nil || body != nil {
            throw Problem.invalid("body", "Edits come with a confirmation; to decline, say why in the note.")
        }
        let edits = try (title != nil || body != nil) ? validated(title: title ?? "", body: body ?? "", partial: true) : nil
        return try await db.writeTransaction { tx in
            guard let study = try await tx.lockedRow(CaseStudy.self, id), seesAll(study, actor) else {
                throw Problem.notFound("case study")
            }
            guard study.$partner.id == actor.organizationID else {
                throw Problem(.forbidden, "Only the partner the case study is about can confirm or decline it.")
            }
            try Policy.manageOrganization(actor)
            guard study.status == .awaitingPartner else {
                throw Problem(.conflict, "This case study was already \(study.status.label.lowercased()).")
            }
            if let edits {
                if !edits.title.isEmpty, edits.title != study.title { study.title = edits.title; study.editedByPartner = true }
                if !edits.body.isEmpty, edits.body != study.body { study.body = edits.body; study.editedByPartner = true }
            }
            study.status = confirm ? .confirmed : .declined
            study.partnerNote = note.isEmpty ? nil : note
            study.$decidedBy.id = actor.id
            study.decidedAt = now
            try await study.save(on: tx)
            let names = try await names(of: [study.$author.id, study.$partner.id], on: tx)
            let partner = names[study.$partner.id] ?? "Your partner"
            let what =
                confirm
                ? "\(partner) confirmed your case study\(study.editedByPartner ? " with changes" : ""): \(study.title)"
                : "\(partner) declined your case study: \(study.title)"
            try await tell(
                study.$author.id, what, study, event: confirm ? "confirmed" : "declined", detail: study.partnerNote, at: now, on: tx)
            return entry(study, names: names, figures: try await figures(of: study.$partnership.id, on: tx) ?? .init(study))
        }
    }

    /// Either side takes it back: it leaves the profiles and cannot be confirmed any more.
    static func withdraw(_ id: UUID?, by actor: Actor, at now: Date = Date(), on db: any Database) async throws -> Entry {
        guard let id else { throw Problem.notFound("case study") }
        return try await db.writeTransaction { tx in
            guard let study = try await tx.lockedRow(CaseStudy.self, id), seesAll(study, actor) else {
                throw Problem.notFound("case study")
            }
            try Policy.manageOrganization(actor)
            guard [.awaitingPartner, .confirmed].contains(study.status) else {
                throw Problem(.conflict, "This case study was already \(study.status.label.lowercased()).")
            }
            study.status = .withdrawn
            study.withdrawnBy = actor.organizationID
            study.withdrawnAt = now
            try await study.save(on: tx)
            let names = try await names(of: [study.$author.id, study.$partner.id], on: tx)
            let other = actor.organizationID == study.$author.id ? study.$partner.id : study.$author.id
            try await tell(
                other, "\(names[actor.organizationID] ?? "Your partner") withdrew the case study: \(study.title)", study,
                event: "withdrawn",
                detail: nil, at: now, on: tx)
            return entry(study, names: names, figures: try await figures(of: study.$partnership.id, on: tx) ?? .init(study))
        }
    }

    /// Confirmed case studies an organization wrote or is the partner of, newest first: for anyone.
    static func confirmed(of organization: UUID, on db: any Database) async throws -> [Entry] {
        try await entries(
            CaseStudy.query(on: db).filter(\.$status == .confirmed)
                .group(.or) { $0.filter(\.$author.$id == organization).filter(\.$partner.$id == organization) }
                .sort(\.$decidedAt, .descending).limit(100).all(), on: db)
    }

    /// Every case study of the person's organization, as author or partner, newest first (managers' work list).
    static func involving(_ actor: Actor, on db: any Database) async throws -> [Entry] {
        let own = actor.organizationID
        return try await entries(
            CaseStudy.query(on: db).group(.or) { $0.filter(\.$author.$id == own).filter(\.$partner.$id == own) }
                .sort(\.$createdAt, .descending).limit(200).all(), on: db)
    }

    /// One case study: a confirmed one to anyone signed in, any other only to the two sides.
    static func find(_ id: UUID?, for actor: Actor?, on db: any Database) async throws -> Entry {
        guard let id, let study = try await CaseStudy.find(id, on: db) else { throw Problem.notFound("case study") }
        let sides = actor.map { [study.$author.id, study.$partner.id].contains($0.organizationID) } ?? false
        guard sides || study.status == .confirmed else { throw Problem.notFound("case study") }
        return try await entries([study], on: db)[0]
    }

    /// Completed commitments of the partnership, how many were delivered by their date, and the period from the
    /// partnership's start to the last completion; nil while nothing is completed.
    static func figures(of partnership: UUID, on db: any Database) async throws -> Figures? {
        try await figures(of: [partnership], on: db)[partnership]
    }

    /// The figures of many partnerships in two queries: a profile lists up to 100 case studies.
    static func figures(of partnerships: [UUID], on db: any Database) async throws -> [UUID: Figures] {
        let ids = Array(Set(partnerships))
        guard !ids.isEmpty else { return [:] }
        let done = try await Commitment.query(on: db).filter(\.$partnership.$id ~~ ids).filter(\.$status == .completed)
            .field(\.$partnership.$id).field(\.$dueAt).field(\.$deliveredAt).field(\.$completedAt).field(\.$createdAt).all()
        let created = Dictionary(
            try await Partnership.query(on: db).filter(\.$id ~~ ids).field(\.$id).field(\.$createdAt).all().map { ($0.id!, $0.createdAt) },
            uniquingKeysWith: { a, _ in a })
        var figures: [UUID: Figures] = [:]
        for (partnership, done) in Dictionary(grouping: done, by: { $0.$partnership.id }) {
            // The work began with the partnership or its first commitment, whichever the record shows first (commitments
            // brought over from before the partnership was recorded can be older).
            let firstCommitment = done.map(\.createdAt).min()!
            let started = min((created[partnership] ?? nil) ?? firstCommitment, firstCommitment)
            let onTime = done.filter { ($0.deliveredAt ?? $0.completedAt ?? .distantFuture) <= $0.dueAt }.count
            let last = done.compactMap(\.completedAt).max() ?? done.map(\.dueAt).max()!
            figures[partnership] = Figures(completed: done.count, onTime: onTime, from: started, to: last)
        }
        return figures
    }

    // MARK: Helpers

    private static func validated(title rawTitle: String, body rawBody: String, partial: Bool = false) throws -> (
        title: String, body: String
    ) {
        let title = rawTitle.trimmingCharacters(in: .whitespacesAndNewlines)
        let body = rawBody.trimmingCharacters(in: .whitespacesAndNewlines)
        if !(partial && title.isEmpty) {
            guard (1...maxTitle).contains(title.length) else { throw Problem.invalid("title", "A title has 1 to \(maxTitle) characters.") }
        }
        if !(partial && body.isEmpty) {
            guard (minBody...maxBody).contains(body.length) else {
                throw Problem.invalid(
                    "body", "A case study has \(minBody) to \(maxBody) characters (Markdown): what you did together and how it went.")
            }
        }
        return (title, body)
    }

    /// Only the two sides see a case study in every state; anyone else is told it does not exist.
    private static func seesAll(_ study: CaseStudy, _ actor: Actor) -> Bool {
        [study.$author.id, study.$partner.id].contains(actor.organizationID)
    }

    private static func tell(
        _ organization: UUID, _ text: String, _ study: CaseStudy, event: String, detail: String?, at now: Date, on db: any Database
    ) async throws {
        let key = Access.key(study.id!)
        try await Notifier.notify(
            try await Accounts.managers(of: organization, on: db),
            of: .init(
                kind: .caseStudy, text: text, link: SiteURL.caseStudy(study.id), detail: detail, about: "caseStudy:\(key)",
                key: "caseStudy:\(key):\(event)"),
            at: now, on: db)
    }

    private static func names(of ids: [UUID], on db: any Database) async throws -> [UUID: String] {
        Dictionary(
            try await Organization.query(on: db).filter(\.$id ~~ ids).field(\.$id).field(\.$name).all().map { ($0.id!, $0.name) },
            uniquingKeysWith: { a, _ in a })
    }

    private static func entries(_ studies: [CaseStudy], on db: any Database) async throws -> [Entry] {
        let names = try await names(of: Array(Set(studies.flatMap { [$0.$author.id, $0.$partner.id] })), on: db)
        let figures = try await figures(of: studies.map { $0.$partnership.id }, on: db)
        return studies.map { entry($0, names: names, figures: figures[$0.$partnership.id] ?? .init($0)) }
    }

    private static func entry(_ s: CaseStudy, names: [UUID: String], figures: Figures) -> Entry {
        Entry(
            id: s.id!, authorID: s.$author.id, authorName: names[s.$author.id] ?? "", partnerID: s.$partner.id,
            partnerName: names[s.$partner.id] ?? "", partnershipID: s.$partnership.id, title: s.title, body: s.body, status: s.status,
            partnerNote: s.partnerNote, editedByPartner: s.editedByPartner, createdAt: s.createdAt, decidedAt: s.decidedAt,
            figures: figures)
    }
}

extension CaseStudies.Figures {
    /// No completed work left in the record (the commitments were since reopened): nothing to show but the dates.
    init(_ study: CaseStudy) { self.init(completed: 0, onTime: 0, from: study.createdAt, to: study.createdAt) }
}
