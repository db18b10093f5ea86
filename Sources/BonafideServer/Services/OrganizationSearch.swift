import BonafideCore
import Fluent
import Foundation
import SQLKit

/// "Who can do this, in hours that overlap mine, that my network trusts?" Candidates come from the asker's
/// partners and circles, theirs in turn (up to three hops through trust opinions), and, marked as strangers,
/// anyone whose profile shows the skill to the asker. Each is ranked by personalized trust from the asker's
/// organization (Subjective Logic through the network, `TrustPropagation`) and explained.
enum OrganizationSearch {
    struct Query: Sendable {
        var skill: String = ""
        var language: String = ""
        /// Hours both work on a typical shared working day, at least.
        var overlapHours: Double?
        /// 0 to 100.
        var minTrust: Double?
        var verifiedOnly = false
        var limit = 20
    }

    struct Result: Sendable {
        var id: UUID
        var name: String
        /// The expected trust from 0 to 100 (50 for a stranger nobody vouches for).
        var score: Double
        var uncertainty: Double
        /// No one in the asker's network has an opinion of them.
        var stranger: Bool
        var depth: Int?
        var why: [String]
        var unknown: [String]
    }

    static let maxDepth = 3

    /// The profile sections a search reads of a candidate: what it matches (services, capabilities, languages) and
    /// the working hours it compares.
    static let sectionsRead: Set<String> = ["services", "capabilities", "languages", "workingHours"]

    /// `memo` keeps the searcher's reach through the network until the opinions change: the application's
    /// (`Application.trustReachMemo`) when serving; none, worked out afresh, where nothing is served.
    static func search(_ q: Query, by actor: Actor, at now: Date = Date(), memo: TrustReachMemo?, on db: any Database) async throws
        -> [Result]
    {
        let own = actor.organizationID
        let skill = q.skill.trimmingCharacters(in: .whitespacesAndNewlines)
        let language = q.language.trimmingCharacters(in: .whitespacesAndNewlines)
        guard skill.length <= 200, language.length <= 60 else {
            throw Problem.invalid(
                skill.length > 200 ? "skill" : "language", "Search for at most 200 characters of skill and 60 of language.")
        }
        if let h = q.overlapHours, !(0...24).contains(h) { throw Problem.invalid("overlapHours", "Overlap is 0 to 24 hours a day.") }
        if let t = q.minTrust, !(0...100).contains(t) { throw Problem.invalid("minTrust", "Minimum trust is 0 to 100.") }
        guard (1...100).contains(q.limit) else { throw Problem.invalid("limit", "Ask for 1 to 100 results.") }
        guard let mine = try await Organization.find(own, on: db) else { throw Problem.notFound("organization") }
        let reach = try await Self.reach(from: own, memo: memo, on: db)

        // Text first (cheap, on plain rows of every organization), then only what the asker may read of each match counts.
        let candidates = try await listings(except: own, on: db).filter { org in
            let text = (org.services ?? "") + "\n" + org.capabilities.joined(separator: "\n")
            guard skill.isEmpty || TextMatch.matches(skill, in: text) else { return false }
            return language.isEmpty || org.languages.contains(where: { TextMatch.matches(language, in: $0) })
        }
        // What the asker may read of every candidate at once: one organization at a time was three queries each. With no
        // skill, language or overlap asked, what they may read filters nothing, so only the results returned need it.
        // Organizations loaded property by property (`Organization.load(from:)`), not by Fluent's reflection, and only
        // the sections the search reads checked: both were a tenth of a search with every candidate's ten sections.
        var organizations: [UUID: Organization] = [:]
        var visibleOf: [UUID: [ProfileSections.Section]] = [:]
        func readable(_ ids: [UUID]) async throws {
            let missing = ids.filter { organizations[$0] == nil }
            guard !missing.isEmpty else { return }
            let loaded = try await db.sql().raw("SELECT * FROM organizations WHERE id IN \(SQLBind.group(missing))").all()
                .map { try Organization.load(from: RowOutput(row: $0)) }
            for org in loaded { organizations[org.id!] = org }
            let visible = try await ProfileSections.visible(of: loaded, to: .person(actor), named: sectionsRead, on: db)
            visibleOf.merge(visible) { a, _ in a }
        }
        let filtersOnSections = !skill.isEmpty || !language.isEmpty || q.overlapHours != nil
        var matched: [Listing] = []
        if filtersOnSections {
            try await readable(candidates.map(\.id))
            let languageStems = Set(TextMatch.stems(language))
            for org in candidates where organizations[org.id] != nil {
                let visible = visibleOf[org.id] ?? []
                func shown(_ name: String) -> String { visible.first { $0.name == name }?.content ?? "" }
                guard skill.isEmpty || TextMatch.matches(skill, in: shown("services") + "\n" + shown("capabilities")) else { continue }
                if !language.isEmpty, TextMatch.stemSet(shown("languages")).isDisjoint(with: languageStems) { continue }
                matched.append(org)
            }
        } else {
            matched = candidates
        }

        // Verified credentials filter every match when asked for; otherwise only the results returned show them.
        var verified: [UUID: [Credential]] = [:]
        func loadVerified(_ ids: [UUID]) async throws {
            guard !ids.isEmpty else { return }
            let held = try await Credential.query(on: db).filter(\.$holder.$id ~~ ids).filter(\.$status == .verified).all()
            verified = Dictionary(grouping: held.filter { $0.validUntil.map { $0 > now } ?? true }, by: { $0.$holder.id })
        }
        if q.verifiedOnly { try await loadVerified(matched.map(\.id)) }
        let myHours = Accounts.workingHours(of: mine)
        func sharedHours(with id: UUID) -> Double? {
            guard let org = organizations[id], (visibleOf[id] ?? []).contains(where: { $0.name == "workingHours" }) else { return nil }
            return dailyOverlap(myHours, Accounts.workingHours(of: org), at: now)
        }
        var ranked: [Result] = []
        for org in matched {
            let r = reach[org.id]
            let opinion = r?.opinion ?? .vacuous()
            if let minimum = q.overlapHours, (sharedHours(with: org.id) ?? 0) < minimum { continue }
            if q.verifiedOnly, (verified[org.id] ?? []).isEmpty { continue }
            let score = opinion.expectation * 100
            if let minimum = q.minTrust, score < minimum { continue }
            ranked.append(
                Result(
                    id: org.id, name: org.name, score: score, uncertainty: opinion.uncertainty, stranger: r == nil, depth: r?.depth,
                    why: [],
                    unknown: []))
        }
        ranked.sort { a, b in
            if abs(a.score - b.score) > 1e-9 { return a.score > b.score }
            if abs(a.uncertainty - b.uncertainty) > 1e-9 { return a.uncertainty < b.uncertainty }
            return a.name.localizedCompare(b.name) == .orderedAscending
        }

        // Explanations only for what is returned: vouchers, record, credentials, languages, and what is unknown.
        let top = Array(ranked.prefix(q.limit))
        let topIDs = top.map(\.id)
        try await readable(topIDs)
        if !q.verifiedOnly { try await loadVerified(topIDs) }
        let vouchers = top.flatMap { t in reach[t.id]?.vouchers.map(\.node) ?? [] }
        let names = try await self.names(of: Set(vouchers), on: db)
        let completions = try await Commitments.completionRecords(ownedBy: topIDs, on: db)
        let incidents = try await Incidents.records(of: topIDs, at: now, on: db)
        var results: [Result] = []
        for var result in top {
            let id = result.id
            var why: [String] = []
            if let r = reach[id] {
                if r.depth == 1 {
                    why.append("Your own record with them: trust \(percent(r.opinion.expectation)) out of 100")
                } else {
                    for v in r.vouchers.prefix(3) {
                        why.append(
                            "Vouched for by \(names[v.node] ?? "an organization") (\(percent(v.opinion.expectation)) out of 100), whom you trust \(percent(v.trustInVoucher.expectation)) out of 100"
                        )
                    }
                    if r.vouchers.count > 3 { why.append("and \(r.vouchers.count - 3) more in your network") }
                }
            } else {
                why.append("A stranger: no one in your network has worked with them or placed them in a circle")
            }
            why += record(completions[id], incidents[id])
            if let overlap = sharedHours(with: id) {
                result.why.append(
                    overlap > 0
                        ? "Shares \(hours(overlap)) a day of working hours with you" : "No working hours in common with yours")
            } else {
                result.unknown.append("Working hours: not shared with you")
            }
            let credentials = verified[id] ?? []
            if credentials.isEmpty {
                result.unknown.append("No verified credentials")
            } else {
                why.append("Verified: \(credentials.map(\.title).sorted().joined(separator: ", "))")
            }
            let languages = (visibleOf[id] ?? []).first { $0.name == "languages" }?.content ?? ""
            if languages.isEmpty {
                result.unknown.append("Languages: not listed, or not shared with you")
            } else {
                why.append("Works in \(languages.split(whereSeparator: \.isNewline).joined(separator: ", "))")
            }
            result.why = why + result.why
            results.append(result)
        }
        return results
    }

    /// Personalized trust from `root` through the network (`TrustPropagation.personalized`), reading only the opinions
    /// the walk can use: those held by the root, then by every organization one hop further, up to `maxDepth - 1` hops
    /// (the opinions of organizations reached last are never followed). Each organization's opinions are read whole, so
    /// the reach is the one every opinion in the database would give, for a query per hop instead of the whole table.
    static func reach(
        from root: UUID, maxDepth: Int = OrganizationSearch.maxDepth, memo: TrustReachMemo? = nil, on db: any Database
    ) async throws -> [UUID: TrustPropagation.Reach<UUID>] {
        guard let memo else { return try await walk(from: root, maxDepth: maxDepth, on: db) }
        let version = try await TrustOpinions.version(on: db)
        if let version, let known = memo.reach(from: root, maxDepth: maxDepth, version: version) { return known }
        let reach = try await walk(from: root, maxDepth: maxDepth, on: db)
        if let version { memo.keep(reach, from: root, maxDepth: maxDepth, version: version) }
        return reach
    }

    /// `reach` worked out afresh: the opinions read hop by hop, then walked.
    static func walk(from root: UUID, maxDepth: Int, on db: any Database) async throws -> [UUID: TrustPropagation.Reach<UUID>] {
        var graph: [UUID: [UUID: Opinion]] = [:]
        var read: Set<UUID> = []
        var frontier: Set<UUID> = [root]
        for _ in 0..<maxDepth {
            let held = try await TrustOpinions.held(by: frontier, on: db)
            read.formUnion(frontier)
            graph.merge(held) { a, _ in a }
            frontier = Set(held.values.flatMap(\.keys)).subtracting(read)
            if frontier.isEmpty { break }
        }
        return TrustPropagation.personalized(from: root, opinions: graph, maxDepth: maxDepth)
    }

    /// What the text filter reads of an organization: plain values, not models (decoding every organization as a
    /// model cost more than matching their text), read column by column (`SQLRow+Columns`): through `SQLRowDecoder`,
    /// with a `JSONDecoder` for each list on SQLite, reading them cost more than the text filter.
    struct Listing: Sendable {
        var id: UUID
        var name: String
        var capabilities: [String]
        var languages: [String]
        /// The content of its "services" section, whoever may read it.
        var services: String?

        init(row: any SQLRow) throws {
            id = try row.decodeUUID(column: "id")
            name = try row.decode(column: "name", as: String.self)
            capabilities = try row.decodeStringArray(column: "capabilities")
            languages = try row.decodeStringArray(column: "languages")
            services = try row.decodeIfPresent(column: "services", as: String.self)
        }
    }

    /// Organizations' names as plain rows: as models (Fluent's reflection for each of a hundred vouchers) they were a
    /// sixteenth of a search.
    private static func names(of ids: Set<UUID>, on db: any Database) async throws -> [UUID: String] {
        guard !ids.isEmpty else { return [:] }
        var names: [UUID: String] = [:]
        let all = Array(ids)
        // 500 binds a statement stay far below the parameter limits of both databases.
        for start in stride(from: 0, to: all.count, by: 500) {
            let chunk = all[start..<min(start + 500, all.count)]
            for row in try await db.sql().select().columns("id", "name").from(Organization.schema).where("id", .in, Array(chunk)).all() {
                names[try row.decodeUUID(column: "id")] = try row.decode(column: "name", as: String.self)
            }
        }
        return names
    }

    private static func listings(except own: UUID, on db: any Database) async throws -> [Listing] {
        try await db.sql().raw(
            """
            SELECT o.id, o.name, o.capabilities, o.languages, s.content AS services
            FROM organizations o LEFT JOIN profile_sections s ON s.organization_id = o.id AND s.name = 'services'
            WHERE o.id <> \(bind: own)
            """
        ).all().map(Listing.init(row:))
    }

    /// Commitments kept and incidents handled, as figures (never their content).
    private static func record(_ completion: Commitments.CompletionRecord?, _ incidents: Incidents.Record?) -> [String] {
        let total = incidents?.total ?? 0
        return [
            completion.map { "Kept \($0.onTime) of \($0.completed) completed commitments on time" }
                ?? "No completed commitments on record yet",
            total == 0
                ? "No incidents in the last 12 months"
                : "\(total) incident\(total == 1 ? "" : "s") in 12 months: \(incidents?.handledOpenly ?? 0) handled openly, \(incidents?.mishandled ?? 0) mishandled",
        ]
    }

    /// Hours both work on a typical shared working day over the coming week (0 when they never overlap).
    static func dailyOverlap(_ a: WorkingHours, _ b: WorkingHours, at now: Date) -> Double {
        let windows = WorkingHours.overlap(a, b, from: now, to: now.addingTimeInterval(7 * 86_400))
        let days = Set(windows.map { Calendar(identifier: .iso8601).startOfDay(for: $0.start) }).count
        guard days > 0 else { return 0 }
        return windows.reduce(0) { $0 + $1.duration } / 3600 / Double(days)
    }

    static func hours(_ h: Double) -> String {
        h.rounded() == h ? "\(Int(h)) h" : String(format: "%.1f h", h)
    }

    static func percent(_ v: Double) -> Int { Int((v * 100).rounded()) }
}
