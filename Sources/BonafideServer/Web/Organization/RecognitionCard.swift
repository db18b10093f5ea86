import BonafideCore
import Fluent
import Foundation

/// The badges an organization earned from its record, each with what earned it, on its profile and public page.
/// `Recognition` works them out from the record on every view, so there is nothing here to buy, claim or grant.
/// A pure view of its model.
struct RecognitionCard: Sendable {
    var badges: [Recognition.Badge]

    static func load(of organization: UUID, on db: any Database) async throws -> RecognitionCard {
        RecognitionCard(badges: try await Recognition.badges(of: organization, on: db))
    }

    func render() -> HTML {
        let list = HTML.join(
            badges.map { b in
                HTML("<li data-badge=\"\(b.key)\"><strong>\(b.title)</strong><div class=\"small muted\">\(b.earnedBy)</div></li>")
            })
        let empty: HTML = """
            <p class="muted">No badges yet: they are earned from the record (on-time streaks, answer times, incidents handled openly, long \
            partnerships), never bought or claimed.</p>
            """
        return """
            <section class="card" id="recognition"><h2>Recognition</h2>
            \(badges.isEmpty ? empty : HTML("<ul>\(list)</ul>"))</section>
            """
    }
}
