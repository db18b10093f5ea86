import BonafideCore
import Fluent
import Foundation

/// The form to propose a commitment: empty with a due date a week out, or as it was sent with the refusal next to its
/// field, so nothing typed is lost. A pure view of its model.
struct NewCommitmentPage: Sendable {
    static let fields = ["title", "ownerId", "deliverable", "acceptanceCriteria", "dueAt", "timeZone"]

    var partnershipID: UUID
    var partnershipName: String
    /// The colleagues who can own it, by name.
    var colleagues: [(id: UUID, name: String)]
    var values: [String: String]
    var problem: Problem?
    var defaultOwner: UUID
    var defaultZone: String
    var suggestedDue: String
    var csrf: String

    static func load(
        for actor: Actor, in p: Partnership, values: [String: String], problem: Problem?, csrf: String, at now: Date = Date(),
        on db: any Database
    ) async throws -> Self {
        try Policy.requireActive(p)
        let colleagues = try await User.query(on: db).filter(\.$organization.$id == actor.organizationID).sort(\.$name).all()
        return NewCommitmentPage(
            partnershipID: p.id!, partnershipName: p.name, colleagues: colleagues.map { ($0.id!, $0.name) }, values: values,
            problem: problem, defaultOwner: actor.id, defaultZone: actor.user.timeZone,
            suggestedDue: Clock(actor.user.timeZone).inputValue(now.addingTimeInterval(7 * 86_400)), csrf: csrf)
    }

    func render() -> HTML {
        let errors = FieldErrors(problem: problem, fields: Self.fields)
        func error(_ name: String) -> HTML { errors.message(name) }
        func invalid(_ name: String) -> HTML { errors.invalid(name) }
        let owner = values["ownerId"].flatMap(UUID.init(uuidString:)) ?? defaultOwner
        let zone = values["timeZone"] ?? defaultZone
        let owners = HTML.join(
            colleagues.map { c in HTML("<option value=\"\(c.id)\"\(HTML(raw: c.id == owner ? " selected" : ""))>\(c.name)</option>") })
        return """
            <div class="card" style="max-width:720px"><h1>New commitment in <a href="\(SiteURL.partnership(partnershipID))">\(partnershipName)</a></h1>
            <p class="muted">Your side promises it; the other side accepts or declines.</p>\(errors.general)
            <form method="post" action="\(SiteURL.commitments(partnershipID))">\(csrfField(csrf))
            <label for="title">What is promised</label><input id="title" name="title" required maxlength="200" value="\(values["title"] ?? "")"\(invalid("title"))>\(error("title"))
            <label for="owner">Owner</label><select id="owner" name="ownerId"\(invalid("ownerId"))>\(owners)</select>\(error("ownerId"))
            <label for="deliverable">Deliverable</label><textarea id="deliverable" name="deliverable" maxlength="4000"\(invalid("deliverable"))>\(values["deliverable"] ?? "")</textarea>\(error("deliverable"))
            <label for="criteria">Acceptance criteria</label><textarea id="criteria" name="acceptanceCriteria" maxlength="4000"\(invalid("acceptanceCriteria"))>\(values["acceptanceCriteria"] ?? "")</textarea>\(error("acceptanceCriteria"))
            <div class="grid"><div><label for="due">Due</label><input id="due" name="dueAt" type="datetime-local" required value="\(values["dueAt"] ?? suggestedDue)"\(invalid("dueAt"))>\(error("dueAt"))</div>
            <div><label for="tz">Time zone of the due date</label><select id="tz" name="timeZone"\(invalid("timeZone"))>\(WebPages.zoneOptions(selected: zone))</select>\(error("timeZone"))</div></div>
            <button>Propose commitment</button></form></div>
            """
    }
}
