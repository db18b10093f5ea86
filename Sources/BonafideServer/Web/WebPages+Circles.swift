import BonafideCore
import Fluent
import Foundation
import Vapor

extension WebPages {
    /// The organization's circles, closest first, and a search to find organizations to add.
    static func circles(_ req: Request) async throws -> HTML {
        let actor = try req.requireActor()
        let clock = Clock(actor.user.timeZone)
        let members = try await Circles.members(of: actor.organizationID, on: req.db)
        let query = (req.query[String.self, at: "q"] ?? "").trimmingCharacters(in: .whitespaces)
        var found: HTML = ""
        if !query.isEmpty {
            let orgs = try await Circles.findOrganizations(named: query, except: actor.organizationID, on: req.db)
            found =
                orgs.isEmpty
                ? "<p class=\"muted\" id=\"circle-search-results\">No organization is called anything like “\(query)”.</p>"
                : "<ul id=\"circle-search-results\">\(HTML.join(orgs.map { o in HTML("<li><a href=\"\(SiteURL.organization(o.id))\">\(o.name)</a></li>") }))</ul>"
        }
        let groups = HTML.join(
            Circle.allCases.reversed().map { circle in
                let here = members.filter { $0.circle == circle }
                let items =
                    here.isEmpty
                    ? HTML("<p class=\"muted small\">No one.</p>")
                    : HTML(
                        "<ul>\(HTML.join(here.map { m in HTML("<li><a href=\"\(SiteURL.organization(m.organizationID))\">\(m.name)</a>\(m.note.isEmpty ? "" : HTML(" — <span class=\"muted\">\(m.note)</span>"))<span class=\"small muted\"> · \(m.placedBy), \(clock.format(m.placedAt, "d MMM yyyy"))</span></li>") }))</ul>"
                    )
                return
                    "<section class=\"card\" id=\"circle-\(circle.rawValue)\"><h2>\(circle.title) <span class=\"muted small\">\(here.count)</span></h2>\(items)</section>"
            })
        return try await page(
            req, "Circles",
            """
            <h1>Circles</h1>
            <p class="muted">Where you keep the organizations you know, from following to trusted referral. Only your organization sees its circles; placing someone closer counts as evidence of your trust in them, and a trusted referral is a vouch. Survey recipients can be taken from a circle.</p>
            <p><a href="\(SiteURL.introductions())">Introductions</a> · <a href="\(SiteURL.find())">Find an organization</a></p>
            <form method="get" action="\(SiteURL.circles())" role="search"><label for="circle-q">Find an organization</label><input id="circle-q" name="q" value="\(query)" maxlength="120"><button>Search</button></form>
            \(found)
            \(groups)
            \(try await ReferralLinksCard.load(req, for: actor).render(csrf: req.csrfToken, clock: clock))
            """)
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

    /// The circle card on another organization's profile: where you keep them, and a form to change it.
    static func circleCard(_ req: Request, subject: UUID, actor: Actor) async throws -> HTML {
        let placement = try await Circles.placement(of: subject, by: actor.organizationID, on: req.db)
        let current = placement?.circle
        let note: HTML = placement.map { $0.note.isEmpty ? "" : HTML(" <span class=\"muted\">“\($0.note)”</span>") } ?? ""
        let state: HTML =
            current.map { "<p id=\"circle-state\">In your <strong>\($0.title.lowercased())</strong> circle.\(note)</p>" }
            ?? "<p id=\"circle-state\" class=\"muted\">Not in your circles.</p>"
        guard Policy.canManage(actor) else { return "<section class=\"card\"><h2>Circles</h2>\(state)</section>" }
        let options = HTML.join(
            Circle.allCases.map { c in
                HTML("<option value=\"\(c.rawValue)\"\(HTML(raw: c == current ? " selected" : ""))>\(c.title)</option>")
            })
        return """
            <section class="card" id="circle-card"><h2>Circles</h2>\(state)
            <form method="post" action="\(SiteURL.circlePlacement(subject))">\(csrf(req))
            <label for="circle">Keep them in</label><select id="circle" name="circle">\(options)</select>
            <label for="circle-note">Note <span class="muted small">(only your organization sees it)</span></label><input id="circle-note" name="note" maxlength="500" value="\(placement?.note ?? "")">
            <button>Save</button></form>
            \(current == nil ? "" : HTML("<form method=\"post\" action=\"\(SiteURL.circleRemoval(subject))\">\(csrf(req))<button class=\"secondary\">Take out of your circles</button></form>"))
            </section>
            """
    }

    /// Testimonials about an organization, and the form to write one when real, completed work allows it.
    static func testimonialsCard(_ req: Request, subject: UUID, actor: Actor, clock: Clock) async throws -> HTML {
        let entries = try await Testimonials.about(subject, on: req.db)
        let list = HTML.join(
            entries.map { t in
                let label = Sentiment.label(for: t.sentiment).rawValue
                let drivers = t.drivers.isEmpty ? "" : " · \(StoredDrivers.quoted(t.drivers))"
                return """
                    <blockquote class="testimonial"><p>\(t.text)</p><footer class="small muted"><strong>\(t.authorName)</strong> (\(t.writtenBy)), \(clock.format(t.writtenAt, "d MMM yyyy")) · \(t.basis) · <span class="sentiment-\(label)">\(label) \(String(format: "%+.2f", t.sentiment))</span>\(drivers)</footer></blockquote>
                    """
            })
        var form: HTML = ""
        if subject != actor.organizationID {
            if (try? await Policy.testimonialBasis(author: actor, subject: subject, on: req.db)) != nil {
                let mine = entries.first { $0.authorID == actor.organizationID }
                form = """
                    <form method="post" action="\(SiteURL.testimonial(subject))">\(csrf(req))
                    <label for="testimonial-text">\(mine == nil ? "Write a testimonial" : "Rewrite your organization's testimonial") <span class="muted small">(public on their profile; \(Testimonials.minimumLength)–\(Testimonials.maximumLength) characters)</span></label>
                    <textarea id="testimonial-text" name="text" rows="3" minlength="\(Testimonials.minimumLength)" maxlength="\(Testimonials.maximumLength)" required>\(mine?.text ?? "")</textarea>
                    <button>Publish</button></form>
                    \(mine == nil ? "" : HTML("<form method=\"post\" action=\"\(SiteURL.testimonialWithdrawal(subject))\">\(csrf(req))<button class=\"secondary\">Withdraw it</button></form>"))
                    """
            } else {
                form =
                    "<p class=\"muted small\" id=\"testimonial-why-not\">Testimonials come only from real, completed work: you can write one once they have delivered a commitment to you and you accepted it as complete.</p>"
            }
        }
        return """
            <section class="card" id="testimonials"><h2>Testimonials <span class="muted small">\(entries.count)</span></h2>
            \(entries.isEmpty ? HTML("<p class=\"muted\">None yet.</p>") : list)
            \(form)</section>
            """
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
