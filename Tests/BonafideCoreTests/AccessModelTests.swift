import Testing

@testable import BonafideCore

@Suite("Access model (relationship-based authorization)")
struct AccessModelTests {
    /// Bonafide's relations in miniature: members and managers of organizations, the two sides of a partnership,
    /// circles an organization places others in, and a document shared with a partnership and with a circle.
    static let bonafide = AccessModel(types: [
        "organization": [
            "member": .direct, "owner": .direct, "admin": .direct,
            "manager": .union([.computed("owner"), .computed("admin")]),
            // Circles: "organization:acme#collaborator@organization:kite" — Acme placed Kite there.
            "collaborator": .direct, "trustedReferral": .direct,
            // The people of the organizations in the collaborator circle or closer.
            "collaboratorMember": .union([
                .tupleToUserset(tupleset: "collaborator", computed: "member"),
                .tupleToUserset(tupleset: "trustedReferral", computed: "member"),
            ]),
        ],
        "partnership": [
            "side": .direct, "member": .direct,
            "viewer": .union([.computed("member"), .tupleToUserset(tupleset: "side", computed: "manager")]),
        ],
        "document": [
            "partnership": .direct, "uploader": .direct,
            "viewer": .union([.tupleToUserset(tupleset: "partnership", computed: "viewer"), .direct]),
            "manager": .tupleToUserset(tupleset: "uploader", computed: "manager"),
        ],
    ])

    static let world = TupleSet([
        .init("organization:acme", "owner", "user:carla"),
        .init("organization:acme", "member", "user:dan"),
        .init("organization:kite", "owner", "user:esha"),
        .init("organization:kite", "member", "user:farid"),
        .init("organization:lumen", "member", "user:grace"),
        .init("partnership:p1", "side", "organization:acme"),
        .init("partnership:p1", "side", "organization:kite"),
        .init("partnership:p1", "member", "user:farid"),
        .init("organization:acme", "trustedReferral", "organization:lumen"),
        .init("document:d1", "partnership", "partnership:p1"),
        .init("document:d1", "uploader", "organization:acme"),
        // Shared with Acme's collaborator circle: the people of whoever Acme keeps there.
        .init("document:d1", "viewer", "organization:acme#collaboratorMember"),
    ])

    @Test func managersSeeTheirPartnershipsAndTheChainSaysWhy() {
        let d = Self.bonafide.check("user:esha", "viewer", "partnership:p1", in: Self.world)
        #expect(d.allowed)
        #expect(d.because == ["partnership:p1#side@organization:kite", "organization:kite#owner@user:esha"])
        #expect(
            Self.bonafide.check("user:farid", "viewer", "partnership:p1", in: Self.world).because == ["partnership:p1#member@user:farid"])
        // Dan is a plain member of Acme and not a member of the partnership.
        let dan = Self.bonafide.check("user:dan", "viewer", "partnership:p1", in: Self.world)
        #expect(!dan.allowed)
        #expect(dan.because == ["no chain grants partnership:p1#viewer to this subject"])
    }

    @Test func aCircleGrantsItsMembersAndPlacingSomeoneGrantsThePlacerNothing() {
        let grace = Self.bonafide.check("user:grace", "viewer", "document:d1", in: Self.world)
        #expect(grace.allowed)
        #expect(
            grace.because == [
                "document:d1#viewer@organization:acme#collaboratorMember", "organization:acme#trustedReferral@organization:lumen",
                "organization:lumen#member@user:grace",
            ])
        // Lumen keeping Acme in a circle of its own gives Acme nothing of Lumen's.
        var world = Self.world
        world.insert(.init("document:d2", "viewer", "organization:lumen#collaboratorMember"))
        world.insert(.init("organization:lumen", "collaborator", "organization:acme"))
        #expect(Self.bonafide.check("user:dan", "viewer", "document:d2", in: world).allowed)
        #expect(!Self.bonafide.check("user:grace", "viewer", "document:d2", in: world).allowed)
        #expect(Self.bonafide.check("user:carla", "manager", "document:d1", in: Self.world).allowed)
        #expect(!Self.bonafide.check("user:esha", "manager", "document:d1", in: Self.world).allowed)
        #expect(Self.bonafide.list("user:grace", "viewer", type: "document", in: world) == ["document:d1"])
        #expect(Self.bonafide.list("user:dan", "viewer", type: "document", in: world) == ["document:d2"])
    }

    @Test func wildcardsGrantEveryoneOrEveryUserAndASetHoldsItsOwnRelation() {
        let model = AccessModel(types: ["page": ["reader": .direct], "team": ["member": .direct]])
        let tuples = TupleSet([
            .init("page:public", "reader", "*"), .init("page:internal", "reader", "user:*"),
            .init("page:team", "reader", "team:a#member"), .init("team:a", "member", "user:x"),
        ])
        #expect(model.check("anonymous:visitor", "reader", "page:public", in: tuples).because == ["page:public#reader@*"])
        #expect(!model.check("anonymous:visitor", "reader", "page:internal", in: tuples).allowed)
        #expect(model.check("user:y", "reader", "page:internal", in: tuples).allowed)
        // "user:*" means users, not sets of them and not other types.
        #expect(!model.check("team:a#member", "reader", "page:internal", in: tuples).allowed)
        #expect(model.check("team:a#member", "reader", "page:team", in: tuples).because == ["page:team#reader@team:a#member"])
        #expect(model.check("user:x", "reader", "page:team", in: tuples).allowed)
        #expect(!model.check("user:y", "reader", "page:team", in: tuples).allowed)
        #expect(model.list("user:y", "reader", type: "page", in: tuples) == ["page:internal", "page:public"])
        #expect(!tuples.objects(ofType: "user").contains("user:*"))
    }

    @Test func cyclesAnswerInsteadOfLooping() {
        let model = AccessModel(types: ["group": ["member": .direct]])
        let loop = TupleSet([.init("group:a", "member", "group:b#member"), .init("group:b", "member", "group:a#member")])
        #expect(!model.check("user:x", "member", "group:a", in: loop).allowed)
    }

    /// Random graphs (nested groups, folders with parents, teams, cycles allowed) against a reference that computes
    /// every fact by naive fixpoint iteration: the check must agree on every question, and every "why" must name
    /// tuples that exist.
    @Test func agreesWithABruteForceReferenceOnThousandsOfRandomGraphs() {
        let model = AccessModel(
            types: [
                "group": ["member": .direct, "admin": .direct, "manager": .union([.computed("admin"), .direct])],
                "doc": [
                    "parent": .direct, "team": .direct, "owner": .direct,
                    "viewer": .union([
                        .direct, .computed("owner"), .tupleToUserset(tupleset: "parent", computed: "viewer"),
                        .tupleToUserset(tupleset: "team", computed: "member"),
                    ]),
                    "editor": .intersection([.computed("viewer"), .tupleToUserset(tupleset: "team", computed: "manager")]),
                ],
            ], maxDepth: 500)
        var rng = SplitMix64(seed: 20_261_205)
        var questions = 0
        for graph in 0..<1_500 {
            let users = (0..<5).map { "user:u\($0)" }
            let groups = (0..<4).map { "group:g\($0)" }
            let docs = (0..<5).map { "doc:d\($0)" }
            var tuples: [TupleSet.Tuple] = []
            for _ in 0..<Int.random(in: 3...22, using: &rng) {
                let g = groups.randomElement(using: &rng)!, d = docs.randomElement(using: &rng)!
                let u = users.randomElement(using: &rng)!
                switch Int.random(in: 0..<9, using: &rng) {
                case 0: tuples.append(.init(g, "member", u))
                case 1: tuples.append(.init(g, "member", groups.randomElement(using: &rng)! + "#member"))
                case 2: tuples.append(.init(g, "admin", u))
                case 3: tuples.append(.init(g, "manager", groups.randomElement(using: &rng)! + "#member"))
                case 4: tuples.append(.init(d, "parent", docs.randomElement(using: &rng)!))
                case 5: tuples.append(.init(d, "team", g))
                case 6: tuples.append(.init(d, "owner", u))
                case 7: tuples.append(.init(d, "viewer", u))
                default: tuples.append(.init(d, "viewer", g + "#member"))
                }
            }
            let set = TupleSet(tuples)
            let facts = Self.fixpoint(model, tuples, objects: groups + docs)
            let existing = Set(tuples.map { "\($0.object)#\($0.relation)@\($0.subject)" })
            for object in groups + docs {
                for relation in model.types[AccessModel.type(of: object)]!.keys {
                    for user in users {
                        let decision = model.check(user, relation, object, in: set)
                        let expected = facts["\(object)#\(relation)", default: []].contains(user)
                        #expect(decision.allowed == expected, "graph \(graph): \(user) \(relation) \(object) in \(tuples)")
                        if decision.allowed {
                            #expect(decision.because.allSatisfy(existing.contains), "graph \(graph): \(decision.because)")
                        }
                        questions += 1
                    }
                }
            }
        }
        #expect(questions > 100_000)
    }

    /// Every (object#relation) → users, by applying each rule to the current facts until nothing changes.
    static func fixpoint(_ model: AccessModel, _ tuples: [TupleSet.Tuple], objects: [String]) -> [String: Set<String>] {
        var facts: [String: Set<String>] = [:]
        func stored(_ object: String, _ relation: String) -> [String] {
            tuples.filter { $0.object == object && $0.relation == relation }.map(\.subject)
        }
        func apply(_ rule: AccessModel.Rule, _ object: String, _ relation: String) -> Set<String> {
            switch rule {
            case .direct:
                return stored(object, relation).reduce(into: Set<String>()) { out, s in
                    if let hash = s.firstIndex(of: "#") {
                        out.formUnion(facts["\(s[..<hash])#\(s[s.index(after: hash)...])", default: []])
                    } else if s.hasPrefix("user:") {
                        out.insert(s)
                    }
                }
            case .computed(let other): return facts["\(object)#\(other)", default: []]
            case .tupleToUserset(let tupleset, let computed):
                return stored(object, tupleset).filter { !$0.contains("#") }
                    .reduce(into: Set<String>()) { $0.formUnion(facts["\($1)#\(computed)", default: []]) }
            case .union(let rules): return rules.reduce(into: Set<String>()) { $0.formUnion(apply($1, object, relation)) }
            case .intersection(let rules):
                return rules.dropFirst().reduce(apply(rules[0], object, relation)) { $0.intersection(apply($1, object, relation)) }
            }
        }
        var changed = true
        while changed {
            changed = false
            for object in objects {
                for (relation, rule) in model.types[AccessModel.type(of: object)]! {
                    let now = apply(rule, object, relation)
                    if now != facts["\(object)#\(relation)", default: []] {
                        facts["\(object)#\(relation)"] = now
                        changed = true
                    }
                }
            }
        }
        return facts
    }
}
