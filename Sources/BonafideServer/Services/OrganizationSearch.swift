import BonafideCore
import Fluent
import Foundation

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

    static func search(_ q: Query, by actor: Actor, at now: Date = Date(), on db: any Database) async throws -> [Result] {
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

        // Trust through the network: every organization's newest opinion of every other.
        var graph: [UUID: [UUID: Opinion]] = [:]
        for (pair, opinion) in try await TrustService.latestOpinions(on: db) { graph[pair.viewer, default: [:]][pair.subject] = opinion }
        let reach = TrustPropagation.personalized(from: own, opinions: graph, maxDepth: maxDepth)

        // Text first (cheap), then only what the asker may read of each match counts.
        let organizations = try await Organization.query(on: db).filter(\.$id != own).all()
        let services = try await ProfileSection.query(on: db).filter(\.$name == "services").all()
        let servicesOf = Dictionary(services.map { ($0.$organization.id, $0) }, uniquingKeysWith: { a, _ in a })
        let candidates = organizations.filter { org in
            let text = (servicesOf[org.id!]?.content ?? "") + "\n" + org.capabilities.joined(separator: "\n")
            guard skill.isEmpty || TextMatch.matches(skill, in: text) else { return false }
            return language.isEmpty || org.languages.contains(where: { TextMatch.matches(language, in: $0) })
        }
        // What the asker may read of every candidate at once: one organization at a time was three queries each.
        let visibleOf = try await ProfileSections.visible(of: candidates, to: .person(actor), on: db)
        var matched: [(Organization, [ProfileSections.Section])] = []
        for org in candidates {
            let visible = visibleOf[org.id!] ?? []
            func shown(_ name: String) -> String { visible.first { $0.name == name }?.content ?? "" }
            guard skill.isEmpty || TextMatch.matches(skill, in: shown("services") + "\n" + shown("capabilities")) else { continue }
            if !language.isEmpty, !TextMatch.stems(shown("languages")).contains(where: { TextMatch.stems(language).contains($0) }) {
                continue
            }
            matched.append((org, visible))
        }

        let ids = matched.map { $0.0.id! }
        let verified = Dictionary(
            grouping: try await Credential.query(on: db).filter(\.$holder.$id ~~ ids).filter(\.$status == .verified).all()
                .filter { $0.validUntil.map { $0 > now } ?? true },
            by: { $0.$holder.id })
        let myHours = Accounts.workingHours(of: mine)
        var ranked: [(Result, Organization, [ProfileSections.Section])] = []
        for (org, visible) in matched {
            let r = reach[org.id!]
            let opinion = r?.opinion ?? .vacuous()
            let hoursShared = visible.contains { $0.name == "workingHours" }
            let overlap = hoursShared ? dailyOverlap(myHours, Accounts.workingHours(of: org), at: now) : nil
            if let minimum = q.overlapHours, (overlap ?? 0) < minimum { continue }
            if q.verifiedOnly, (verified[org.id!] ?? []).isEmpty { continue }
            let score = opinion.expectation * 100
            if let minimum = q.minTrust, score < minimum { continue }
            var result = Result(
                id: org.id!, name: org.name, score: score, uncertainty: opinion.uncertainty, stranger: r == nil, depth: r?.depth, why: [],
                unknown: [])
            if let overlap {
                result.why.append(
                    overlap > 0
                        ? "Shares \(hours(overlap)) a day of working hours with you" : "No working hours in common with yours")
            } else {
                result.unknown.append("Working hours: not shared with you")
            }
            ranked.append((result, org, visible))
        }
        ranked.sort { a, b in
            if abs(a.0.score - b.0.score) > 1e-9 { return a.0.score > b.0.score }
            if abs(a.0.uncertainty - b.0.uncertainty) > 1e-9 { return a.0.uncertainty < b.0.uncertainty }
            return a.0.name.localizedCompare(b.0.name) == .orderedAscending
        }

        // Explanations only for what is returned: vouchers, record, credentials, languages, and what is unknown.
        let top = Array(ranked.prefix(q.limit))
        let names = Dictionary(
            try await Organization.query(on: db).filter(\.$id ~~ top.flatMap { t in reach[t.1.id!]?.vouchers.map(\.node) ?? [] }).all()
                .map { ($0.id!, $0.name) }, uniquingKeysWith: { a, _ in a })
        var results: [Result] = []
        for (var result, org, visible) in top {
            var why: [String] = []
            if let r = reach[org.id!] {
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
            why += try await record(of: org.id!, at: now, on: db)
            let credentials = verified[org.id!] ?? []
            if credentials.isEmpty {
                result.unknown.append("No verified credentials")
            } else {
                why.append("Verified: \(credentials.map(\.title).sorted().joined(separator: ", "))")
            }
            let languages = visible.first { $0.name == "languages" }?.content ?? ""
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

    /// Commitments kept and incidents handled, as figures (never their content).
    private static func record(of organization: UUID, at now: Date, on db: any Database) async throws -> [String] {
        let completed = try await Commitment.query(on: db).filter(\.$ownerOrganization.$id == organization)
            .filter(\.$status == .completed).field(\.$dueAt).field(\.$completedAt).all()
        let onTime = completed.filter { c in c.completedAt.map { $0 <= c.dueAt } ?? false }.count
        var lines = [
            completed.isEmpty
                ? "No completed commitments on record yet" : "Kept \(onTime) of \(completed.count) completed commitments on time"
        ]
        let incidents = try await Incidents.record(of: organization, at: now, on: db)
        lines.append(
            incidents.total == 0
                ? "No incidents in the last 12 months"
                : "\(incidents.total) incident\(incidents.total == 1 ? "" : "s") in 12 months: \(incidents.handledOpenly) handled openly, \(incidents.mishandled) mishandled"
        )
        return lines
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
