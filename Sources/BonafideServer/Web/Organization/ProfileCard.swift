import BonafideCore
import Foundation
import Vapor

/// The sections of an organization's profile the viewer may read, in order. A pure view of its model.
struct ProfileCard: Sendable {
    var sections: [ProfileSections.Section]

    static func load(_ req: Request, of org: Organization, for subject: Access.Subject) async throws -> ProfileCard {
        ProfileCard(sections: try await ProfileSections.visible(of: org, to: subject, on: req.db).map(\.section))
    }

    func render() -> HTML {
        guard !sections.isEmpty else {
            return "<section class=\"card\" id=\"profile\"><p class=\"muted\">Nothing on this profile is shared with you yet.</p></section>"
        }
        let parts = HTML.join(
            sections.map { s in
                let lines = s.content.split(whereSeparator: \.isNewline).map(String.init)
                let body: HTML =
                    lines.count > 1 && s.name != "about"
                    ? HTML("<ul>\(lines.map { HTML("<li>\($0)</li>") })</ul>")
                    : HTML("<p style=\"white-space:pre-line\">\(s.content)</p>")
                return HTML("<section class=\"card profile-part\" data-section=\"\(s.name)\"><h2>\(s.title)</h2>\(body)</section>")
            })
        return HTML("<div class=\"grid\" id=\"profile\">\(parts)</div>")
    }
}
