import BonafideCore
import Fluent
import Foundation
import Vapor

/// Trust passports (`Passport`): an organization's record figures with the log entries that prove them. When a
/// commitment is completed or missed, an incident's handling gets its verdict, a testimonial is written or withdrawn,
/// or a partner confirms or revokes a credential it issued, the partnership's log gets a record entry besides the
/// event itself, holding only what a passport may show; a passport gathers an organization's record entries with inclusion proofs against the
/// newest checkpoint its partners cosigned (the current one, signed by the host alone, where none is).
enum Passports {
    /// Appends the record of a completed commitment, in the caller's transaction.
    static func record(_ c: Commitment, in p: Partnership, at now: Date, on tx: any Database) async throws {
        let onTime = CommitmentLifecycle.outcome(of: c.state, flaggedBeforeDue: false, at: now) == .onTime
        try await append(
            Passport.commitmentRecord, c, in: p, outcome: onTime ? "completed on time" : "completed late",
            extra: ["delivered": stamp.format(c.deliveredAt ?? c.completedAt ?? now), "onTime": onTime ? "yes" : "no"], at: now, on: tx)
    }

    private static func append(
        _ kind: String, _ c: Commitment, in p: Partnership, outcome: String, extra: [String: String], at now: Date, on tx: any Database
    ) async throws {
        try await append(
            kind, owner: c.$ownerOrganization.id, item: c.id!, itemKey: "work", in: p, summary: "a commitment \(outcome)",
            fields: extra.merging(["due": stamp.format(c.dueAt)], uniquingKeysWith: { a, _ in a }), at: now, on: tx)
    }

    /// Appends the record of a commitment that passed its due date undelivered (a later delivery adds a completed
    /// record for the same commitment, which then counts instead).
    static func recordMissed(_ c: Commitment, in p: Partnership, at now: Date, on tx: any Database) async throws {
        try await append(Passport.missedRecord, c, in: p, outcome: "missed", extra: [:], at: now, on: tx)
    }

    /// Appends the record of an incident's verdict against the responsible organization (no title, no details).
    static func record(_ i: Incident, in p: Partnership, at now: Date, on tx: any Database) async throws {
        guard let verdict = i.verdict, verdict != "none" else { return }
        try await append(
            Passport.incidentRecord, owner: i.$responsible.id, item: i.id!, in: p,
            summary: "an incident \(verdict == "handledOpenly" ? "handled openly" : "mishandled")",
            fields: ["verdict": verdict, "severity": i.severity.rawValue, "raised": stamp.format(i.raisedAt)], at: now, on: tx)
    }

    /// Appends the record of a testimonial written (its public text) or withdrawn, in the partnership it rests on.
    static func record(_ t: Testimonial, authorName: String, withdrawn: Bool, at now: Date, on tx: any Database) async throws {
        guard let p = try await Partnership.find(t.$partnership.id, on: tx) else { return }
        try await append(
            withdrawn ? Passport.testimonialWithdrawnRecord : Passport.testimonialRecord, owner: t.$subject.id, item: t.id!, in: p,
            summary: withdrawn ? "a testimonial withdrawn" : "a testimonial",
            fields: withdrawn ? [:] : ["author": authorName, "text": t.text, "written": stamp.format(t.writtenAt)], at: now, on: tx)
    }

    /// Appends the record of a credential its issuer confirmed or revoked, in a partnership between issuer and holder
    /// (the first still active or ended); without one there is no shared log to prove it in, and nothing is recorded.
    static func record(_ c: Credential, issuerName: String, at now: Date, on tx: any Database) async throws {
        guard c.status == .verified || c.status == .revoked, let issuer = c.$issuer.id else { return }
        let shared = try await Partnerships.between(issuer, c.$holder.id, on: tx).filter { $0.status == .active || $0.status == .ended }
        guard let p = shared.sorted(by: { ($0.createdAt ?? .distantPast) < ($1.createdAt ?? .distantPast) }).first else { return }
        let confirmed = c.status == .verified
        try await append(
            confirmed ? Passport.credentialRecord : Passport.credentialRevokedRecord, owner: c.$holder.id, item: c.id!, in: p,
            summary: confirmed ? "a credential confirmed by its issuer" : "a credential revoked by its issuer",
            fields: confirmed ? ["kind": c.kind.title, "title": c.title, "issuer": issuerName] : [:], at: now, on: tx)
    }

    private static let stamp = Date.ISO8601FormatStyle()

    private static func append(
        _ kind: String, owner: UUID, item: UUID, itemKey: String = "item", in p: Partnership, summary: String, fields: [String: String],
        at now: Date, on tx: any Database
    ) async throws {
        // The item's id says nothing of it but lets a verifier count each thing once, by its last record.
        let payload = fields.merging(["owner": Access.key(owner), itemKey: Access.key(item)], uniquingKeysWith: { a, _ in a })
        _ = try await Timeline.append(
            p, actor: nil, kind: kind, summary: "Recorded for trust passports: \(summary)", extra: payload, at: now, on: tx)
    }

    /// The organization's passport, as the canonical bytes to hand out.
    static func build(for organizationID: UUID, app: Application, at now: Date = Date(), on db: any Database) async throws -> [UInt8] {
        guard let org = try await Organization.find(organizationID, on: db) else { throw Problem.notFound("organization") }
        let partnerships = try await Partnership.query(on: db).filter(\.$status ~~ [.active, .ended])
            .group(.or) { $0.filter(\.$organization.$id == organizationID).filter(\.$partner.$id == organizationID) }
            .sort(\.$createdAt).all()
        let logKey = app.ledgerSigner.verifier.encoded
        var receipts: [Receipt] = []
        var reports: [Receipt.Report] = []
        for p in partnerships {
            let id = p.id!
            let status = try await Witnessing.status(of: p, app: app, on: db)
            let note: SignedNote
            let size: UInt64
            if let witnessed = status.witnessed {
                (note, size) = (witnessed.note, witnessed.checkpoint.size)
            } else {
                note = try Ledger.checkpoint(of: id, head: status.head, app: app)
                size = status.head.size
            }
            // Inflates every sealed bundle of the log on each request (the type is inside the compressed text): linear in
            // the log's size. An index of record entries by owner would avoid it if passports of long logs grow slow.
            let records = try await Ledger.entries(of: id, typePrefix: "record.", below: size, on: db).filter { _, text in
                (try? LedgerEntry(canonical: Array(text.utf8)))?.payload["owner"] == Access.key(organizationID)
            }
            guard !records.isEmpty else { continue }
            var proofs: [TLogProof] = []
            for (index, text) in records {
                let (_, path, _) = try await Ledger.inclusionProof(of: id, index: index, size: size, on: db)
                proofs.append(TLogProof(extra: Array(text.utf8), index: index, proof: path, checkpoint: note))
            }
            let witnesses = status.sides.compactMap(\.key).filter { Witness.cosignatureTime(of: note, by: $0) != nil }.map(\.encoded)
            let receipt = Receipt(logKey: logKey, witnessKeys: witnesses, proofs: proofs)
            // Never hand out a passport that would not verify.
            do { reports.append(try Receipt.verify(receipt.encoded, trustedLogKey: logKey)) } catch {
                throw Problem(.internalServerError, "The log of a partnership does not prove its records: \(error.description)")
            }
            receipts.append(receipt)
        }
        return try Passport(
            organization: organizationID, name: org.name, issuedAt: now, figures: Passport.count(reports), receipts: receipts,
            signer: app.ledgerSigner
        ).encoded
    }
}
