import BonafideCore
import Foundation
import Testing

/// A small partnership log in memory, with its log key, for witness and receipt tests.
struct LogFixture {
    let log: NoteSigner
    let partnership = UUID(uuidString: "0D6F3C1A-0000-4000-8000-00000000000A")!
    var tree = MerkleTree()
    var entries: [LedgerEntry] = []

    init(entries count: Int, variant: String = "") throws {
        log = try NoteSigner(name: "bonafide.example", seed: Array(repeating: 7, count: 32))
        for i in 0..<count { append("event \(i)\(variant)") }
    }

    var origin: String { "bonafide.example/partnerships/\(partnership.uuidString.lowercased())" }

    mutating func append(_ summary: String) {
        let entry = LedgerEntry(
            partnership: partnership, type: "message.post", actor: nil, time: Date(timeIntervalSince1970: 1_800_000_000),
            payload: ["summary": summary])
        entries.append(entry)
        tree.append(entry: entry.canonical)
    }

    func checkpoint(size: UInt64? = nil) throws -> SignedNote {
        let size = size ?? tree.size
        let text = Checkpoint(origin: origin, size: size, root: try tree.root(size: size)).text
        return SignedNote(text: text, signatures: [try log.sign(text)])
    }
}

@Suite("Witnesses: cosigning only a history that extends what was seen")
struct WitnessTests {
    @Test func anHonestLogPassesEveryCheck() throws {
        var f = try LogFixture(entries: 5)
        let (_, first) = try Witness.open(try f.checkpoint().serialized, log: f.log.verifier, origin: f.origin)
        for i in 0..<9 { f.append("later \(i)") }
        let (_, second) = try Witness.open(try f.checkpoint().serialized, log: f.log.verifier, origin: f.origin)
        try Witness.checkConsistent(first, second, proof: try f.tree.consistencyProof(from: 5, to: 14))
        // Either order: the smaller checkpoint is the prefix.
        try Witness.checkConsistent(second, first, proof: try f.tree.consistencyProof(from: 5, to: 14))
    }

    @Test func aSplitViewIsCaughtWhateverProofTheLogSends() throws {
        // The log shows partner A one history and partner B another of the same origin.
        let a = try LogFixture(entries: 6)
        var b = try LogFixture(entries: 6, variant: " (rewritten)")
        for i in 0..<4 { b.append("more \(i)") }
        let (_, seenByA) = try Witness.open(try a.checkpoint().serialized, log: a.log.verifier, origin: a.origin)
        let (_, seenByB) = try Witness.open(try b.checkpoint().serialized, log: b.log.verifier, origin: b.origin)
        // Neither B's own proof, nor A's, nor an empty one, nor one made of A's root links the two.
        for proof in [try b.tree.consistencyProof(from: 6, to: 10), [], [a.tree.root], [Merkle.Hash](repeating: a.tree.root, count: 4)] {
            #expect(throws: Witness.Failure.inconsistent(seen: seenByA, now: seenByB)) {
                try Witness.checkConsistent(seenByA, seenByB, proof: proof)
            }
        }
        let failure = Witness.Failure.inconsistent(seen: seenByA, now: seenByB)
        #expect(failure.description.hasPrefix("SPLIT VIEW"))
        // A log that shrinks is caught too, and a checkpoint for another partnership is refused.
        #expect(throws: Witness.Failure.self) {
            try Witness.checkConsistent(seenByB, try Checkpoint(text: a.checkpoint(size: 3).text), proof: [])
        }
        #expect(throws: Witness.Failure.wrongOrigin(expected: "elsewhere", found: a.origin)) {
            try Witness.open(try a.checkpoint().serialized, log: a.log.verifier, origin: "elsewhere")
        }
    }

    @Test func forgedOrTruncatedNotesAreRefusedWithAReason() throws {
        let f = try LogFixture(entries: 3)
        let good = try f.checkpoint().serialized
        let impostor = try NoteSigner(name: "bonafide.example")
        #expect(throws: Witness.Failure.notSignedByLog(f.log.verifier.encoded)) {
            try Witness.open(
                try SignedNote(text: f.checkpoint().text, signatures: [impostor.sign(f.checkpoint().text)]).serialized,
                log: f.log.verifier, origin: f.origin)
        }
        #expect(throws: Witness.Failure.self) { try Witness.open(String(good.prefix(40)), log: f.log.verifier, origin: f.origin) }
        #expect(throws: Witness.Failure.self) {
            try Witness.open(good.replacingOccurrences(of: "\n3\n", with: "\n4\n"), log: f.log.verifier, origin: f.origin)
        }
        #expect(throws: Witness.Failure.self) {
            try Witness.open(good.replacingOccurrences(of: "\n3\n", with: "\n03\n"), log: f.log.verifier, origin: f.origin)
        }
    }
}

@Suite("Receipts and tlog-proofs")
struct ReceiptTests {
    func receipt() throws -> (bytes: [UInt8], fixture: LogFixture, witness: NoteSigner) {
        let f = try LogFixture(entries: 11)
        let witness = try NoteSigner(name: "acme-witness", seed: Array(repeating: 9, count: 32))
        var note = try f.checkpoint()
        note.signatures.append(try witness.cosign(checkpoint: note.text, time: 1_800_000_123))
        let proofs = try [0, 7, 10].map { i in
            TLogProof(
                extra: f.entries[i].canonical, index: UInt64(i), proof: try f.tree.inclusionProof(index: UInt64(i), size: 11),
                checkpoint: note)
        }
        let r = Receipt(logKey: f.log.verifier.encoded, witnessKeys: [witness.cosignatureVerifier.encoded], proofs: proofs)
        return (r.encoded, f, witness)
    }

    @Test func tlogProofTextRoundTripsInTheC2SPLayout() throws {
        let f = try LogFixture(entries: 4)
        let proof = TLogProof(
            extra: [1, 2, 3], index: 2, proof: try f.tree.inclusionProof(index: 2, size: 4), checkpoint: try f.checkpoint())
        let lines = proof.text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[0] == "c2sp.org/tlog-proof@v1")
        #expect(lines[1] == "extra AQID")
        #expect(lines[2] == "index 2")
        #expect(lines[5] == "" && lines[6] == Substring(f.origin))
        #expect(try TLogProof(text: proof.text) == proof)
        #expect(throws: TLogProof.ParseError.badIndex("index 02")) {
            try TLogProof(text: proof.text.replacingOccurrences(of: "index 2", with: "index 02"))
        }
    }

    @Test func aReceiptProvesItsEntriesAgainstTheCosignedCheckpoint() throws {
        let (bytes, f, witness) = try receipt()
        let report = try Receipt.verify(
            bytes, trustedLogKey: f.log.verifier.encoded, trustedWitnesses: [witness.cosignatureVerifier.encoded])
        #expect(report.size == 11 && report.root == f.tree.root && report.origin == f.origin)
        #expect(report.entries.map(\.index) == [0, 7, 10])
        #expect(report.entries.map(\.entry) == [f.entries[0], f.entries[7], f.entries[10]])
        #expect(report.cosigners.map(\.key.name) == ["acme-witness"] && report.cosigners[0].time == 1_800_000_123)
        // A different trusted key is refused, as is a witness the receipt does not carry.
        let stranger = try NoteSigner(name: "stranger")
        #expect(throws: Receipt.Failure.untrustedLogKey(found: f.log.verifier.encoded)) {
            try Receipt.verify(bytes, trustedLogKey: stranger.verifier.encoded)
        }
        #expect(throws: Receipt.Failure.missingWitness(stranger.cosignatureVerifier.encoded)) {
            try Receipt.verify(bytes, trustedWitnesses: [stranger.cosignatureVerifier.encoded])
        }
    }

    @Test func everySingleAlteredByteFails() throws {
        let (bytes, _, _) = try receipt()
        var accepted: [Int] = []
        for i in bytes.indices {
            for flip: UInt8 in [0x01, 0x20] {
                var altered = bytes
                altered[i] ^= flip
                if (try? Receipt.verify(altered)) != nil { accepted.append(i) }
            }
        }
        #expect(accepted.isEmpty, "altered bytes accepted at offsets \(accepted.prefix(10))")
        // Truncation and an appended byte fail too.
        #expect(throws: Receipt.Failure.self) { try Receipt.verify(Array(bytes.dropLast())) }
        #expect(throws: Receipt.Failure.self) { try Receipt.verify(bytes + [0x0A]) }
    }

    @Test func theFailureSaysWhatWasWrong() throws {
        let (bytes, f, _) = try receipt()
        var r = try JSONDecoder().decode(Receipt.self, from: Data(bytes))
        // Swap the entry in a proof for another one: its proof no longer reaches the root.
        var p = try TLogProof(text: r.proofs[1])
        p.extra = f.entries[8].canonical
        r.proofs[1] = p.text
        #expect(throws: Receipt.Failure.notIncluded(1, 7)) { try Receipt.verify(r.encoded) }
        // Drop the witness's cosignature line: the listed witness did not cosign.
        var q = try JSONDecoder().decode(Receipt.self, from: Data(bytes))
        q.proofs = try q.proofs.map { text in
            var proof = try TLogProof(text: text)
            proof.checkpoint.signatures.removeLast()
            return proof.text
        }
        #expect(throws: Receipt.Failure.missingCosignature(q.witnessKeys[0])) { try Receipt.verify(q.encoded) }
        let notJSON = #expect(throws: Receipt.Failure.self) { try Receipt.verify(Array("hello".utf8)) }
        #expect(notJSON?.description.hasPrefix("Not a receipt") == true)
    }
}
