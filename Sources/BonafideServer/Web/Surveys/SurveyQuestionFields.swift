/// A survey's extra questions as a customer sees them: on the answer page, and in the preview while the survey is
/// written. Given answers are shown as chosen.
struct SurveyQuestionFields: Sendable {
    var questions: [SurveyQuestion]
    var values: [String: String] = [:]
    /// A preview shows the questions without taking answers (and sends nothing with the form around it).
    var disabled = false

    func render() -> HTML {
        let off = HTML(raw: disabled ? " disabled" : "")
        return HTML.join(
            questions.map { q in
                let name = "a_\(q.id)"
                func radio(_ value: String) -> HTML {
                    "<label class=\"score-option\"><input type=\"radio\" name=\"\(name)\" value=\"\(value)\"\(HTML(raw: values[name] == value ? " checked" : ""))\(off)> \(value)</label>"
                }
                switch q.kind {
                case .scale:
                    return
                        "<fieldset><legend>\(q.prompt)</legend>\(HTML.join(((q.min ?? 1)...(q.max ?? 5)).map { radio(String($0)) }))</fieldset>"
                case .choice:
                    return "<fieldset><legend>\(q.prompt)</legend>\(HTML.join((q.options ?? []).map(radio)))</fieldset>"
                case .text:
                    return
                        "<label for=\"\(name)\">\(q.prompt)</label><textarea id=\"\(name)\" name=\"\(name)\" maxlength=\"2000\" rows=\"3\"\(off)>\(values[name] ?? "")</textarea>"
                }
            })
    }
}
