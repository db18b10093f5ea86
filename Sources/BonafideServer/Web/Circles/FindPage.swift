import BonafideCore
import Foundation
import Vapor

/// Finding and vetting a subcontractor: who can do the skill, ranked by how much the organization's network
/// trusts them, each with who vouches, their record and what is unknown. A pure view of its model.
struct FindPage: Sendable {
    var skill: String
    var language: String
    var overlapHours: String
    var minTrust: String
    var verifiedOnly: Bool
    var results: [OrganizationSearch.Result]?
    var error: String?

    static func load(_ req: Request, for actor: Actor) async throws -> FindPage {
        func text(_ name: String) -> String { (req.queryParameter(name) ?? "").trimmingCharacters(in: .whitespaces) }
        var page = FindPage(
            skill: text("skill"), language: text("language"), overlapHours: text("overlapHours"), minTrust: text("minTrust"),
            verifiedOnly: text("verifiedOnly") == "1", results: nil, error: nil)
        guard !page.skill.isEmpty || !page.language.isEmpty else { return page }
        do {
            var q = OrganizationSearch.Query(skill: page.skill, language: page.language, verifiedOnly: page.verifiedOnly)
            if !page.overlapHours.isEmpty {
                guard let h = Double(page.overlapHours) else {
                    throw Problem.invalid("overlapHours", "Overlap is a number of hours, such as 2.")
                }
                q.overlapHours = h
            }
            if !page.minTrust.isEmpty {
                guard let t = Double(page.minTrust) else { throw Problem.invalid("minTrust", "Minimum trust is a number from 0 to 100.") }
                q.minTrust = t
            }
            page.results = try await OrganizationSearch.search(q, by: actor, memo: req.application.trustReachMemo, on: req.db)
        } catch let problem as Problem {
            page.error = problem.detail
        }
        return page
    }

    func render() -> HTML {
        let form: HTML = """
            <form method="get" action="\(SiteURL.find())" id="find-form" class="card">
            <div class="grid"><div><label for="find-skill">Skill or service</label><input id="find-skill" name="skill" value="\(skill)" maxlength="200" placeholder="UX research"></div>
            <div><label for="find-language">Language</label><input id="find-language" name="language" value="\(language)" maxlength="60" placeholder="German"></div>
            <div><label for="find-overlap">Shared working hours a day, at least</label><input id="find-overlap" name="overlapHours" value="\(overlapHours)" inputmode="decimal" placeholder="2"></div>
            <div><label for="find-trust">Minimum trust (0–100)</label><input id="find-trust" name="minTrust" value="\(minTrust)" inputmode="decimal" placeholder="60"></div></div>
            <label style="font-weight:400"><input type="checkbox" name="verifiedOnly" value="1"\(HTML(raw: verifiedOnly ? " checked" : ""))> Only organizations with verified credentials</label>
            <button>Find</button></form>
            """
        let body: HTML
        if let error {
            body = "<p class=\"error-text\" role=\"alert\" id=\"find-error\">\(error)</p>"
        } else if let results {
            body =
                results.isEmpty
                ? "<p class=\"muted\" id=\"find-none\">No organization matches. Try fewer words or drop a filter.</p>"
                : HTML("<ol id=\"find-results\">\(results.map(Self.row))</ol>")
        } else {
            body = "<p class=\"muted\">Type a skill to see who can do it, best trusted by your network first.</p>"
        }
        return """
            <h1>Find an organization</h1>
            <p class="muted">Candidates come from your partners and circles, theirs in turn, and strangers whose profile shows the skill.
            Trust is your organization's own view, carried through those it trusts.</p>
            \(form)
            \(body)
            """
    }

    static func row(_ r: OrganizationSearch.Result) -> HTML {
        let figure: HTML =
            r.stranger
            ? "<span class=\"badge\">stranger</span> trust unknown"
            : "trust <strong>\(String(Int(r.score.rounded())))</strong>/100 <span class=\"muted small\">uncertainty \(String(Int((r.uncertainty * 100).rounded())))%</span>"
        let unknown: HTML =
            r.unknown.isEmpty ? "" : HTML("<p class=\"small muted\">Unknown: \(r.unknown.joined(separator: "; ")).</p>")
        return """
            <li class="card find-result" data-organization="\(Access.key(r.id))"><h2><a href="\(SiteURL.organization(r.id))">\(r.name)</a> <span class="small">\(figure)</span></h2>
            <ul class="small">\(r.why.map { HTML("<li>\($0)</li>") })</ul>\(unknown)</li>
            """
    }
}
