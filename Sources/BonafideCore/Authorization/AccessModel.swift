import Foundation

/// Relationship-based authorization in the manner of Zanzibar: facts are tuples "object#relation@subject", and each
/// relation of a type is either stored (`.direct`) or computed from others. One function answers "may this subject
/// have this relation to this object", with the chain of tuples that grants it or the links that are missing.
///
/// ```swift
/// let model = AccessModel(types: [
///     "organization": ["member": .direct, "owner": .direct, "manager": .union([.computed("owner"), .direct])],
///     "partnership": ["side": .direct, "viewer": .union([.direct, .tupleToUserset(tupleset: "side", computed: "manager")])],
/// ])
/// let tuples = TupleSet([
///     .init("organization:acme", "owner", "user:carla"),
///     .init("partnership:p1", "side", "organization:acme"),
/// ])
/// model.check("user:carla", "viewer", "partnership:p1", in: tuples).allowed   // true, because of both tuples
/// ```
///
/// Rules, each with its reason: a subject may be a set ("organization:acme#member"), so groups are granted once and
/// followed at check time, or a wildcard ("user:*" every user, "*" everyone) so public things need one tuple;
/// evaluation is bounded in depth and remembers what it is already proving, so a cyclic
/// graph answers instead of looping; intersection is the only non-union operator (exclusion makes "why not" answers
/// ambiguous and nothing here needs it).
public struct AccessModel: Sendable {
    public indirect enum Rule: Sendable, Equatable {
        /// Tuples stored for this relation (a subject directly, or every subject of a set).
        case direct
        /// Whoever has another relation to the same object.
        case computed(String)
        /// Follow `tupleset` from the object to other objects, then whoever has `computed` on those.
        case tupleToUserset(tupleset: String, computed: String)
        case union([Rule])
        case intersection([Rule])
    }

    public let types: [String: [String: Rule]]
    public let maxDepth: Int

    public init(types: [String: [String: Rule]], maxDepth: Int = 24) {
        self.types = types
        self.maxDepth = maxDepth
    }

    public struct Decision: Sendable, Equatable {
        public var allowed: Bool
        /// When allowed: the tuples that grant it, in order from the object towards the subject. When not: the
        /// relations that would have had to hold ("no tuple partnership:p1#member@user:eve").
        public var because: [String]
    }

    public func check(_ subject: String, _ relation: String, _ object: String, in tuples: TupleSet) -> Decision {
        var visiting = Set<String>()
        if let path = prove(subject, relation, object, tuples, depth: 0, visiting: &visiting) {
            return Decision(allowed: true, because: path)
        }
        return Decision(allowed: false, because: missing(relation, object))
    }

    /// Every object of `type` on which the subject has `relation`, sorted, a page at a time.
    public func list(_ subject: String, _ relation: String, type: String, in tuples: TupleSet, after: String? = nil, limit: Int = 100)
        -> [String]
    {
        tuples.objects(ofType: type).filter { object in after.map { object > $0 } ?? true }
            .lazy.filter { check(subject, relation, $0, in: tuples).allowed }.prefix(limit).map { $0 }
    }

    private func missing(_ relation: String, _ object: String) -> [String] {
        let type = Self.type(of: object)
        guard let rule = types[type]?[relation] else { return ["\(type) has no relation \(relation)"] }
        switch rule {
        case .direct: return ["no tuple \(object)#\(relation) for this subject"]
        default: return ["no chain grants \(object)#\(relation) to this subject"]
        }
    }

    public static func type(of object: String) -> String { String(object.prefix { $0 != ":" }) }

    /// "*" is everyone, signed in or not; "user:*" is every subject of type user. Public things are granted once
    /// instead of to each person.
    static func wildcard(_ stored: String, matches subject: String) -> Bool {
        if stored == "*" { return true }
        guard stored.hasSuffix(":*"), !subject.contains("#") else { return false }
        return stored.dropLast(2) == type(of: subject)[...]
    }

    private func prove(
        _ subject: String, _ relation: String, _ object: String, _ tuples: TupleSet, depth: Int, visiting: inout Set<String>
    ) -> [String]? {
        guard depth <= maxDepth, let rule = types[Self.type(of: object)]?[relation] else { return nil }
        // A set as the subject ("organization:kite#member") holds its own relation: "Kite's people" are members of Kite.
        if subject == "\(object)#\(relation)" { return [] }
        let goal = "\(object)#\(relation)@\(subject)"
        guard visiting.insert(goal).inserted else { return nil }
        defer { visiting.remove(goal) }
        return evaluate(rule, subject, relation, object, tuples, depth: depth, visiting: &visiting)
    }

    private func evaluate(
        _ rule: Rule, _ subject: String, _ relation: String, _ object: String, _ tuples: TupleSet, depth: Int,
        visiting: inout Set<String>
    ) -> [String]? {
        switch rule {
        case .direct:
            for s in tuples.subjects(of: object, relation) {
                let tuple = "\(object)#\(relation)@\(s)"
                if s == subject || Self.wildcard(s, matches: subject) { return [tuple] }
                // A set as subject: "organization:acme#member" grants whoever is a member of acme.
                if let hash = s.firstIndex(of: "#") {
                    let group = String(s[..<hash]), groupRelation = String(s[s.index(after: hash)...])
                    if let rest = prove(subject, groupRelation, group, tuples, depth: depth + 1, visiting: &visiting) {
                        return [tuple] + rest
                    }
                }
            }
            return nil
        case .computed(let other):
            return prove(subject, other, object, tuples, depth: depth + 1, visiting: &visiting)
        case .tupleToUserset(let tupleset, let computed):
            for next in tuples.subjects(of: object, tupleset) where !next.contains("#") {
                if let rest = prove(subject, computed, next, tuples, depth: depth + 1, visiting: &visiting) {
                    return ["\(object)#\(tupleset)@\(next)"] + rest
                }
            }
            return nil
        case .union(let rules):
            for r in rules {
                if let path = evaluate(r, subject, relation, object, tuples, depth: depth, visiting: &visiting) { return path }
            }
            return nil
        case .intersection(let rules):
            var all: [String] = []
            for r in rules {
                guard let path = evaluate(r, subject, relation, object, tuples, depth: depth, visiting: &visiting) else { return nil }
                all += path
            }
            return all
        }
    }
}

/// Relation tuples held in memory, indexed by object and relation (what a check walks).
public struct TupleSet: Sendable {
    public struct Tuple: Hashable, Sendable {
        public var object: String
        public var relation: String
        public var subject: String
        public init(_ object: String, _ relation: String, _ subject: String) {
            self.object = object
            self.relation = relation
            self.subject = subject
        }
    }

    private var index: [String: [String]] = [:]
    private var objectsByType: [String: Set<String>] = [:]

    public init(_ tuples: [Tuple] = []) {
        for t in tuples { insert(t) }
    }

    public mutating func insert(_ t: Tuple) {
        index["\(t.object)#\(t.relation)", default: []].append(t.subject)
        objectsByType[AccessModel.type(of: t.object), default: []].insert(t.object)
        if !t.subject.contains("#"), !t.subject.hasSuffix("*") {
            objectsByType[AccessModel.type(of: t.subject), default: []].insert(t.subject)
        }
    }

    public func subjects(of object: String, _ relation: String) -> [String] { index["\(object)#\(relation)"] ?? [] }

    public func objects(ofType type: String) -> [String] { (objectsByType[type] ?? []).sorted() }
}
