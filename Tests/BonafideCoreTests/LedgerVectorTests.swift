import BonafideCore
import Foundation
import Testing

/// Known-answer tests against ../shared/data/tlog-vectors (transparency-dev/merkle test data, the
/// RFC 6962 reference tree, C2SP signed-note and tlog-tiles examples).
enum Vectors {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/data/tlog-vectors")

    static func data(_ path: String) throws -> Data {
        let url = root.appendingPathComponent(path)
        guard let data = FileManager.default.contents(atPath: url.path) else { throw VectorError.missing(url.path) }
        return data
    }

    static func json(_ path: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: try data(path)) as? [String: Any] ?? [:]
    }

    static func files(_ folder: String) throws -> [String] {
        let base = root.appendingPathComponent(folder)
        guard let walker = FileManager.default.enumerator(atPath: base.path) else { throw VectorError.missing(base.path) }
        return walker.compactMap { $0 as? String }.filter { $0.hasSuffix(".json") }.sorted().map { "\(folder)/\($0)" }
    }

    enum VectorError: Error { case missing(String) }

    /// Typed, because some indices are 2^64 - 1 and do not fit an Int.
    struct InclusionCase: Decodable {
        var leafIdx: UInt64
        var treeSize: UInt64
        var root: String
        var leafHash: String
        var proof: [String]?
        var desc: String
        var wantErr: Bool
    }

    struct ConsistencyCase: Decodable {
        var size1: UInt64
        var size2: UInt64
        var root1: String
        var root2: String
        var proof: [String]?
        var desc: String
        var wantErr: Bool
    }

    static func decode<T: Decodable>(_ type: T.Type, _ path: String) throws -> T {
        try JSONDecoder().decode(T.self, from: try data(path))
    }

    static func b64(_ any: Any?) -> [UInt8] { (any as? String).flatMap { Data(base64Encoded: $0) }.map(Array.init) ?? [] }
    static func hex(_ s: String) -> [UInt8] { Hex.decode(s)! }
}

@Suite("Merkle log known answers")
struct LedgerVectorTests {
    func referenceTree() throws -> (MerkleTree, [String: Any]) {
        let ref = try Vectors.json("reference-tree-8-leaves.json")
        var tree = MerkleTree()
        for leaf in ref["leaf_inputs"] as? [String] ?? [] { tree.append(entry: Vectors.hex(leaf)) }
        return (tree, ref)
    }

    @Test func referenceTreeRootsAndNodes() throws {
        let (tree, ref) = try referenceTree()
        let roots = (ref["root_hashes"] as? [String] ?? []).map(Vectors.hex)
        #expect(roots.count == 9)
        for (n, root) in roots.enumerated() {
            #expect(try tree.root(size: UInt64(n)) == root, "root of \(n) leaves")
        }
        let levels = (ref["node_hashes"] as? [[String]] ?? []).map { $0.map(Vectors.hex) }
        #expect(levels.count == 4)
        for (level, nodes) in levels.enumerated() {
            for (index, hash) in nodes.enumerated() {
                #expect(try tree.node(level: level, index: UInt64(index)) == hash, "node \(level)/\(index)")
            }
        }
    }

    @Test func everyInclusionVector() throws {
        let files = try Vectors.files("inclusion")
        #expect(files.count > 40)
        for file in files {
            let v = try Vectors.decode(Vectors.InclusionCase.self, file)
            let ok = MerkleVerify.inclusion(
                leafHash: Vectors.b64(v.leafHash), index: v.leafIdx, size: v.treeSize,
                proof: (v.proof ?? []).map { Vectors.b64($0) }, root: Vectors.b64(v.root))
            #expect(ok == !v.wantErr, "\(file): \(v.desc)")
        }
    }

    /// The only vector our documented size-0 rule reads differently from transparency-dev/merkle.
    static let acceptedFromSizeZero: Set<String> = ["consistency/additional/size1-is-zero-and-size2-is-not-zero.json"]

    @Test func everyConsistencyVector() throws {
        let files = try Vectors.files("consistency")
        #expect(files.count > 60)
        for file in files {
            let v = try Vectors.decode(Vectors.ConsistencyCase.self, file)
            let ok = MerkleVerify.consistency(
                from: v.size1, to: v.size2, oldRoot: Vectors.b64(v.root1), newRoot: Vectors.b64(v.root2),
                proof: (v.proof ?? []).map { Vectors.b64($0) })
            let expected = Self.acceptedFromSizeZero.contains(file) ? true : !v.wantErr
            #expect(ok == expected, "\(file): \(v.desc)")
        }
    }

    @Test func generatedProofsMatchTheVectorsAndVerify() throws {
        let (tree, _) = try referenceTree()
        for folder in ["inclusion/1", "inclusion/2", "inclusion/3", "inclusion/4"] {
            let v = try Vectors.json("\(folder)/happy-path.json")
            let proof = try tree.inclusionProof(index: UInt64(v["leafIdx"] as! Int), size: UInt64(v["treeSize"] as! Int))
            #expect(proof == (v["proof"] as? [String] ?? []).map { Vectors.b64($0) }, "\(folder)")
        }
        for folder in ["consistency/1", "consistency/2", "consistency/3", "consistency/4"] {
            let v = try Vectors.json("\(folder)/happy-path.json")
            let proof = try tree.consistencyProof(from: UInt64(v["size1"] as! Int), to: UInt64(v["size2"] as! Int))
            #expect(proof == (v["proof"] as? [String] ?? []).map { Vectors.b64($0) }, "\(folder)")
        }
        // Every pair on the reference tree round-trips.
        for size in UInt64(1)...8 {
            let root = try tree.root(size: size)
            for index in 0..<size {
                let proof = try tree.inclusionProof(index: index, size: size)
                #expect(
                    MerkleVerify.inclusion(
                        leafHash: try tree.node(level: 0, index: index), index: index, size: size, proof: proof, root: root))
            }
            for old in UInt64(0)...size {
                let proof = try tree.consistencyProof(from: old, to: size)
                #expect(MerkleVerify.consistency(from: old, to: size, oldRoot: try tree.root(size: old), newRoot: root, proof: proof))
            }
        }
        #expect(throws: MerkleError.indexOutOfRange(index: 8, size: 8)) { try tree.inclusionProof(index: 8, size: 8) }
        #expect(throws: MerkleError.sizeOutOfRange(requested: 9, available: 8)) { try tree.consistencyProof(from: 1, to: 9) }
        #expect(throws: MerkleError.badRange(from: 5, to: 4)) { try tree.consistencyProof(from: 5, to: 4) }
    }

    @Test func largerTreesStayConsistentWithEveryEarlierSize() throws {
        var tree = MerkleTree()
        var roots: [Merkle.Hash] = [Merkle.emptyRoot]
        for i in 0..<1000 {
            tree.append(entry: Array("entry \(i)".utf8))
            roots.append(tree.root)
        }
        for (old, new) in [(0, 1000), (1, 1000), (255, 256), (256, 257), (511, 999), (777, 1000), (1000, 1000)] {
            let proof = try tree.consistencyProof(from: UInt64(old), to: UInt64(new))
            #expect(MerkleVerify.consistency(from: UInt64(old), to: UInt64(new), oldRoot: roots[old], newRoot: roots[new], proof: proof))
            if old > 0, old < new {
                #expect(
                    !MerkleVerify.consistency(
                        from: UInt64(old), to: UInt64(new), oldRoot: roots[old - 1], newRoot: roots[new], proof: proof))
            }
        }
        #expect(tree.levels[0].count == 1000)
        #expect(tree.levels.count == 10)  // 2^9 = 512 ≤ 1000 < 1024: perfect subtrees up to level 9
    }
}

@Suite("Signed notes, checkpoints, cosignatures and tiles")
struct NoteVectorTests {
    @Test func signedNoteVectorsVerifyAndResignByteForByte() throws {
        let cases = try Vectors.json("signed-note-ed25519.json")["cases"] as? [[String: Any]] ?? []
        #expect(cases.count == 2)
        for c in cases {
            let verifier = try NoteVerifier(c["vkey"] as! String)
            #expect(verifier.encoded == c["vkey"] as? String)
            let note = try SignedNote.parse(c["signed_note"] as! String)
            #expect(note.text == c["text"] as? String)
            #expect(note.verified(by: verifier))
            #expect(note.serialized == c["signed_note"] as? String)
            var tampered = note
            tampered.text = tampered.text.replacingOccurrences(of: "a", with: "A")
            #expect(!tampered.verified(by: verifier))
            if let skey = c["skey"] as? String {
                let signer = try NoteSigner(skey)
                #expect(signer.encoded == skey)
                #expect(signer.verifier == verifier)
                #expect(try signer.sign(note.text) == note.signatures[0])
            }
        }
    }

    @Test func malformedNotesAndKeysAreRefusedClearly() {
        #expect(throws: SignedNote.ParseError.missingSeparator) { try SignedNote.parse("no signatures\n") }
        #expect(throws: SignedNote.ParseError.self) { try SignedNote.parse("text\n\n— name !!!notbase64\n") }
        #expect(throws: SignedNote.ParseError.self) { try SignedNote.parse("text\n\nnot a signature line\n") }
        #expect(throws: SignedNote.ParseError.self) { try SignedNote.parse("text\n\n— example.com/foo AAAA\n") }
        #expect(throws: NoteKeyError.keyIDMismatch) {
            try NoteVerifier("example.com/foo+530d903b+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k")
        }
        #expect(throws: NoteKeyError.self) { try NoteVerifier("example.com/foo+530d903a") }
        #expect(throws: NoteKeyError.self) { try NoteSigner(name: "has space") }
    }

    @Test func checkpointsRoundTripAndRejectNonsense() throws {
        var tree = MerkleTree()
        for i in 0..<5 { tree.append(entry: [UInt8(i)]) }
        let checkpoint = Checkpoint(origin: "bonafide.example/partnerships/1", size: tree.size, root: tree.root)
        #expect(try Checkpoint(text: checkpoint.text) == checkpoint)
        #expect(checkpoint.text.split(separator: "\n").count == 3)
        #expect(throws: Checkpoint.ParseError.badSize("05")) { try Checkpoint(text: "o\n05\n\(Data(tree.root).base64EncodedString())\n") }
        #expect(throws: Checkpoint.ParseError.badSize("-1")) { try Checkpoint(text: "o\n-1\n\(Data(tree.root).base64EncodedString())\n") }
        #expect(throws: Checkpoint.ParseError.badRoot("AAAA")) { try Checkpoint(text: "o\n5\nAAAA\n") }
        #expect(throws: Checkpoint.ParseError.tooFewLines) { try Checkpoint(text: "o\n5\n") }
    }

    @Test func logAndWitnessSignCheckpointsTheC2SPWay() throws {
        let log = try NoteSigner(name: "bonafide.example/log")
        let partner = try NoteSigner(name: "acme.example/witness")
        var tree = MerkleTree()
        tree.append(entry: Array("commitment accepted".utf8))
        let text = Checkpoint(origin: "bonafide.example/partnerships/1", size: 1, root: tree.root).text
        var note = SignedNote(text: text, signatures: [try log.sign(text)])
        note.signatures.append(try partner.cosign(checkpoint: text, time: 1_800_000_000))
        let parsed = try SignedNote.parse(note.serialized)
        #expect(parsed.verified(by: log.verifier))
        #expect(parsed.verified(by: partner.cosignatureVerifier))
        #expect(!parsed.verified(by: partner.verifier))  // a cosignature is not a plain note signature
        #expect(parsed.signatures[1].signature.count == 72)
        // A different history (another root) does not carry the partner's cosignature.
        var other = MerkleTree()
        other.append(entry: Array("commitment declined".utf8))
        let forged = SignedNote(
            text: Checkpoint(origin: "bonafide.example/partnerships/1", size: 1, root: other.root).text, signatures: parsed.signatures)
        #expect(!forged.verified(by: partner.cosignatureVerifier))
        #expect(!forged.verified(by: log.verifier))
    }

    @Test func tilePathsAndWidthsMatchTheSpecExamples() throws {
        let v = try Vectors.json("tlog-tiles-examples.json")
        for example in v["path_encoding"] as? [[String: Any]] ?? [] {
            #expect(TilePath.index(UInt64(example["index"] as! Int)) == example["path"] as? String)
        }
        let t = v["tree_70000"] as? [String: Int] ?? [:]
        #expect(TilePath.layout(size: 70000, level: 0) == (UInt64(t["full_level0_tiles"]!), UInt64(t["partial_level0_width"]!)))
        #expect(TilePath.layout(size: 70000, level: 1) == (UInt64(t["full_level1_tiles"]!), UInt64(t["partial_level1_width"]!)))
        #expect(TilePath.layout(size: 70000, level: 2).partialWidth == UInt64(t["partial_level2_width"]!))
        let s = v["tree_256"] as? [String: Int] ?? [:]
        #expect(TilePath.layout(size: 256, level: 0) == (UInt64(s["full_level0_tiles"]!), 0))
        #expect(TilePath.layout(size: 256, level: 1).partialWidth == UInt64(s["partial_level1_width"]!))
        #expect(TilePath.tile(level: 0, index: 273, width: 112) == "tile/0/273.p/112")
        #expect(TilePath.entries(index: 1234067) == "tile/entries/x001/x234/067")
        #expect(TilePath.index(0) == "000")
        // Parsing accepts exactly the canonical spellings.
        #expect(TilePath.parse(["0", "273.p", "112"])! == (.hashes(level: 0), 273, 112))
        #expect(TilePath.parse(["entries", "x001", "x234", "067"])! == (.entries, 1_234_067, 256))
        #expect(TilePath.parse(["2", "000"])! == (.hashes(level: 2), 0, 256))
        for bad in [
            ["0", "73"], ["0", "x000", "073"], ["0", "001", "073"], ["0", "273.p", "256"], ["0", "273.p", "0"], ["0", "273.p", "012"],
            ["64", "000"], ["01", "000"], ["entries"], ["-1", "000"], ["0", "x001"], ["0", "0a1"],
        ] {
            #expect(TilePath.parse(bad) == nil, "\(bad) should be refused")
        }
    }
}

@Suite("Ledger entries")
struct LedgerEntryTests {
    @Test func canonicalEncodingIsStableAndRoundTrips() throws {
        let entry = LedgerEntry(
            partnership: UUID(uuidString: "6F1B7A3E-0000-4000-8000-000000000001")!, type: "commitment.accept",
            actor: UUID(uuidString: "6F1B7A3E-0000-4000-8000-000000000002")!, time: Date(timeIntervalSince1970: 1_800_000_000.25),
            payload: ["summary": "Bob accepted “Design/system”", "commitment": "abc"])
        let text = String(decoding: entry.canonical, as: UTF8.self)
        #expect(
            text
                == #"{"actor":"6f1b7a3e-0000-4000-8000-000000000002","format":"bonafide-entry/v1","partnership":"6f1b7a3e-0000-4000-8000-000000000001","payload":{"commitment":"abc","summary":"Bob accepted “Design/system”"},"time":"2027-01-15T08:00:00.250Z","type":"commitment.accept"}"#
        )
        #expect(try LedgerEntry(canonical: entry.canonical) == entry)
        #expect(LedgerEntry.sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}
