import Foundation

/// Writing a case study about a partnership: which one, a title and the story in Markdown. The figures beside it come
/// from the record, so there is nothing to type for them. A refused case study comes back as typed, with the reason at
/// its field. A pure view.
struct CaseStudyForm: Sendable {
    /// A partnership a case study may be about: started (active or ended) and with a partner.
    struct Choice: Sendable {
        var partnershipID: UUID
        var partnerName: String
        var partnershipName: String
    }

    static let fields = ["partnership", "title", "body"]

    var choices: [Choice]
    var values: [String: String] = [:]
    var problem: Problem?
    var csrf: String

    func render() -> HTML {
        guard !choices.isEmpty else {
            return """
                <section class="card" id="new-case-study"><h2>Write a case study</h2>
                <p class="muted">A case study tells of work done with a partner: once a partnership has started and a commitment in it is
                completed, you can write one here.</p></section>
                """
        }
        let errors = FieldErrors(problem: problem, fields: Self.fields)
        let chosen = UUID(uuidString: values["partnership"] ?? "")
        let options = HTML.join(
            choices.map { c in
                HTML(
                    "<option value=\"\(Access.key(c.partnershipID))\"\(HTML(raw: c.partnershipID == chosen ? " selected" : ""))>\(c.partnerName) (\(c.partnershipName))</option>"
                )
            })
        return """
            <section class="card" id="new-case-study"><h2>Write a case study</h2>
            <p class="muted small">Your partner confirms it, in your words or its own, before anyone else sees it. Beside it, the record shows how
            many commitments were completed and kept on time, and over what period.</p>
            <form method="post" action="\(SiteURL.caseStudies())">\(csrfField(csrf))\(errors.general)
            <label for="case-study-partnership">About the work with</label><select id="case-study-partnership" name="partnership"\(errors.invalid("partnership"))>\(options)</select>\(errors.message("partnership"))
            <label for="case-study-title">Title</label><input id="case-study-title" name="title" required maxlength="\(CaseStudies.maxTitle)" value="\(values["title"] ?? "")"\(errors.invalid("title"))>\(errors.message("title"))
            <label for="case-study-body">What you did together and how it went <span class="muted small">(Markdown: **bold**, *italic*, lists, links)</span></label>
            <textarea id="case-study-body" name="body" rows="10" required minlength="\(CaseStudies.minBody)" maxlength="\(CaseStudies.maxBody)"\(errors.invalid("body"))>\(values["body"] ?? "")</textarea>\(errors.message("body"))
            <button>Send to the partner to confirm</button></form></section>
            """
    }
}
