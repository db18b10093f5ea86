import BonafideCore
import Fluent
import Foundation
import Vapor

extension WebPages {
    static func addCredential(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        return try await act(req, back: SiteURL.organizationSettings) {
            guard let kind = CredentialKind(rawValue: field(req, "kind")) else {
                throw Problem.invalid("kind", "Choose what kind of credential it is.")
            }
            let issuerText = field(req, "issuerOrganizationId")
            guard issuerText.isEmpty || UUID(uuidString: issuerText) != nil else {
                throw Problem.invalid("issuerOrganizationId", "Pick the issuer from the list, or name one that is not on Bonafide.")
            }
            guard issuerText.isEmpty || field(req, "issuerName").trimmingCharacters(in: .whitespaces).isEmpty else {
                throw Problem.invalid("issuerName", "Pick the issuer on Bonafide or name one elsewhere, not both.")
            }
            var until: Date?
            let untilText = field(req, "validUntil")
            if !untilText.isEmpty {
                // The end of that day where the organization's people are.
                guard let day = Clock.parseLocal(untilText + "T23:59", zone: actor.user.timeZone) else {
                    throw Problem.invalid("validUntil", "Enter the date it is valid until.")
                }
                until = day
            }
            try await Credentials.add(
                .init(
                    kind: kind, title: field(req, "title"), issuerName: field(req, "issuerName"),
                    issuerID: issuerText.isEmpty ? nil : UUID(uuidString: issuerText), identifier: field(req, "identifier"),
                    validUntil: until),
                by: actor, on: req.db)
            req.flash(issuerText.isEmpty ? "Added, shown as not verified." : "Added. The issuer has been asked to confirm it.")
            return SiteURL.organizationSettings
        }
    }

    static func removeCredential(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        return try await act(req, back: SiteURL.organizationSettings) {
            guard let id = uuid(req, "crid"), try await Credentials.remove(id, by: actor, on: req.db) else {
                throw Problem.notFound("credential")
            }
            req.flash("Removed.")
            return SiteURL.organizationSettings
        }
    }

    static func decideCredential(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        return try await act(req, back: SiteURL.credentialRequests) {
            guard let id = uuid(req, "crid") else { throw Problem.notFound("credential") }
            guard let decision = Credentials.Decision(rawValue: field(req, "decision")) else {
                throw Problem.invalid("decision", "Confirm, decline or revoke.")
            }
            let c = try await Credentials.decide(id, decision, note: field(req, "note"), by: actor, on: req.db)
            req.flash("“\(c.title)” is now \(c.status == .verified ? "verified" : c.status.rawValue).")
            return SiteURL.credentialRequests
        }
    }
}
