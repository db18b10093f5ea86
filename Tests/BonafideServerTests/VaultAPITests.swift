import BonafideCore
import Crypto
import Foundation
import SQLKit
import Testing
import VaporTesting

@testable import BonafideServer

/// One organization's vault as a client holds it: the organization's private key, unwrapped on the device.
private struct Client {
    let account: Account
    let organizationKey: Curve25519.KeyAgreement.PrivateKey
}

extension Application {
    /// Sets up a person's passphrase-wrapped key and (as its owner) the organization's key sealed to them.
    fileprivate func setUpVault(_ account: Account) async throws -> Client {
        let mine = Curve25519.KeyAgreement.PrivateKey()
        let wrapped = try VaultKeys.wrap(mine, passphrase: "a long passphrase for \(account.email)")
        let put = try await api(
            .PUT, "/vault/user-key", token: account.token,
            json: String(decoding: try JSONEncoder().encode(wrapped), as: UTF8.self))
        #expect(put.status == .ok, "\(put.raw)")
        let organization = Curve25519.KeyAgreement.PrivateKey()
        let sealed = try VaultKeys.seal(organizationKey: organization, to: mine.publicKey)
        let rotate = try await api(
            .POST, "/vault/organization-keys", token: account.token,
            json:
                #"{"publicKey":"\#(VaultFormat.encode(publicKey: organization.publicKey))","grants":[{"userId":"\#(account.id)","sealed":"\#(sealed)"}]}"#
        )
        #expect(rotate.status == .created, "\(rotate.raw)")
        return Client(account: account, organizationKey: organization)
    }

    /// Sends bytes as the body, as the CLI and the browser upload.
    fileprivate func send(_ method: HTTPMethod, _ path: String, token: String?, bytes: [UInt8]) async throws -> (
        status: HTTPStatus, body: [String: Any], raw: String
    ) {
        var result: (HTTPStatus, [String: Any], String) = (.ok, [:], "")
        try await testing().test(
            method, "/api/v1" + path,
            beforeRequest: { req in
                if let token { req.headers.replaceOrAdd(name: .authorization, value: "Bearer \(token)") }
                req.headers.contentType = HTTPMediaType(type: "application", subType: "octet-stream")
                req.body = ByteBuffer(bytes: bytes)
            },
            afterResponse: { res async in
                let raw = res.body.string
                result = (res.status, (try? JSONSerialization.jsonObject(with: Data(raw.utf8))) as? [String: Any] ?? [:], raw)
            })
        return result
    }
}

/// A whole vault file for the keys, as a client writes it.
private func encrypt(_ plain: [UInt8], for keys: [Curve25519.KeyAgreement.PublicKey], name: String = "contract-final.pdf") throws -> [UInt8]
{
    var e = try VaultEncryptor(recipients: keys, metadata: .init(name: name, type: "application/pdf"))
    var out = e.header
    var chunks = stride(from: 0, to: plain.count, by: VaultFormat.chunkSize).map {
        Array(plain[$0..<min($0 + VaultFormat.chunkSize, plain.count)])
    }
    if chunks.isEmpty { chunks = [[]] }
    for (i, c) in chunks.enumerated() { out += try e.seal(c, last: i == chunks.count - 1) }
    return out
}

private func decrypt(_ file: [UInt8], with key: Curve25519.KeyAgreement.PrivateKey) throws -> (VaultFormat.Metadata, [UInt8]) {
    guard let length = try VaultDecryptor.headerLength(file) else { throw VaultFormat.Failure.truncated }
    var d = try VaultDecryptor(header: Array(file[..<length]), privateKey: key)
    let sealed = VaultFormat.chunkSize + VaultFormat.tagSize
    var out: [UInt8] = []
    var at = length
    while at < file.count {
        let end = min(at + sealed, file.count)
        out += try d.open(file[at..<end], last: end == file.count)
        at = end
    }
    return (d.metadata, out)
}

private func random(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8.random(in: .min ... .max) } }

@Suite("Vault: encrypted documents")
struct VaultAPITests {
    @Test func aDocumentTravelsEncryptedOnTheRecordAndOnlyToThePartnership() async throws {
        try await withTestApp { app in
            let (a, b, pid) = try await app.activePartnership()
            let alice = try await app.setUpVault(a)
            let bob = try await app.setUpVault(b)
            let recipients = try await app.api(.GET, "/partnerships/\(pid)/documents", token: a.token)
            let keys = (recipients.body["recipients"] as? [[String: Any]] ?? []).compactMap { $0["publicKey"] as? String }
            #expect(keys.count == 2)
            let plain = Array("Clause 7: the confidential client list follows. ".utf8) + random(200_000)
            let file = try encrypt(plain, for: keys.map { try VaultFormat.publicKey($0) })
            let uploaded = try await app.send(.POST, "/partnerships/\(pid)/documents", token: a.token, bytes: file)
            #expect(uploaded.status == .created, "\(uploaded.raw)")
            let id = uploaded.body["id"] as? String ?? ""
            #expect(uploaded.body["number"] as? Int == 1)
            #expect(uploaded.body["size"] as? Int == file.count)

            // Bob's organization fetches the same bytes and opens them with its own key.
            let fetched = try await app.bytes("/documents/\(id)/content", token: b.token)
            #expect(fetched.status == .ok)
            #expect(fetched.bytes == file)
            let (meta, opened) = try decrypt(fetched.bytes, with: bob.organizationKey)
            #expect(meta.name == "contract-final.pdf")
            #expect(opened == plain)
            #expect(try decrypt(fetched.bytes, with: alice.organizationKey).1 == plain)

            // A confidence shared and kept is intimacy evidence, both ways.
            let aID = UUID(uuidString: a.organizationID)!
            let bID = UUID(uuidString: b.organizationID)!
            let bobSees = try await Documents.evidence(viewer: bID, subject: aID, on: app.db)
            #expect(bobSees.map(\.summary) == ["Shared confidential document 1 with you in “Relaunch”"])
            #expect(bobSees.allSatisfy { $0.kind == .confidenceKept })
            let aliceSees = try await Documents.evidence(viewer: aID, subject: bID, on: app.db)
            #expect(aliceSees.map(\.summary) == ["Holds your document 1 in “Relaunch” with no incident"])

            // Someone outside the partnership learns nothing, not even that it exists.
            let carol = try await app.register("Carol", org: "Initech")
            #expect(try await app.bytes("/documents/\(id)/content", token: carol.token).status == .notFound)
            #expect(try await app.api(.GET, "/partnerships/\(pid)/documents", token: carol.token).status == .notFound)
            #expect(try await app.api(.POST, "/documents/\(id)/revoke", token: carol.token).status == .notFound)

            // The record has the upload and the download, by name of the person, never of the file.
            let record = try await app.api(.GET, "/partnerships/\(pid)/timeline", token: a.token)
            let summaries = record.list.compactMap { $0["summary"] as? String }
            #expect(summaries.contains { $0.hasPrefix("Alice shared document 1 (") })
            #expect(summaries.contains("Bob (Acme) downloaded document 1"))
            #expect(!summaries.joined().contains("contract-final"))

            // What the server stores is ciphertext: neither the content nor the name appears anywhere.
            let files = try FileManager.default.contentsOfDirectory(atPath: app.bonafide.vaultDirectory)
            #expect(files.count == 1)
            let stored = try [UInt8](Data(contentsOf: URL(fileURLWithPath: app.bonafide.vaultDirectory + "/" + files[0])))
            let sql = app.db as! any SQLDatabase
            let headers = try await sql.raw("SELECT header FROM documents").all().map { try $0.decode(column: "header", as: Data.self) }
            for haystack in [stored] + headers.map({ [UInt8]($0) }) {
                #expect(!contains(haystack, Array("confidential client list".utf8)))
                #expect(!contains(haystack, Array("contract-final".utf8)))
            }
        }
    }

    @Test func uploadsMustBeWholeVaultFilesForBothKeysWithinTheLimits() async throws {
        try await withTestApp({
            $0.vaultMaxBytes = 150_000; $0.vaultQuotaBytes = 250_000
        }) { app in
            let (a, b, pid) = try await app.activePartnership()
            let alice = try await app.setUpVault(a)
            // Before the partner has a key, nothing can be shared with it.
            let early = try await app.send(
                .POST, "/partnerships/\(pid)/documents", token: a.token,
                bytes: try encrypt(random(10), for: [alice.organizationKey.publicKey]))
            #expect(early.status == .conflict)
            #expect((early.body["detail"] as? String ?? "").contains("Acme has not set up its vault"))
            let bob = try await app.setUpVault(b)
            let both = [alice.organizationKey.publicKey, bob.organizationKey.publicKey]

            let onlyMine = try await app.send(
                .POST, "/partnerships/\(pid)/documents", token: a.token,
                bytes: try encrypt(random(10), for: [alice.organizationKey.publicKey]))
            #expect(onlyMine.status == .unprocessableEntity)
            #expect((onlyMine.body["detail"] as? String ?? "").contains("active vault keys of both organizations"))
            let stranger = try await app.send(
                .POST, "/partnerships/\(pid)/documents", token: a.token,
                bytes: try encrypt(random(10), for: both + [Curve25519.KeyAgreement.PrivateKey().publicKey]))
            #expect(stranger.status == .unprocessableEntity)
            let garbage = try await app.send(.POST, "/partnerships/\(pid)/documents", token: a.token, bytes: Array("%PDF-1.7 plain".utf8))
            #expect(garbage.status == .unprocessableEntity)
            #expect((garbage.body["detail"] as? String ?? "").contains("not a Bonafide vault file"))
            let whole = try encrypt(random(100_000), for: both)
            let header = try VaultDecryptor.headerLength(whole)!
            let cut = try await app.send(
                .POST, "/partnerships/\(pid)/documents", token: a.token,
                bytes: Array(whole[..<(header + VaultFormat.chunkSize + VaultFormat.tagSize + 5)]))
            #expect(cut.status == .unprocessableEntity)
            #expect((cut.body["detail"] as? String ?? "").contains("cut short"))

            let big = try await app.send(
                .POST, "/partnerships/\(pid)/documents", token: a.token, bytes: try encrypt(random(160_000), for: both))
            #expect(big.status == .payloadTooLarge)
            #expect((big.body["detail"] as? String ?? "").contains("at most 150 kB"))
            #expect(try await app.send(.POST, "/partnerships/\(pid)/documents", token: a.token, bytes: whole).status == .created)
            #expect(try await app.send(.POST, "/partnerships/\(pid)/documents", token: a.token, bytes: whole).status == .created)
            let over = try await app.send(.POST, "/partnerships/\(pid)/documents", token: a.token, bytes: whole)
            #expect(over.status == .conflict)
            #expect((over.body["detail"] as? String ?? "").contains("BONAFIDE_VAULT_QUOTA_BYTES"))
            // Refused uploads left nothing behind: two documents, two stored files.
            let listed = try await app.api(.GET, "/partnerships/\(pid)/documents", token: b.token)
            #expect((listed.body["documents"] as? [[String: Any]])?.count == 2)
            let files = try FileManager.default.contentsOfDirectory(atPath: app.bonafide.vaultDirectory)
            #expect(files.count == 2, "\(files)")
        }
    }

    @Test func twoUploadsAtOnceInTwoPartnershipsCannotBothTakeTheLastOfTheQuota() async throws {
        try await withTestApp({ $0.vaultQuotaBytes = 150_000 }) { app in
            let (a, b, first) = try await app.activePartnership()
            let alice = try await app.setUpVault(a)
            let bob = try await app.setUpVault(b)
            let c = try await app.register("Carol", org: "Initech")
            let carol = try await app.setUpVault(c)
            let created = try await app.api(
                .POST, "/partnerships", token: a.token, json: #"{"name":"Second","partnerEmail":"\#(c.email)","agreement":"v1"}"#)
            let secret = String((created.body["invitationLink"] as? String ?? "").split(separator: "/").last ?? "")
            #expect(try await app.api(.POST, "/invitations/\(secret)/accept", token: c.token).status == .ok)
            let second = created.body["id"] as? String ?? ""
            let one = try encrypt(random(100_000), for: [alice.organizationKey.publicKey, bob.organizationKey.publicKey])
            let other = try encrypt(random(100_000), for: [alice.organizationKey.publicKey, carol.organizationKey.publicKey])
            async let x = app.send(.POST, "/partnerships/\(first)/documents", token: a.token, bytes: one)
            async let y = app.send(.POST, "/partnerships/\(second)/documents", token: a.token, bytes: other)
            let statuses = [try await x.status, try await y.status]
            #expect(statuses.sorted { $0.code < $1.code } == [.created, .conflict], "\(statuses)")
            #expect(try await Document.query(on: app.db).count() == 1)
            #expect(try FileManager.default.contentsOfDirectory(atPath: app.bonafide.vaultDirectory).count == 1)
        }
    }

    @Test func expiryDownloadLimitsAndRevocationCloseThePartnersAccessAtOnce() async throws {
        try await withTestApp { app in
            let (a, b, pid) = try await app.activePartnership()
            let alice = try await app.setUpVault(a)
            let bob = try await app.setUpVault(b)
            let both = [alice.organizationKey.publicKey, bob.organizationKey.publicKey]
            let once = try await app.send(
                .POST, "/partnerships/\(pid)/documents?maxDownloads=1", token: a.token, bytes: try encrypt(random(1_000), for: both))
            let onceID = once.body["id"] as? String ?? ""
            #expect(try await app.bytes("/documents/\(onceID)/content", token: b.token).status == .ok)
            let again = try await app.api(.GET, "/documents/\(onceID)/content", token: b.token)
            #expect(again.status == .gone)
            #expect((again.body["detail"] as? String ?? "").contains("download limit"))
            // The uploading organization keeps its own document.
            #expect(try await app.bytes("/documents/\(onceID)/content", token: a.token).status == .ok)

            let past = try await app.send(
                .POST, "/partnerships/\(pid)/documents?expiresAt=2020-01-01T00:00:00Z", token: a.token,
                bytes: try encrypt(random(10), for: both))
            #expect(past.status == .unprocessableEntity)

            let doc = try await app.send(.POST, "/partnerships/\(pid)/documents", token: a.token, bytes: try encrypt(random(10), for: both))
            let id = doc.body["id"] as? String ?? ""
            #expect(try await app.api(.POST, "/documents/\(id)/revoke", token: b.token).status == .forbidden)
            let revoked = try await app.api(.POST, "/documents/\(id)/revoke", token: a.token)
            #expect(revoked.status == .ok)
            #expect(revoked.body["revokedAt"] != nil)
            let after = try await app.api(.GET, "/documents/\(id)/content", token: b.token)
            #expect(after.status == .gone)
            #expect((after.body["detail"] as? String ?? "").contains("stopped"))
            #expect(try await app.api(.POST, "/documents/\(id)/revoke", token: a.token).status == .conflict)
            let events = try await app.api(.GET, "/partnerships/\(pid)/timeline", token: b.token)
            #expect(events.list.contains { ($0["summary"] as? String) == "Alice stopped sharing document 2" })
        }
    }

    @Test func shareLinksOpenWithTheKeyInTheFragmentAndCloseWhenUsedUpOrRevoked() async throws {
        try await withTestApp { app in
            let (a, b, pid) = try await app.activePartnership()
            let alice = try await app.setUpVault(a)
            let bob = try await app.setUpVault(b)
            let plain = random(70_000)
            let file = try encrypt(plain, for: [alice.organizationKey.publicKey, bob.organizationKey.publicKey])
            let doc = try await app.send(.POST, "/partnerships/\(pid)/documents", token: a.token, bytes: file)
            let id = doc.body["id"] as? String ?? ""
            let length = try VaultDecryptor.headerLength(file)!
            let opened = try VaultDecryptor(header: Array(file[..<length]), privateKey: alice.organizationKey)

            // A link with a password: the key is derived from the fragment's secret and the password, here as in the browser.
            let seed = random(32)
            let salt = random(16)
            let linkKey = try VaultKeys.linkKey(seed: seed, password: "open sesame", salt: salt)
            let header = Base64URL.encode(try opened.header(for: [linkKey.publicKey]))
            #expect(
                try await app.api(.POST, "/documents/\(id)/links", token: b.token, json: #"{"header":"\#(header)"}"#).status == .forbidden)
            let other = try encrypt(random(5), for: [linkKey.publicKey])
            let wrongFile = Base64URL.encode(other[..<(try VaultDecryptor.headerLength(other)!)])
            #expect(
                try await app.api(.POST, "/documents/\(id)/links", token: a.token, json: #"{"header":"\#(wrongFile)"}"#).status
                    == .unprocessableEntity)
            let made = try await app.api(
                .POST, "/documents/\(id)/links", token: a.token,
                json: #"{"header":"\#(header)","maxDownloads":1,"passwordSalt":"\#(Base64URL.encode(salt))"}"#)
            #expect(made.status == .created, "\(made.raw)")
            let link = made.body["id"] as? String ?? ""
            #expect(made.body["path"] as? String == "/shared/\(link)")

            let info = try await app.api(.GET, "/links/\(link)")
            #expect(info.status == .ok)
            #expect(info.body["password"] as? Bool == true)
            #expect(info.body["downloadsLeft"] as? Int == 1)
            let content = try await app.bytes("/links/\(link)/content", token: nil)
            #expect(content.status == .ok)
            #expect(try decrypt(content.bytes, with: linkKey).1 == plain)
            #expect(throws: VaultFormat.Failure.notARecipient) {
                try decrypt(content.bytes, with: try VaultKeys.linkKey(seed: seed, password: "wrong", salt: salt))
            }
            let used = try await app.api(.GET, "/links/\(link)/content")
            #expect(used.status == .gone)
            #expect(try await app.api(.GET, "/links/\(link)").status == .gone)
            #expect(try await app.api(.GET, "/links/\(UUID().uuidString)").status == .notFound)

            // Revoking the document turns every link off at once.
            let open = try await app.api(.POST, "/documents/\(id)/links", token: a.token, json: #"{"header":"\#(header)"}"#)
            let openID = open.body["id"] as? String ?? ""
            #expect(try await app.api(.GET, "/links/\(openID)").status == .ok)
            _ = try await app.api(.POST, "/documents/\(id)/revoke", token: a.token)
            #expect(try await app.api(.GET, "/links/\(openID)/content").status == .gone)
            let page = try await app.sendRequest(.GET, "/shared/\(openID)")
            #expect(page.body.string.contains("Sharing of this document was stopped."))
            let events = try await app.api(.GET, "/partnerships/\(pid)/timeline", token: a.token)
            #expect(
                events.list.contains {
                    ($0["summary"] as? String)?.hasPrefix("Someone with a share link downloaded document 1 (use 1 of 1)") == true
                })
        }
    }

    @Test func circlesDecideWhoElseOpensADocumentAndLeavingTheCircleEndsIt() async throws {
        try await withTestApp { app in
            let (a, b, pid) = try await app.activePartnership()
            let alice = try await app.setUpVault(a)
            let bob = try await app.setUpVault(b)
            let carol = try await app.register("Carol", org: "Initech")
            let initech = try await app.setUpVault(carol)
            let dave = try await app.register("Dave", org: "Globex")
            _ = try await app.setUpVault(dave)
            let plain = random(100_000)
            let file = try encrypt(plain, for: [alice.organizationKey.publicKey, bob.organizationKey.publicKey])
            let id = try await app.send(.POST, "/partnerships/\(pid)/documents", token: a.token, bytes: file).body["id"] as? String ?? ""
            let header = try VaultDecryptor(
                header: Array(file[..<(try VaultDecryptor.headerLength(file)!)]), privateKey: alice.organizationKey)

            #expect(
                try await app.api(.PUT, "/circles/\(carol.organizationID)", token: a.token, json: #"{"circle":"collaborator"}"#).status
                    == .ok)
            #expect(
                try await app.api(.PUT, "/circles/\(dave.organizationID)", token: a.token, json: #"{"circle":"connected"}"#).status == .ok)
            let candidates = try await app.api(.GET, "/documents/\(id)/share-candidates?circle=collaborator", token: a.token)
            #expect(candidates.list.map { $0["name"] as? String } == ["Initech"])
            #expect(try await app.api(.GET, "/documents/\(id)/share-candidates?circle=collaborator", token: b.token).status == .forbidden)

            let forCarol = Base64URL.encode(try header.header(for: [initech.organizationKey.publicKey]))
            let forDave = Base64URL.encode(try header.header(for: [Curve25519.KeyAgreement.PrivateKey().publicKey]))
            let notInCircle = try await app.api(
                .POST, "/documents/\(id)/shares", token: a.token,
                json: #"{"circle":"collaborator","shares":[{"organizationId":"\#(dave.organizationID)","header":"\#(forDave)"}]}"#)
            #expect(notInCircle.status == .unprocessableEntity)
            #expect((notInCircle.body["detail"] as? String ?? "").contains("Globex is not in your collaborators circle"))
            let wrongKey = try await app.api(
                .POST, "/documents/\(id)/shares", token: a.token,
                json: #"{"circle":"connected","shares":[{"organizationId":"\#(dave.organizationID)","header":"\#(forDave)"}]}"#)
            #expect(wrongKey.status == .unprocessableEntity)
            #expect(try await app.bytes("/documents/\(id)/content", token: carol.token).status == .notFound)
            let shared = try await app.api(
                .POST, "/documents/\(id)/shares", token: a.token,
                json: #"{"circle":"collaborator","shares":[{"organizationId":"\#(carol.organizationID)","header":"\#(forCarol)"}]}"#)
            #expect(shared.status == .created, "\(shared.raw)")
            let shareID = shared.list.first?["id"] as? String ?? ""

            let inbox = try await app.api(.GET, "/shared-documents", token: carol.token)
            #expect(inbox.list.map { $0["from"] as? String } == ["Northwind"])
            let fetched = try await app.bytes("/documents/\(id)/content", token: carol.token)
            #expect(fetched.status == .ok)
            #expect(try decrypt(fetched.bytes, with: initech.organizationKey).1 == plain)
            #expect(try await app.bytes("/documents/\(id)/content", token: dave.token).status == .notFound)

            // Out of the circle, out of the document; back in, back in.
            _ = try await app.api(.PUT, "/circles/\(carol.organizationID)", token: a.token, json: #"{"circle":"connected"}"#)
            let demoted = try await app.api(.GET, "/documents/\(id)/content", token: carol.token)
            #expect(demoted.status == .gone)
            #expect((demoted.body["detail"] as? String ?? "").contains("no longer in the circle"))
            #expect(try await app.api(.GET, "/shared-documents", token: carol.token).list.isEmpty)
            _ = try await app.api(.PUT, "/circles/\(carol.organizationID)", token: a.token, json: #"{"circle":"trusted-referral"}"#)
            #expect(try await app.bytes("/documents/\(id)/content", token: carol.token).status == .ok)
            #expect(try await app.api(.POST, "/documents/\(id)/shares/\(shareID)/revoke", token: a.token).status == .ok)
            #expect(try await app.api(.GET, "/documents/\(id)/content", token: carol.token).status == .gone)

            let events = try await app.api(.GET, "/partnerships/\(pid)/timeline", token: b.token).list.compactMap {
                $0["summary"] as? String
            }
            #expect(events.contains("Alice shared document 1 with Initech (collaborators circle)"))
            #expect(events.filter { $0 == "Carol (Initech) downloaded document 1" }.count == 2)
            #expect(events.contains("Alice stopped sharing document 1 with Initech"))
        }
    }

    @Test func reKeyingReplacesTheContentKeyForTheRemainingRecipientsOnly() async throws {
        try await withTestApp { app in
            let (a, b, pid) = try await app.activePartnership()
            let alice = try await app.setUpVault(a)
            let bob = try await app.setUpVault(b)
            let both = [alice.organizationKey.publicKey, bob.organizationKey.publicKey]
            let plain = random(80_000)
            let first = try encrypt(plain, for: both)
            let id = try await app.send(.POST, "/partnerships/\(pid)/documents", token: a.token, bytes: first).body["id"] as? String ?? ""
            let opened = try VaultDecryptor(
                header: Array(first[..<(try VaultDecryptor.headerLength(first)!)]), privateKey: alice.organizationKey)
            let linkKey = Curve25519.KeyAgreement.PrivateKey()
            let link = try await app.api(
                .POST, "/documents/\(id)/links", token: a.token,
                json: #"{"header":"\#(Base64URL.encode(try opened.header(for: [linkKey.publicKey])))"}"#)
            let linkID = link.body["id"] as? String ?? ""

            let second = try encrypt(plain, for: both)
            #expect(try await app.send(.PUT, "/documents/\(id)/content", token: b.token, bytes: second).status == .forbidden)
            let rekeyed = try await app.send(.PUT, "/documents/\(id)/content", token: a.token, bytes: second)
            #expect(rekeyed.status == .ok, "\(rekeyed.raw)")
            let fetched = try await app.bytes("/documents/\(id)/content", token: b.token)
            #expect(fetched.bytes == second)
            #expect(try decrypt(fetched.bytes, with: bob.organizationKey).1 == plain)
            // The link wrapped the old key: it stopped, and its holder is told why.
            let stale = try await app.api(.GET, "/links/\(linkID)")
            #expect(stale.status == .gone)
            #expect(stale.body["detail"] as? String == "This link was turned off.")
            #expect(try FileManager.default.contentsOfDirectory(atPath: app.bonafide.vaultDirectory).count == 1)

            // Once sharing stopped, the partner is no longer a recipient: a file still for its key is refused.
            _ = try await app.api(.POST, "/documents/\(id)/revoke", token: a.token)
            #expect(
                try await app.send(.PUT, "/documents/\(id)/content", token: a.token, bytes: try encrypt(plain, for: both)).status
                    == .unprocessableEntity)
            let own = try await app.send(
                .PUT, "/documents/\(id)/content", token: a.token, bytes: try encrypt(plain, for: [alice.organizationKey.publicKey]))
            #expect(own.status == .ok, "\(own.raw)")
            #expect(try await app.api(.GET, "/documents/\(id)/content", token: b.token).status == .gone)
            let events = try await app.api(.GET, "/partnerships/\(pid)/timeline", token: a.token).list.compactMap {
                $0["summary"] as? String
            }
            #expect(events.contains("Alice re-keyed document 1: a new key for their own organization only"))
            #expect(events.contains("Alice re-keyed document 1: a new key for both organizations"))
        }
    }

    @Test func keysAreWrappedOnTheClientAndSealedOnlyByOwnersToTheirOwnPeople() async throws {
        try await withTestApp { app in
            let (a, b, _) = try await app.activePartnership()
            let member = try await app.invitedMember(of: a, role: "member")
            let weak = try VaultKeys.wrap(Curve25519.KeyAgreement.PrivateKey(), passphrase: "x")
            var json = String(decoding: try JSONEncoder().encode(weak), as: UTF8.self).replacingOccurrences(of: "600000", with: "1000")
            #expect(try await app.api(.PUT, "/vault/user-key", token: a.token, json: json).status == .unprocessableEntity)
            json = #"{"publicKey":"bfv1pk_nope","wrappedPrivateKey":"x","salt":"y","iterations":600000}"#
            #expect(try await app.api(.PUT, "/vault/user-key", token: a.token, json: json).status == .unprocessableEntity)

            let alice = try await app.setUpVault(a)
            // The member's key, unwrapped again with the passphrase, on the device.
            let memberKey = Curve25519.KeyAgreement.PrivateKey()
            let wrapped = try VaultKeys.wrap(memberKey, passphrase: "member passphrase")
            #expect(throws: VaultKeys.Failure.wrongPassphrase) { try VaultKeys.unwrap(wrapped, passphrase: "member passphrase!") }
            #expect(try VaultKeys.unwrap(wrapped, passphrase: "member passphrase").rawRepresentation == memberKey.rawRepresentation)
            _ = try await app.api(
                .PUT, "/vault/user-key", token: member.token, json: String(decoding: try JSONEncoder().encode(wrapped), as: UTF8.self))

            let state = try await app.api(.GET, "/vault", token: a.token)
            let keys = state.body["organizationKeys"] as? [[String: Any]] ?? []
            let keyID = keys.first?["id"] as? String ?? ""
            let members = state.body["members"] as? [[String: Any]] ?? []
            #expect(members.contains { $0["userId"] as? String == member.id && $0["granted"] as? Bool == false && $0["publicKey"] != nil })
            let sealed = try VaultKeys.seal(organizationKey: alice.organizationKey, to: memberKey.publicKey)
            let grant = #"{"organizationKeyId":"\#(keyID)","userId":"\#(member.id)","sealed":"\#(sealed)"}"#
            #expect(try await app.api(.POST, "/vault/grants", token: member.token, json: grant).status == .forbidden)
            #expect(try await app.api(.POST, "/vault/grants", token: a.token, json: grant).status == .noContent)
            let strangerGrant = #"{"organizationKeyId":"\#(keyID)","userId":"\#(b.id)","sealed":"\#(sealed)"}"#
            #expect(try await app.api(.POST, "/vault/grants", token: a.token, json: strangerGrant).status == .unprocessableEntity)

            // The member opens the organization key sealed to them; nobody else's key opens it.
            let mine = try await app.api(.GET, "/vault", token: member.token)
            let myGrant = (mine.body["organizationKeys"] as? [[String: Any]])?.first?["grant"] as? String ?? ""
            #expect((mine.body["members"] as? [[String: Any]])?.isEmpty == true)
            let opened = try VaultKeys.open(sealed: myGrant, organizationKey: alice.organizationKey.publicKey, member: memberKey)
            #expect(opened.rawRepresentation == alice.organizationKey.rawRepresentation)
            #expect(throws: VaultKeys.Failure.badWrap) {
                try VaultKeys.open(
                    sealed: myGrant, organizationKey: alice.organizationKey.publicKey, member: Curve25519.KeyAgreement.PrivateKey())
            }

            // Rotation: a new active key; the old one stays for older documents. Only owners rotate.
            let next = Curve25519.KeyAgreement.PrivateKey()
            let body =
                #"{"publicKey":"\#(VaultFormat.encode(publicKey: next.publicKey))","grants":[{"userId":"\#(member.id)","sealed":"\#(sealed)"}]}"#
            #expect(try await app.api(.POST, "/vault/organization-keys", token: member.token, json: body).status == .forbidden)
            let selfless = try await app.api(.POST, "/vault/organization-keys", token: a.token, json: body)
            #expect(selfless.status == .unprocessableEntity)
            let mySeal = try VaultKeys.seal(organizationKey: next, to: try VaultFormat.publicKey(wrapped.publicKey))
            let rotated = try await app.api(
                .POST, "/vault/organization-keys", token: a.token,
                json:
                    #"{"publicKey":"\#(VaultFormat.encode(publicKey: next.publicKey))","grants":[{"userId":"\#(a.id)","sealed":"\#(mySeal)"}]}"#
            )
            #expect(rotated.status == .created, "\(rotated.raw)")
            let versions = try await app.api(.GET, "/vault", token: a.token).body["organizationKeys"] as? [[String: Any]] ?? []
            #expect(versions.count == 2)
            #expect(versions.filter { $0["active"] as? Bool == true }.count == 1)

            // A new key pair voids what was sealed to the old one.
            let renewed = try VaultKeys.wrap(Curve25519.KeyAgreement.PrivateKey(), passphrase: "new member passphrase")
            _ = try await app.api(
                .PUT, "/vault/user-key", token: member.token, json: String(decoding: try JSONEncoder().encode(renewed), as: UTF8.self))
            let voided = try await app.api(.GET, "/vault", token: member.token).body["organizationKeys"] as? [[String: Any]] ?? []
            #expect(voided.allSatisfy { $0["grant"] == nil })
        }
    }
}

private func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
    guard haystack.count >= needle.count else { return false }
    return (0...(haystack.count - needle.count)).contains { i in haystack[i..<(i + needle.count)].elementsEqual(needle) }
}
