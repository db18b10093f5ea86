import Fluent
import Foundation
import Testing
import VaporTesting

@testable import BonafideServer

/// Sharing decisions taken by several people at once: one winner and a 409 for the others, nothing counted twice.
@Suite("Sharing, several at once")
struct SharingConcurrencyTests {
    @Test func anIntroductionIsDecidedOnce() async throws {
        try await withTestApp { app in
            let (north, acme, _) = try await app.activePartnership()
            let lumen = try await app.register("Lia", org: "Lumen")
            let admin = try await app.invitedMember(of: acme, role: "admin", name: "Ada")
            #expect(
                try await app.api(.PUT, "/circles/\(lumen.organizationID)", token: acme.token, json: #"{"circle":"connected"}"#).status
                    == .ok)
            let asked = try await app.api(
                .POST, "/introductions", token: north.token,
                json:
                    #"{"targetOrganizationId":"\#(lumen.organizationID)","viaOrganizationId":"\#(acme.organizationID)","message":"Lia, Acme tells us you run the best returns desk in town; may we learn how?"}"#
            )
            let path = "/introductions/\(asked.body["id"] as? String ?? "")/decision"
            let statuses = try await together(8) { i in
                let json = i % 2 == 0 ? #"{"decision":"accept","note":"Careful people, worth an hour."}"# : #"{"decision":"decline"}"#
                return try await app.api(.POST, path, token: i % 4 < 2 ? acme.token : admin.token, json: json).status
            }
            #expect(statuses.filter { $0 == .ok }.count == 1, "\(statuses)")
            #expect(statuses.filter { $0 == .conflict }.count == 7, "\(statuses)")
            let decided = try await app.api(.GET, "/introductions", token: north.token).list.first?["status"] as? String
            #expect(decided == "accepted" || decided == "declined", "\(decided ?? "none")")
            // The requester hears of it once.
            let notes = try await app.api(.GET, "/notifications", token: north.token).raw
            #expect(notes.components(separatedBy: "Lumen").count - 1 <= 1, "\(notes.prefix(400))")
        }
    }

    @Test func sectionsAddedAtOnceNeitherDuplicateNorPassTheLimit() async throws {
        try await withTestApp { app in
            let (north, _, _) = try await app.activePartnership()
            let statuses = try await together(8) { i in
                try await app.api(.PUT, "/profile/sections/case-studies", token: north.token, json: #"{"content":"Version \#(i)"}"#).status
            }
            #expect(statuses.allSatisfy { $0 == .ok }, "\(statuses)")
            let org = UUID(uuidString: north.organizationID)!
            #expect(
                try await ProfileSection.query(on: app.db).filter(\.$organization.$id == org).filter(\.$name == "case-studies").count() == 1
            )
            for i in 1..<(ProfileSections.maxCustom - 1) {
                #expect(
                    try await app.api(.PUT, "/profile/sections/extra-\(i)", token: north.token, json: #"{"content":"x"}"#).status == .ok)
            }
            // One place left, eight asking for it.
            let last = try await together(8) { i in
                try await app.api(.PUT, "/profile/sections/last-\(i)", token: north.token, json: #"{"content":"x"}"#).status
            }
            #expect(last.filter { $0 == .ok }.count == 1 && last.filter { $0 == .conflict }.count == 7, "\(last)")
        }
    }

    @Test func aReferralLinkIsWithdrawnOnceAndEveryViewCounts() async throws {
        try await withTestApp { app in
            let (north, _, _) = try await app.activePartnership()
            let admin = try await app.invitedMember(of: north, role: "admin", name: "Ada")
            let created = try await app.api(.POST, "/referral-links", token: north.token, json: #"{"note":"For Orbit","expiresInDays":30}"#)
            #expect(created.status == .created, "\(created.raw)")
            let token = String((created.body["link"] as? String ?? "").split(separator: "/").last ?? "")
            let opened = try await together(10) { _ in try await app.api(.GET, "/referrals/\(token)").status }
            #expect(opened.allSatisfy { $0 == .ok }, "\(opened)")
            let id = created.body["id"] as? String ?? ""
            #expect(try await app.api(.GET, "/referral-links", token: north.token).list.first?["views"] as? Int == 10)
            let withdrawn = try await together(6) { i in
                try await app.api(.DELETE, "/referral-links/\(id)", token: i % 2 == 0 ? north.token : admin.token).status
            }
            #expect(withdrawn.filter { $0 == .noContent }.count == 1 && withdrawn.filter { $0 == .conflict }.count == 5, "\(withdrawn)")
            #expect(try await app.api(.GET, "/referrals/\(token)").status == .gone)
        }
    }
}
