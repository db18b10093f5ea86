import BonafideCore
import Foundation
import Testing
import VaporTesting

@testable import BonafideServer

@Suite("Partnership log over the API")
struct LedgerAPITests {
    func text(_ app: Application, _ path: String, token: String?) async throws -> (HTTPStatus, String) {
        let r = try await app.api(.GET, path, token: token)
        return (r.status, r.raw)
    }

    func b64(_ any: Any?) -> [UInt8] { (any as? String).flatMap { Data(base64Encoded: $0) }.map(Array.init) ?? [] }

    @Test func everyStateChangeIsAnEntryProvablyInASignedCheckpoint() async throws {
        try await withTestApp { app in
            let (a, b, pid) = try await app.activePartnership()
            let key = try NoteVerifier(try await text(app, "/ledger/key", token: nil).1.trimmingCharacters(in: .newlines))
            let (status, first) = try await text(app, "/partnerships/\(pid)/log/checkpoint", token: a.token)
            #expect(status == .ok)
            let firstNote = try SignedNote.parse(first)
            #expect(firstNote.verified(by: key))
            let firstCheckpoint = try Checkpoint(text: firstNote.text)
            #expect(firstCheckpoint.origin.hasSuffix("/partnerships/\(pid.lowercased())"))

            let c = try await app.api(
                .POST, "/partnerships/\(pid)/commitments", token: a.token,
                json: #"{"title":"Audit","dueAt":"\#(rfc3339(Date().addingTimeInterval(86_400)))"}"#)
            _ = try await app.api(
                .POST, "/partnerships/\(pid)/commitments/\(c.body["id"] as? String ?? "")/transitions", token: b.token,
                json: #"{"action":"accept"}"#)
            _ = try await app.api(
                .POST, "/partnerships/\(pid)/messages", token: b.token, json: #"{"body":"Confidential detail","subject":"Access"}"#)

            let latest = try SignedNote.parse(try await text(app, "/partnerships/\(pid)/log/checkpoint", token: b.token).1)
            #expect(latest.verified(by: key))
            let checkpoint = try Checkpoint(text: latest.text)
            let timeline = try await app.api(.GET, "/partnerships/\(pid)/timeline", token: a.token)
            #expect(checkpoint.size == UInt64(timeline.list.count))
            #expect(checkpoint.size == firstCheckpoint.size + 3)

            let entries = try await app.api(.GET, "/partnerships/\(pid)/log/entries?limit=1000", token: a.token).list
            #expect(entries.count == Int(checkpoint.size))
            let types = entries.compactMap { ($0["entry"] as? String).flatMap { try? LedgerEntry(canonical: Array($0.utf8)) }?.type }
            #expect(types.suffix(3) == ["commitment.proposed", "commitment.accept", "message.posted"])
            // Messages are logged by hash, not by text.
            let lastEntry = entries.last?["entry"] as? String ?? ""
            #expect(lastEntry.contains("Confidential detail") == false)
            #expect(lastEntry.contains(LedgerEntry.sha256Hex("Confidential detail")))
            for e in entries {
                let index = e["index"] as? Int ?? -1
                let entry = Array((e["entry"] as? String ?? "").utf8)
                let proof = try await app.api(
                    .GET, "/partnerships/\(pid)/log/proof/inclusion?index=\(index)&size=\(checkpoint.size)", token: b.token)
                #expect(proof.status == .ok)
                let path = (proof.body["proof"] as? [String] ?? []).map { Array(Data(base64Encoded: $0)!) }
                #expect(
                    MerkleVerify.inclusion(
                        leafHash: Merkle.leafHash(entry), index: UInt64(index), size: checkpoint.size, proof: path, root: checkpoint.root))
                var altered = entry
                altered[altered.count / 2] ^= 1
                #expect(
                    !MerkleVerify.inclusion(
                        leafHash: Merkle.leafHash(altered), index: UInt64(index), size: checkpoint.size, proof: path, root: checkpoint.root)
                )
            }
            let consistency = try await app.api(
                .GET, "/partnerships/\(pid)/log/proof/consistency?from=\(firstCheckpoint.size)&to=\(checkpoint.size)", token: a.token)
            #expect(
                MerkleVerify.consistency(
                    from: firstCheckpoint.size, to: checkpoint.size, oldRoot: firstCheckpoint.root,
                    newRoot: checkpoint.root, proof: (consistency.body["proof"] as? [String] ?? []).map(b64)))
            // The stored tree agrees with one rebuilt from the entries.
            var rebuilt = MerkleTree()
            for e in entries { rebuilt.append(entry: Array((e["entry"] as? String ?? "").utf8)) }
            #expect(rebuilt.root == checkpoint.root)
        }
    }

    @Test func badRangesAreSpecificAndOutsidersSeeNothing() async throws {
        try await withTestApp { app in
            let (a, _, pid) = try await app.activePartnership()
            let eve = try await app.register("Eve", org: "Intruder")
            for path in ["/log/checkpoint", "/log/entries", "/log/proof/inclusion?index=0&size=1", "/log/proof/consistency?from=0&to=1"] {
                #expect(try await app.api(.GET, "/partnerships/\(pid)\(path)", token: eve.token).status == .notFound, "\(path)")
                #expect(try await app.api(.GET, "/partnerships/\(pid)\(path)", token: nil).status == .unauthorized, "\(path)")
            }
            let cases: [(String, String)] = [
                ("/log/proof/inclusion?index=0&size=999", "size"), ("/log/proof/inclusion?index=5&size=3", "index"),
                ("/log/proof/inclusion?index=-1&size=3", "index"), ("/log/proof/consistency?from=3&to=2", "from"),
                ("/log/proof/consistency?from=0&to=999", "to"), ("/log/entries?limit=5000", "limit"),
            ]
            for (path, field) in cases {
                let r = try await app.api(.GET, "/partnerships/\(pid)\(path)", token: a.token)
                #expect(r.status == .unprocessableEntity, "\(path): \(r.raw)")
                #expect(r.body["field"] as? String == field, "\(path): \(r.raw)")
            }
            let notNumber = try await app.api(.GET, "/partnerships/\(pid)/log/proof/inclusion?index=x&size=3", token: a.token)
            #expect(notNumber.status == .unprocessableEntity, "\(notNumber.raw)")
            #expect(notNumber.body["field"] as? String == "index")
        }
    }
}
