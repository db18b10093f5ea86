/// Writing a new survey. "Preview" shows the extra questions as customers will see them before anything is saved; a
/// refused survey comes back as typed with the reason at its field.
struct NewSurveyForm: Sendable {
    static let fields = ["title", "kind", "question", "campaign", "questions"]

    var action: String
    var values: [String: String] = [:]
    var problem: Problem?
    /// The extra questions as parsed, when the writer asked for a preview.
    var preview: [SurveyQuestion]?
    var csrf: String

    func render() -> HTML {
        let errors = FieldErrors(problem: problem, fields: Self.fields)
        func text(_ name: String, _ id: String, _ label: HTML, max: Int, required: Bool = false) -> HTML {
            """
            <label for="\(id)">\(label)</label><input id="\(id)" name="\(name)"\(HTML(raw: required ? " required" : "")) maxlength="\(max)" value="\(values[name] ?? "")"\(errors.invalid(name))>\(errors.message(name))
            """
        }
        let kind = values["kind"] ?? "nps"
        let previewCard: HTML =
            preview.map { questions in
                questions.isEmpty
                    ? "<section class=\"card\" id=\"survey-preview\"><h3>Preview</h3><p class=\"muted\">No extra questions: customers see the main question and “Why?”.</p></section>"
                    : "<section class=\"card\" id=\"survey-preview\" aria-label=\"Preview of the extra questions\"><h3>Preview: what customers see after the main question</h3>\(SurveyQuestionFields(questions: questions, disabled: true).render())</section>"
            } ?? ""
        return """
            <section class="card" id="new-survey"><h2>New survey</h2><form method="post" action="\(action)">\(csrfField(csrf))\(errors.general)
            \(text("title", "survey-title", "Title", max: 200, required: true))
            <label for="survey-kind">Kind</label><select id="survey-kind" name="kind"\(errors.invalid("kind"))><option value="nps"\(HTML(raw: kind == "nps" ? " selected" : ""))>NPS: 0-10, would you recommend us?</option><option value="csat"\(HTML(raw: kind == "csat" ? " selected" : ""))>CSAT: 1-5, how satisfied?</option></select>\(errors.message("kind"))
            \(text("question", "survey-question", "Question (optional; the standard one otherwise)", max: 300))
            \(text("campaign", "survey-campaign", "Campaign (optional, to compare surveys)", max: 100))
            <label for="survey-questions">Extra questions (optional), one a line: <code>scale: prompt</code>, <code>choice: prompt | option | option</code>, <code>text: prompt</code></label>
            <textarea id="survey-questions" name="questions" rows="3"\(errors.invalid("questions"))>\(values["questions"] ?? "")</textarea>\(errors.message("questions"))
            \(previewCard)
            <div class="actions"><button type="submit">Create survey</button><button type="submit" name="preview" value="1" class="secondary" formnovalidate>Preview the questions</button></div></form></section>
            """
    }
}
