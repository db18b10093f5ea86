import Foundation

/// Writing an update: its title, its text in Markdown and who may read it. A refused update comes back as typed, with
/// the reason at its field. A pure view.
struct UpdateForm: Sendable {
    static let fields = ["title", "body", "visibility"]

    var values: [String: String] = [:]
    var problem: Problem?
    var csrf: String

    func render() -> HTML {
        let errors = FieldErrors(problem: problem, fields: Self.fields)
        // Partners by default: the audience most updates are for, and never wider than the writer chose.
        let chosen = values["visibility"].flatMap(Audience.init(rawValue:)) ?? .partners
        let options = HTML.join(
            Audience.allCases.map { a in
                HTML("<option value=\"\(a.rawValue)\"\(HTML(raw: a == chosen ? " selected" : ""))>\(a.label)</option>")
            })
        return """
            <section class="card" id="new-update"><h2>Write an update</h2>
            <p class="muted small">News for your partners and circles: each organization that may read it gets it in the app and by mail, with a line about
            your own work together. Public updates are also in your profile's feed.</p>
            <form method="post" action="\(SiteURL.updates())">\(csrfField(csrf))\(errors.general)
            <label for="update-title">Title</label><input id="update-title" name="title" required maxlength="\(Updates.maxTitle)" value="\(values["title"] ?? "")"\(errors.invalid("title"))>\(errors.message("title"))
            <label for="update-body">Text <span class="muted small">(Markdown: **bold**, *italic*, lists, links)</span></label>
            <textarea id="update-body" name="body" rows="8" required maxlength="\(Updates.maxBody)"\(errors.invalid("body"))>\(values["body"] ?? "")</textarea>\(errors.message("body"))
            <label for="update-visibility">Who reads it</label><select id="update-visibility" name="visibility"\(errors.invalid("visibility"))>\(options)</select>\(errors.message("visibility"))
            <button>Publish</button></form></section>
            """
    }
}
