import BonafideCore
import Fluent
import Foundation

/// Bonafide's relations and the permissions computed from them, asked through one relationship-based check
/// (`AccessModel`). Each question reads the few rows around its subject and object (a person's organization and
/// role, a partnership's sides and members, a section's audience, the asker's partnership with and place in the
/// owner's circles), so what changed in the database counts at once: placing an organization in a circle shows
/// it a section on its next request, and removing it hides the section again.
enum Access {
    /// Who asks.
    enum Subject: Sendable {
        /// A signed-in person.
        case person(Actor)
        /// Any person of an organization, without a role or partnership of their own (what an owner asks of a
        /// partner: "would Kite's people see this?").
        case members(of: UUID)
        /// Someone without an account.
        case anyone
    }

    /// What is asked about.
    enum Object: Sendable {
        case organization(UUID)
        case partnership(Partnership)
        /// Something an organization shares with an audience: a profile section, its status page, a document.
        case shared(organization: UUID, name: String, audience: Audience)
        /// Something an organization addresses to organizations it names one by one (an update for Kite and Lark):
        /// its own people and the people of each named organization read it. The names are stored rows
        /// (`NamedAudience`), not a relation, so no partnership or circle opens it to anyone else.
        case named(organization: UUID, name: String)
    }

    /// Stored relations (owner, admin, member, partner, circles, sides) and the permissions computed from them.
    static let model = AccessModel(types: [
        "organization": [
            "owner": .direct, "admin": .direct, "member": .direct,
            "manager": .union([.computed("owner"), .computed("admin")]),
            // "organization:acme#partner@organization:kite": Kite has or had a partnership with Acme.
            "partner": .direct,
            // Circles, closest last: each includes the closer ones. Placing Kite in a circle of Acme's is a tuple on
            // Acme; nothing on Kite, so it grants Acme nothing of Kite's.
            "trustedReferral": .direct,
            "collaborator": .union([.direct, .computed("trustedReferral")]),
            "connected": .union([.direct, .computed("collaborator")]),
            // The people of the organizations in a circle or a closer one (a tuple-to-userset follows stored
            // tuples only, as in Zanzibar, so each closer circle is named).
            "partnerMember": .tupleToUserset(tupleset: "partner", computed: "member"),
            "trustedReferralMember": .tupleToUserset(tupleset: "trustedReferral", computed: "member"),
            "collaboratorMember": .union([
                .tupleToUserset(tupleset: "collaborator", computed: "member"), .computed("trustedReferralMember"),
            ]),
            "connectedMember": .union([.tupleToUserset(tupleset: "connected", computed: "member"), .computed("collaboratorMember")]),
        ],
        "partnership": [
            "side": .direct, "member": .direct,
            "viewer": .union([.computed("member"), .tupleToUserset(tupleset: "side", computed: "manager")]),
        ],
        // A document in an organization's vault: its uploader or a manager of that organization runs it (shares,
        // links, deletion); who may read it is a `shared` object with the audience it was shared with.
        "document": [
            "organization": .direct, "uploader": .direct,
            "manager": .union([
                // The uploader only while a member of the organization that holds it.
                .intersection([.computed("uploader"), .tupleToUserset(tupleset: "organization", computed: "member")]),
                .tupleToUserset(tupleset: "organization", computed: "manager"),
            ]),
        ],
        "shared": [
            "organization": .direct,
            // The audience's tuple, or anyone of the organization itself.
            "reader": .union([.direct, .tupleToUserset(tupleset: "organization", computed: "member")]),
        ],
    ])

    /// The engine's answer with the chain in plain words.
    struct Answer: Sendable {
        var allowed: Bool
        var because: [String]
        var tuples: [String]
    }

    // MARK: - Asking

    /// "May the subject have this relation to the object?" Reads what the question needs, then decides.
    static func check(_ subject: Subject, _ relation: String, _ object: Object, on db: any Database) async throws -> AccessModel.Decision {
        try await check(subject, relation, [object], on: db)[0]
    }

    /// The same question for several objects at once, reading each organization's stand toward the asker once.
    static func check(_ subject: Subject, _ relation: String, _ objects: [Object], on db: any Database) async throws
        -> [AccessModel.Decision]
    {
        var tuples = TupleSet(subjectTuples(subject))
        let memberOf = try await memberships(of: subject, in: objects, on: db)
        var owners = Set<UUID>()
        var named: [(owner: UUID, name: String)] = []
        for object in objects {
            for t in objectTuples(object, for: subject, memberOf: memberOf) { tuples.insert(t) }
            guard let asker = organization(of: subject) else { continue }
            switch object {
            case .shared(let owner, _, _) where asker != owner: owners.insert(owner)
            case .named(let owner, let name) where asker != owner: named.append((owner, name))
            default: break
            }
        }
        if let asker = organization(of: subject) {
            for t in try await relations(of: owners, toward: asker, on: db) { tuples.insert(t) }
            for t in try await namedReaders(named, among: asker, on: db) { tuples.insert(t) }
        }
        return objects.map { model.check(name(subject), relation, name($0), in: tuples) }
    }

    /// The same question when it needs nothing beyond the person (managing their own organization).
    static func check(_ actor: Actor, _ relation: String, organization: UUID) -> AccessModel.Decision {
        model.check(name(.person(actor)), relation, "organization:\(key(organization))", in: TupleSet(subjectTuples(.person(actor))))
    }

    /// "May the person view this partnership?" when their membership was read together with the partnership row
    /// (`Policy.partnership` reads both in one query): the same tuples, and so the same answer, as
    /// `check(.person(actor), "viewer", .partnership(p), on:)`, without a read of its own.
    static func canView(_ p: Partnership, by actor: Actor, isMember: Bool) -> Bool {
        var tuples = TupleSet(subjectTuples(.person(actor)))
        for t in partnershipTuples(p, member: isMember ? .person(actor) : nil) { tuples.insert(t) }
        return model.check(name(.person(actor)), "viewer", name(.partnership(p)), in: tuples).allowed
    }

    /// Whether the person runs a document of their organization's vault: they uploaded it, or they manage the
    /// organization. Needs no read: the document row names both.
    static func canManage(_ actor: Actor, document d: Document) -> Bool {
        let object = "document:\(key(d.id!))"
        var tuples = TupleSet(subjectTuples(.person(actor)))
        tuples.insert(.init(object, "organization", "organization:\(key(d.$organization.id))"))
        if let uploader = d.$uploadedBy.id { tuples.insert(.init(object, "uploader", "user:\(key(uploader))")) }
        return model.check(name(.person(actor)), "manager", object, in: tuples).allowed
    }

    /// The partnerships a person may see, newest first: the candidates are their organization's partnerships, each
    /// decided by the check (managers see all of their side's; others those they were added to).
    static func visiblePartnerships(for actor: Actor, on db: any Database) async throws -> [Partnership] {
        let candidates = try await Partnership.query(on: db)
            .group(.or) { $0.filter(\.$organization.$id == actor.organizationID).filter(\.$partner.$id == actor.organizationID) }
            .sort(\.$createdAt, .descending).all()
        let memberOf = try await PartnershipMember.query(on: db).filter(\.$user.$id == actor.id).all()
        var tuples = TupleSet(subjectTuples(.person(actor)))
        for p in candidates { for t in sideTuples(p) { tuples.insert(t) } }
        for m in memberOf { tuples.insert(.init("partnership:\(key(m.$partnership.id))", "member", name(.person(actor)))) }
        let visible = Set(model.list(name(.person(actor)), "viewer", type: "partnership", in: tuples, limit: .max))
        return candidates.filter { visible.contains("partnership:\(key($0.id!))") }
    }

    /// The same list as `visiblePartnerships`, as rows for the lists that show partnerships (the API's list and the
    /// dashboards): the same candidates and the same tuples, so the same answer, with the person's memberships read
    /// in the candidates' query instead of one of their own.
    static func visiblePartnershipRows(for actor: Actor, on db: any Database) async throws -> [PartnershipListRow] {
        let candidates = try await PartnershipListRow.candidates(for: actor, on: db)
        var tuples = TupleSet(subjectTuples(.person(actor)))
        for row in candidates {
            for t in sideTuples(row.id, sides: row.sides) { tuples.insert(t) }
            if row.viewerIsMember == 1 { tuples.insert(.init("partnership:\(key(row.id))", "member", name(.person(actor)))) }
        }
        let visible = Set(model.list(name(.person(actor)), "viewer", type: "partnership", in: tuples, limit: .max))
        return candidates.filter { visible.contains("partnership:\(key($0.id))") }
    }

    /// What the subject may see of an organization's: the sections of its profile it may read, or the partnerships it
    /// may view, sorted by resource name, a page after `after` at a time; `next` names the last one when more follow.
    static func visible(
        to subject: Subject, ofType type: VisibleType, of organization: Organization, after: String?, limit: Int, on db: any Database
    ) async throws -> (items: [(resource: String, title: String)], next: String?) {
        var items: [(resource: String, title: String)] = []
        switch type {
        case .section:
            // The profile's own reading (empty sections left out); an organization has a few dozen sections at most.
            items = try await ProfileSections.visible(of: organization, to: subject, on: db)
                .map { ("section:\($0.section.name)", $0.section.title) }.filter { item in after.map { item.0 > $0 } ?? true }
                .sorted { $0.0 < $1.0 }
        case .partnership:
            let owner = organization.id!
            let candidates = try await Partnership.query(on: db)
                .group(.or) { $0.filter(\.$organization.$id == owner).filter(\.$partner.$id == owner) }.all()
                .map { (resource: "partnership:\(key($0.id!))", title: $0.name, object: Object.partnership($0)) }
                .filter { candidate in after.map { candidate.resource > $0 } ?? true }.sorted { $0.resource < $1.resource }
            // Decided a page's worth at a time, so a long list is read only as far as the page needs.
            var start = 0
            while items.count <= limit, start < candidates.count {
                let batch = Array(candidates[start..<min(candidates.count, start + limit + 1)])
                let decisions = try await check(subject, "viewer", batch.map(\.object), on: db)
                for (candidate, decision) in zip(batch, decisions) where decision.allowed {
                    items.append((candidate.resource, candidate.title))
                }
                start += batch.count
            }
        }
        let more = items.count > limit
        items = Array(items.prefix(limit))
        return (items, more ? items.last?.resource : nil)
    }

    enum VisibleType: String, Sendable {
        case section, partnership
    }

    // MARK: - Reading the relations

    static func key(_ id: UUID) -> String { id.uuidString.lowercased() }

    static func name(_ subject: Subject) -> String {
        switch subject {
        case .person(let actor): "user:\(key(actor.id))"
        case .members(let organization): "user:\(peoplePrefix)\(key(organization))"
        case .anyone: "anonymous:visitor"
        }
    }

    static func name(_ object: Object) -> String {
        switch object {
        case .organization(let id): "organization:\(key(id))"
        case .partnership(let p): "partnership:\(key(p.id!))"
        case .shared(let organization, let name, _), .named(let organization, let name): "shared:\(key(organization))/\(name)"
        }
    }

    /// The asker's own organization: the only one a person is a member of.
    static func organization(of subject: Subject) -> UUID? {
        switch subject {
        case .person(let actor): actor.organizationID
        case .members(let organization): organization
        case .anyone: nil
        }
    }

    /// "Any person of Kite" is asked as a stand-in person who is a plain member of Kite and nothing more.
    static let peoplePrefix = "people-of-"

    private static func subjectTuples(_ subject: Subject) -> [TupleSet.Tuple] {
        if case .members(let organization) = subject { return [.init("organization:\(key(organization))", "member", name(subject))] }
        guard case .person(let actor) = subject else { return [] }
        let organization = "organization:\(key(actor.organizationID))", user = name(subject)
        var tuples = [TupleSet.Tuple(organization, "member", user)]
        switch actor.role {
        case .owner: tuples.append(.init(organization, "owner", user))
        case .admin: tuples.append(.init(organization, "admin", user))
        case .member: break
        }
        return tuples
    }

    private static func sideTuples(_ p: Partnership) -> [TupleSet.Tuple] {
        sideTuples(p.id!, sides: [p.$organization.id, p.$partner.id].compactMap { $0 })
    }

    private static func sideTuples(_ partnership: UUID, sides: [UUID]) -> [TupleSet.Tuple] {
        let object = "partnership:\(key(partnership))"
        return sides.map { .init(object, "side", "organization:\(key($0))") }
    }

    /// A partnership's sides, and the subject as a member when they are one.
    private static func partnershipTuples(_ p: Partnership, member: Subject?) -> [TupleSet.Tuple] {
        var tuples = sideTuples(p)
        if let member { tuples.append(.init(name(.partnership(p)), "member", name(member))) }
        return tuples
    }

    /// The partnerships among `objects` the person is a member of, in one query for all of them (a page of
    /// partnerships asked about at once used to cost a query each); none for other subjects or objects.
    private static func memberships(of subject: Subject, in objects: [Object], on db: any Database) async throws -> Set<UUID> {
        guard case .person(let actor) = subject else { return [] }
        let ids: [UUID] = objects.compactMap { object in
            guard case .partnership(let p) = object else { return nil }
            return p.id
        }
        guard !ids.isEmpty else { return [] }
        let found = try await PartnershipMember.query(on: db).filter(\.$partnership.$id ~~ ids).filter(\.$user.$id == actor.id)
            .all(\.$partnership.$id)
        return Set(found)
    }

    /// The rows of the object itself that can lead to the subject (the person's memberships are read for all objects
    /// at once, the owner's stand toward the asker once per owner, by `check`). Only the asker's organization can lead
    /// to a person (membership is the one way from an organization to its people), so an owner's partners and circles
    /// are read only for it: a point query, not the whole circle.
    private static func objectTuples(_ object: Object, for subject: Subject, memberOf: Set<UUID>) -> [TupleSet.Tuple] {
        switch object {
        case .organization:
            return []
        case .partnership(let p):
            return partnershipTuples(p, member: memberOf.contains(p.id!) ? subject : nil)
        case .shared(let owner, _, let audience):
            return [
                .init(name(object), "organization", "organization:\(key(owner))"),
                .init(name(object), "reader", audience.grantee(of: owner)),
            ]
        case .named(let owner, _):
            // Its readers beyond the owner's people are the named organizations, read for the asker by `check`.
            return [.init(name(object), "organization", "organization:\(key(owner))")]
        }
    }

    /// How one organization stands to another: partner (a partnership, active or ended) and its circle, as tuples.
    static func relations(of owner: UUID, toward other: UUID, on db: any Database) async throws -> [TupleSet.Tuple] {
        try await relations(of: [owner], toward: other, on: db)
    }

    /// How each owner stands toward `other`, in two queries however many owners there are (a search reads the
    /// sections of hundreds of organizations at once).
    static func relations(of owners: Set<UUID>, toward other: UUID, on db: any Database) async throws -> [TupleSet.Tuple] {
        guard !owners.isEmpty else { return [] }
        let otherName = "organization:\(key(other))"
        var tuples: [TupleSet.Tuple] = []
        let shared = try await Partnership.query(on: db).filter(\.$status ~~ [.active, .ended])
            .group(.or) {
                $0.group(.and) { $0.filter(\.$organization.$id ~~ owners).filter(\.$partner.$id == other) }
                    .group(.and) { $0.filter(\.$organization.$id == other).filter(\.$partner.$id ~~ owners.map { Optional($0) }) }
            }.all()
        for p in shared {
            guard let owner = p.$organization.id == other ? p.$partner.id : p.$organization.id else { continue }
            tuples.append(.init("organization:\(key(owner))", "partner", otherName))
        }
        let placements = try await CirclePlacement.query(on: db).filter(\.$organization.$id ~~ owners).filter(\.$member.$id == other).all()
        for placement in placements {
            guard let relation = placement.circle.relation else { continue }
            tuples.append(.init("organization:\(key(placement.$organization.id))", relation, otherName))
        }
        return tuples
    }
}

extension Circle {
    /// The relation a placement stores; following grants nothing.
    var relation: String? {
        switch self {
        case .follow: nil
        case .connected: "connected"
        case .collaborator: "collaborator"
        case .trustedReferral: "trustedReferral"
        }
    }
}
