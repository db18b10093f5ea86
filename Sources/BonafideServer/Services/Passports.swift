import BonafideCore
import Fluent
import Foundation
import Vapor

/// Trust passports (`Passport`): an organization's record figures with the log entries that prove them. When a
/// commitment is completed, its partnership's log gets a record entry besides the event itself, holding only what a
/// passport may show; a passport gathers an organization's record entries with inclusion proofs against the
/// newest checkpoint its partners cosigned (the current one, signed by the host alone, where none is).
enum Passports {
    /// Appends the record of a completed commitment, in the caller's transaction.
    static func record(_ c: Commitment, in p: Partnership, at now: Date, on tx: any Database) async throws {
        let onTime = CommitmentLifecycle.outcome(of: c.state, flaggedBeforeDue: false, at: now) == .onTime
        try await append(
            Passport.commitmentRecord, c, in: p, outcome: onTime ? "completed on time" : "completed late",
            extra: ["delivered": stamp.format(c.deliveredAt ?? c.completedAt ?? now), "onTime": onTime ? "yes" : "no"], at: now, on: tx)
    }

    /// Appends the record of a commitment that passed its due date undelivered (a later delivery adds a completed
    /// record for the same commitment, which then counts instead).
    static func recordMissed(_ c: Commitment, in p: Partnership, at now: Date, on tx: any Database) async throws {
        try await append(Passport.missedRecord, c, in: p, outcome: "missed", extra: [:], at: now, on: tx)
    }

    private static let stamp = Date.ISO8601FormatStyle()

    private static func append(
        _ kind: String, _ c: Commitment, in p: Partnership, outcome: String, extra: [String: String], at now: Date, on tx: any Database
    ) async throws {
        // The commitment's id says nothing of it but lets a verifier count each commitment once.
        let fields = extra.merging(
            ["owner": Access.key(c.$ownerOrganization.id), "due": stamp.format(c.dueAt), "work": Access.key(c.id!)],
            uniquingKeysWith: { a, _ in a })
        _ = try await Timeline.append(
            p, actor: nil, kind: kind, summary: "Recorded for trust passports: a commitment \(outcome)", extra: fields, at: now, on: tx)
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
            let records = try await Ledger.entries(of: id, typePrefix: "record.commitment", below: size, on: db).filter { _, text in
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
