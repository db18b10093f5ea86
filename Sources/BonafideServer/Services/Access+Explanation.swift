import BonafideCore
import Fluent
import Foundation

extension Access {
    /// A decision in plain words: each relation of the granting chain as a sentence ("Acme placed Kite in its
    /// Collaborators circle"), or, when refused, what the object asks for and where the subject stands.
    static func explain(
        _ decision: AccessModel.Decision, subject: Subject, object: Object, sectionTitle: String? = nil, on db: any Database
    ) async throws -> [String] {
        try await explain([(decision, object, sectionTitle)], subject: subject, on: db)[0]
    }

    /// Many decisions about one subject in plain words, one list of sentences each, as `explain` words each: the names
    /// they mention read in one query per kind, and where each owner stands toward the subject read once per owner
    /// (a profile explains a dozen sections to the same organization).
    static func explain(
        _ items: [(decision: AccessModel.Decision, object: Object, sectionTitle: String?)], subject: Subject, on db: any Database
    ) async throws -> [[String]] {
        let mentioned: [String] = items.flatMap { $0.decision.because + [name($0.object)] }
        let names = try await Names.load(for: mentioned + [name(subject)], on: db)
        var standings: [UUID: [TupleSet.Tuple]] = [:]
        var explained: [[String]] = []
        for item in items {
            if case .shared(let owner, _, _) = item.object, !item.decision.allowed, let asker = organization(of: subject),
                standings[owner] == nil
            {
                standings[owner] = try await relations(of: owner, toward: asker, on: db)
            }
            explained.append(
                sentences(item.decision, subject: subject, object: item.object, sectionTitle: item.sectionTitle, names: names) {
                    standings[$0] ?? []
                })
        }
        return explained
    }

    private static func sentences(
        _ decision: AccessModel.Decision, subject: Subject, object: Object, sectionTitle: String?, names: Names,
        standingOf: (UUID) -> [TupleSet.Tuple]
    ) -> [String] {
        if decision.allowed {
            // The stand-in person of "any person of Kite" being a member of Kite says nothing.
            let lines = decision.because.filter { !$0.contains("@user:\(peoplePrefix)") }
                .map { sentence($0, names: names, sectionTitle: sectionTitle) }
            return lines.isEmpty ? ["\(names.label(name(subject))) is who it is asked of."] : lines
        }
        switch object {
        case .shared(let owner, _, let audience):
            let section = sectionTitle.map { "“\($0)”" } ?? "This section"
            var lines = ["\(section) is for \(audienceText(audience, owner: names.organization(owner)))."]
            if let asker = organization(of: subject) {
                let standing = standingOf(owner)
                lines.append(
                    standing.isEmpty
                        ? "\(names.organization(asker)) has no partnership with \(names.organization(owner)) and is in none of its circles."
                        : standing.map { sentence("\($0.object)#\($0.relation)@\($0.subject)", names: names, sectionTitle: nil) }
                            .joined(separator: "; ") + ".")
            } else {
                lines.append("Someone who is not signed in sees only public sections.")
            }
            return lines
        case .named(let owner, _):
            return ["Only \(names.organization(owner))'s people and the organizations it named read it."]
        case .partnership:
            return ["Only the people added to a partnership and the owners and admins of its two sides see it."]
        case .organization:
            return ["Only owners and admins manage an organization."]
        }
    }

    static func audienceText(_ audience: Audience, owner: String) -> String {
        switch audience {
        case .public: "everyone, signed in or not"
        case .signedIn: "anyone signed in"
        case .partners: "\(owner)'s partners"
        case .connected: "\(owner)'s connected circle or closer"
        case .collaborator: "\(owner)'s collaborator circle or closer"
        case .trustedReferral: "\(owner)'s trusted referral circle"
        }
    }

    private static func sentence(_ tuple: String, names: Names, sectionTitle: String?) -> String {
        guard let hash = tuple.firstIndex(of: "#"), let at = tuple.firstIndex(of: "@"), hash < at else { return tuple }
        let object = String(tuple[..<hash]), relation = String(tuple[tuple.index(after: hash)..<at])
        let subject = String(tuple[tuple.index(after: at)...])
        let o = names.label(object), s = names.label(subject)
        switch (AccessModel.type(of: object), relation) {
        case ("organization", "member"): return "\(s) is a member of \(o)"
        case ("organization", "owner"): return "\(s) is an owner of \(o)"
        case ("organization", "admin"): return "\(s) is an admin of \(o)"
        case ("organization", "partner"): return "\(s) has a partnership with \(o)"
        case ("organization", "connected"), ("organization", "collaborator"), ("organization", "trustedReferral"):
            let circle = Circle.allCases.first { $0.relation == relation }?.title ?? relation
            return "\(o) placed \(s) in its \(circle) circle"
        case ("partnership", "side"): return "\(s) is a side of \(o)"
        case ("partnership", "member"): return "\(s) was added to \(o)"
        case ("shared", "organization"): return "\(sectionTitle.map { "“\($0)”" } ?? "The section") belongs to \(s)"
        case ("shared", "reader"):
            let section = sectionTitle.map { "“\($0)”" } ?? "The section"
            guard let audience = Audience(grantee: subject) else { return "\(section) is shared with \(s)" }
            let owner = names.label(String(subject.prefix { $0 != "#" }))
            return "\(section) is for \(audienceText(audience, owner: owner))"
        default: return tuple
        }
    }

    /// Display names for the ids a chain mentions, read in one query per kind.
    struct Names: Sendable {
        var organizations: [UUID: String] = [:]
        var users: [UUID: String] = [:]
        var partnerships: [UUID: String] = [:]

        static func load(for tuples: [String], on db: any Database) async throws -> Names {
            var ids: [String: Set<UUID>] = [:]
            for t in tuples {
                for part in t.split(whereSeparator: { "#@/".contains($0) }) {
                    let pieces = part.split(separator: ":", maxSplits: 1)
                    guard pieces.count == 2 else { continue }
                    let raw = pieces[1].hasPrefix(Access.peoplePrefix) ? pieces[1].dropFirst(Access.peoplePrefix.count) : pieces[1]
                    guard let id = UUID(uuidString: String(raw)) else { continue }
                    let type = pieces[0] == "shared" || raw != pieces[1] ? "organization" : String(pieces[0])
                    ids[type, default: []].insert(id)
                }
            }
            var names = Names()
            if let o = ids["organization"], !o.isEmpty {
                for org in try await Organization.query(on: db).filter(\.$id ~~ o).field(\.$id).field(\.$name).all() {
                    names.organizations[org.id!] = org.name
                }
            }
            if let u = ids["user"], !u.isEmpty {
                for user in try await User.query(on: db).filter(\.$id ~~ u).field(\.$id).field(\.$name).all() {
                    names.users[user.id!] = user.name
                }
            }
            if let p = ids["partnership"], !p.isEmpty {
                for partnership in try await Partnership.query(on: db).filter(\.$id ~~ p).all() {
                    names.partnerships[partnership.id!] = "the partnership “\(partnership.name)”"
                }
            }
            return names
        }

        func organization(_ id: UUID) -> String { organizations[id] ?? "an organization" }

        /// "organization:…" → its name; "organization:…#member" → "Kite's people"; wildcards in words.
        func label(_ reference: String) -> String {
            if reference == "*" || reference == "anonymous:visitor" { return "someone not signed in" }
            if reference == "user:*" { return "anyone signed in" }
            let base = String(reference.prefix { $0 != "#" })
            let pieces = base.split(separator: ":", maxSplits: 1)
            if pieces.count == 2, pieces[0] == "user", pieces[1].hasPrefix(Access.peoplePrefix),
                let id = UUID(uuidString: String(pieces[1].dropFirst(Access.peoplePrefix.count)))
            {
                return "\(organizations[id] ?? "an organization")'s people"
            }
            guard pieces.count == 2, let id = UUID(uuidString: String(pieces[1].prefix { $0 != "/" })) else { return reference }
            let label: String
            switch pieces[0] {
            case "organization", "shared": label = organizations[id] ?? "an organization"
            case "user": label = users[id] ?? "a person"
            case "partnership": label = partnerships[id] ?? "a partnership"
            default: label = reference
            }
            return reference.hasSuffix("#member") ? "\(label)'s people" : label
        }
    }
}
