import BonafideCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// Encrypted documents in a partnership: upload, download, revocation and share links, each on the record. The
/// server sees sizes and who did what; it checks headers for shape and recipients, never their content.
enum Documents {
    struct Limits: Sendable {
        let maxBytes: Int64
        let quotaBytes: Int64
    }

    /// What the partner (or a link holder) may no longer do, in words; nil while access is open.
    static func closedReason(revokedAt: Date?, expiresAt: Date?, maxDownloads: Int?, downloads: Int, at now: Date) -> String? {
        if revokedAt != nil { return "Sharing of this document was stopped." }
        if let expiresAt, expiresAt <= now { return "This share expired." }
        if let maxDownloads, downloads >= maxDownloads { return "This share reached its download limit." }
        return nil
    }

    static func closedReason(_ d: Document, at now: Date = Date()) -> String? {
        closedReason(revokedAt: d.revokedAt, expiresAt: d.expiresAt, maxDownloads: d.maxDownloads, downloads: d.downloads, at: now)
    }

    static func closedReason(_ link: DocumentLink, of d: Document, at now: Date = Date()) -> String? {
        if d.revokedAt != nil { return "Sharing of this document was stopped." }
        if link.revokedAt != nil { return "This link was turned off." }
        return closedReason(revokedAt: nil, expiresAt: link.expiresAt, maxDownloads: link.maxDownloads, downloads: link.downloads, at: now)
    }

    static func list(in p: Partnership, on db: any Database) async throws -> [Document] {
        try await Document.query(on: db).filter(\.$partnership.$id == p.id!).with(\.$uploadedBy).sort(\.$number, .descending).all()
    }

    static func links(of documents: [Document], on db: any Database) async throws -> [UUID: [DocumentLink]] {
        guard !documents.isEmpty else { return [:] }
        let links = try await DocumentLink.query(on: db).filter(\.$document.$id ~~ documents.map { $0.id! })
            .sort(\.$createdAt, .descending).all()
        return Dictionary(grouping: links, by: { $0.$document.id })
    }

    /// The two organizations' active keys: what an upload must be encrypted for.
    static func recipients(of p: Partnership, on db: any Database) async throws -> [(Organization, VaultOrganizationKey?)] {
        let ids = [p.$organization.id] + (p.$partner.id.map { [$0] } ?? [])
        var out: [(Organization, VaultOrganizationKey?)] = []
        for id in ids {
            guard let org = try await Organization.find(id, on: db) else { continue }
            out.append((org, try await Vault.activeKey(of: id, on: db)))
        }
        return out
    }

    static func canManage(_ d: Document, _ actor: Actor) -> Bool { Access.canManage(actor, document: d) }

    static func describe(size: Int64) -> String {
        if size < 1_000 { return "\(size) bytes" }
        let units = ["kB", "MB", "GB", "TB"]
        var value = Double(size) / 1_000
        var unit = 0
        while value >= 1_000, unit < units.count - 1 {
            value /= 1_000
            unit += 1
        }
        return String(format: value < 10 ? "%.1f %@" : "%.0f %@", value, units[unit])
    }

    // MARK: Upload

    /// Streams an encrypted file to the store, checking its header as soon as it has arrived, then records it.
    static func upload<Body: AsyncSequence>(
        _ body: Body, declaredLength: Int64?, to p: Partnership, by actor: Actor, expiresAt: Date?, maxDownloads: Int?,
        limits: Limits, store: any BlobStore, on db: any Database
    ) async throws -> Document where Body.Element == ArraySlice<UInt8> {
        try Policy.requireActive(p)
        let now = Date()
        if let expiresAt, expiresAt <= now { throw Problem.invalid("expiresAt", "expiresAt must be in the future.") }
        if let maxDownloads, !(1...10_000).contains(maxDownloads) {
            throw Problem.invalid("maxDownloads", "maxDownloads must be from 1 to 10000.")
        }
        if let declaredLength, declaredLength > limits.maxBytes { throw tooLarge(limits) }
        let used = try await usage(of: actor.organizationID, on: db)
        if let declaredLength { try checkQuota(used: used, adding: declaredLength, limits: limits) }
        let expected = try await expectedKeyIDs(for: p, by: actor, on: db)

        let (key, header, total) = try await receive(body, expecting: expected, limits: limits, store: store)
        do {
            return try await record(
                id: UUID(), storageKey: key, header: header.bytes, size: total, in: p, by: actor, expiresAt: expiresAt,
                maxDownloads: maxDownloads, limits: limits, at: now, on: db)
        } catch {
            try? await store.delete(key)
            throw error
        }
    }

    /// Streams a vault file into a new blob, checking its header for the expected keys as soon as it has arrived and
    /// its length at the end; the blob is durable when this returns. Answers the blob's key, the header and the size.
    private static func receive<Body: AsyncSequence>(
        _ body: Body, expecting expected: Set<String>, limits: Limits, store: any BlobStore
    ) async throws -> (String, VaultHeader, Int64) where Body.Element == ArraySlice<UInt8> {
        let key = UUID().uuidString.lowercased()
        var pending: [UInt8] = []
        var header: VaultHeader?
        var writer: (any BlobWriter)?
        var total: Int64 = 0
        do {
            for try await piece in body {
                total += Int64(piece.count)
                if total > limits.maxBytes { throw tooLarge(limits) }
                if let writer {
                    try await writer.append(piece)
                    continue
                }
                pending += piece
                guard let length = try headerLength(pending), pending.count >= length else {
                    if pending.count > 256 << 10 { throw Problem.invalid("body", "This is not a Bonafide vault file.") }
                    continue
                }
                let parsed = try VaultHeader(Array(pending[..<length]))
                try checkRecipients(parsed, expected: expected)
                header = parsed
                let w = try await store.create(key)
                writer = w
                try await w.append(pending[...])
                pending = []
            }
            guard let header, let writer else {
                if pending.isEmpty { throw Problem.invalid("body", "The body is empty: send the encrypted file.") }
                throw Problem.invalid(
                    "body", (try? headerLength(pending)) == nil ? "This is not a Bonafide vault file." : "The file is cut short.")
            }
            let chunks = total - Int64(header.bytes.count)
            let sealed = Int64(VaultFormat.chunkSize + VaultFormat.tagSize)
            guard chunks >= Int64(VaultFormat.tagSize), chunks % sealed == 0 || chunks % sealed >= Int64(VaultFormat.tagSize) else {
                throw Problem.invalid("body", "The file is cut short: its last part is missing.")
            }
            try await writer.commit()
            return (key, header, total)
        } catch {
            await writer?.abort()
            throw error
        }
    }

    /// A new content key for the remaining recipients: the file encrypted anew on the client replaces the stored one.
    /// Links and circle shares wrapped the old key, so they stop (the client shares again with whom it keeps); once
    /// sharing was stopped, the partner is no longer a recipient.
    static func rekey<Body: AsyncSequence>(
        _ body: Body, declaredLength: Int64?, document id: UUID?, by actor: Actor, limits: Limits, store: any BlobStore,
        on db: any Database
    ) async throws -> Document where Body.Element == ArraySlice<UInt8> {
        let (d, p) = try await visible(id, for: actor, on: db)
        guard canManage(d, actor) else {
            throw Problem(.forbidden, "Only whoever uploaded a document, or an owner or admin of their organization, can re-key it.")
        }
        if let declaredLength, declaredLength > limits.maxBytes { throw tooLarge(limits) }
        var expected = try await expectedKeyIDs(for: p, by: actor, on: db)
        if d.revokedAt != nil, let own = try await Vault.activeKey(of: actor.organizationID, on: db) { expected = [own.keyID] }
        let (key, header, total) = try await receive(body, expecting: expected, limits: limits, store: store)
        let old: String
        let updated: Document
        do {
            (old, updated) = try await db.writeTransaction { tx in
                guard let d = try await tx.lockedRow(Document.self, d.id!) else { throw Problem.notFound("document") }
                _ = try await tx.lockedRow(Organization.self, actor.organizationID)
                try checkQuota(used: try await usage(of: actor.organizationID, on: tx) - d.size, adding: total, limits: limits)
                let old = d.storageKey
                let now = Date()
                d.storageKey = key
                d.rekeyedAt = now
                d.header = Data(header.bytes)
                d.size = total
                try await d.save(on: tx)
                try await stopLinksAndShares(of: d, at: now, on: tx)
                try await Timeline.append(
                    p, actor: actor, kind: "document.rekeyed",
                    summary:
                        "\(actor.user.name) re-keyed document \(d.number): a new key for \(d.revokedAt == nil ? "both organizations" : "their own organization only")",
                    extra: ["document": d.id!.uuidString.lowercased()], at: now, on: tx)
                return (old, d)
            }
        } catch {
            try? await store.delete(key)
            throw error
        }
        try? await store.delete(old)
        return updated
    }

    private static func headerLength(_ prefix: [UInt8]) throws -> Int? {
        do { return try VaultDecryptor.headerLength(prefix) } catch let failure as VaultFormat.Failure {
            throw Problem.invalid("body", failure.description)
        }
    }

    private static func tooLarge(_ limits: Limits) -> Problem {
        Problem(.payloadTooLarge, "Documents can be at most \(describe(size: limits.maxBytes)) (BONAFIDE_VAULT_MAX_BYTES).")
    }

    static func usage(of organizationID: UUID, on db: any Database) async throws -> Int64 {
        // PostgreSQL sums a bigint column as numeric, which Fluent's `sum` cannot decode as Int64: cast it back.
        guard let sql = db as? any SQLDatabase else { return 0 }
        let row = try await sql.raw(
            "SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT) AS used FROM documents WHERE organization_id = \(bind: organizationID)"
        ).first()
        return try row?.decode(column: "used", as: Int64.self) ?? 0
    }

    private static func checkQuota(used: Int64, adding size: Int64, limits: Limits) throws {
        guard used + size <= limits.quotaBytes else {
            throw Problem(
                .conflict,
                "Your organization's documents take \(describe(size: used)) of its \(describe(size: limits.quotaBytes)); this file needs \(describe(size: size)) more. Delete or revoke older documents, or ask the operator to raise BONAFIDE_VAULT_QUOTA_BYTES."
            )
        }
    }

    /// The hex key ids an upload must carry: both organizations' active keys.
    private static func expectedKeyIDs(for p: Partnership, by actor: Actor, on db: any Database) async throws -> Set<String> {
        var ids = Set<String>()
        for (org, key) in try await recipients(of: p, on: db) {
            guard let key else {
                if org.id == actor.organizationID {
                    throw Problem(.conflict, "Your organization has no vault key yet: an owner sets it up under Organization → Vault.")
                }
                throw Problem(
                    .conflict, "\(org.name) has not set up its vault yet, so it could not open a document; ask one of its owners to.")
            }
            ids.insert(key.keyID)
        }
        return ids
    }

    private static func checkRecipients(_ header: VaultHeader, expected: Set<String>) throws {
        let found = Set(header.keyIDs.map { Hex.encode($0) })
        guard found == expected, header.keyIDs.count == expected.count else {
            throw Problem.invalid(
                "body",
                "The file must be encrypted for exactly the active vault keys of both organizations (key ids \(expected.sorted().joined(separator: ", "))); it is for \(found.sorted().joined(separator: ", "))."
            )
        }
    }

    private static func record(
        id: UUID, storageKey: String, header: [UInt8], size: Int64, in p: Partnership, by actor: Actor, expiresAt: Date?,
        maxDownloads: Int?,
        limits: Limits, at now: Date, on db: any Database
    ) async throws -> Document {
        try await db.writeTransaction { tx in
            guard let p = try await tx.lockedRow(Partnership.self, p.id!) else { throw Problem.notFound("partnership") }
            // The quota is the organization's across partnerships: its row, locked, orders concurrent uploads.
            _ = try await tx.lockedRow(Organization.self, actor.organizationID)
            try checkQuota(used: try await usage(of: actor.organizationID, on: tx), adding: size, limits: limits)
            let last = try await Document.query(on: tx).filter(\.$partnership.$id == p.id!).max(\.$number) ?? 0
            let d = Document()
            d.id = id
            d.storageKey = storageKey
            d.$partnership.id = p.id!
            d.number = last + 1
            d.$organization.id = actor.organizationID
            d.$uploadedBy.id = actor.id
            d.size = size
            d.header = Data(header)
            d.createdAt = now
            d.expiresAt = expiresAt
            d.maxDownloads = maxDownloads
            d.downloads = 0
            try await d.save(on: tx)
            let terms = shareTerms(expiresAt: expiresAt, maxDownloads: maxDownloads)
            let summary = "\(actor.user.name) shared document \(d.number) (\(describe(size: size)), encrypted)\(terms)"
            let event = try await Timeline.append(
                p, actor: actor, kind: "document.uploaded", summary: summary, extra: ["document": id.uuidString.lowercased()], at: now,
                on: tx)
            try await Timeline.notify(
                p, side: p.otherSide(of: actor.organizationID), except: actor, kind: .documentShared, text: summary,
                link: SiteURL.documents(p.id), key: event, at: now, on: tx)
            d.$uploadedBy.value = actor.user
            return d
        }
    }

    private static func shareTerms(expiresAt: Date?, maxDownloads: Int?) -> String {
        var terms: [String] = []
        if let expiresAt { terms.append("until \(RFC3339Transcoder.plain.format(expiresAt))") }
        if let maxDownloads { terms.append("for \(maxDownloads) download\(maxDownloads == 1 ? "" : "s")") }
        return terms.isEmpty ? "" : ", " + terms.joined(separator: " and ")
    }

    // MARK: Access

    /// The document if the actor may see it (404 otherwise, as if it did not exist).
    static func visible(_ id: UUID?, for actor: Actor, on db: any Database) async throws -> (Document, Partnership) {
        guard let id, let d = try await Document.find(id, on: db) else { throw Problem.notFound("document") }
        let p: Partnership
        do { p = try await Policy.partnership(d.$partnership.id, for: actor, on: db) } catch { throw Problem.notFound("document") }
        return (d, p)
    }

    /// Records a download and answers the document, or 410 when the partner's access has closed.
    /// What a download sends: the stored file, or for an organization it was shared with by circle, its own header
    /// followed by the stored chunks. Someone with neither gets 404.
    static func fetch(_ id: UUID?, by actor: Actor, on db: any Database) async throws -> (document: Document, header: Data?) {
        do {
            return (try await download(id, by: actor, on: db), nil)
        } catch let problem as Problem where problem.status == .notFound {
            guard let (d, share) = try await DocumentShares.download(id, by: actor, on: db) else { throw problem }
            return (d, share.header)
        }
    }

    static func download(_ id: UUID?, by actor: Actor, on db: any Database) async throws -> Document {
        let (d, p) = try await visible(id, for: actor, on: db)
        return try await db.writeTransaction { tx in
            guard let d = try await tx.lockedRow(Document.self, d.id!) else { throw Problem.notFound("document") }
            let now = Date()
            let ownSide = d.$organization.id == actor.organizationID
            if !ownSide {
                if let reason = closedReason(d, at: now) { throw Problem(.gone, reason) }
                d.downloads += 1
                try await d.save(on: tx)
            }
            let org = try await Organization.find(actor.organizationID, on: tx)?.name ?? "their organization"
            try await Timeline.append(
                p, actor: actor, kind: "document.downloaded", summary: "\(actor.user.name) (\(org)) downloaded document \(d.number)",
                extra: ["document": d.id!.uuidString.lowercased()], at: now, on: tx)
            return d
        }
    }

    /// Stops the partner's downloads, every circle share and every link at once.
    static func revoke(_ id: UUID?, by actor: Actor, on db: any Database) async throws -> Document {
        let (d, p) = try await visible(id, for: actor, on: db)
        guard canManage(d, actor) else {
            throw Problem(.forbidden, "Only whoever uploaded a document, or an owner or admin of their organization, can stop sharing it.")
        }
        return try await db.writeTransaction { tx in
            guard let d = try await tx.lockedRow(Document.self, d.id!) else { throw Problem.notFound("document") }
            guard d.revokedAt == nil else { throw Problem(.conflict, "Sharing of document \(d.number) was already stopped.") }
            let now = Date()
            d.revokedAt = now
            try await d.save(on: tx)
            try await stopLinksAndShares(of: d, at: now, on: tx)
            let summary = "\(actor.user.name) stopped sharing document \(d.number)"
            let event = try await Timeline.append(
                p, actor: actor, kind: "document.revoked", summary: summary, extra: ["document": d.id!.uuidString.lowercased()],
                at: now, on: tx)
            try await Timeline.notify(
                p, side: p.otherSide(of: actor.organizationID), except: actor, kind: .documentShared, text: summary,
                link: SiteURL.documents(p.id), key: event, at: now, on: tx)
            return d
        }
    }

    /// Every open link and circle share of the document ends now: each wrapped a key that no longer opens it, or
    /// sharing stopped.
    private static func stopLinksAndShares(of d: Document, at now: Date, on tx: any Database) async throws {
        try await DocumentLink.query(on: tx).filter(\.$document.$id == d.id!).filter(\.$revokedAt == nil)
            .set(\.$revokedAt, to: now).update()
        try await DocumentShare.query(on: tx).filter(\.$document.$id == d.id!).filter(\.$revokedAt == nil)
            .set(\.$revokedAt, to: now).update()
    }

    // MARK: Links

    static func createLink(
        for id: UUID?, header raw: String, expiresAt: Date?, maxDownloads: Int?, passwordSalt: String?, by actor: Actor,
        on db: any Database
    ) async throws -> DocumentLink {
        let (d, p) = try await visible(id, for: actor, on: db)
        guard canManage(d, actor) else {
            throw Problem(.forbidden, "Only whoever uploaded a document, or an owner or admin of their organization, can make links to it.")
        }
        let now = Date()
        if let expiresAt, expiresAt <= now { throw Problem.invalid("expiresAt", "expiresAt must be in the future.") }
        if let maxDownloads, !(1...10_000).contains(maxDownloads) {
            throw Problem.invalid("maxDownloads", "maxDownloads must be from 1 to 10000.")
        }
        if let passwordSalt, Base64URL.decode(passwordSalt)?.count != 16 {
            throw Problem.invalid("passwordSalt", "passwordSalt must be 16 bytes in base64url.")
        }
        guard let bytes = Base64URL.decode(raw), let header = try? VaultHeader(Array(bytes)) else {
            throw Problem.invalid("header", "header must be a vault file header in base64url.")
        }
        let original = try VaultHeader(Array(d.header))
        guard header.fileID == original.fileID, header.metadataBlock.elementsEqual(original.metadataBlock) else {
            throw Problem.invalid("header", "header must be this document's header, rewrapped: same file id and sealed metadata.")
        }
        guard header.keyIDs.count == 1 else { throw Problem.invalid("header", "A link's header is for exactly one key, the link's.") }
        return try await db.writeTransaction { tx in
            guard let d = try await tx.lockedRow(Document.self, d.id!) else { throw Problem.notFound("document") }
            guard d.revokedAt == nil else { throw Problem(.conflict, "Sharing of document \(d.number) was stopped; it gets no new links.") }
            let link = DocumentLink()
            link.$document.id = d.id!
            link.header = Data(header.bytes)
            link.passwordSalt = passwordSalt
            link.$createdBy.id = actor.id
            link.createdAt = now
            link.expiresAt = expiresAt
            link.maxDownloads = maxDownloads
            link.downloads = 0
            try await link.save(on: tx)
            let protected = passwordSalt == nil ? "" : ", with a password"
            try await Timeline.append(
                p, actor: actor, kind: "document.linkCreated",
                summary:
                    "\(actor.user.name) made a share link to document \(d.number)\(protected)\(shareTerms(expiresAt: expiresAt, maxDownloads: maxDownloads))",
                extra: ["document": d.id!.uuidString.lowercased(), "link": link.id!.uuidString.lowercased()], at: now, on: tx)
            return link
        }
    }

    static func revokeLink(_ linkID: UUID?, of id: UUID?, by actor: Actor, on db: any Database) async throws -> DocumentLink {
        let (d, p) = try await visible(id, for: actor, on: db)
        guard canManage(d, actor) else { throw Problem.notFound("link") }
        return try await db.writeTransaction { tx in
            guard let linkID, let link = try await tx.lockedRow(DocumentLink.self, linkID), link.$document.id == d.id! else {
                throw Problem.notFound("link")
            }
            guard link.revokedAt == nil else { throw Problem(.conflict, "This link was already turned off.") }
            link.revokedAt = Date()
            try await link.save(on: tx)
            try await Timeline.append(
                p, actor: actor, kind: "document.linkRevoked",
                summary: "\(actor.user.name) turned off a share link to document \(d.number)",
                extra: ["document": d.id!.uuidString.lowercased(), "link": link.id!.uuidString.lowercased()], on: tx)
            return link
        }
    }

    /// A link as anyone holding it sees it: 404 if unknown, 410 once closed.
    static func openLink(_ linkID: UUID?, on db: any Database) async throws -> (DocumentLink, Document) {
        guard let linkID, let link = try await DocumentLink.find(linkID, on: db),
            let d = try await Document.find(link.$document.id, on: db)
        else { throw Problem.notFound("link") }
        if let reason = closedReason(link, of: d) { throw Problem(.gone, reason) }
        return (link, d)
    }

    /// Counts one use of the link (410 once it is used up) and records it.
    static func useLink(_ linkID: UUID?, on db: any Database) async throws -> (DocumentLink, Document) {
        let (link, d) = try await openLink(linkID, on: db)
        return try await db.writeTransaction { tx in
            guard let link = try await tx.lockedRow(DocumentLink.self, link.id!), let d = try await Document.find(d.id!, on: tx),
                let p = try await Partnership.find(d.$partnership.id, on: tx)
            else { throw Problem.notFound("link") }
            let now = Date()
            if let reason = closedReason(link, of: d, at: now) { throw Problem(.gone, reason) }
            link.downloads += 1
            try await link.save(on: tx)
            try await Timeline.append(
                p, actor: nil, kind: "document.linkOpened",
                summary:
                    "Someone with a share link downloaded document \(d.number) (use \(link.downloads)\(link.maxDownloads.map { " of \($0)" } ?? ""))",
                extra: ["document": d.id!.uuidString.lowercased(), "link": link.id!.uuidString.lowercased()], at: now, on: tx)
            return (link, d)
        }
    }

    // MARK: Trust

    /// Confidences between the two: documents the subject shared with the viewer, and the viewer's documents the
    /// subject holds with no incident raised about them. Both are intimacy (the seeds' "protect confidential
    /// information"); a document the subject lost control of is an incident and counts there instead.
    static func evidence(viewer: UUID, subject: UUID, on db: any Database) async throws -> [TrustEvidence] {
        try await evidence(viewer: viewer, subject: subject, in: TrustService.sharedPartnerships(viewer, subject, on: db), on: db)
    }

    /// The same for partnerships already read: the recompute reads a pair's partnerships once for all its evidence.
    static func evidence(viewer: UUID, subject: UUID, in shared: [TrustService.SharedPartnership], on db: any Database) async throws
        -> [TrustEvidence]
    {
        guard !shared.isEmpty else { return [] }
        let ids = shared.map(\.id)
        let documents = try await documentFacts(in: ids, on: db)
        guard !documents.isEmpty else { return [] }
        // Only a viewer's document the subject fetched needs the incidents' titles.
        var incidents: [IncidentTitle] = []
        if documents.contains(where: { $0.organization == viewer && $0.downloads > 0 }) {
            incidents = try await incidentTitles(in: ids, on: db)
        }
        return evidence(viewer: viewer, subject: subject, in: shared, documents: documents, incidents: incidents.map(\.title))
    }

    /// The same for many pairs' partnerships at once (the background recompute's batch).
    static func evidence(in shared: [TrustService.Pair: [TrustService.SharedPartnership]], on db: any Database) async throws
        -> [TrustService.Pair: [TrustEvidence]]
    {
        let partnerships: [UUID] = Array(Set(shared.values.joined().map(\.id)))
        let read = try await documentFacts(in: partnerships, on: db)
        let documents = Dictionary(grouping: read, by: \.partnership)
        // A pair with a document of the viewer's the subject fetched reads the titles of all its partnerships' incidents.
        var needed = Set<UUID>()
        for (pair, mine) in shared {
            let fetched = mine.contains { p in (documents[p.id] ?? []).contains { $0.organization == pair.viewer && $0.downloads > 0 } }
            if fetched { needed.formUnion(mine.map(\.id)) }
        }
        let titles = try await incidentTitles(in: Array(needed), on: db)
        let incidents = Dictionary(grouping: titles, by: \.partnership)
        var found: [TrustService.Pair: [TrustEvidence]] = [:]
        for (pair, mine) in shared {
            found[pair] = evidence(
                viewer: pair.viewer, subject: pair.subject, in: mine, documents: mine.flatMap { documents[$0.id] ?? [] },
                incidents: mine.flatMap { incidents[$0.id] ?? [] }.map(\.title))
        }
        return found
    }

    /// What trust reads of a document: whose it is, where, and whether it was fetched.
    struct DocumentFacts: Decodable {
        var partnership: UUID
        var organization: UUID
        var number: Int
        var downloads: Int
        var createdAt: Date

        enum CodingKeys: String, CodingKey {
            case partnership = "partnership_id", organization = "organization_id", number, downloads
            case createdAt = "created_at"
        }
    }

    static func documentFacts(in partnerships: [UUID], on db: any Database) async throws -> [DocumentFacts] {
        try await TrustService.rows(in: partnerships) { (slice: [UUID]) -> [DocumentFacts] in
            try await db.sql().select().columns("partnership_id", "organization_id", "number", "downloads", "created_at")
                .from(Document.schema).where("partnership_id", .in, SQLBind.group(slice)).all(decoding: DocumentFacts.self)
        }
    }

    struct IncidentTitle: Decodable {
        var partnership: UUID
        var title: String

        enum CodingKeys: String, CodingKey {
            case partnership = "partnership_id", title
        }
    }

    static func incidentTitles(in partnerships: [UUID], on db: any Database) async throws -> [IncidentTitle] {
        try await TrustService.rows(in: partnerships) { (slice: [UUID]) -> [IncidentTitle] in
            try await db.sql().select().columns("partnership_id", "title").from(Incident.schema)
                .where("partnership_id", .in, SQLBind.group(slice)).all(decoding: IncidentTitle.self)
        }
    }

    /// The items of one pair's documents, already read with the titles of its partnerships' incidents (needed only
    /// when a document of the viewer's was fetched).
    static func evidence(
        viewer: UUID, subject: UUID, in shared: [TrustService.SharedPartnership], documents: [DocumentFacts], incidents: [String]
    ) -> [TrustEvidence] {
        let names = Dictionary(shared.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
        var items: [TrustEvidence] = []
        for d in documents {
            let place = "“\(names[d.partnership] ?? "a partnership")”"
            if d.organization == subject {
                items.append(
                    .init(
                        kind: .confidenceKept, date: d.createdAt, summary: "Shared confidential document \(d.number) with you in \(place)"))
            } else if d.organization == viewer, d.downloads > 0, !incidents.contains("Lost control of document \(d.number)") {
                items.append(
                    .init(
                        kind: .confidenceKept, date: d.createdAt, weight: 0.5,
                        summary: "Holds your document \(d.number) in \(place) with no incident"))
            }
        }
        return items
    }
}
