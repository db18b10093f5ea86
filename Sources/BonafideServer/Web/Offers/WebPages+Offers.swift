import BonafideCore
import Foundation
import Vapor

/// Offers: the list with the form, one offer, an answer and a withdrawal.
extension WebPages {
    static func offers(_ req: Request) async throws -> HTML {
        let model = try await OffersPage.load(req, for: try req.requireActor())
        return try await page(req, "Offers", model.render())
    }

    static func createOffer(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        let values = Dictionary(uniqueKeysWithValues: OffersPage.fields.map { ($0, typedText(req, $0)) })
        do {
            guard let kind = OfferKind(rawValue: values["kind"] ?? "") else { throw Problem.invalid("kind", "Choose the kind of offer.") }
            guard let audience = Audience(rawValue: values["audience"] ?? "") else {
                throw Problem.invalid("audience", "Choose whom the offer is for.")
            }
            let monthsText = (values["minRelationshipMonths"] ?? "").trimmingCharacters(in: .whitespaces)
            guard let months = monthsText.isEmpty ? 0 : Int(monthsText), (0...120).contains(months) else {
                throw Problem.invalid("minRelationshipMonths", "Enter a number of months from 0 to 120.")
            }
            // The offer stays open through the chosen day, in the person's own time zone.
            guard
                let until = Clock.parseLocal(
                    (values["validUntil"] ?? "").trimmingCharacters(in: .whitespaces) + "T23:59", zone: actor.user.timeZone)
            else { throw Problem.invalid("validUntil", "Enter the last day the offer is open.") }
            // A month as the form means it: 30 days and a half, so "6 months" is what a calendar says.
            let days = Int((Double(months) * 30.4375).rounded(.up))
            let entry = try await Offers.create(
                .init(
                    title: values["title"] ?? "", details: values["details"] ?? "", kind: kind, audience: audience,
                    minRelationshipDays: days,
                    personalNote: values["personalNote"] ?? "", validUntil: until),
                by: actor, on: req.db)
            req.flash("Offered. Each organization it is for has been told, with a line about your work together.")
            return req.safeRedirect(to: SiteURL.offer(entry.id))
        } catch let problem as Problem where Policy.canManage(actor) {
            // Shown again as typed, with the refusal next to its field.
            let model = try await OffersPage.load(req, for: actor, values: values, problem: problem)
            return try await page(req, "Offers", model.render()).encodeResponse(status: problem.status, for: req)
        } catch let problem as Problem {
            req.flash(problem.detail, error: true)
            return req.safeRedirect(to: SiteURL.offers())
        }
    }

    static func offerPage(_ req: Request) async throws -> HTML {
        let model = try await OfferPage.load(req, for: try req.requireActor())
        return try await page(req, model.entry.title, model.render())
    }

    static func respondToOffer(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        let id = uuid(req, "ofid")
        do {
            guard let accept = ["accept": true, "decline": false][field(req, "decision")] else {
                throw Problem.invalid("decision", "Choose whether to accept or decline the offer.")
            }
            let entry = try await Offers.respond(id, accept: accept, note: typedText(req, "note"), by: actor, on: req.db)
            req.flash(
                !accept
                    ? "Declined; \(entry.organizationName) has been told."
                    : entry.answer?.commitmentID != nil
                        ? "Accepted: it is now a commitment proposed to you in your partnership."
                        : "Accepted; \(entry.organizationName) has been told.")
        } catch let problem as Problem where problem.status != .notFound {
            req.flash(problem.detail, error: true)
        }
        return req.safeRedirect(to: SiteURL.offer(id))
    }

    static func withdrawOffer(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        let id = uuid(req, "ofid")
        do {
            _ = try await Offers.withdraw(id, by: actor, on: req.db)
            req.flash("Withdrawn: it can no longer be answered; answers given stay.")
        } catch let problem as Problem where problem.status != .notFound {
            req.flash(problem.detail, error: true)
        }
        return req.safeRedirect(to: SiteURL.offer(id))
    }
}
