import BonafideCore
import Foundation
import OpenAPIRuntime
import Vapor

extension API {
    func getLedgerKey(_ input: Operations.GetLedgerKey.Input) async throws -> Operations.GetLedgerKey.Output {
        .ok(.init(body: .plainText(.init(try req.application.ledgerSigner.verifier.encoded + "\n"))))
    }

    func getCheckpoint(_ input: Operations.GetCheckpoint.Input) async throws -> Operations.GetCheckpoint.Output {
        let (_, p) = try await partnership(input.path.partnershipId)
        let req = try req
        let note = try await Ledger.checkpoint(of: p.id!, app: req.application, on: req.db)
        return .ok(.init(body: .plainText(.init(note.serialized))))
    }

    func listLogEntries(_ input: Operations.ListLogEntries.Input) async throws -> Operations.ListLogEntries.Output {
        let (_, p) = try await partnership(input.path.partnershipId)
        let start = input.query.start ?? 0
        let limit = input.query.limit ?? 100
        guard start >= 0 else { throw Problem.invalid("start", "start must be 0 or more.") }
        guard (1...1000).contains(limit) else { throw Problem.invalid("limit", "limit must be between 1 and 1000.") }
        let entries = try await Ledger.entries(of: p.id!, start: UInt64(start), limit: limit, on: try req.db)
        return .ok(
            .init(
                body: .json(
                    entries.map { index, entry in
                        .init(index: Int(index), entry: entry, leafHash: Data(Merkle.leafHash(Array(entry.utf8))).base64EncodedString())
                    })))
    }

    func getInclusionProof(_ input: Operations.GetInclusionProof.Input) async throws -> Operations.GetInclusionProof.Output {
        let (_, p) = try await partnership(input.path.partnershipId)
        let db = try req.db
        let head = try await Ledger.head(of: p.id!, on: db)
        let (index, size) = (input.query.index, input.query.size)
        guard size >= 1, UInt64(size) <= head.size else {
            throw Problem.invalid("size", "size must be between 1 and the log's \(head.size) entries.")
        }
        guard index >= 0, index < size else { throw Problem.invalid("index", "index must be at least 0 and below size \(size).") }
        let (leaf, proof, root) = try await Ledger.inclusionProof(of: p.id!, index: UInt64(index), size: UInt64(size), on: db)
        return .ok(
            .init(
                body: .json(
                    .init(
                        index: index, size: size, leafHash: Data(leaf).base64EncodedString(),
                        proof: proof.map { Data($0).base64EncodedString() }, root: Data(root).base64EncodedString()))))
    }

    func getConsistencyProof(_ input: Operations.GetConsistencyProof.Input) async throws -> Operations.GetConsistencyProof.Output {
        let (_, p) = try await partnership(input.path.partnershipId)
        let db = try req.db
        let head = try await Ledger.head(of: p.id!, on: db)
        let (from, to) = (input.query.from, input.query.to)
        guard to >= 0, UInt64(to) <= head.size else {
            throw Problem.invalid("to", "to must be between 0 and the log's \(head.size) entries.")
        }
        guard from >= 0, from <= to else { throw Problem.invalid("from", "from must be between 0 and to (\(to)).") }
        let proof = try await Ledger.consistencyProof(of: p.id!, from: UInt64(from), to: UInt64(to), on: db)
        return .ok(.init(body: .json(.init(from: from, to: to, proof: proof.map { Data($0).base64EncodedString() }))))
    }
}

extension API {
    func getWitnessKey(_ input: Operations.GetWitnessKey.Input) async throws -> Operations.GetWitnessKey.Output {
        let actor = try await actor()
        guard let registered = try await Witnessing.key(of: actor.organizationID, on: try req.db) else {
            throw Problem(.notFound, "Your organization has not registered a witness key yet.")
        }
        return .ok(.init(body: .json(DTO.witnessKey(registered))))
    }

    func setWitnessKey(_ input: Operations.SetWitnessKey.Input) async throws -> Operations.SetWitnessKey.Output {
        guard case .json(let body) = input.body else { throw Problem(.unsupportedMediaType, "Send JSON.") }
        let sealed: Witnessing.SealedKey?
        switch (body.sealedPrivateKey, body.sealedTo) {
        case (nil, nil): sealed = nil
        case (let key?, let to?): sealed = .init(privateKey: key, sealedTo: to)
        case (nil, _?): throw Problem.invalid("sealedPrivateKey", "Send the sealed private key with sealedTo, or neither.")
        case (_?, nil): throw Problem.invalid("sealedTo", "Say which vault key the private key is sealed to, or send neither.")
        }
        let registered = try await Witnessing.registerKey(body.key, sealed: sealed, by: try await actor(), on: try req.db)
        return .ok(.init(body: .json(DTO.witnessKey(registered))))
    }

    func submitCosignature(_ input: Operations.SubmitCosignature.Input) async throws -> Operations.SubmitCosignature.Output {
        guard case .plainText(let body) = input.body else { throw Problem(.unsupportedMediaType, "Send the cosigned note as text/plain.") }
        let (actor, p) = try await partnership(input.path.partnershipId)
        let text: String
        do { text = try await String(collecting: body, upTo: 65536) } catch {
            throw Problem(.payloadTooLarge, "A cosigned checkpoint is at most 64 KiB.")
        }
        let req = try req
        let stored = try await Witnessing.submit(text, to: p, by: actor, app: req.application, on: req.db)
        return .created(.init(body: .json(DTO.cosignature(stored))))
    }

    func getWitnessStatus(_ input: Operations.GetWitnessStatus.Input) async throws -> Operations.GetWitnessStatus.Output {
        let (_, p) = try await partnership(input.path.partnershipId)
        let req = try req
        let status = try await Witnessing.status(of: p, app: req.application, on: req.db)
        return .ok(
            .init(
                body: .json(
                    .init(
                        size: Int(status.head.size),
                        sides: status.sides.map { side in
                            .init(
                                organizationId: side.organization.apiString, organizationName: side.name, key: side.key?.encoded,
                                latest: side.latest.map(DTO.cosignature), latestNote: side.latestNote?.serialized,
                                latestMatchesLog: side.latestMatchesLog)
                        },
                        witnessedSize: status.witnessed.map { Int($0.checkpoint.size) }, witnessedNote: status.witnessed?.note.serialized,
                        conflicts: status.conflicts.map(DTO.cosignature)))))
    }
}

extension DTO {
    static func cosignature(_ c: Witnessing.Stored) -> Components.Schemas.Cosignature {
        .init(
            organizationId: c.organization.apiString, size: Int(c.size), root: Data(c.root).base64EncodedString(), time: Int(c.time),
            key: c.key.encoded)
    }

    static func witnessKey(_ r: Witnessing.Registered) -> Components.Schemas.WitnessKey {
        .init(
            key: r.verifier.encoded, name: r.verifier.name, registeredAt: r.registeredAt, sealedPrivateKey: r.sealed?.privateKey,
            sealedTo: r.sealed?.sealedTo)
    }
}
