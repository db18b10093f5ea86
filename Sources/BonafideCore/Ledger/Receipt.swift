import Foundation

/// A receipt: entries of a partnership's log with their inclusion proofs against one checkpoint the
/// log signed and the partners cosigned, checkable offline. The file is canonical JSON
/// (`bonafide-receipt/v1`, keys sorted, no whitespace) and every proof is a C2SP tlog-proof whose
/// `extra` line carries the entry, so each can also be checked with standard tlog tools.
///
/// Verification re-encodes what it parsed and demands the same bytes, so there is nothing in the
/// file a verifier could skip: any altered byte fails.
public struct Receipt: Codable, Sendable, Equatable {
    public static let version = "bonafide-receipt/v1"

    public var format: String
    /// The log's verifier key, `name+keyid+base64`.
    public var logKey: String
    /// The cosigning partners' verifier keys (cosignature/v1).
    public var witnessKeys: [String]
    public var proofs: [String]

    enum CodingKeys: String, CodingKey {
        case format, proofs
        case logKey = "log_key"
        case witnessKeys = "witness_keys"
    }

    public init(logKey: String, witnessKeys: [String], proofs: [TLogProof]) {
        self.format = Self.version
        self.logKey = logKey
        self.witnessKeys = witnessKeys
        self.proofs = proofs.map(\.text)
    }

    public var encoded: [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Strings and arrays of strings always encode.
        return Array(try! encoder.encode(self))
    }

    public struct Report: Sendable, Equatable {
        public var origin: String
        public var size: UInt64
        public var root: Merkle.Hash
        public var logKey: NoteVerifier
        public var cosigners: [(key: NoteVerifier, time: UInt64)]
        public var entries: [(index: UInt64, entry: LedgerEntry)]

        public static func == (a: Report, b: Report) -> Bool {
            a.origin == b.origin && a.size == b.size && a.root == b.root && a.logKey == b.logKey
                && a.cosigners.map(\.key) == b.cosigners.map(\.key) && a.cosigners.map(\.time) == b.cosigners.map(\.time)
                && a.entries.map(\.index) == b.entries.map(\.index) && a.entries.map(\.entry) == b.entries.map(\.entry)
        }
    }

    public enum Failure: Error, Equatable, Sendable, CustomStringConvertible {
        case notJSON(String)
        case unknownFormat(String)
        case notCanonical
        case badKey(String, String)
        case untrustedLogKey(found: String)
        case missingWitness(String)
        case noProofs
        case badProof(Int, String)
        case differentCheckpoints(Int)
        case logSignature
        case unknownSignature(String)
        case missingCosignature(String)
        case badEntry(Int, String)
        case wrongPartnership(Int)
        case notIncluded(Int, UInt64)

        public var description: String {
            switch self {
            case .notJSON(let why): "Not a receipt (expected \(Receipt.version) JSON): \(why)"
            case .unknownFormat(let f): "Unknown receipt format \"\(f.prefix(40))\"; this tool reads \(Receipt.version)."
            case .notCanonical:
                "The file is not byte for byte the canonical encoding of its contents: it was altered after export."
            case .badKey(let which, let why): "The \(which) key is malformed: \(why)"
            case .untrustedLogKey(let found): "The receipt is signed by the log key \(found), not the one you trust."
            case .missingWitness(let key): "The receipt lacks a cosignature from the trusted witness \(key)."
            case .noProofs: "The receipt holds no proofs."
            case .badProof(let i, let why): "Proof \(i + 1) is malformed: \(why)"
            case .differentCheckpoints(let i): "Proof \(i + 1) refers to a different checkpoint than the first."
            case .logSignature: "The checkpoint's log signature does not verify: the checkpoint was altered or forged."
            case .unknownSignature(let name): "The checkpoint carries a signature by \"\(name.prefix(60))\" that no listed key verifies."
            case .missingCosignature(let key): "The listed witness \(key) did not cosign the checkpoint."
            case .badEntry(let i, let why): "Proof \(i + 1) does not carry a valid bonafide-entry/v1 entry: \(why)"
            case .wrongPartnership(let i): "Proof \(i + 1)'s entry belongs to another partnership than the checkpoint."
            case .notIncluded(let i, let index):
                "Proof \(i + 1): entry \(index) is not in the checkpointed log (the entry or its proof was altered)."
            }
        }
    }

    /// Checks a receipt file offline. Pinned keys, when given, must be the ones that signed.
    public static func verify(_ bytes: [UInt8], trustedLogKey: String? = nil, trustedWitnesses: [String] = []) throws(Failure)
        -> Report
    {
        let receipt: Receipt
        do { receipt = try JSONDecoder().decode(Receipt.self, from: Data(bytes)) } catch {
            throw .notJSON("\(error)".prefix(200).description)
        }
        guard receipt.format == version else { throw .unknownFormat(receipt.format) }
        guard receipt.encoded == bytes else { throw .notCanonical }
        let log: NoteVerifier
        do { log = try NoteVerifier(receipt.logKey) } catch { throw .badKey("log", error.description) }
        if let trustedLogKey, trustedLogKey != receipt.logKey { throw .untrustedLogKey(found: receipt.logKey) }
        var witnesses: [NoteVerifier] = []
        for key in receipt.witnessKeys {
            do { witnesses.append(try NoteVerifier(key)) } catch { throw .badKey("witness", error.description) }
        }
        for pinned in trustedWitnesses where !receipt.witnessKeys.contains(pinned) { throw .missingWitness(pinned) }
        guard !receipt.proofs.isEmpty else { throw .noProofs }

        var parsed: [TLogProof] = []
        for (i, text) in receipt.proofs.enumerated() {
            let proof: TLogProof
            do { proof = try TLogProof(text: text) } catch { throw .badProof(i, error.description) }
            guard proof.text == text else { throw .badProof(i, "it is not in canonical form") }
            parsed.append(proof)
        }
        let note = parsed[0].checkpoint
        for (i, proof) in parsed.enumerated() where proof.checkpoint != note { throw .differentCheckpoints(i) }
        let checkpoint: Checkpoint
        do { checkpoint = try Checkpoint(text: note.text) } catch { throw .badProof(0, error.description) }
        guard note.verified(by: log) else { throw .logSignature }
        var cosigners: [(NoteVerifier, UInt64)] = []
        for witness in witnesses {
            guard let time = Witness.cosignatureTime(of: note, by: witness) else { throw .missingCosignature(witness.encoded) }
            cosigners.append((witness, time))
        }
        // Every signature line must be one of the listed keys' valid signatures.
        for s in note.signatures {
            let known =
                (s.name == log.name && s.keyID == log.keyID && log.verify(text: note.text, signature: s.signature))
                || witnesses.contains { s.name == $0.name && s.keyID == $0.keyID && $0.verify(text: note.text, signature: s.signature) }
            guard known else { throw .unknownSignature(s.name) }
        }
        var entries: [(UInt64, LedgerEntry)] = []
        for (i, proof) in parsed.enumerated() {
            guard let extra = proof.extra else { throw .badEntry(i, "the proof has no extra line with the entry") }
            let entry: LedgerEntry
            do { entry = try LedgerEntry(canonical: extra) } catch { throw .badEntry(i, "\(error)".prefix(200).description) }
            guard entry.canonical == extra else { throw .badEntry(i, "the entry is not in canonical form") }
            guard checkpoint.origin == Checkpoint.origin(log: log.name, partnership: entry.partnership) else { throw .wrongPartnership(i) }
            guard
                MerkleVerify.inclusion(
                    leafHash: Merkle.leafHash(extra), index: proof.index, size: checkpoint.size, proof: proof.proof, root: checkpoint.root)
            else { throw .notIncluded(i, proof.index) }
            entries.append((proof.index, entry))
        }
        return Report(
            origin: checkpoint.origin, size: checkpoint.size, root: checkpoint.root, logKey: log, cosigners: cosigners,
            entries: entries)
    }
}
