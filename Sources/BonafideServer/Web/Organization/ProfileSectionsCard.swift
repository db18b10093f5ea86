import BonafideCore
import Foundation
import Vapor

/// The organization's profile sections with who sees each, on its own page; owners and admins edit them. A pure
/// view of its model.
struct ProfileSectionsCard: Sendable {
    var sections: [ProfileSections.Section]
    var organizationID: UUID
    var organizationName: String
    var canEdit: Bool
    /// A section form that was refused, shown again as typed with the reason at its field.
    var refused: Refusal? = nil

    struct Refusal: Sendable {
        /// The section's name, or nil for the form that adds one.
        var section: String?
        var values: [String: String]
        var problem: Problem
    }

    static func load(_ req: Request, for actor: Actor) async throws -> ProfileSectionsCard {
        guard let org = try await Organization.find(actor.organizationID, on: req.db) else { throw Problem.notFound("organization") }
        return ProfileSectionsCard(
            sections: try await ProfileSections.all(of: org, on: req.db), organizationID: org.id!, organizationName: org.name,
            canEdit: Policy.canManage(actor))
    }

    static func audienceOptions(_ selected: Audience) -> HTML {
        HTML.options(Audience.allCases, selected: selected)
    }

    func render(csrf: String) -> HTML {
        let token = csrfField(csrf)
        let disabled: HTML = canEdit ? "" : " disabled"
        // What was typed into a refused form, and the reason, for that form only.
        func typed(_ section: String?) -> (values: [String: String], errors: FieldErrors) {
            guard let refused, refused.section == section else { return ([:], FieldErrors(problem: nil, fields: [])) }
            return (refused.values, FieldErrors(problem: refused.problem, fields: ["title", "content", "visibility"]))
        }
        let rows = HTML.join(
            sections.map { s in
                let id = "section-\(s.name)"
                let (values, errors) = typed(s.name)
                let fixed = s.name == "workingHours"
                let content: HTML =
                    fixed
                    ? "<p>\(s.content)</p><p class=\"muted small\">From your time zone, hours and days in the profile below.</p>"
                    : "<label for=\"\(id)-content\">\(s.title)</label><textarea id=\"\(id)-content\" name=\"content\" maxlength=\"\(String(ProfileSections.maxContent))\" rows=\"3\"\(disabled)\(errors.invalid("content"))>\(values["content"] ?? s.content)</textarea>\(errors.message("content"))"
                let remove: HTML =
                    s.custom && canEdit
                    ? "<form method=\"post\" action=\"\(SiteURL.profileSectionRemove(s.name))\" class=\"inline\">\(token)<button class=\"secondary\">Remove</button></form>"
                    : ""
                return """
                    <div class="profile-section" id="\(id)"><h3>\(s.title)</h3>
                    <form method="post" action="\(SiteURL.profileSection(s.name))">\(token)\(errors.general)\(content)
                    <label for="\(id)-audience">Who sees it</label><select id="\(id)-audience" name="visibility"\(disabled)\(errors.invalid("visibility"))>\(Self.audienceOptions(values["visibility"].flatMap(Audience.init(rawValue:)) ?? s.audience))</select>\(errors.message("visibility"))
                    \(canEdit ? HTML("<button class=\"secondary\">Save \(s.title.lowercased())</button>") : "")</form>\(remove)</div>
                    """
            })
        let (values, errors) = typed(nil)
        let add: HTML =
            canEdit
            ? """
            <details\(HTML(raw: refused != nil && refused?.section == nil ? " open" : ""))><summary>Add a section of your own</summary>
            <form method="post" action="\(SiteURL.profileSections())" id="add-section">\(token)\(errors.general)
            <label for="new-section-title">Title</label><input id="new-section-title" name="title" maxlength="80" required placeholder="Case studies" value="\(values["title"] ?? "")"\(errors.invalid("title"))>\(errors.message("title"))
            <label for="new-section-content">Content</label><textarea id="new-section-content" name="content" maxlength="\(String(ProfileSections.maxContent))" required\(errors.invalid("content"))>\(values["content"] ?? "")</textarea>\(errors.message("content"))
            <label for="new-section-audience">Who sees it</label><select id="new-section-audience" name="visibility">\(Self.audienceOptions(values["visibility"].flatMap(Audience.init(rawValue:)) ?? .partners))</select>
            <button class="secondary">Add section</button></form></details>
            """ : "<p class=\"muted\">Only owners and admins change the profile and who sees it.</p>"
        let publicLink: HTML =
            sections.contains { $0.audience == .public && !$0.content.isEmpty }
            ? "<p id=\"public-profile-link\">Your public profile, for anyone without an account: <a href=\"\(SiteURL.publicProfile(organizationID))\">\(SiteURL.publicProfile(organizationID))</a></p>"
            : "<p class=\"muted small\" id=\"public-profile-link\">Make a section public to get a public profile page you can share.</p>"
        return """
            <section class="card" id="profile-sections"><h2>What others see of \(organizationName)</h2>
            <p class="muted small">Each part of your profile goes to the audience you choose: everyone, anyone signed in, your partners, or
            a circle (which includes the closer ones). Placing an organization in a circle shows it that circle's sections at once;
            taking it out hides them again. Your own people always see everything.</p>
            \(publicLink)
            <p class="small" id="own-passport">Your <a href="\(SiteURL.ownPassport())" download>trust passport</a>:
            your commitments kept, late and missed, provable from your partnerships' logs without trusting this site
            (<code>bonafide passport verify FILE</code>).</p>
            \(rows)
            \(add)
            </section>
            """
    }
}
