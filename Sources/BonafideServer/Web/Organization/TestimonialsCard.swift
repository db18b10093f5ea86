import BonafideCore
import Fluent
import Foundation

/// Testimonials about an organization on its profile, and the form to write one when real, completed work allows it.
/// A pure view of its model.
struct TestimonialsCard: Sendable {
    enum Writing: Sendable {
        /// One's own organization: nothing to write.
        case ownOrganization
        /// No completed work with them yet, so no testimonial.
        case notYet
        /// May write one, or rewrite the one already written.
        case may(current: String?)
    }

    var subject: UUID
    var entries: [Testimonials.Entry]
    var writing: Writing

    static func load(for actor: Actor, subject: UUID, on db: any Database) async throws -> TestimonialsCard {
        let entries = try await Testimonials.about(subject, on: db)
        let writing: Writing =
            if subject == actor.organizationID {
                .ownOrganization
            } else if (try? await Policy.testimonialBasis(author: actor, subject: subject, on: db)) != nil {
                .may(current: entries.first { $0.authorID == actor.organizationID }?.text)
            } else {
                .notYet
            }
        return TestimonialsCard(subject: subject, entries: entries, writing: writing)
    }

    func render(clock: Clock, csrf: String) -> HTML {
        let list = HTML.join(
            entries.map { t in
                let label = Sentiment.label(for: t.sentiment).rawValue
                let drivers = t.drivers.isEmpty ? "" : " · \(StoredDrivers.quoted(t.drivers))"
                return """
                    <blockquote class="testimonial"><p>\(t.text)</p><footer class="small muted"><strong>\(t.authorName)</strong> (\(t.writtenBy)), \(clock.format(t.writtenAt, "d MMM yyyy")) · \(t.basis) · <span class="sentiment-\(label)">\(label) \(String(format: "%+.2f", t.sentiment))</span>\(drivers)</footer></blockquote>
                    """
            })
        let form: HTML =
            switch writing {
            case .ownOrganization: ""
            case .notYet:
                "<p class=\"muted small\" id=\"testimonial-why-not\">Testimonials come only from real, completed work: you can write one once they have delivered a commitment to you and you accepted it as complete.</p>"
            case .may(let mine):
                """
                <form method="post" action="\(SiteURL.testimonial(subject))">\(csrfField(csrf))
                <label for="testimonial-text">\(mine == nil ? "Write a testimonial" : "Rewrite your organization's testimonial") <span class="muted small">(public on their profile; \(Testimonials.minimumLength)–\(Testimonials.maximumLength) characters)</span></label>
                <textarea id="testimonial-text" name="text" rows="3" minlength="\(Testimonials.minimumLength)" maxlength="\(Testimonials.maximumLength)" required>\(mine ?? "")</textarea>
                <button>Publish</button></form>
                \(mine == nil ? "" : HTML("<form method=\"post\" action=\"\(SiteURL.testimonialWithdrawal(subject))\">\(csrfField(csrf))<button class=\"secondary\">Withdraw it</button></form>"))
                """
            }
        return """
            <section class="card" id="testimonials"><h2>Testimonials <span class="muted small">\(entries.count)</span></h2>
            \(entries.isEmpty ? HTML("<p class=\"muted\">None yet.</p>") : list)
            \(form)</section>
            """
    }
}
