import BonafideCore
import Fluent
import Foundation
import Testing
import VaporTesting

@testable import BonafideServer

@Suite("Credentials")
struct CredentialAPITests {
    func evidence(_ app: Application, viewer: Account, subject: Account) async throws -> [TrustEvidence] {
        try await TrustService.evidence(
            viewer: UUID(uuidString: viewer.organizationID)!, subject: UUID(uuidString: subject.organizationID)!, at: Date(), on: app.db
        ).filter { $0.kind == .credentialVerified }
    }

    @Test func issuersConfirmDeclineAndRevokeAndOnlyConfirmedCredentialsCount() async throws {
        try await withTestApp { app in
            let (a, b, _) = try await app.activePartnership()
            let issuer = try await app.register("Ida", org: "Kite")
            let stranger = try await app.register("Sam", org: "Harbor")
            let member = try await app.invitedMember(of: a, role: "member")
            let cert =
                #"{"kind":"certification","title":"ISO/IEC 27001:2022","issuerOrganizationId":"\#(issuer.organizationID)","identifier":"IS 12345"}"#

            // Bad input: a specific error each, nothing added.
            for (json, field) in [
                (#"{"kind":"certification","title":"  ","issuerName":"TÜV"}"#, "title"),
                (#"{"kind":"certification","title":"ISO","issuerOrganizationId":"\#(a.organizationID)"}"#, "own organization"),
                (#"{"kind":"certification","title":"ISO","issuerOrganizationId":"\#(UUID())"}"#, "no such organization"),
                (#"{"kind":"license","title":"Bar licence","issuerName":"Bar","validUntil":"2020-01-01T00:00:00Z"}"#, "expired"),
                (#"{"kind":"award","title":"Best agency"}"#, "issued it"),
            ] {
                let r = try await app.api(.POST, "/credentials", token: a.token, json: json)
                #expect(r.status == .unprocessableEntity && r.raw.contains(field), "\(json): \(r.raw)")
            }
            #expect(try await app.api(.POST, "/credentials", token: member.token, json: cert).status == .forbidden)
            #expect(try await app.api(.GET, "/organizations/\(a.organizationID)/credentials", token: a.token).list.isEmpty)

            let added = try await app.api(.POST, "/credentials", token: a.token, json: cert)
            #expect(added.status == .created && added.body["status"] as? String == "pending", "\(added.raw)")
            #expect(added.body["issuerName"] as? String == "Kite")
            let id = added.body["id"] as? String ?? ""
            // No second request to the same issuer while one waits.
            let again = try await app.api(.POST, "/credentials", token: a.token, json: cert)
            #expect(again.status == .conflict && again.raw.contains("has not answered"), "\(again.raw)")
            let notes = try await app.api(.GET, "/notifications", token: issuer.token)
            #expect(notes.raw.contains("Northwind says you issued them “ISO/IEC 27001:2022”"), "\(notes.raw)")
            // Pending: the holder and the issuer see it, nobody else; it counts for nothing yet.
            #expect(try await app.api(.GET, "/organizations/\(a.organizationID)/credentials", token: stranger.token).list.isEmpty)
            #expect(try await app.api(.GET, "/organizations/\(a.organizationID)/credentials", token: issuer.token).list.count == 1)
            #expect(try await app.api(.GET, "/credentials/requests", token: issuer.token).list.count == 1)
            #expect(try await evidence(app, viewer: b, subject: a).isEmpty)

            // Only the issuer decides; anyone else gets 404. Declining needs a reason.
            let decision = "/credentials/\(id)/decision"
            #expect(try await app.api(.POST, decision, token: stranger.token, json: #"{"decision":"confirm"}"#).status == .notFound)
            #expect(try await app.api(.POST, decision, token: a.token, json: #"{"decision":"confirm"}"#).status == .notFound)
            #expect(
                try await app.api(.POST, decision, token: issuer.token, json: #"{"decision":"decline"}"#).status == .unprocessableEntity)
            #expect(try await app.api(.POST, decision, token: issuer.token, json: #"{"decision":"revoke","note":"x"}"#).status == .conflict)
            let confirmed = try await app.api(.POST, decision, token: issuer.token, json: #"{"decision":"confirm"}"#)
            #expect(confirmed.body["status"] as? String == "verified" && confirmed.body["decidedAt"] != nil, "\(confirmed.raw)")
            #expect(try await app.api(.POST, decision, token: issuer.token, json: #"{"decision":"confirm"}"#).status == .conflict)
            #expect(try await app.api(.GET, "/organizations/\(a.organizationID)/credentials", token: stranger.token).list.count == 1)

            // An issuer nobody the viewer knows has worked with could be made up: it counts for nothing.
            var items = try await evidence(app, viewer: b, subject: a)
            #expect(items.isEmpty)
            // Half when an organization the viewer knows has worked with the issuer.
            let kiteHarbor = try await app.api(
                .POST, "/partnerships", token: issuer.token, json: #"{"name":"Audit","partnerEmail":"\#(stranger.email)"}"#)
            let secret = String((kiteHarbor.body["invitationLink"] as? String ?? "").split(separator: "/").last ?? "")
            #expect(try await app.api(.POST, "/invitations/\(secret)/accept", token: stranger.token).status == .ok)
            #expect(
                try await app.api(.PUT, "/circles/\(stranger.organizationID)", token: b.token, json: #"{"circle":"connected"}"#).status
                    == .ok)
            items = try await evidence(app, viewer: b, subject: a)
            #expect(items.map(\.weight) == [0.5])
            #expect(items.first?.summary == "Certification “ISO/IEC 27001:2022” confirmed by Kite (known to organizations you work with)")
            // Fully once the viewer keeps the issuer close itself.
            #expect(
                try await app.api(.PUT, "/circles/\(issuer.organizationID)", token: b.token, json: #"{"circle":"connected"}"#).status == .ok
            )
            items = try await evidence(app, viewer: b, subject: a)
            #expect(items.map(\.weight) == [1] && items.first?.summary == "Certification “ISO/IEC 27001:2022” confirmed by Kite")
            _ = try await TrustService.drain(on: app.db)
            let trust = try await app.api(.GET, "/trust/\(a.organizationID)", token: b.token)
            #expect(trust.raw.contains("confirmed by Kite"), "\(trust.raw.prefix(800))")

            // A claim whose issuer is not on Bonafide is shown as such and counts for nothing.
            let claimed = try await app.api(
                .POST, "/credentials", token: a.token,
                json: #"{"kind":"insurance","title":"Professional liability","issuerName":"Allianz"}"#)
            #expect(claimed.body["status"] as? String == "claimed")
            #expect(try await evidence(app, viewer: b, subject: a).count == 1)

            // Revoked: shown as revoked with the reason, no longer evidence.
            let revoked = try await app.api(
                .POST, decision, token: issuer.token, json: #"{"decision":"revoke","note":"Certificate suspended after the audit"}"#)
            #expect(revoked.body["status"] as? String == "revoked")
            #expect(try await evidence(app, viewer: b, subject: a).isEmpty)
            let shown = try await app.api(.GET, "/organizations/\(a.organizationID)/credentials", token: stranger.token)
            #expect(shown.list.compactMap { $0["status"] as? String }.sorted() == ["claimed", "revoked"], "\(shown.raw)")

            // A declined request is seen only by holder and issuer, and cannot be repeated for 30 days.
            let second = try await app.api(
                .POST, "/credentials", token: a.token,
                json: #"{"kind":"membership","title":"Kite partner network","issuerOrganizationId":"\#(issuer.organizationID)"}"#)
            #expect(second.body["status"] as? String == "pending", "\(second.raw)")
            let declined = try await app.api(
                .POST, "/credentials/\(second.body["id"] as? String ?? "")/decision", token: issuer.token,
                json: #"{"decision":"decline","note":"Not a member"}"#)
            #expect(declined.body["status"] as? String == "declined" && declined.body["decisionNote"] as? String == "Not a member")
            #expect(
                !(try await app.api(.GET, "/organizations/\(a.organizationID)/credentials", token: stranger.token).raw.contains(
                    "Kite partner network")))
            #expect(
                try await app.api(.GET, "/organizations/\(a.organizationID)/credentials", token: a.token).raw.contains(
                    "Kite partner network"))
            let nagging = try await app.api(
                .POST, "/credentials", token: a.token,
                json: #"{"kind":"membership","title":"Kite partner network","issuerOrganizationId":"\#(issuer.organizationID)"}"#)
            #expect(nagging.status == .conflict && nagging.raw.contains("declined"), "\(nagging.raw)")

            // Removing: only one's own, once.
            let claimedID = claimed.body["id"] as? String ?? ""
            #expect(try await app.api(.DELETE, "/credentials/\(claimedID)", token: stranger.token).status == .notFound)
            #expect(try await app.api(.DELETE, "/credentials/\(claimedID)", token: a.token).status == .noContent)
            #expect(try await app.api(.DELETE, "/credentials/\(claimedID)", token: a.token).status == .notFound)
        }
    }

    @Test func expiredCredentialsStopCountingAndTheWebShowsEverything() async throws {
        try await withTestApp { app in
            let (a, b, _) = try await app.activePartnership()
            let issuer = try await app.register("Ida", org: "Kite")
            let added = try await app.api(
                .POST, "/credentials", token: a.token,
                json:
                    #"{"kind":"license","title":"Chartered surveyors","issuerOrganizationId":"\#(issuer.organizationID)","validUntil":"\#(rfc3339(Date().addingTimeInterval(30 * 86_400)))"}"#
            )
            let id = added.body["id"] as? String ?? ""
            #expect(
                try await app.api(.PUT, "/circles/\(issuer.organizationID)", token: b.token, json: #"{"circle":"collaborator"}"#).status
                    == .ok)
            // The issuer confirms through the web page.
            let ida = try await Browser.signedIn(app, as: issuer)
            let settings = try await ida.get("/organization")
            #expect(
                settings.html.contains("id=\"credential-requests\"") && settings.html.contains("Chartered surveyors"), "\(settings.html)")
            let confirmed = try await ida.post("/organization/credentials/\(id)/decision", ["decision": "confirm"])
            #expect(confirmed.status == .seeOther)
            #expect(try await evidence(app, viewer: b, subject: a).count == 1)
            // Past its date it is shown as expired and no longer counts.
            let stored = try await Credential.find(UUID(uuidString: id), on: app.db)!
            stored.validUntil = Date().addingTimeInterval(-60)
            try await stored.save(on: app.db)
            #expect(try await evidence(app, viewer: b, subject: a).isEmpty)
            let listed = try await app.api(.GET, "/organizations/\(a.organizationID)/credentials", token: b.token)
            #expect(listed.list.first?["expired"] as? Bool == true)
            let bob = try await Browser.signedIn(app, as: b)
            let profile = try await bob.get("/organizations/\(a.organizationID)")
            #expect(profile.html.contains("Chartered surveyors") && profile.html.contains("s-expired"), "\(profile.html)")

            // Adding through the form: a bad date or a missing issuer comes back as a message and adds nothing.
            let alice = try await Browser.signedIn(app, as: a)
            _ = try await alice.post(
                "/organization/credentials", ["kind": "award", "title": "Webby", "issuerOrganizationId": "", "issuerName": ""])
            let page = try await alice.get("/organization")
            #expect(page.html.contains("Say who issued it"), "\(page.html)")
            _ = try await alice.post(
                "/organization/credentials",
                ["kind": "award", "title": "Webby 2026", "issuerOrganizationId": "", "issuerName": "IADAS", "validUntil": "2031-05-01"])
            let after = try await alice.get("/organization")
            #expect(after.html.contains("Webby 2026") && after.html.contains("not verified"), "\(after.html)")
        }
    }
}
