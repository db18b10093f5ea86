import BonafideCore
import Crypto
import Fluent
import Foundation
import SQLKit
import Testing
import VaporTesting

@testable import BonafideServer

/// Appends synthetic entries through the server's own append path, quickly.
func appendEntries(_ app: Application, partnership pid: String, count: Int, label: String = "entry") async throws {
    let id = UUID(uuidString: pid)!
    try await app.db.transaction { tx in
        for i in 0..<count {
            try await Ledger.append(
                LedgerEntry(partnership: id, type: "test.note", actor: nil, time: Date(), payload: ["n": "\(label) \(i)"]), partnership: id,
                on: tx)
        }
    }
}

@Suite("Tiles, witnesses and split views over the API")
struct WitnessAPITests {
    func b64(_ s: String?) -> [UInt8] { s.flatMap { Data(base64Encoded: $0) }.map(Array.init) ?? [] }

    func logKey(_ app: Application) async throws -> NoteVerifier {
        try NoteVerifier(try await app.api(.GET, "/ledger/key").raw.trimmingCharacters(in: .newlines))
    }

    func entries(_ app: Application, _ pid: String, token: String) async throws -> [[UInt8]] {
        var all: [[UInt8]] = []
        while true {
            let page = try await app.api(.GET, "/partnerships/\(pid)/log/entries?start=\(all.count)&limit=1000", token: token).list
            if page.isEmpty { return all }
            all += page.map { Array(($0["entry"] as? String ?? "").utf8) }
        }
    }

    @Test func groupCommitStoresExactlyTheTreeOneByOneAppendsWould() async throws {
        try await withTestApp { app in
            let (_, _, pid) = try await app.activePartnership()
            let id = UUID(uuidString: pid)!
            var expected = MerkleTree()
            for e in try await Ledger.entries(of: id, start: 0, limit: 1000, on: app.db) { expected.append(entry: Array(e.1.utf8)) }
            var n = 0
            for batch in [1, 2, 3, 5, 8, 13, 100, 255, 256, 1, 7, 600] {
                let entries = (0..<batch).map { _ in
                    n += 1
                    return LedgerEntry(partnership: id, type: "test.batch", actor: nil, time: Date(), payload: ["n": "\(n)"])
                }
                let indices = try await app.db.transaction { try await Ledger.append(contentsOf: entries, partnership: id, on: $0) }
                #expect(indices.first == expected.size)
                for e in entries { expected.append(entry: e.canonical) }
                #expect(try await Ledger.head(of: id, on: app.db).root == expected.root)
            }
            // Stored as C2SP tiles: every tile of levels 0 and 8 there is, each holding exactly the tree's hashes.
            let rows = try await (app.db as! any SQLDatabase).select().columns("level", "idx", "hashes").from("ledger_tiles")
                .where("partnership_id", .equal, id).all(decoding: Ledger.TileRow.self)
            #expect(rows.count == (expected.levels[0].count + 255) / 256 + (expected.levels[8].count + 255) / 256)
            #expect(
                rows.allSatisfy { row in
                    let level = expected.levels[row.level * 8]
                    let start = Int(row.idx) * 256
                    return Array(row.hashes) == level[start..<min(start + 256, level.count)].flatMap { $0 }
                })
        }
    }

    @Test func tilesServeTheTreeInTheC2SPLayout() async throws {
        try await withTestApp { app in
            let (a, _, pid) = try await app.activePartnership()
            try await appendEntries(app, partnership: pid, count: 300)
            let all = try await entries(app, pid, token: a.token)
            var tree = MerkleTree()
            for e in all { tree.append(entry: e) }
            let size = Int(tree.size)
            #expect(size > 300)
            let base = "/partnerships/\(pid)/log/"

            let full = try await app.bytes(base + "tile/0/000", token: a.token)
            #expect(full.status == .ok)
            #expect(full.bytes == tree.levels[0][0..<256].flatMap { $0 })
            #expect(full.headers.first(name: .cacheControl) == "private, max-age=31536000, immutable")
            #expect(full.headers.contentType == .binary)
            let partial = try await app.bytes(base + "tile/0/001.p/\(size - 256)", token: a.token)
            #expect(partial.bytes == tree.levels[0][256..<size].flatMap { $0 })
            #expect(partial.headers.first(name: .cacheControl) == "private, max-age=60")
            let level1 = try await app.bytes(base + "tile/1/000.p/1", token: a.token)
            #expect(level1.bytes == tree.levels[8][0])

            let bundle = try await app.bytes(base + "tile/entries/000", token: a.token)
            var parsed: [[UInt8]] = []
            var rest = bundle.bytes[...]
            while rest.count >= 2 {
                let n = Int(rest[rest.startIndex]) << 8 | Int(rest[rest.startIndex + 1])
                parsed.append(Array(rest.dropFirst(2).prefix(n)))
                rest = rest.dropFirst(2 + n)
            }
            #expect(parsed == Array(all[0..<256]))

            // Past the tree, non-canonical paths, outsiders and strangers.
            for path in ["tile/0/001", "tile/0/001.p/\(size - 255)", "tile/1/000", "tile/entries/002.p/1", "tile/0/x000/001"] {
                let r = try await app.api(.GET, base + path, token: a.token)
                #expect(r.status == .notFound, "\(path)")
                #expect(r.headers.contentType?.subType == "problem+json", "\(path)")
            }
            for path in ["tile/0/1", "tile/0/000.p/256", "tile/0/000.p/0", "tile/entries", "tile/99/000"] {
                let r = try await app.api(.GET, base + path, token: a.token)
                #expect(r.status == .notFound, "\(path)")
                #expect((r.body["detail"] as? String ?? "").hasPrefix("Not a tile path"), "\(path): \(r.raw)")
            }
            let eve = try await app.register("Eve", org: "Intruder")
            let hidden = try await app.api(.GET, base + "tile/0/000", token: eve.token)
            #expect(hidden.status == .notFound)
            #expect((hidden.body["detail"] as? String ?? "").contains("partnership"))
            #expect(try await app.api(.GET, base + "tile/0/000", token: nil).status == .unauthorized)
        }
    }

    /// Fetches the checkpoint, checks it as a witness would, cosigns it and uploads the note.
    func cosign(_ app: Application, _ pid: String, as account: Account, with key: NoteSigner) async throws -> (
        status: HTTPStatus, checkpoint: Checkpoint, raw: String
    ) {
        let text = try await app.api(.GET, "/partnerships/\(pid)/log/checkpoint", token: account.token).raw
        let log = try await logKey(app)
        var (note, checkpoint) = try Witness.open(text, log: log, origin: try Checkpoint(text: SignedNote.parse(text).text).origin)
        note.signatures.append(try key.cosign(checkpoint: note.text, time: UInt64(Date().timeIntervalSince1970)))
        let r = try await app.api(.POST, "/partnerships/\(pid)/log/cosignatures", token: account.token, text: note.serialized)
        return (r.status, checkpoint, r.raw)
    }

    func register(_ app: Application, _ account: Account, _ key: NoteSigner) async throws {
        let r = try await app.api(.PUT, "/organization/witness-key", token: account.token, json: #"{"key":"\#(key.verifier.encoded)"}"#)
        #expect(r.status == .ok, "\(r.raw)")
        #expect(r.body["key"] as? String == key.cosignatureVerifier.encoded)
    }

    @Test func partnersCosignAndTheServerShowsTheCheckpointBothCosigned() async throws {
        try await withTestApp { app in
            let (a, b, pid) = try await app.activePartnership()
            let northwind = try NoteSigner(name: "northwind-witness")
            let acme = try NoteSigner(name: "acme-witness")
            // Before a key is registered, uploads are refused with the reason.
            let early = try await cosign(app, pid, as: a, with: northwind)
            #expect(early.status == .unprocessableEntity && early.raw.contains("no witness key"))
            try await register(app, a, northwind)
            try await register(app, b, acme)
            #expect(try await app.api(.GET, "/organization/witness-key", token: b.token).body["name"] as? String == "acme-witness")

            let first = try await cosign(app, pid, as: a, with: northwind)
            #expect(first.status == .created, "\(first.raw)")
            var status = try await app.api(.GET, "/partnerships/\(pid)/log/witnesses", token: b.token)
            #expect(status.body["witnessedSize"] == nil, "only one side cosigned: \(status.raw)")
            let second = try await cosign(app, pid, as: b, with: acme)
            #expect(second.status == .created && second.checkpoint == first.checkpoint)

            status = try await app.api(.GET, "/partnerships/\(pid)/log/witnesses", token: a.token)
            #expect(status.body["witnessedSize"] as? Int == Int(first.checkpoint.size))
            let witnessed = try SignedNote.parse(status.body["witnessedNote"] as? String ?? "")
            #expect(witnessed.text == first.checkpoint.text)
            #expect(witnessed.verified(by: try await logKey(app)))
            #expect(witnessed.verified(by: northwind.cosignatureVerifier) && witnessed.verified(by: acme.cosignatureVerifier))
            #expect((status.body["conflicts"] as? [Any])?.isEmpty == true)
            let sides = status.body["sides"] as? [[String: Any]] ?? []
            #expect(Set(sides.compactMap { $0["organizationName"] as? String }) == ["Northwind", "Acme"])
            #expect(sides.allSatisfy { $0["latestMatchesLog"] as? Bool == true })

            // The web record shows the same: verified, by whom, and each entry as witnessed.
            let browser = Browser(app)
            _ = try await browser.post("/login", ["email": a.email, "password": "correct horse battery"])
            let record = try await browser.get("/partnerships/\(pid)/record")
            #expect(record.status == .ok)
            #expect(record.html.contains("<strong id=\"witnessed-size\">\(first.checkpoint.size)</strong>"))
            #expect(record.html.contains("verified: every partner cosigned"))
            #expect(record.html.contains("<code class=\"small\">acme-witness</code>"))
            #expect(record.html.contains("id=\"rebuild-state\">matches"))
            #expect(record.html.contains("signature verifies"))
            #expect(
                record.html.components(separatedBy: "title=\"In a checkpoint every partner cosigned\"").count - 1
                    == Int(first.checkpoint.size))
            #expect(record.html.contains("Alice opened the partnership") || record.html.contains("partnership.created"))
            let main = try await browser.get("/partnerships/\(pid)")
            #expect(main.html.contains("every partner cosigned the first \(first.checkpoint.size) entries"))
            let eve = try await app.register("Eve", org: "Intruder")
            let outsider = Browser(app)
            _ = try await outsider.post("/login", ["email": eve.email, "password": "correct horse battery"])
            #expect(try await outsider.get("/partnerships/\(pid)/record").status == .notFound)

            // The log grows; the newest checkpoint both cosigned stays where it was until both cosign again.
            _ = try await app.api(.POST, "/partnerships/\(pid)/messages", token: a.token, json: #"{"body":"Next step"}"#)
            #expect(try await cosign(app, pid, as: a, with: northwind).status == .created)
            status = try await app.api(.GET, "/partnerships/\(pid)/log/witnesses", token: a.token)
            #expect(status.body["witnessedSize"] as? Int == Int(first.checkpoint.size))
            #expect(status.body["size"] as? Int == Int(first.checkpoint.size) + 1)
        }
    }

    @Test func badCosignaturesAndKeysAreRefusedAndChangeNothing() async throws {
        try await withTestApp { app in
            let (a, b, pid) = try await app.activePartnership()
            let northwind = try NoteSigner(name: "northwind-witness")
            try await register(app, a, northwind)
            for bad in ["", "not a key", "name+00000000+AAAA", northwind.encoded] {
                let r = try await app.api(.PUT, "/organization/witness-key", token: b.token, json: #"{"key":"\#(bad)"}"#)
                #expect(r.status == .unprocessableEntity && r.body["field"] as? String == "key", "\(bad): \(r.raw)")
            }
            let checkpoint = try await app.api(.GET, "/partnerships/\(pid)/log/checkpoint", token: a.token).raw
            var note = try SignedNote.parse(checkpoint)
            let stranger = try NoteSigner(name: "northwind-witness")
            note.signatures.append(try stranger.cosign(checkpoint: note.text, time: 1_800_000_000))
            let wrongKey = try await app.api(.POST, "/partnerships/\(pid)/log/cosignatures", token: a.token, text: note.serialized)
            #expect(wrongKey.status == .unprocessableEntity && wrongKey.raw.contains("no valid cosignature"), "\(wrongKey.raw)")

            let parsed = try Checkpoint(text: note.text)
            let forgedText = Checkpoint(origin: parsed.origin, size: parsed.size, root: Merkle.leafHash([1])).text
            let forged = SignedNote(text: forgedText, signatures: [try northwind.cosign(checkpoint: forgedText, time: 1_800_000_000)])
            let notOurs = try await app.api(.POST, "/partnerships/\(pid)/log/cosignatures", token: a.token, text: forged.serialized)
            #expect(notOurs.status == .conflict && notOurs.raw.contains("not in this log's history"), "\(notOurs.raw)")

            let tooBigText = Checkpoint(origin: parsed.origin, size: parsed.size + 5, root: parsed.root).text
            let tooBig = SignedNote(text: tooBigText, signatures: [try northwind.cosign(checkpoint: tooBigText, time: 1_800_000_000)])
            let past = try await app.api(.POST, "/partnerships/\(pid)/log/cosignatures", token: a.token, text: tooBig.serialized)
            #expect(past.status == .unprocessableEntity && past.raw.contains("not between 1 and"), "\(past.raw)")

            let elsewhereText = Checkpoint(origin: "elsewhere/log", size: parsed.size, root: parsed.root).text
            let elsewhere = SignedNote(text: elsewhereText, signatures: [try northwind.cosign(checkpoint: elsewhereText, time: 1)])
            #expect(
                try await app.api(.POST, "/partnerships/\(pid)/log/cosignatures", token: a.token, text: elsewhere.serialized).status
                    == .unprocessableEntity)
            for garbage in ["", "hello", String(checkpoint.prefix(30)), checkpoint.replacingOccurrences(of: "\n\n", with: "\n")] {
                let r = try await app.api(.POST, "/partnerships/\(pid)/log/cosignatures", token: a.token, text: garbage)
                #expect(r.status == .unprocessableEntity || r.status == .badRequest, "\(garbage.prefix(20)): \(r.raw)")
            }
            let eve = try await app.register("Eve", org: "Intruder")
            #expect(
                try await app.api(.POST, "/partnerships/\(pid)/log/cosignatures", token: eve.token, text: checkpoint).status == .notFound)
            #expect(try await app.api(.GET, "/partnerships/\(pid)/log/witnesses", token: eve.token).status == .notFound)
            let status = try await app.api(.GET, "/partnerships/\(pid)/log/witnesses", token: a.token)
            #expect(status.body["witnessedSize"] == nil)
            #expect(
                (status.body["sides"] as? [[String: Any]] ?? []).allSatisfy { $0["latest"] == nil }, "nothing was stored: \(status.raw)")
        }
    }

    @Test func onlyOwnersAndAdminsSetTheWitnessKeyAndEachOrganizationSeesOnlyItsOwn() async throws {
        try await withTestApp { app in
            let (a, _, _) = try await app.activePartnership()
            let none = try await app.api(.GET, "/organization/witness-key", token: a.token)
            #expect(none.status == .notFound && none.raw.contains("not registered a witness key"))
            let miaToken = try await app.invitedMember(of: a, role: "member").token
            let key = try NoteSigner(name: "northwind-witness")
            let refused = try await app.api(
                .PUT, "/organization/witness-key", token: miaToken, json: #"{"key":"\#(key.verifier.encoded)"}"#)
            #expect(refused.status == .forbidden)
            #expect(try await app.api(.GET, "/organization/witness-key", token: a.token).status == .notFound, "nothing was stored")
            try await register(app, a, key)
            #expect(try await app.api(.GET, "/organization/witness-key", token: miaToken).body["name"] as? String == "northwind-witness")
            let eve = try await app.register("Eve", org: "Intruder")
            #expect(try await app.api(.GET, "/organization/witness-key", token: eve.token).status == .notFound)
        }
    }

    /// A key made in a browser is kept sealed to the organization's vault key so colleagues who unlock the vault can
    /// witness with it elsewhere: the server checks the shape and the vault key it names, hands it only to the
    /// organization's own people, and forgets it when a key without one replaces it.
    @Test func aBrowserKeySealedToTheVaultIsKeptForTheOrganizationOnly() async throws {
        try await withTestApp { app in
            let (a, b, _) = try await app.activePartnership()
            let mine = Curve25519.KeyAgreement.PrivateKey()
            let wrapped = try VaultKeys.wrap(mine, passphrase: "a long passphrase for alice")
            let userKey = try await app.api(
                .PUT, "/vault/user-key", token: a.token, json: String(decoding: try JSONEncoder().encode(wrapped), as: UTF8.self))
            #expect(userKey.status == .ok, "\(userKey.raw)")
            let organization = Curve25519.KeyAgreement.PrivateKey()
            let grant = try VaultKeys.seal(organizationKey: organization, to: mine.publicKey)
            let made = try await app.api(
                .POST, "/vault/organization-keys", token: a.token,
                json:
                    #"{"publicKey":"\#(VaultFormat.encode(publicKey: organization.publicKey))","grants":[{"userId":"\#(a.id)","sealed":"\#(grant)"}]}"#
            )
            let keyID = try #require(made.body["keyId"] as? String, "\(made.raw)")
            let witness = try NoteSigner(name: "northwind-web")
            let sealed = Base64URL.encode(Array((0..<80).map { UInt8($0) }))
            func put(_ extra: String) async throws -> (status: HTTPStatus, body: [String: Any]) {
                let r = try await app.api(
                    .PUT, "/organization/witness-key", token: a.token, json: #"{"key":"\#(witness.verifier.encoded)"\#(extra)}"#)
                return (r.status, r.body)
            }
            for (extra, field) in [
                (#","sealedPrivateKey":"\#(sealed)","sealedTo":"0011223344556677""#, "sealedTo"),
                (#","sealedPrivateKey":"\#(sealed.dropLast(4))","sealedTo":"\#(keyID)""#, "sealedPrivateKey"),
                (#","sealedPrivateKey":"\#(sealed)""#, "sealedTo"), (#","sealedTo":"\#(keyID)""#, "sealedPrivateKey"),
            ] {
                let refused = try await put(extra)
                #expect(refused.status == .unprocessableEntity && refused.body["field"] as? String == field, "\(extra): \(refused.body)")
            }
            #expect(try await app.api(.GET, "/organization/witness-key", token: a.token).status == .notFound, "nothing was stored")

            let stored = try await put(#","sealedPrivateKey":"\#(sealed)","sealedTo":"\#(keyID)""#)
            #expect(stored.status == .ok && stored.body["sealedTo"] as? String == keyID, "\(stored.body)")
            let colleague = try await app.invitedMember(of: a, role: "member")
            let seen = try await app.api(.GET, "/organization/witness-key", token: colleague.token)
            #expect(seen.body["sealedPrivateKey"] as? String == sealed && seen.body["sealedTo"] as? String == keyID)
            #expect(try await app.api(.GET, "/organization/witness-key", token: b.token).status == .notFound, "the partner never sees it")

            // Replaced by a key from the command line: the sealed copy goes with the old key.
            try await register(app, a, try NoteSigner(name: "northwind-cli"))
            let after = try await app.api(.GET, "/organization/witness-key", token: a.token)
            #expect(after.body["name"] as? String == "northwind-cli" && after.body["sealedPrivateKey"] == nil, "\(after.raw)")
        }
    }

    /// The host rewrites the partnership's history after both partners cosigned it, then shows the
    /// new history to a partner that has not seen the old one: every party can tell.
    @Test func aRewrittenOrSplitHistoryIsCaught() async throws {
        try await withTestApp { app in
            let (a, b, pid) = try await app.activePartnership()
            let northwind = try NoteSigner(name: "northwind-witness")
            let acme = try NoteSigner(name: "acme-witness")
            try await register(app, a, northwind)
            try await register(app, b, acme)
            try await appendEntries(app, partnership: pid, count: 5, label: "original")
            let seenByA = try await cosign(app, pid, as: a, with: northwind)
            #expect(seenByA.status == .created)

            // The host rebuilds the log with one past entry changed and a few more after it.
            let id = UUID(uuidString: pid)!
            let sql = app.db as! any SQLDatabase
            let old = try await entries(app, pid, token: a.token)
            for table in ["ledger_tiles", "ledger_leaves", "ledger_bundles"] {
                try await sql.delete(from: table).where("partnership_id", .equal, id).run()
            }
            try await sql.delete(from: "ledger_heads").where("id", .equal, id).run()
            try await app.db.transaction { tx in
                for (i, bytes) in old.enumerated() {
                    var entry = try LedgerEntry(canonical: bytes)
                    if i == 2 { entry.payload["summary"] = "Nothing was promised" }
                    try await Ledger.append(entry, partnership: id, on: tx)
                }
            }
            try await appendEntries(app, partnership: pid, count: 3, label: "later")

            // A, who saw the old history, cannot get a proof that the new one extends it.
            let log = try await logKey(app)
            let newText = try await app.api(.GET, "/partnerships/\(pid)/log/checkpoint", token: a.token).raw
            let (_, now) = try Witness.open(newText, log: log, origin: seenByA.checkpoint.origin)
            let proof = try await app.api(
                .GET, "/partnerships/\(pid)/log/proof/consistency?from=\(seenByA.checkpoint.size)&to=\(now.size)", token: a.token)
            let caughtByA = #expect(throws: Witness.Failure.self) {
                try Witness.checkConsistent(seenByA.checkpoint, now, proof: (proof.body["proof"] as? [String] ?? []).map(b64))
            }
            #expect(caughtByA?.description.hasPrefix("SPLIT VIEW") == true)

            // B never saw the old history, but A's cosigned checkpoint (log-signed) is on record and
            // cannot be linked to what B is shown.
            let status = try await app.api(.GET, "/partnerships/\(pid)/log/witnesses", token: b.token)
            let sideA =
                (status.body["sides"] as? [[String: Any]] ?? []).first { $0["organizationId"] as? String == a.organizationID } ?? [:]
            let (aNote, aCheckpoint) = try Witness.open(sideA["latestNote"] as? String ?? "", log: log, origin: now.origin)
            #expect(Witness.cosignatureTime(of: aNote, by: northwind.cosignatureVerifier) != nil)
            let gossip = try await app.api(
                .GET, "/partnerships/\(pid)/log/proof/consistency?from=\(aCheckpoint.size)&to=\(now.size)", token: b.token)
            #expect(throws: Witness.Failure.inconsistent(seen: aCheckpoint, now: now)) {
                try Witness.checkConsistent(aCheckpoint, now, proof: (gossip.body["proof"] as? [String] ?? []).map(b64))
            }
            // The server itself reports the conflict and no longer claims a witnessed checkpoint.
            #expect(sideA["latestMatchesLog"] as? Bool == false)
            #expect((status.body["conflicts"] as? [[String: Any]] ?? []).count == 1)
            #expect(status.body["witnessedSize"] == nil)
            // The web record says so to both sides.
            let browser = Browser(app)
            _ = try await browser.post("/login", ["email": b.email, "password": "correct horse battery"])
            let record = try await browser.get("/partnerships/\(pid)/record")
            #expect(record.html.contains("id=\"conflict\""))
            #expect(record.html.contains("conflict: the log was rewritten"))
            #expect(record.html.contains("not yet witnessed"))
            #expect(try await browser.get("/partnerships/\(pid)").html.contains("History conflict"))
            // A stored entry edited without recomputing the tree no longer rebuilds the signed root.
            try await sql.update("ledger_leaves").set("entry", to: "{}").where("partnership_id", .equal, id).where("idx", .equal, 0).run()
            #expect(try await browser.get("/partnerships/\(pid)/record").html.contains("id=\"rebuild-state\">DOES NOT MATCH"))
            // And A's old cosignature cannot be re-submitted as if it were this history.
            var resubmit = aNote
            resubmit.signatures = resubmit.signatures.filter { $0.name == "northwind-witness" }
            let refused = try await app.api(.POST, "/partnerships/\(pid)/log/cosignatures", token: a.token, text: resubmit.serialized)
            #expect(refused.status == .conflict)
        }
    }
}
