import BonafideCore
import Fluent
import Foundation

/// The trust figures in plain words, each with the viewer's own evidence behind it: what the number means, what the
/// uncertainty says, what each part of the trust equation measures and which way is better, and what the network adds.
struct TrustExplainedPage: Sendable {
    struct Part: Sendable {
        var component: TrustComponent
        var score: Int?
        var evidence: Int
        var uncertainty: Int
        var items: [String]
    }

    var subjectName: String
    var subjectLink: String
    var figure: Int?
    var uncertainty: Int
    var quotient: Double
    var parts: [Part]
    var networkText: String
    var computed: String

    static func load(viewer: Actor, subject: UUID, on db: any Database) async throws -> Self {
        let (a, _) = try await TrustService.current(viewer: viewer.organizationID, subject: subject, on: db)
        let reasons = try await TrustService.allReasons(of: a, on: db)
        let clock = Clock(viewer.user.timeZone)
        func percent(_ v: Double) -> Int { Int((v * 100).rounded()) }
        let known = a.evidenceCount > 0 || a.network.intermediaries > 0
        return Self(
            subjectName: a.subjectName, subjectLink: SiteURL.organization(subject), figure: known ? percent(a.overall.expectation) : nil,
            uncertainty: percent(a.overall.uncertainty), quotient: a.trustQuotient,
            parts: a.components.map { c in
                Part(
                    component: c.component, score: c.evidenceCount == 0 ? nil : percent(c.value), evidence: c.evidenceCount,
                    uncertainty: percent(c.opinion.uncertainty),
                    items: reasons.filter { $0.component == c.component }.prefix(12).map { r in
                        "\(r.summary) (\(r.effect >= 0 ? "+" : "−")\(String(format: "%.1f", abs(r.effect) * 100)) points, \(clock.format(r.date, "d MMM yyyy")))"
                    })
            },
            networkText: a.network.intermediaries == 0
                ? "None of the organizations you trust has an opinion of \(a.subjectName) yet, so your figure rests on your own evidence alone and starts from 50."
                : "\(a.network.intermediaries) organization\(a.network.intermediaries == 1 ? "" : "s") you trust \(a.network.intermediaries == 1 ? "has" : "have") worked with \(a.subjectName). Their view, weighed by how much you trust each of them, is \(percent(a.network.opinion.expectation)) (uncertainty \(percent(a.network.opinion.uncertainty))%); your figure starts from there instead of 50 and moves with your own evidence.",
            computed: clock.format(a.computedAt))
    }

    static func meaning(_ c: TrustComponent) -> (title: String, question: String, counts: String, better: String) {
        switch c {
        case .credibility:
            (
                "Credibility", "Can you believe what they say?",
                "ratings, vouches from organizations you trust, credentials you can check, testimonials, incidents handled in the open (or not)",
                "Higher is better."
            )
        case .reliability:
            (
                "Reliability", "Do they do what they promised, when they promised?",
                "commitments delivered on time, late with or without warning, sent back or missed, and incidents on their side",
                "Higher is better."
            )
        case .intimacy:
            (
                "Intimacy", "Can you share with them safely?",
                "how close you keep them in your circles, regular check-ins and exchanges, confidential material kept",
                "Higher is better."
            )
        case .selfOrientation:
            (
                "Self-orientation", "Do they put their own interest before the partnership?",
                "requests of yours left unanswered or answered late (against), prompt answers and personal messages (for)",
                "Lower is better: 0 means they always put the partnership first."
            )
        }
    }

    func render() -> HTML {
        let headline: HTML =
            figure.map { f in
                """
                <p><strong class="trust-figure">\(f)</strong> / 100 · uncertainty \(uncertainty)%</p>
                <p>\(f) is the trust your organization can place in \(subjectName) from what it has seen. 0 would mean none at all,
                50 is what anyone gets before there is any evidence, 100 complete trust. The uncertainty, \(uncertainty)%, is how much is
                still unknown: with no evidence it is 100% and the figure 50; every promise kept or broken, request answered, rating
                and vouch makes it smaller, and old evidence slowly counts for less (it halves every 180 days).</p>
                """
            }
                ?? """
                <p><strong class="trust-figure">Unknown</strong></p>
                <p>Nothing is known of \(subjectName) yet, so there is no figure: a number would only be a guess. It becomes known
                with a commitment they deliver to you, a request of yours they answer, your rating, or an organization you trust
                working with them.</p>
                """
        let parts = HTML.join(
            parts.map { p in
                let m = Self.meaning(p.component)
                let evidence: HTML =
                    p.items.isEmpty
                    ? "<p class=\"muted small\">No evidence of this kind yet.</p>"
                    : HTML("<ul class=\"small\">\(HTML.join(p.items.map { HTML("<li>\($0)</li>") }))</ul>")
                return """
                    <section class="card" id="part-\(p.component.rawValue)"><h2>\(m.title): \(p.score.map { "\($0) / 100" } ?? "unknown")</h2>
                    <p><strong>\(m.question)</strong> \(m.better)</p><p class="small">What counts: \(m.counts).</p>
                    <p class="small muted">\(p.evidence) item\(p.evidence == 1 ? "" : "s") of evidence, uncertainty \(p.uncertainty)%.</p>
                    <h3>Your evidence</h3>\(evidence)</section>
                    """
            })
        return """
            <p><a href="\(subjectLink)">← \(subjectName)</a></p>
            <h1>How your trust in \(subjectName) is worked out</h1>
            <section class="card" id="trust-figure-explained"><h2>The figure</h2>\(headline)</section>
            <section class="card" id="trust-quotient"><h2>The trust equation: \(String(format: "%.1f", quotient))</h2>
            <p>Trust is often written as (credibility + reliability + intimacy) ÷ self-orientation. With each part on a scale of
            1 to 10, the result runs from 0.3 to 30: about 3 means all four parts are middling; above 3 they earn more trust than
            they ask for; below 1, their self-interest outweighs everything else. \(subjectName) stands at
            \(String(format: "%.1f", quotient)).</p></section>
            \(parts)
            <section class="card" id="trust-network"><h2>Across the network</h2><p>\(networkText)</p></section>
            <p class="small muted">Computed \(computed). Only your organization sees these figures; \(subjectName) never sees
            what you think of them.</p>
            """
    }
}
