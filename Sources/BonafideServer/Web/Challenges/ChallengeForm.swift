import Foundation

/// Starting a challenge: title, prompt in Markdown, the time box in a chosen time zone, who sees it, and optionally
/// people to invite with a personal link. A refused challenge comes back as typed, with the reason at its field. A pure
/// view.
struct ChallengeForm: Sendable {
    static let fields = ["title", "prompt", "opensAt", "closesAt", "timeZone", "visibility", "csv"]

    var values: [String: String] = [:]
    var problem: Problem?
    var csrf: String

    /// Opens now and runs two weeks, in the person's own zone, until they choose otherwise.
    static func defaults(zone: String, now: Date = Date()) -> [String: String] {
        let clock = Clock(zone)
        return [
            "opensAt": clock.inputValue(now), "closesAt": clock.inputValue(now.addingTimeInterval(14 * 86_400)), "timeZone": zone,
            "visibility": Audience.partners.rawValue,
        ]
    }

    func render() -> HTML {
        let errors = FieldErrors(problem: problem, fields: Self.fields)
        let chosen = values["visibility"].flatMap(Audience.init(rawValue:)) ?? .partners
        let audiences = HTML.options(Audience.allCases, selected: chosen)
        return """
            <p class="small"><a href="\(SiteURL.challenges())">← All challenges</a></p>
            <h1>Start a challenge</h1>
            <section class="card" id="new-challenge">
            <p class="muted small">A prompt to a community for a limited time. Everyone who may see it sends one entry (and may edit it
            until the close); you highlight the entries that stand out, and their authors are told.</p>
            <form method="post" action="\(SiteURL.challenges())">\(csrfField(csrf))\(errors.general)
            <label for="challenge-title">Title</label><input id="challenge-title" name="title" required maxlength="\(Challenges.maxTitle)" value="\(values["title"] ?? "")"\(errors.invalid("title"))>\(errors.message("title"))
            <label for="challenge-prompt">The prompt <span class="muted small">(Markdown: **bold**, *italic*, lists, links)</span></label>
            <textarea id="challenge-prompt" name="prompt" rows="6" required maxlength="\(Challenges.maxPrompt)"\(errors.invalid("prompt"))>\(values["prompt"] ?? "")</textarea>\(errors.message("prompt"))
            <label for="challenge-opens">Opens (in the time zone below)</label><input id="challenge-opens" type="datetime-local" name="opensAt" required value="\(values["opensAt"] ?? "")"\(errors.invalid("opensAt"))>\(errors.message("opensAt"))
            <label for="challenge-closes">Closes <span class="muted small">(within a year)</span></label><input id="challenge-closes" type="datetime-local" name="closesAt" required value="\(values["closesAt"] ?? "")"\(errors.invalid("closesAt"))>\(errors.message("closesAt"))
            <label for="challenge-zone">Time zone</label><select id="challenge-zone" name="timeZone"\(errors.invalid("timeZone"))>\(WebPages.zoneOptions(selected: values["timeZone"] ?? ""))</select>\(errors.message("timeZone"))
            <label for="challenge-visibility">Who sees it and may enter</label><select id="challenge-visibility" name="visibility"\(errors.invalid("visibility"))>\(audiences)</select>\(errors.message("visibility"))
            <label for="challenge-csv">Also invite people without an account <span class="muted small">(optional: one a line, as email,name; each is mailed a personal link, or takes part with the account that confirmed the address)</span></label>
            <textarea id="challenge-csv" name="csv" rows="3" placeholder="ana@customer.example,Ana Ruiz"\(errors.invalid("csv"))>\(values["csv"] ?? "")</textarea>\(errors.message("csv"))
            <button>Start the challenge</button></form></section>
            """
    }
}
