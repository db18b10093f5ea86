/// Writing a message: a reply in a thread, or the first message of a new conversation (with a subject). A refused
/// message comes back as typed, with the reason under its field.
struct MessageForm: Sendable {
    static let fields = ["subject", "body", "needsResponse"]

    var action: String
    /// Set for a reply; a new conversation asks for a subject instead.
    var threadID: String?
    var values: [String: String] = [:]
    var problem: Problem?
    var csrf: String

    func render() -> HTML {
        let errors = FieldErrors(problem: problem, fields: Self.fields)
        let subject: HTML =
            threadID == nil
            ? """
            <label for="subject">Subject</label><input id="subject" name="subject" required maxlength="200" value="\(values["subject"] ?? "")"\(errors.invalid("subject"))>\(errors.message("subject"))
            """ : "<input type=\"hidden\" name=\"threadId\" value=\"\(threadID ?? "")\">"
        return """
            <form method="post" action="\(action)" class="message-form">\(csrfField(csrf))\(errors.general)\(subject)
            <label for="body">\(threadID == nil ? "Message" : "Reply")</label><textarea id="body" name="body" required maxlength="10000"\(errors.invalid("body"))>\(values["body"] ?? "")</textarea>\(errors.message("body"))
            <label><input type="checkbox" name="needsResponse" value="true"\(HTML(raw: values["needsResponse"] == "true" ? " checked" : ""))> Ask for a response</label><button>Send</button></form>
            """
    }
}
