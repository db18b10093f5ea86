import Foundation

/// Asking an organization for help: which one (chosen here, or fixed on its profile), a subject, what is needed and
/// how urgent it is. A refused request comes back as typed, with the reason at its field. A pure view.
struct SupportRequestForm: Sendable {
    /// An organization the person's organization may ask: a partner, present or past, or one that placed it in a circle.
    struct Choice: Sendable {
        var id: UUID
        var name: String
    }

    static let fields = ["provider", "subject", "body", "priority"]

    var choices: [Choice]
    /// On the provider's profile: the organization asked, fixed.
    var fixed: Choice?
    var values: [String: String] = [:]
    var problem: Problem?
    var csrf: String

    /// The whole card, for the support page.
    func render() -> HTML {
        guard fixed != nil || !choices.isEmpty else {
            return """
                <section class="card" id="new-support-request"><h2>Ask for support</h2>
                <p class="muted">You can ask an organization you work or worked with for help, or one that keeps yours in its circles.
                None does yet.</p></section>
                """
        }
        return """
            <section class="card" id="new-support-request"><h2>Ask for support</h2>
            <p class="muted small">Only the people of the organization you ask and of yours see the request and its answers.</p>
            \(form())</section>
            """
    }

    /// The form alone, for a card of its own (the profile's support card).
    func form() -> HTML {
        let errors = FieldErrors(problem: problem, fields: Self.fields)
        let provider: HTML
        if let fixed {
            provider = "<input type=\"hidden\" name=\"provider\" value=\"\(Access.key(fixed.id))\">"
        } else {
            let chosen = UUID(uuidString: values["provider"] ?? "")
            let options = HTML.join(
                choices.map { c in
                    HTML("<option value=\"\(Access.key(c.id))\"\(HTML(raw: c.id == chosen ? " selected" : ""))>\(c.name)</option>")
                })
            provider = """
                <label for="support-provider">Ask</label><select id="support-provider" name="provider"\(errors.invalid("provider"))>\(options)</select>\(errors.message("provider"))
                """
        }
        let urgent = values["priority"] == SupportPriority.urgent.rawValue
        return """
            <form method="post" action="\(SiteURL.support())">\(csrfField(csrf))\(errors.general)\(provider)
            <label for="support-subject">Subject</label><input id="support-subject" name="subject" required maxlength="\(Support.maxSubject)" value="\(values["subject"] ?? "")"\(errors.invalid("subject"))>\(errors.message("subject"))
            <label for="support-body">What you need</label>
            <textarea id="support-body" name="body" rows="6" required maxlength="\(Support.maxBody)"\(errors.invalid("body"))>\(values["body"] ?? "")</textarea>\(errors.message("body"))
            <label for="support-priority">Priority</label><select id="support-priority" name="priority"\(errors.invalid("priority"))>\
            <option value="normal"\(HTML(raw: urgent ? "" : " selected"))>Normal: within their promise</option>\
            <option value="urgent"\(HTML(raw: urgent ? " selected" : ""))>Urgent: within 4 working hours</option></select>\(errors.message("priority"))
            <button\(fixed == nil ? "" : HTML(raw: " class=\"secondary\""))>Send the request</button></form>
            """
    }
}
