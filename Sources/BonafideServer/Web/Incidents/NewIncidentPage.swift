/// Raising or disclosing an incident; a refused form comes back as typed, with the reason under its field.
struct NewIncidentPage: Sendable {
    static let fields = ["responsible", "title", "severity", "description", "occurredAt"]

    var partnershipName: String
    var partnershipLink: String
    var action: String
    var partnerName: String
    var zone: String
    var values: [String: String]
    var problem: Problem?
    var csrf: String

    func render() -> HTML {
        let errors = FieldErrors(problem: problem, fields: Self.fields)
        func checked(_ field: String, _ value: String) -> HTML { HTML(raw: values[field] == value ? " checked" : "") }
        func selected(_ value: String) -> HTML { HTML(raw: values["severity"] == value ? " selected" : "") }
        return """
            <div class="card" style="max-width:720px"><h1>Incident in <a href="\(partnershipLink)">\(partnershipName)</a></h1>
            <p class="muted">Both sides see it, and every step of its handling is in the partnership's log. It counts as trust evidence: \
            the incident itself against the responsible side's reliability, how it is handled for or against its credibility.</p>\(errors.general)
            <form method="post" action="\(action)">\(csrfField(csrf))
            <fieldset><legend>Who is responsible</legend>
            <label><input type="radio" name="responsible" value="partner"\(checked("responsible", "partner"))> \(partnerName)</label>
            <label><input type="radio" name="responsible" value="us"\(checked("responsible", "us"))> Our side: we disclose it ourselves</label></fieldset>
            <label for="title">What went wrong, in a line</label><input id="title" name="title" required maxlength="200" value="\(values["title"] ?? "")"\(errors.invalid("title"))>\(errors.message("title"))
            <label for="severity">Severity</label><select id="severity" name="severity"\(errors.invalid("severity"))>
            <option value="minor"\(selected("minor"))>Minor: an inconvenience</option><option value="major"\(selected("major"))>Major: work or data affected</option>
            <option value="critical"\(selected("critical"))>Critical: serious harm, a breach, money lost</option></select>\(errors.message("severity"))
            <label for="description">What happened</label><textarea id="description" name="description" required maxlength="4000"\(errors.invalid("description"))>\(values["description"] ?? "")</textarea>\(errors.message("description"))
            <label for="occurred">When it happened (\(zone))</label><input id="occurred" name="occurredAt" type="datetime-local" value="\(values["occurredAt"] ?? "")"\(errors.invalid("occurredAt"))>\(errors.message("occurredAt"))
            <button>Raise incident</button></form></div>
            """
    }
}
