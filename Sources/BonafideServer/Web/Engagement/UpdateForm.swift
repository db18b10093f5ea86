import Foundation

/// Writing an update: its title, its text in Markdown and who may read it, an audience or organizations the writer
/// names from those it knows. A refused update comes back as typed, with the reason at its field. A pure view.
struct UpdateForm: Sendable {
    static let fields = ["title", "body", "visibility", "organizationIds"]

    var values: [String: String] = [:]
    /// The organizations ticked, as typed.
    var named: Set<String> = []
    /// The organizations the writer's organization knows, to name as readers.
    var knownOrganizations: [(id: UUID, name: String)] = []
    var problem: Problem?
    var csrf: String

    func render() -> HTML {
        let errors = FieldErrors(problem: problem, fields: Self.fields)
        // Partners by default: the audience most updates are for, and never wider than the writer chose.
        let chosen = values["visibility"].flatMap(UpdateAudience.init(rawValue:)) ?? .audience(.partners)
        let choices = Audience.allCases.map { UpdateAudience.audience($0) } + [UpdateAudience.organizations]
        let options = HTML.options(choices, selected: chosen)
        return """
            <section class="card" id="new-update"><h2>Write an update</h2>
            <p class="muted small">News for your partners and circles: each organization that may read it gets it in the app and by mail, with a line about
            your own work together. Public updates are also in your profile's feed.</p>
            <form method="post" action="\(SiteURL.updates())">\(csrfField(csrf))\(errors.general)
            <label for="update-title">Title</label><input id="update-title" name="title" required maxlength="\(Updates.maxTitle)" value="\(values["title"] ?? "")"\(errors.invalid("title"))>\(errors.message("title"))
            <label for="update-body">Text <span class="muted small">(Markdown: **bold**, *italic*, lists, links)</span></label>
            <textarea id="update-body" name="body" rows="8" required maxlength="\(Updates.maxBody)"\(errors.invalid("body"))>\(values["body"] ?? "")</textarea>\(errors.message("body"))
            <label for="update-visibility">Who reads it</label><select id="update-visibility" name="visibility"\(errors.invalid("visibility"))>\(options)</select>\(errors.message("visibility"))
            \(organizationChoices(errors))
            <button>Publish</button></form></section>
            """
    }

    /// The organizations to tick when "Named organizations" reads it: only they, and your own people, see it.
    private func organizationChoices(_ errors: FieldErrors) -> HTML {
        guard !knownOrganizations.isEmpty else {
            return """
                <p class="muted small" id="update-organizations">Named organizations: once you have a partner or place an organization in a circle, you
                can write to them by name.</p>\(errors.message("organizationIds"))
                """
        }
        let boxes = HTML.join(
            knownOrganizations.map { o in
                let id = Access.key(o.id)
                return HTML(
                    "<label class=\"inline\" style=\"display:inline-block;font-weight:400;margin-right:.8rem\"><input type=\"checkbox\" name=\"organizationIds[]\" value=\"\(id)\"\(HTML(raw: named.contains(id) ? " checked" : ""))> \(o.name)</label>"
                )
            })
        return """
            <fieldset id="update-organizations"\(errors.invalid("organizationIds"))><legend>Named organizations <span class="muted small">(for “Named organizations”: only
            they and your own people read it; up to \(Access.maxNamed))</span></legend>\(boxes)</fieldset>\(errors.message("organizationIds"))
            """
    }
}
