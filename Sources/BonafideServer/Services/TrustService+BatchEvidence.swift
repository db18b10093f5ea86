import BonafideCore
import Fluent
import Foundation
import SQLKit

/// The evidence of many pairs at once, for the background recompute: one statement per kind of evidence for the whole
/// batch where each pair took about sixteen of its own (500 pairs queued at once took 3.6 s, most of it in those
/// statements). Each kind reads the rows of all the pairs, keeps each pair's in memory, and builds its items with the
/// same functions as the single-pair `evidence(viewer:subject:at:on:)`, so the two cannot say different things.
extension TrustService {
    /// Most values one statement binds: far below both databases' limits (SQLite's 32766, PostgreSQL's 65535).
    static let bindsPerStatement = 500

    static func slices<Value>(_ values: [Value], of size: Int) -> [[Value]] {
        let step = max(1, size)
        return stride(from: 0, to: values.count, by: step).map { Array(values[$0..<min($0 + step, values.count)]) }
    }

    /// Rows read for many values, a slice of them per statement. No values read nothing: PostgreSQL refuses `IN ()`.
    static func rows<Value, Row>(
        in values: [Value], perStatement size: Int = TrustService.bindsPerStatement, _ read: ([Value]) async throws -> [Row]
    ) async throws -> [Row] {
        var found: [Row] = []
        for slice in slices(values, of: size) { found += try await read(slice) }
        return found
    }

    /// Rows that belong to (viewer, subject) pairs, for many pairs: `read` asks for a slice of pairs (by its viewers and
    /// its subjects, which also matches pairs nobody asked for) and each row is kept for the pairs of that slice it
    /// belongs to. A pair is in one slice only, so no row is kept twice for it. The default size binds at most 500
    /// values in two lists.
    static func rows<Row>(
        of pairs: [Pair], perStatement size: Int = TrustService.bindsPerStatement / 2, belongingTo pairsOf: (Row) -> [Pair],
        _ read: ([Pair]) async throws -> [Row]
    ) async throws -> [Pair: [Row]] {
        var found: [Pair: [Row]] = [:]
        for slice in slices(pairs, of: size) {
            let asked = Set(slice)
            for row in try await read(slice) {
                for pair in Set(pairsOf(row)) where asked.contains(pair) { found[pair, default: []].append(row) }
            }
        }
        return found
    }

    static func viewerIDs(of pairs: [Pair]) -> [UUID] { Array(Set(pairs.map(\.viewer))) }

    static func subjectIDs(of pairs: [Pair]) -> [UUID] { Array(Set(pairs.map(\.subject))) }

    /// Each pair's evidence, as `evidence(viewer:subject:at:on:)` gives it (same items, same order), read with about
    /// twenty statements for up to 125 pairs instead of about sixteen per pair. A pair asked twice is answered once.
    static func evidence(for pairs: [Pair], at now: Date, on db: any Database) async throws -> [Pair: [TrustEvidence]] {
        var asked = Set<Pair>()
        let pairs = pairs.filter { asked.insert($0).inserted }
        guard !pairs.isEmpty else { return [:] }
        let shared = try await sharedPartnerships(for: pairs, on: db)
        var partnerships: [UUID] = []
        var listed = Set<UUID>()
        for p in shared.values.joined() where listed.insert(p.id).inserted { partnerships.append(p.id) }
        // The partnership-wide reads hold both directions' rows; each pair keeps its own below.
        let promiseRows = try await promiseFacts(in: partnerships, on: db)
        let sendBackRows = try await sendBackFacts(in: partnerships, on: db)
        let messageRows = try await messageFacts(in: partnerships, on: db)
        let promises = Dictionary(grouping: promiseRows, by: \.partnership)
        let sentBack = Dictionary(grouping: sendBackRows, by: \.partnership)
        let messages = Dictionary(grouping: messageRows, by: \.partnership)
        let incidents = try await Incidents.evidence(for: pairs, at: now, on: db)
        let credentials = try await Credentials.evidence(for: pairs, at: now, on: db)
        let checkIns = try await CheckIns.evidence(in: shared, on: db)
        let documents = try await Documents.evidence(in: shared, on: db)
        let introductions = try await Introductions.evidence(for: pairs, on: db)
        let support = try await Support.evidence(for: pairs, at: now, on: db)
        let ratings = try await ratingFacts(for: pairs, on: db)
        let placements = try await placementFacts(for: pairs, on: db)
        let testimonials = try await testimonialFacts(for: pairs, on: db)
        let answers = try await surveyAnswerFacts(for: pairs, on: db)
        var found: [Pair: [TrustEvidence]] = [:]
        for pair in pairs {
            let (viewer, subject) = (pair.viewer, pair.subject)
            let mine = shared[pair] ?? []
            let ids = mine.map(\.id)
            var items: [TrustEvidence] = []
            if !ids.isEmpty {
                // What the single-pair statements filter: promises the subject made to the viewer, the two's messages.
                let promised = ids.flatMap { promises[$0] ?? [] }.filter { $0.owner == subject && $0.recipient == viewer }
                items += promiseEvidence(promised, sentBack: ids.flatMap { sentBack[$0] ?? [] }, at: now)
                let written = ids.flatMap { messages[$0] ?? [] }.filter { $0.organization == viewer || $0.organization == subject }
                items += messageEvidence(written, viewer: viewer, subject: subject, at: now)
                items += partnershipEvidence(mine, at: now)
            }
            items += incidents[pair] ?? []
            items += credentials[pair] ?? []
            items += checkIns[pair] ?? []
            items += documents[pair] ?? []
            items += introductions[pair] ?? []
            items += support[pair] ?? []
            items += ratingEvidence(ratings[pair] ?? [])
            items += placementEvidence(placements[pair])
            items += testimonialEvidence(testimonials[pair])
            items += surveyEvidence(answers[pair] ?? [])
            found[pair] = evidenceOrder(items)
        }
        return found
    }
}
