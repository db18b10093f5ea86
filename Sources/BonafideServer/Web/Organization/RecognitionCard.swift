import BonafideCore
import Fluent
import Foundation

/// The badges an organization earned from its record, each with what earned it, on its profile and public page, and
/// under them the thank-yous others gave it that it agreed to show. `Recognition` works the badges out from the
/// record on every view, so there is nothing here to buy, claim or grant; a thank-you appears only with the thanked
/// organization's consent. A pure view of its model.
struct RecognitionCard: Sendable {
    var badges: [Recognition.Badge]
    var thanks: [Thanks.Entry] = []

    static func load(of organization: UUID, on db: any Database) async throws -> RecognitionCard {
        RecognitionCard(
            badges: try await Recognition.badges(of: organization, on: db), thanks: try await Thanks.shown(by: organization, on: db))
    }

    func render(clock: Clock) -> HTML {
        let list = HTML.join(
            badges.map { b in
                HTML("<li data-badge=\"\(b.key)\"><strong>\(b.title)</strong><div class=\"small muted\">\(b.earnedBy)</div></li>")
            })
        let empty: HTML = """
            <p class="muted">No badges yet: they are earned from the record (on-time streaks, answer times, incidents handled openly, long \
            partnerships), never bought or claimed.</p>
            """
        let thankYous = HTML.join(
            thanks.map { t in
                HTML(
                    """
                    <li data-thanks="\(Access.key(t.id))"><strong>Thanked by \(t.fromName)</strong>: “\(t.text)” \
                    <span class="small muted">\(clock.format(t.decidedAt ?? t.createdAt, "d MMM yyyy"))</span></li>
                    """)
            })
        let shown: HTML = thanks.isEmpty ? "" : "<h3 id=\"thanks-shown\">Thank-yous</h3><ul>\(thankYous)</ul>"
        return """
            <section class="card" id="recognition"><h2>Recognition</h2>
            \(badges.isEmpty ? empty : HTML("<ul>\(list)</ul>"))\(shown)</section>
            """
    }
}
