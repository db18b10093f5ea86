import Fluent
import Foundation

/// The page a customer answers a survey on, through their personal link (no account): the main question on its scale,
/// why, the extra questions, and a way to stop surveys. A refused answer comes back as given, with the reason above.
struct SurveyAnswerPage: Sendable {
    enum State: Sendable { case open, answered, optedOut, closed }

    var state: State
    var organizationName: String
    var title: String
    var question: String
    var kind: SurveyKind
    var questions: [SurveyQuestion]
    var action: String
    var optOutAction: String
    var values: [String: String]
    var problem: Problem?
    var csrf: String

    var pageTitle: String { "\(organizationName): \(title)" }

    static func load(
        _ invitation: Surveys.Invitation, token: String, values: [String: String] = [:], problem: Problem? = nil, csrf: String,
        on db: any Database
    ) async throws -> Self {
        let s = invitation.survey
        let state: State =
            if invitation.recipient.respondedAt != nil { .answered } else if try await Surveys.isOptedOut(invitation, on: db) {
                .optedOut
            } else if s.status != .open { .closed } else { .open }
        return SurveyAnswerPage(
            state: state, organizationName: invitation.organizationName, title: s.title, question: s.question, kind: s.kind,
            questions: s.questions, action: SurveyLinks.path(token), optOutAction: SiteURL.surveyOptOut(token), values: values,
            problem: problem, csrf: csrf)
    }

    func render() -> HTML {
        switch state {
        case .answered:
            return
                "<div class=\"card\"><h1>Thank you</h1><p id=\"survey-done\">You have already answered this survey; each link answers once.</p></div>"
        case .optedOut:
            return "<div class=\"card\"><h1>You opted out</h1><p>\(organizationName) will not send you surveys.</p></div>"
        case .closed:
            return "<div class=\"card\"><h1>This survey has closed</h1><p>Thank you all the same.</p></div>"
        case .open:
            break
        }
        let scale = HTML.join(
            kind.scale.map { v in
                "<label class=\"score-option\"><input type=\"radio\" name=\"score\" value=\"\(v)\" id=\"score-\(v)\"\(HTML(raw: values["score"] == String(v) ? " checked" : ""))> \(v)</label>"
            })
        let ends: HTML =
            kind == .nps
            ? "<p class=\"small muted\">0 = not at all likely, 10 = extremely likely</p>"
            : "<p class=\"small muted\">1 = very dissatisfied, 5 = very satisfied</p>"
        let error: HTML = problem.map { "<p class=\"error-text\" role=\"alert\">\($0.detail)</p>" } ?? ""
        return """
            <div class="card" style="max-width:640px"><h1>\(title)</h1><p class="muted">From \(organizationName). Every question may be skipped.</p>\(error)
            <form method="post" action="\(action)">\(csrfField(csrf))
            <fieldset><legend>\(question)</legend>\(scale)\(ends)</fieldset>
            <label for="reason">Why? (optional)</label><textarea id="reason" name="reason" maxlength="2000" rows="4">\(values["reason"] ?? "")</textarea>
            \(SurveyQuestionFields(questions: questions, values: values).render())
            <button type="submit">Send my answer</button></form>
            <form method="post" action="\(optOutAction)">\(csrfField(csrf))<button class="secondary small">Stop sending me surveys</button></form></div>
            """
    }
}
