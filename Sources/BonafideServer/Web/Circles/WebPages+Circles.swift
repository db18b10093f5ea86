import BonafideCore
import Fluent
import Foundation
import Vapor

extension WebPages {
    static func circles(_ req: Request) async throws -> HTML {
        let model = try await CirclesPage.load(req, for: try req.requireActor(), query: req.queryParameter("q") ?? "")
        return try await page(req, "Circles", model.render())
    }

    static func requestIntroduction(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        let target = UUID(uuidString: field(req, "target"))
        let back = SiteURL.organization(target) + "#ask-introduction"
        return try await act(req, back: back) {
            let i = try await Introductions.request(
                target: target, via: UUID(uuidString: field(req, "via")), message: field(req, "message"), by: actor, on: req.db)
            try await i.$via.load(on: req.db)
            req.flash("Asked \(i.via.name) to introduce you; you will hear when they answer.")
            return SiteURL.introductions()
        }
    }

    static func decideIntroduction(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        return try await act(req, back: SiteURL.introductions()) {
            let accept = field(req, "decision") == "accept"
            let i = try await Introductions.decide(uuid(req, "iid"), accept: accept, note: field(req, "note"), by: actor, on: req.db)
            try await i.$target.load(on: req.db)
            req.flash(accept ? "Introduced: \(i.target.name) has your note." : "Declined; they have been told.")
            return SiteURL.introductions()
        }
    }

    static func createReferralLink(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        return try await act(req, back: SiteURL.referralLinksSection) {
            guard let days = Int(field(req, "days").trimmingCharacters(in: .whitespaces)) else {
                throw Problem.invalid("days", "Say after how many days the link expires, from 1 to \(Referrals.maxDays).")
            }
            let (_, token) = try await Referrals.create(note: field(req, "note"), days: days, by: actor, on: req.db)
            req.flash(
                "Referral link created; copy it now, it is shown only once: \(req.application.bonafide.baseURL)\(SiteURL.referralList(token))"
            )
            return SiteURL.referralLinksSection
        }
    }

    static func revokeReferralLink(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        return try await act(req, back: SiteURL.referralLinksSection) {
            try await Referrals.revoke(uuid(req, "rid"), by: actor, on: req.db)
            req.flash("Referral link revoked: it no longer opens.")
            return SiteURL.referralLinksSection
        }
    }

    /// A form posted from an organization's profile: runs `work`, and back on the profile shows what it says (at the
    /// top of the page, where the message is, not scrolled to the form).
    private static func profileAction(_ req: Request, _ work: (Actor, UUID) async throws -> String) async throws -> Response {
        let actor = try req.requireActor()
        let id = uuid(req, "oid")
        let back = SiteURL.organization(id)
        return try await act(req, back: back) {
            guard let id else { throw Problem.notFound("organization") }
            req.flash(try await work(actor, id))
            return back
        }
    }

    static func placeInCircle(_ req: Request) async throws -> Response {
        try await profileAction(req) { actor, id in
            guard let circle = Circle(rawValue: field(req, "circle")) else { throw Problem.invalid("circle", "Choose one of the circles.") }
            try await Circles.place(id, in: circle, note: field(req, "note"), by: actor, on: req.db)
            return "Now in your \(circle.title.lowercased()) circle; trust is recomputed with it."
        }
    }

    static func removeFromCircle(_ req: Request) async throws -> Response {
        try await profileAction(req) { actor, id in
            try await Circles.remove(id, by: actor, on: req.db)
            return "Taken out of your circles."
        }
    }

    static func writeTestimonial(_ req: Request) async throws -> Response {
        try await profileAction(req) { actor, id in
            try await Testimonials.write(about: id, text: field(req, "text"), by: actor, on: req.db)
            return "Testimonial published."
        }
    }

    static func withdrawTestimonial(_ req: Request) async throws -> Response {
        try await profileAction(req) { actor, id in
            try await Testimonials.withdraw(about: id, by: actor, on: req.db)
            return "Testimonial withdrawn."
        }
    }
}
