import BonafideCore
import Fluent
import Foundation
import SQLKit

/// Replies to an update. Each reader organization has one private thread with the writer: its people reply there
/// and the writer's people answer there, and nobody else sees it (another organization's thread is not found, as
/// is an update one may not read). The writer sees every thread, with figures: how many people publishing reached,
/// how many of them opened it, how many organizations replied and how the replies lean.
extension Updates {
    static let maxReply = 4_000

    struct Reply: Sendable {
        var id: UUID
        var updateID: UUID
        /// The reader organization whose thread it is in.
        var threadID: UUID
        var side: UpdateReplySide
        /// The organization it speaks for: the reader's, or the writer's for an answer.
        var organizationName: String
        /// The person; nil once their account is gone.
        var writtenBy: String?
        var body: String
        var sentiment: Double
        var drivers: [Sentiment.Driver]
        var createdAt: Date
    }

    /// The replies between one reader organization and the writer, oldest first.
    struct Thread: Sendable {
        var organizationID: UUID
        var organizationName: String
        var replies: [Reply]
    }

    /// What the writer learns of an update: counted from the stored rows each time, except whom publishing
    /// reached, which only publishing knows.
    struct Figures: Sendable, Equatable {
        var reached: Int
        var reachedOrganizations: Int
        /// Distinct people of other organizations who opened it.
        var opened: Int
        var replyingOrganizations: Int
        /// The readers' replies; the writer's own answers are counted apart.
        var replies: Int
        var answers: Int
        /// The mean sentiment of the readers' replies; nil while there are none.
        var sentiment: Double?
        /// The phrases the readers' replies most often turned on, most frequent first.
        var drivers: [String]

        var label: Sentiment.Label? { sentiment.map { Sentiment.label(for: $0) } }
    }

    // MARK: Writing

    /// A reader replies in its own organization's thread; the writer's owners and admins are told.
    @discardableResult
    static func reply(to id: UUID?, body raw: String, by actor: Actor, at now: Date = Date(), on db: any Database) async throws -> Reply {
        let update = try await readable(id, by: actor, on: db)
        guard update.$organization.id != actor.organizationID else {
            throw Problem.invalid(
                "organizationId", "Your organization wrote this update: answer a reader's thread instead, naming its organization.")
        }
        let body = try validatedReply(raw)
        // Scored before the transaction: the analysis needs no database and the write lock is shared.
        let scored = SentimentAnalyzer.shared.analyze(body, drivers: true)
        let updateID = update.id!
        let writer = update.$organization.id
        let title = update.title
        return try await db.writeTransaction { tx in
            let row = try await save(
                body, scored, update: updateID, thread: actor.organizationID, side: .reader, by: actor, at: now, on: tx)
            let names = try await organizationNames([actor.organizationID], on: tx)
            let readerName = names[actor.organizationID] ?? "A reader"
            try await Notifier.notify(
                try await Accounts.managers(of: writer, on: tx),
                of: .init(
                    kind: .updateReply, text: "\(readerName) replied to “\(title)”", link: threadLink(updateID, actor.organizationID),
                    detail: "\(actor.user.name), \(readerName):\n\n\(body)", about: "update:\(Access.key(updateID))",
                    key: "updateReply:\(Access.key(row.id!))"),
                at: now, on: tx)
            return reply(row, organizationName: readerName, writtenBy: actor.user.name)
        }
    }

    /// The writer's people answer a reader organization's thread, which that organization started by replying; its
    /// people who replied in it are told.
    @discardableResult
    static func answer(
        update id: UUID?, organization thread: UUID?, body raw: String, by actor: Actor, at now: Date = Date(), on db: any Database
    ) async throws -> Reply {
        let update = try await readable(id, by: actor, on: db)
        // A reader has one thread, its own; any other organization's does not exist for it.
        guard update.$organization.id == actor.organizationID else { throw Problem.notFound("thread") }
        guard let thread else {
            throw Problem.invalid("organizationId", "Name the organization whose thread you answer (organizationId).")
        }
        let body = try validatedReply(raw)
        let scored = SentimentAnalyzer.shared.analyze(body, drivers: true)
        let updateID = update.id!
        let title = update.title
        return try await db.writeTransaction { tx in
            let earlier = try await UpdateReply.query(on: tx).filter(\.$update.$id == updateID).filter(\.$organization.$id == thread)
                .filter(\.$side == .reader).all()
            // A thread begins with a reader's reply: the writer answers, it does not write to organizations unasked.
            guard !earlier.isEmpty else { throw Problem.notFound("thread") }
            let row = try await save(body, scored, update: updateID, thread: thread, side: .author, by: actor, at: now, on: tx)
            let names = try await organizationNames([actor.organizationID], on: tx)
            let writerName = names[actor.organizationID] ?? "The writer"
            // Only people still in the reader organization: someone who moved on no longer sees the thread.
            let repliers = try await User.query(on: tx).filter(\.$id ~~ Array(Set(earlier.compactMap { $0.$author.id })))
                .filter(\.$organization.$id == thread).all()
            try await Notifier.notify(
                repliers.compactMap(\.id),
                of: .init(
                    kind: .updateReply, text: "\(writerName) answered your reply to “\(title)”", link: threadLink(updateID, thread),
                    detail: "\(actor.user.name), \(writerName):\n\n\(body)", about: "update:\(Access.key(updateID))",
                    key: "updateReply:\(Access.key(row.id!))"),
                at: now, on: tx)
            return reply(row, organizationName: writerName, writtenBy: actor.user.name)
        }
    }

    /// Counts the person as having opened the update, once however often; the writer's own people are not
    /// readers being reached, and are not counted.
    static func markOpened(_ update: Entry, by actor: Actor, at now: Date = Date(), on db: any Database) async throws {
        guard update.organizationID != actor.organizationID else { return }
        // Read first: opening it again, the usual case, then writes nothing.
        let counted = try await UpdateOpen.query(on: db).filter(\.$update.$id == update.id).filter(\.$user.$id == actor.id).count()
        guard counted == 0 else { return }
        try await db.writeTransaction { tx in
            // Insert-or-ignore: the same person opening it twice at once is still one row.
            try await tx.sql().insert(into: UpdateOpen.schema)
                .columns("id", "update_id", "user_id", "organization_id", "opened_at")
                .values(SQLBind(UUID()), SQLBind(update.id), SQLBind(actor.id), SQLBind(actor.organizationID), SQLBind(now))
                .ignoringConflicts(with: ["update_id", "user_id"])
                .run()
        }
    }

    // MARK: Reading

    /// One thread: a reader's own (`organization` nil or its own), or for the writer's people the named one.
    static func thread(of id: UUID?, organization: UUID?, for actor: Actor, on db: any Database) async throws -> Thread {
        let update = try await readable(id, by: actor, on: db)
        guard update.$organization.id == actor.organizationID else {
            guard organization == nil || organization == actor.organizationID else { throw Problem.notFound("thread") }
            return try await ownThread(of: update, for: actor, on: db)
        }
        guard let organization else {
            throw Problem.invalid("organizationId", "Name the organization whose thread you want (organizationId).")
        }
        // The writer sees only threads that exist: one begins with a reader's reply.
        guard let found = try await threads(of: update, only: organization, on: db).first else { throw Problem.notFound("thread") }
        return found
    }

    /// The threads the person may see: the writer's people every one, most recently active first; a reader's
    /// people their own (empty until someone replies).
    static func threads(of id: UUID?, for actor: Actor, on db: any Database) async throws -> [Thread] {
        let update = try await readable(id, by: actor, on: db)
        guard update.$organization.id == actor.organizationID else { return [try await ownThread(of: update, for: actor, on: db)] }
        return try await threads(of: update, only: nil, on: db)
    }

    /// For the writer's people only; to anyone else, who may at most read the update, they do not exist.
    static func figures(of id: UUID?, for actor: Actor, on db: any Database) async throws -> Figures {
        let update = try await readable(id, by: actor, on: db)
        guard update.$organization.id == actor.organizationID else {
            throw Problem(.notFound, "Only the organization that wrote an update sees its figures.")
        }
        let updateID = update.id!
        let opened = try await UpdateOpen.query(on: db).filter(\.$update.$id == updateID).count()
        let rows = try await UpdateReply.query(on: db).filter(\.$update.$id == updateID).all()
        let fromReaders = rows.filter { $0.side == .reader }
        var phrases: [String: Int] = [:]
        for row in fromReaders {
            // Once per reply: one reply repeating a word is not several readers saying it.
            for phrase in Set(StoredDrivers.decode(row.drivers).map { $0.phrase.lowercased() }) { phrases[phrase, default: 0] += 1 }
        }
        let drivers = phrases.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(StoredDrivers.shown)
            .map(\.key)
        return Figures(
            reached: update.reached, reachedOrganizations: update.reachedOrganizations, opened: opened,
            replyingOrganizations: Set(fromReaders.map { $0.$organization.id }).count, replies: fromReaders.count,
            answers: rows.count - fromReaders.count,
            sentiment: fromReaders.isEmpty ? nil : fromReaders.map(\.sentiment).reduce(0, +) / Double(fromReaders.count),
            drivers: Array(drivers))
    }

    /// The page a thread is read and answered on.
    static func threadLink(_ update: UUID, _ organization: UUID) -> String {
        SiteURL.update(update) + "#thread-" + Access.key(organization)
    }

    // MARK: Helpers

    /// The update, if the person may read it; otherwise it is not found, as `find` answers.
    private static func readable(_ id: UUID?, by actor: Actor, on db: any Database) async throws -> OrganizationUpdate {
        guard let id, let update = try await OrganizationUpdate.find(id, on: db),
            try await Access.check(.person(actor), "reader", object(update), on: db).allowed
        else { throw Problem.notFound("update") }
        return update
    }

    private static func validatedReply(_ raw: String) throws -> String {
        let body = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...maxReply).contains(body.length) else {
            throw Problem.invalid("body", "A reply has 1 to \(maxReply) characters; this one has \(body.length).")
        }
        return body
    }

    private static func save(
        _ body: String, _ scored: Sentiment, update: UUID, thread: UUID, side: UpdateReplySide, by actor: Actor, at now: Date,
        on tx: any Database
    ) async throws -> UpdateReply {
        let row = UpdateReply()
        row.$update.id = update
        row.$organization.id = thread
        row.side = side
        row.$author.id = actor.id
        row.body = body
        row.sentiment = scored.score
        row.drivers = StoredDrivers.json(scored.drivers)
        row.createdAt = now
        try await row.save(on: tx)
        return row
    }

    /// A reader organization's thread, there to start even before anyone replied.
    private static func ownThread(of update: OrganizationUpdate, for actor: Actor, on db: any Database) async throws -> Thread {
        let own = actor.organizationID
        if let found = try await threads(of: update, only: own, on: db).first { return found }
        let names = try await organizationNames([own], on: db)
        return Thread(organizationID: own, organizationName: names[own] ?? "", replies: [])
    }

    /// The update's threads (or the one of `only`), each oldest reply first, the most recently active first.
    private static func threads(of update: OrganizationUpdate, only: UUID?, on db: any Database) async throws -> [Thread] {
        var query = UpdateReply.query(on: db).filter(\.$update.$id == update.id!).with(\.$author)
        if let only { query = query.filter(\.$organization.$id == only) }
        let rows = try await query.sort(\.$createdAt).sort(\.$id).all()
        let keys = Array(Set(rows.map { $0.$organization.id }))
        let names = try await organizationNames(keys + [update.$organization.id], on: db)
        let byThread = Dictionary(grouping: rows, by: { $0.$organization.id })
        return byThread.map { key, replies in
            Thread(
                organizationID: key, organizationName: names[key] ?? "",
                replies: replies.map { r in
                    reply(r, organizationName: names[r.side == .reader ? key : update.$organization.id] ?? "", writtenBy: r.author?.name)
                })
        }
        .sorted { a, b in
            let (x, y) = (a.replies.last?.createdAt ?? .distantPast, b.replies.last?.createdAt ?? .distantPast)
            return x != y ? x > y : a.organizationName < b.organizationName
        }
    }

    static func organizationNames(_ ids: [UUID], on db: any Database) async throws -> [UUID: String] {
        Dictionary(
            try await Organization.query(on: db).filter(\.$id ~~ ids).field(\.$id).field(\.$name).all().map { ($0.id!, $0.name) },
            uniquingKeysWith: { a, _ in a })
    }

    private static func reply(_ r: UpdateReply, organizationName: String, writtenBy: String?) -> Reply {
        Reply(
            id: r.id!, updateID: r.$update.id, threadID: r.$organization.id, side: r.side, organizationName: organizationName,
            writtenBy: writtenBy, body: r.body, sentiment: r.sentiment, drivers: StoredDrivers.decode(r.drivers), createdAt: r.createdAt)
    }
}
