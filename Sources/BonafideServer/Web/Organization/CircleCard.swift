import BonafideCore
import Fluent
import Foundation

/// On another organization's profile: in which of your circles you keep them, and, for those who manage your
/// organization, a form to change it. A pure view of its model.
struct CircleCard: Sendable {
    var subject: UUID
    var circle: Circle?
    var note: String
    var mayChange: Bool

    static func load(for actor: Actor, subject: UUID, on db: any Database) async throws -> CircleCard {
        let placement = try await Circles.placement(of: subject, by: actor.organizationID, on: db)
        return CircleCard(subject: subject, circle: placement?.circle, note: placement?.note ?? "", mayChange: Policy.canManage(actor))
    }

    func render(csrf: String) -> HTML {
        let noteText: HTML = note.isEmpty ? "" : " <span class=\"muted\">“\(note)”</span>"
        let state: HTML =
            circle.map { "<p id=\"circle-state\">In your <strong>\($0.title.lowercased())</strong> circle.\(noteText)</p>" }
            ?? "<p id=\"circle-state\" class=\"muted\">Not in your circles.</p>"
        guard mayChange else { return "<section class=\"card\"><h2>Circles</h2>\(state)</section>" }
        let options = HTML.join(
            Circle.allCases.map { c in
                HTML("<option value=\"\(c.rawValue)\"\(HTML(raw: c == circle ? " selected" : ""))>\(c.title)</option>")
            })
        return """
            <section class="card" id="circle-card"><h2>Circles</h2>\(state)
            <form method="post" action="\(SiteURL.circlePlacement(subject))">\(csrfField(csrf))
            <label for="circle">Keep them in</label><select id="circle" name="circle">\(options)</select>
            <label for="circle-note">Note <span class="muted small">(only your organization sees it)</span></label><input id="circle-note" name="note" maxlength="500" value="\(note)">
            <button class="secondary">Save</button></form>
            \(circle == nil ? "" : HTML("<form method=\"post\" action=\"\(SiteURL.circleRemoval(subject))\">\(csrfField(csrf))<button class=\"secondary\">Take out of your circles</button></form>"))
            </section>
            """
    }
}
