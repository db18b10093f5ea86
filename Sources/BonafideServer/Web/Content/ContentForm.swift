import BonafideCore
import Fluent
import Foundation

/// Adding one of the organization's guides and resources, or changing one: what it is, its title and description,
/// a guide's text, a video's or an article's address, a whitepaper's vault document, who sees it, when it was
/// published and whether it is pinned. A new one shows every field, each saying which kind it is for; a change shows
/// those of its kind, which does not change. A refused form comes back as typed, with the reason at its field. A pure
/// view.
struct ContentForm: Sendable {
    static let fields = ["kind", "title", "description", "body", "url", "documentId", "visibility", "publishedAt", "pinned"]

    /// A vault document as the form offers it: by its number and partnership, since its name is sealed in the vault.
    struct DocumentChoice: Sendable {
        var id: UUID
        var label: String
    }

    /// The item changed; nil for a new one.
    var editing: UUID? = nil
    var values: [String: String] = [:]
    var problem: Problem? = nil
    var documents: [DocumentChoice]
    var csrf: String

    /// The organization's vault documents, newest first: what a whitepaper can be.
    static func documents(of actor: Actor, on db: any Database) async throws -> [DocumentChoice] {
        let documents = try await Document.query(on: db).filter(\.$organization.$id == actor.organizationID).with(\.$partnership)
            .sort(\.$createdAt, .descending).limit(200).all()
        return documents.map { d in
            DocumentChoice(
                id: d.id!,
                label:
                    "Document \(d.number) of “\(d.partnership.name)”, \(Documents.describe(size: d.size)), \(d.createdAt.formatted(.dateTime.day().month(.abbreviated).year()))"
            )
        }
    }

    func render() -> HTML {
        let errors = FieldErrors(problem: problem, fields: Self.fields)
        let kind = values["kind"].flatMap(ContentKind.init(rawValue:)) ?? .guide
        // A change keeps its kind: only its fields are offered.
        func shows(_ kinds: [ContentKind]) -> Bool { editing == nil || kinds.contains(kind) }
        let kinds = HTML.join(
            ContentKind.allCases.map { k in
                HTML("<option value=\"\(k.rawValue)\"\(HTML(raw: k == kind ? " selected" : ""))>\(k.label)</option>")
            })
        let chosen = values["visibility"].flatMap(Audience.init(rawValue:)) ?? .public
        let audiences = HTML.options(Audience.allCases, selected: chosen)
        let document = (values["documentId"] ?? "").lowercased()
        var documentOptions: [HTML] = [HTML("<option value=\"\"\(HTML(raw: document.isEmpty ? " selected" : ""))>None</option>")]
        for d in documents {
            let selected = HTML(raw: Access.key(d.id) == document ? " selected" : "")
            documentOptions.append("<option value=\"\(Access.key(d.id))\"\(selected)>\(d.label)</option>")
        }
        let kindField: HTML =
            editing == nil
            ? """
            <label for="content-kind">What it is</label><select id="content-kind" name="kind"\(errors.invalid("kind"))>\(kinds)</select>\(errors.message("kind"))
            """
            : "<p>\(kind.label)</p>"
        let body: HTML =
            shows([.guide])
            ? """
            <label for="content-body">Text of a guide <span class="muted small">(Markdown: **bold**, *italic*, lists, links)</span></label>
            <textarea id="content-body" name="body" rows="10" maxlength="\(ProfileContent.maxBody)"\(errors.invalid("body"))>\(values["body"] ?? "")</textarea>\(errors.message("body"))
            """ : ""
        let url: HTML =
            shows([.video, .link])
            ? """
            <label for="content-url">Web address of a video or an article <span class="muted small">(https://…)</span></label>
            <input id="content-url" name="url" type="url" maxlength="\(ProfileContent.maxURL)" value="\(values["url"] ?? "")"\(errors.invalid("url"))>\(errors.message("url"))
            """ : ""
        let documentField: HTML =
            shows([.whitepaper])
            ? """
            <label for="content-document">Vault document of a whitepaper</label>
            <select id="content-document" name="documentId"\(errors.invalid("documentId"))>\(HTML.join(documentOptions))</select>\(errors.message("documentId"))
            <p class="muted small">Your vault is encrypted end to end: readers see the title and description you give here, and only those you
            share the document with can open it. Everyone else is told to ask you for it.</p>
            """ : ""
        let pinned: HTML = values["pinned"] == "1" ? " checked" : ""
        let anchor = editing == nil ? "new-content" : "edit-content"
        let heading = editing == nil ? "Add a guide or resource" : "Change it"
        let action = editing.map { SiteURL.contentEdit($0) } ?? SiteURL.ownContent()
        let submit = editing == nil ? "Add it" : "Save"
        return """
            <section class="card" id="\(anchor)"><h2>\(heading)</h2>
            <form method="post" action="\(action)">\(csrfField(csrf))\(errors.general)
            \(kindField)
            <label for="content-title">Title</label><input id="content-title" name="title" required maxlength="\(ProfileContent.maxTitle)" value="\(values["title"] ?? "")"\(errors.invalid("title"))>\(errors.message("title"))
            <label for="content-description">Description <span class="muted small">(what it is about and whom it is for)</span></label>
            <textarea id="content-description" name="description" rows="2" maxlength="\(ProfileContent.maxSummary)"\(errors.invalid("description"))>\(values["description"] ?? "")</textarea>\(errors.message("description"))
            \(body)\(url)\(documentField)
            <label for="content-visibility">Who sees it</label><select id="content-visibility" name="visibility"\(errors.invalid("visibility"))>\(audiences)</select>\(errors.message("visibility"))
            <label for="content-published">Published on <span class="muted small">(today when left empty)</span></label>
            <input id="content-published" name="publishedAt" type="date" value="\(values["publishedAt"] ?? "")"\(errors.invalid("publishedAt"))>\(errors.message("publishedAt"))
            <label style="font-weight:400"><input type="checkbox" id="content-pinned" name="pinned" value="1"\(pinned)> Pin it: pinned ones come first</label>
            <button>\(submit)</button></form></section>
            """
    }
}
