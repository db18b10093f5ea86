import BonafideCore
import Fluent
import Foundation
import Testing
import VaporTesting

@testable import BonafideServer

@Suite("Trust passports")
struct PassportTests {
    /// A commitment `owner` delivers to `recipient`, accepted as complete.
    func completedWork(_ app: Application, pid: String, owner: Account, recipient: Account, title: String) async throws {
        let created = try await app.api(
            .POST, "/partnerships/\(pid)/commitments", token: owner.token,
            json: #"{"title":"\#(title)","dueAt":"2030-01-01T10:00:00Z","timeZone":"UTC"}"#)
        let url = "/partnerships/\(pid)/commitments/\(created.body["id"] as? String ?? "")/transitions"
        #expect(try await app.api(.POST, url, token: recipient.token, json: #"{"action":"accept"}"#).status == .ok)
        #expect(try await app.api(.POST, url, token: owner.token, json: #"{"action":"deliver"}"#).status == .ok)
        #expect(try await app.api(.POST, url, token: recipient.token, json: #"{"action":"approveDelivery"}"#).status == .ok)
    }

    /// An incident `affected` raises against `responsible`, acknowledged, resolved with a cause and a plan, and closed.
    func handledIncident(_ app: Application, pid: String, responsible: Account, affected: Account) async throws {
        let raised = try await app.api(
            .POST, "/partnerships/\(pid)/incidents", token: affected.token,
            json: #"{"title":"Report sent to the wrong client","description":"It reached another customer.","severity":"major"}"#)
        let url = "/partnerships/\(pid)/incidents/\(raised.body["id"] as? String ?? "")/transitions"
        #expect(try await app.api(.POST, url, token: responsible.token, json: #"{"action":"acknowledge","note":"On it"}"#).status == .ok)
        let resolve =
            #"{"action":"resolve","rootCause":"The export job used a shared bucket left over from a test.","improvementPlan":"Per-client buckets and a reviewed export checklist by 1 March."}"#
        #expect(try await app.api(.POST, url, token: responsible.token, json: resolve).status == .ok)
        #expect(try await app.api(.POST, url, token: affected.token, json: #"{"action":"close"}"#).status == .ok)
        #expect(try await Incidents.sweepDeadlines(on: app.db) == 1)
    }

    func cosign(_ app: Application, _ pid: String, as account: Account, with key: NoteSigner) async throws {
        let text = try await app.api(.GET, "/partnerships/\(pid)/log/checkpoint", token: account.token).raw
        let log = try NoteVerifier(try await app.api(.GET, "/ledger/key").raw.trimmingCharacters(in: .newlines))
        var (note, _) = try Witness.open(text, log: log, origin: try Checkpoint(text: SignedNote.parse(text).text).origin)
        note.signatures.append(try key.cosign(checkpoint: note.text, time: UInt64(Date().timeIntervalSince1970)))
        let r = try await app.api(.POST, "/partnerships/\(pid)/log/cosignatures", token: account.token, text: note.serialized)
        #expect(r.status == .ok || r.status == .created, "\(r.raw)")
    }

    func passport(_ app: Application, of org: Account, token: String?) async throws -> (HTTPStatus, [UInt8]) {
        let r = try await app.bytes("/organizations/\(org.organizationID)/passport", token: token)
        return (r.status, r.bytes)
    }

    @Test func figuresProvenByCosignedLogsRevealNothingPrivateAndEveryAlteredByteFails() async throws {
        try await withTestApp { app in
            let (north, acme, pid) = try await app.activePartnership()
            let northKey = try NoteSigner(name: "northwind-witness"), acmeKey = try NoteSigner(name: "acme-witness")
            for (account, key) in [(north, northKey), (acme, acmeKey)] {
                #expect(
                    try await app.api(.PUT, "/organization/witness-key", token: account.token, json: #"{"key":"\#(key.verifier.encoded)"}"#)
                        .status == .ok)
            }
            try await completedWork(app, pid: pid, owner: acme, recipient: north, title: "Secret storefront plan")
            try await completedWork(app, pid: pid, owner: acme, recipient: north, title: "Confidential pricing page")
            try await completedWork(app, pid: pid, owner: north, recipient: acme, title: "Northwind's own work")
            // Two more of Acme's: one missed and delivered late after all, one missed for good.
            var late: [String] = []
            for title in ["Late audit", "Forgotten report"] {
                let created = try await app.api(
                    .POST, "/partnerships/\(pid)/commitments", token: acme.token,
                    json: #"{"title":"\#(title)","dueAt":"\#(rfc3339(Date().addingTimeInterval(2)))","timeZone":"UTC"}"#)
                let url = "/partnerships/\(pid)/commitments/\(created.body["id"] as? String ?? "")/transitions"
                #expect(try await app.api(.POST, url, token: north.token, json: #"{"action":"accept"}"#).status == .ok, "\(created.raw)")
                late.append(url)
            }
            try await Task.sleep(for: .seconds(2.5))
            #expect(try await Commitments.sweepOverdue(on: app.db) == 2)
            #expect(try await app.api(.POST, late[0], token: acme.token, json: #"{"action":"deliver"}"#).status == .ok)
            #expect(try await app.api(.POST, late[0], token: north.token, json: #"{"action":"approveDelivery"}"#).status == .ok)
            try await handledIncident(app, pid: pid, responsible: acme, affected: north)
            let praise = "Acme shipped the storefront early and answered every question the same day."
            #expect(
                try await app.api(
                    .PUT, "/organizations/\(acme.organizationID)/testimonials", token: north.token, json: #"{"text":"\#(praise)"}"#
                )
                .status == .ok)
            let credential = try await app.api(
                .POST, "/credentials", token: acme.token,
                json: #"{"kind":"certification","title":"ISO 27001","issuerOrganizationId":"\#(north.organizationID)"}"#)
            #expect(
                try await app.api(
                    .POST, "/credentials/\(credential.body["id"] as? String ?? "")/decision", token: north.token,
                    json: #"{"decision":"confirm"}"#
                ).status == .ok)
            try await cosign(app, pid, as: north, with: northKey)
            try await cosign(app, pid, as: acme, with: acmeKey)

            let (status, bytes) = try await passport(app, of: acme, token: acme.token)
            #expect(status == .ok)
            let report = try Passport.verify(bytes)
            #expect(
                report.figures
                    == .init(
                        commitments: 4, onTime: 2, late: 1, missed: 1, incidents: 1, handledOpenly: 1, testimonials: 1, credentials: 1,
                        partnerships: 1, witnessedPartnerships: 1))
            let statements = Passport.statements(report.receipts)
            #expect(statements.testimonials == [.init(author: "Northwind", text: praise)])
            #expect(statements.credentials == [.init(author: "Northwind", text: "Certification: ISO 27001")])
            #expect(report.receipts.first?.cosigners.map(\.key.name).sorted() == ["acme-witness", "northwind-witness"])
            // The receipts carry their entries base64-encoded (tlog-proof's extra line): look at them decoded too.
            let text =
                String(decoding: bytes, as: UTF8.self)
                + report.receipts.flatMap(\.entries).map { String(decoding: $0.entry.canonical, as: UTF8.self) }.joined()
            // Northwind is named only as the author of its public testimonial and the issuer of the credential.
            #expect(text.components(separatedBy: "Northwind").count - 1 == 2)
            for secret in [
                "Secret storefront", "Confidential pricing", "Late audit", "Forgotten", "Alice", "Relaunch", "wrong client",
                "shared bucket",
            ] {
                #expect(!text.contains(secret), "the passport reveals \(secret)")
            }
            // Every altered byte is refused.
            var accepted: [Int] = []
            for i in bytes.indices {
                var altered = bytes
                altered[i] ^= 0x01
                if (try? Passport.verify(altered)) != nil { accepted.append(i) }
            }
            #expect(accepted.isEmpty, "altered bytes accepted at \(accepted.prefix(10)) of \(bytes.count)")
            // Stated figures that the logs do not prove are refused even when the file is canonical.
            var inflated = try JSONDecoder().decode(Passport.self, from: Data(bytes))
            inflated.figures.commitments = 5
            #expect(throws: Passport.Failure.signature) { try Passport.verify(inflated.encoded) }
            // Even re-signed by the host, figures the logs do not prove are refused.
            inflated.signature =
                SignedNote(text: inflated.signedText, signatures: [try app.ledgerSigner.sign(inflated.signedText)]).serialized
            let resigned = inflated.encoded
            #expect(throws: Passport.Failure.figuresDisagree(stated: inflated.figures, proven: report.figures)) {
                try Passport.verify(resigned)
            }
            // A pinned log key must be the one that signed.
            #expect(throws: Passport.Failure.self) { try Passport.verify(bytes, trustedLogKey: northKey.verifier.encoded) }

            // Another partnership no partner cosigned: refused unless accepted explicitly.
            let kite = try await app.register("Kim", org: "Kite")
            let created = try await app.api(
                .POST, "/partnerships", token: kite.token, json: #"{"name":"Data","partnerEmail":"\#(acme.email)"}"#)
            let secret = String((created.body["invitationLink"] as? String ?? "").split(separator: "/").last ?? "")
            #expect(try await app.api(.POST, "/invitations/\(secret)/accept", token: acme.token).status == .ok)
            try await completedWork(app, pid: created.body["id"] as? String ?? "", owner: acme, recipient: kite, title: "Model")
            let (_, both) = try await passport(app, of: acme, token: acme.token)
            #expect(throws: Passport.Failure.self) { try Passport.verify(both) }
            let lenient = try Passport.verify(both, allowUnwitnessed: true)
            var expected = report.figures
            (expected.commitments, expected.onTime, expected.partnerships) = (5, 3, 2)
            #expect(lenient.figures == expected)
            // A withdrawn testimonial no longer counts.
            #expect(try await app.api(.DELETE, "/organizations/\(acme.organizationID)/testimonials", token: north.token).status.code < 300)
            try await cosign(app, pid, as: north, with: northKey)
            try await cosign(app, pid, as: acme, with: acmeKey)
            expected.testimonials = 0
            #expect(try Passport.verify(try await passport(app, of: acme, token: acme.token).1, allowUnwitnessed: true).figures == expected)

            // From the organization page, with the session: the same passport.
            let browser = try await Browser.signedIn(app, as: acme)
            let page = try await browser.get("/organization")
            #expect(page.html.contains(#"href="/organization/passport.json""#))
            let download = try await browser.get("/organization/passport.json")
            #expect(download.status == .ok)
            #expect(try Passport.verify(Array(download.html.utf8), allowUnwitnessed: true).figures == expected)

            // Without an account: only once the organization has a public profile.
            #expect(try await passport(app, of: acme, token: nil).0 == .notFound)
            #expect(try await passport(app, of: acme, token: kite.token).0 == .notFound)
            _ = try await app.api(.PUT, "/profile/sections/about", token: acme.token, json: #"{"content":"Retail","visibility":"public"}"#)
            #expect(try await passport(app, of: acme, token: nil).0 == .ok)
            #expect(try await passport(app, of: acme, token: "bogus").0 == .unauthorized)
        }
    }
}
