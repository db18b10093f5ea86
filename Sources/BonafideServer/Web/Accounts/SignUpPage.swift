import Foundation

/// The sign-up form, for a new organization or for joining one through a colleague's invitation, with what was typed
/// and why it was refused. A pure view.
struct SignUpPage: Sendable {
    struct Values: Sendable {
        var name = "", email = "", organization = "", timeZone = "UTC", invitation = ""
        /// The organization an invitation joins; its name is not typed.
        var invitedOrganization: String?
    }

    var values: Values
    var error: Problem?
    var csrf: String

    func render() -> HTML {
        let v = values
        let orgField: HTML =
            v.invitedOrganization.map { name in
                "<p>You are joining <strong>\(name)</strong>.</p><input type=\"hidden\" name=\"invitation\" value=\"\(v.invitation)\"><input type=\"hidden\" name=\"organization\" value=\"\(name)\">"
            } ?? """
                <label for="organization">Organization</label><input id="organization" name="organization" required maxlength="120" value="\(v.organization)">
                """
        let err: HTML = error.map { "<p class=\"error-text\" role=\"alert\">\($0.detail)</p>" } ?? ""
        return """
            <div class="card" style="max-width:520px"><h1>Create your account</h1>\(err)
            <form method="post" action="\(SiteURL.signup())">\(csrfField(csrf))
            <label for="name">Your name</label><input id="name" name="name" required maxlength="100" autocomplete="name" value="\(v.name)">
            <label for="email">Email</label><input id="email" name="email" type="email" required autocomplete="email" value="\(v.email)">
            <label for="password">Password <span class="muted small">(at least 10 characters)</span></label>
            <input id="password" name="password" type="password" required minlength="10" autocomplete="new-password">
            \(orgField)
            <label for="timeZone">Time zone</label><select id="timeZone" name="timeZone">\(WebPages.zoneOptions(selected: v.timeZone))</select>
            <button type="submit">Create account</button></form></div>
            """
    }
}
