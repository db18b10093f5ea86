import Fluent
import Foundation
import SQLKit

/// One search box for the work a person may see: partnerships by name, commitments by their words, conversations by
/// subject and message text, and organizations by name. Only partnerships the policy layer lets them see are searched;
/// matching is case-insensitive and literal ("50%" finds "50%"), in the database, at most `limit` of each kind.
enum Search {
    struct Results: Sendable {
        var query: String
        var partnerships: [Hit] = []
        var commitments: [Hit] = []
        var conversations: [Hit] = []
        var organizations: [Hit] = []
        var isEmpty: Bool { partnerships.isEmpty && commitments.isEmpty && conversations.isEmpty && organizations.isEmpty }
    }

    struct Hit: Sendable, Equatable {
        var title: String
        var link: String
        var context: String
    }

    static let limit = 20

    static func run(_ text: String, for actor: Actor, on db: any Database) async throws -> Results {
        let q = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard q.length <= 100 else { throw Problem.invalid("q", "Search for at most 100 characters.") }
        var results = Results(query: q)
        guard q.length >= 2 else { return results }
        let visible = try await Policy.visiblePartnerships(for: actor, on: db)
        let names = Dictionary(visible.map { ($0.id!, $0.name) }, uniquingKeysWith: { a, _ in a })
        results.partnerships = visible.filter { $0.name.localizedCaseInsensitiveContains(q) }.prefix(limit).map {
            Hit(title: $0.name, link: SiteURL.partnership($0.id), context: $0.status.rawValue)
        }
        results.organizations = try await Circles.findOrganizations(named: q, except: actor.organizationID, on: db).map {
            Hit(title: $0.name, link: SiteURL.organization($0.id), context: "")
        }
        guard !visible.isEmpty, let sql = db as? any SQLDatabase else { return results }
        let ids = Array(names.keys)
        let pattern =
            "%"
            + q.lowercased().replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_") + "%"
        func like(_ column: String) -> SQLQueryString { "lower(\(ident: column)) LIKE \(bind: pattern) ESCAPE '\\'" }

        struct CommitmentRow: Decodable {
            var id: UUID
            var partnership_id: UUID
            var title: String
            var status: String
        }
        results.commitments = try await sql.select().columns("id", "partnership_id", "title", "status").from("commitments")
            .where("partnership_id", .in, ids)
            .where { $0.where(like("title")).orWhere(like("deliverable")).orWhere(like("acceptance_criteria")) }
            .orderBy("due_at", .descending).limit(limit).all(decoding: CommitmentRow.self)
            .map {
                Hit(
                    title: $0.title, link: SiteURL.commitment($0.partnership_id, $0.id),
                    context: "\(names[$0.partnership_id] ?? "") · \($0.status)")
            }

        struct MessageRow: Decodable {
            var thread_id: UUID
            var partnership_id: UUID
            var subject: String
            var body: String
        }
        let messages = try await sql.select().column(SQLColumn("thread_id", table: "m")).column(SQLColumn("partnership_id", table: "m"))
            .column(SQLColumn("subject", table: "t")).column(SQLColumn("body", table: "m"))
            .from(SQLAlias(SQLIdentifier("messages"), as: SQLIdentifier("m")))
            .join(
                SQLAlias(SQLIdentifier("message_threads"), as: SQLIdentifier("t")), on: SQLColumn("id", table: "t"), .equal,
                SQLColumn("thread_id", table: "m")
            )
            .where(SQLColumn("partnership_id", table: "m"), .in, SQLBind.group(ids))
            .where { $0.where(like("body")).orWhere(like("subject")) }
            .orderBy(SQLColumn("created_at", table: "m"), SQLDirection.descending).limit(limit * 3).all(decoding: MessageRow.self)
        var seen = Set<UUID>()
        for m in messages where seen.insert(m.thread_id).inserted && results.conversations.count < limit {
            results.conversations.append(
                Hit(title: m.subject, link: SiteURL.thread(m.partnership_id, m.thread_id), context: excerpt(m.body, around: q)))
        }
        return results
    }

    /// A few words either side of the first match, so the result says why it matched.
    static func excerpt(_ text: String, around q: String, width: Int = 60) -> String {
        guard let range = text.range(of: q, options: .caseInsensitive) else { return String(text.prefix(width * 2)) }
        let start = text.index(range.lowerBound, offsetBy: -width, limitedBy: text.startIndex) ?? text.startIndex
        let end = text.index(range.upperBound, offsetBy: width, limitedBy: text.endIndex) ?? text.endIndex
        return (start > text.startIndex ? "…" : "") + text[start..<end] + (end < text.endIndex ? "…" : "")
    }
}
