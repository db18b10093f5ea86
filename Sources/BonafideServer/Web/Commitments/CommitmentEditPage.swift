import BonafideCore
import Foundation

/// Changing a commitment's words: the owner side rewrites its own proposal (due date included); once accepted,
/// either side proposes new words that the other must agree to. Refused input comes back as typed, the reason under
/// its field.
struct CommitmentEditPage: Sendable {
    var partnershipName: String
    var partnershipLink: String
    var title: String
    var commitmentLink: String
    var action: String
    var mode: CommitmentEditing.Mode
    var otherSide: String
    var values: [String: String]
    var timeZone: String
    var problem: Problem?
    var csrf: String

    static let fields = ["title", "deliverable", "acceptanceCriteria", "dueAt"]

    func render() -> HTML {
        let errors = FieldErrors(problem: problem, fields: Self.fields)
        func error(_ name: String) -> HTML { errors.message(name) }
        func invalid(_ name: String) -> HTML { errors.invalid(name) }
        let general = errors.general
        let intro: HTML =
            mode == .direct
            ? "<p class=\"muted\">\(otherSide) has not accepted it yet: your changes apply at once, and they answer the proposal as it now stands.</p>"
            : "<p class=\"muted\">Both sides agreed to these words, so a change takes effect only when \(otherSide) agrees. The due date changes by proposing a new date on the commitment.</p>"
        let due: HTML =
            mode == .direct
            ? """
            <label for="due">Due <span class="small muted">(\(timeZone))</span></label><input id="due" name="dueAt" type="datetime-local" required value="\(values["dueAt"] ?? "")"\(invalid("dueAt"))>\(error("dueAt"))
            """ : ""
        return """
            <div class="card" style="max-width:720px"><p><a href="\(commitmentLink)">← \(title)</a> · <a href="\(partnershipLink)">\(partnershipName)</a></p>
            <h1>\(mode == .direct ? "Edit the proposal" : "Propose new wording")</h1>\(intro)\(general)
            <form method="post" action="\(action)">\(csrfField(csrf))
            <label for="title">What is promised</label><input id="title" name="title" required maxlength="200" value="\(values["title"] ?? "")"\(invalid("title"))>\(error("title"))
            <label for="deliverable">Deliverable</label><textarea id="deliverable" name="deliverable" maxlength="4000"\(invalid("deliverable"))>\(values["deliverable"] ?? "")</textarea>\(error("deliverable"))
            <label for="criteria">Acceptance criteria</label><textarea id="criteria" name="acceptanceCriteria" maxlength="4000"\(invalid("acceptanceCriteria"))>\(values["acceptanceCriteria"] ?? "")</textarea>\(error("acceptanceCriteria"))
            \(due)<button>\(mode == .direct ? "Save the proposal" : "Propose this change")</button> <a href="\(commitmentLink)">Cancel</a></form></div>
            """
    }
}
