/// A refusal shown next to the field it is about and tied to it for screen readers; a refusal about no field of the
/// form goes above it.
struct FieldErrors: Sendable {
    var problem: Problem?
    var fields: [String]

    func message(_ name: String) -> HTML {
        guard let problem, problem.field == name else { return "" }
        return "<p class=\"error-text\" id=\"\(name)-error\" role=\"alert\">\(problem.detail)</p>"
    }

    func invalid(_ name: String) -> HTML {
        problem?.field == name ? HTML(raw: " aria-invalid=\"true\" aria-describedby=\"\(name)-error\"") : ""
    }

    var general: HTML {
        guard let problem, !fields.contains(problem.field ?? "") else { return "" }
        return "<p class=\"error-text\" role=\"alert\">\(problem.detail)</p>"
    }
}
