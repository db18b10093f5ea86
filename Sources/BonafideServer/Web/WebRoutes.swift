import BonafideCore
import Fluent
import Foundation
import Vapor

func registerWeb(_ app: Application) throws {
    let web = app.grouped(WebSessionMiddleware(secureCookies: app.bonafide.secureCookies))
    web.get(use: WebPages.home)
    web.get("login", use: WebPages.loginForm)
    web.post("login", use: WebPages.login)
    web.get("signup", use: WebPages.signupForm)
    web.post("signup", use: WebPages.signup)
    web.get("join", ":secret", use: WebPages.joinForm)
    web.post("logout", use: WebPages.logout)
    web.get("verify-email", ":token", use: WebPages.verifyEmail)
    web.get("password-reset", use: WebPages.passwordResetRequestForm)
    web.post("password-reset", use: WebPages.requestPasswordReset)
    web.get("password-reset", ":token", use: WebPages.passwordResetForm)
    web.post("password-reset", ":token", use: WebPages.resetPassword)
    web.post("login", "passkey", "options", use: WebPages.passkeyRequestOptions)
    web.post("login", "passkey", use: WebPages.signInWithPasskey)
    web.get("login", "second-factor", use: WebPages.secondFactorForm)
    web.post("login", "second-factor", use: WebPages.verifySecondFactor)
    web.get("invitations", ":secret", use: WebPages.invitation)
    // Survey links need no account: the signed token in the path is the credential.
    web.get("s", ":token", use: WebPages.answerForm)
    web.post("s", ":token", use: WebPages.submitAnswer)
    web.post("s", ":token", "opt-out", use: WebPages.optOut)
    // Document share links need no account: the key is in the fragment, which never reaches the server.
    web.get("shared", ":lid") { req async throws -> Response in
        let page = try await SharedDocumentPage.load(req)
        let res = try await page.render().encodeResponse(for: req)
        res.headers.replaceOrAdd(name: "Referrer-Policy", value: "no-referrer")
        res.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return res
    }

    let signedIn = web.grouped(RequireSignInMiddleware())
    signedIn.post("invitations", ":secret", "accept", use: WebPages.acceptInvitation)
    signedIn.post("invitations", ":secret", "decline", use: WebPages.declineInvitation)
    signedIn.get("dashboard", use: WebPages.dashboard)
    signedIn.get("notifications", use: WebPages.notifications)
    signedIn.post("notifications", "read", use: WebPages.markRead)
    signedIn.get("notifications", ":nid", use: WebPages.openNotification)
    signedIn.get("organization", use: WebPages.organization)
    signedIn.post("organization", use: WebPages.updateOrganization)
    signedIn.post("organization", "invitations", use: WebPages.inviteColleague)
    signedIn.post("circles", "referral-links", use: WebPages.createReferralLink)
    signedIn.post("circles", "referral-links", ":rid", "revoke", use: WebPages.revokeReferralLink)
    signedIn.get("introductions") { req async throws -> HTML in
        let actor = try req.requireActor()
        return try await WebPages.page(
            req, "Introductions",
            try await IntroductionsPage.load(req, for: actor).render(csrf: req.csrfToken, clock: Clock(actor.user.timeZone)))
    }
    signedIn.post("introductions", use: WebPages.requestIntroduction)
    signedIn.post("introductions", ":iid", "decision", use: WebPages.decideIntroduction)
    signedIn.get("find") { req async throws -> HTML in
        let actor = try req.requireActor()
        return try await WebPages.page(req, "Find an organization", try await FindPage.load(req, for: actor).render())
    }
    signedIn.post("organization", "sections", use: WebPages.addProfileSection)
    signedIn.get("organization", "passport.json") { req async throws -> Response in
        try await passportResponse(for: try req.requireActor().organizationID, req)
    }
    signedIn.post("organization", "sections", ":section", use: WebPages.saveProfileSection)
    signedIn.post("organization", "sections", ":section", "remove", use: WebPages.removeProfileSection)
    signedIn.post("organization", "mail", "retry", use: WebPages.retryFailedMail)
    signedIn.post("organization", "webhooks", use: WebPages.addWebhook)
    signedIn.post("organization", "webhooks", ":wid", "remove", use: WebPages.removeWebhook)
    signedIn.post("organization", "webhooks", ":wid", "enable", use: WebPages.enableWebhook)
    signedIn.post("organization", "webhooks", ":wid", "deliveries", ":did", "resend", use: WebPages.resendWebhookDelivery)
    signedIn.post("organization", "credentials", use: WebPages.addCredential)
    signedIn.post("organization", "credentials", ":crid", "remove", use: WebPages.removeCredential)
    signedIn.post("organization", "credentials", ":crid", "decision", use: WebPages.decideCredential)
    signedIn.get("settings", use: WebPages.settings)
    signedIn.post("settings", "profile", use: WebPages.updateProfile)
    signedIn.post("settings", "tokens", use: WebPages.createToken)
    signedIn.post("settings", "tokens", ":tokenID", "revoke", use: WebPages.revokeToken)
    signedIn.post("settings", "passkeys", "options", use: WebPages.passkeyCreationOptions)
    signedIn.post("settings", "passkeys", use: WebPages.addPasskey)
    signedIn.post("settings", "passkeys", ":pkid", "remove", use: WebPages.removePasskey)
    signedIn.post("settings", "name", use: WebPages.rename)
    signedIn.post("settings", "email", use: WebPages.changeEmail)
    signedIn.post("settings", "email", "verify", use: WebPages.resendVerification)
    signedIn.post("settings", "password", use: WebPages.changePassword)
    signedIn.post("settings", "totp", use: WebPages.startTOTP)
    signedIn.post("settings", "totp", "confirm", use: WebPages.confirmTOTP)
    signedIn.post("settings", "totp", "disable", use: WebPages.disableTOTP)
    signedIn.post("settings", "recovery-codes", use: WebPages.regenerateRecoveryCodes)
    signedIn.post("settings", "sessions", ":sessionID", "end", use: WebPages.endSession)
    signedIn.post("settings", "sessions", "end-all", use: WebPages.endAllSessions)
    signedIn.post("settings", "notifications", use: WebPages.updateNotificationSettings)
    signedIn.post("settings", "calendar", "reset", use: WebPages.resetCalendar)
    web.get("unsubscribe", ":token", use: WebPages.unsubscribeForm)
    web.get("status", ":oid", use: WebPages.statusPage)
    // Referral lists need no account: the token in the path is the credential.
    web.get("referrals", ":token") { req async throws -> Response in
        let page = try await ReferralListPage.load(req)
        let html = try await WebPages.page(req, "Recommended by \(page.list.referrer)", page.render(clock: Clock(req.actor?.user.timeZone)))
        let res = try await html.encodeResponse(for: req)
        res.headers.replaceOrAdd(name: "Referrer-Policy", value: "no-referrer")
        res.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return res
    }
    web.get("profiles", ":oid") { req async throws -> HTML in
        let page = try await PublicProfilePage.load(req)
        let clock = Clock(req.actor?.user.timeZone)
        let incidents = try await WebPages.incidentRecordCard(req, subject: page.organizationID, clock: clock)
        return try await WebPages.page(req, page.name, page.render(incidents: incidents, clock: clock))
    }
    app.get("status", ":oid", "feed.atom", use: WebPages.statusFeed)
    signedIn.post("status", ":oid", "subscribe", use: WebPages.followStatus)
    signedIn.post("status", ":oid", "unsubscribe", use: WebPages.followStatus)
    signedIn.post("organization", "status-page", use: WebPages.setStatusPage)
    // One-click unsubscribe (RFC 8058) comes from mail clients without a session or CSRF token; the signed token
    // in the path is the authority.
    app.post("unsubscribe", ":token", use: WebPages.unsubscribe)
    app.get("calendar", ":token", use: WebPages.personalCalendar)
    signedIn.post("organization", "two-factor", use: WebPages.requireTwoFactor)
    signedIn.get("organizations", ":oid", use: WebPages.organizationProfile)
    signedIn.post("organizations", ":oid", "ratings", use: WebPages.rateOrganization)
    signedIn.post("organizations", ":oid", "circle", use: WebPages.placeInCircle)
    signedIn.post("organizations", ":oid", "circle", "remove", use: WebPages.removeFromCircle)
    signedIn.post("organizations", ":oid", "testimonial", use: WebPages.writeTestimonial)
    signedIn.post("organizations", ":oid", "testimonial", "withdraw", use: WebPages.withdrawTestimonial)
    signedIn.get("circles", use: WebPages.circles)
    signedIn.get("surveys", use: WebPages.surveys)
    signedIn.post("surveys", use: WebPages.createSurvey)
    signedIn.get("surveys", ":sid", use: WebPages.surveyPage)
    signedIn.post("surveys", ":sid", "recipients", use: WebPages.addSurveyRecipients)
    signedIn.post("surveys", ":sid", "send", use: WebPages.sendSurvey)
    signedIn.post("surveys", ":sid", "remind", use: WebPages.remindSurvey)
    signedIn.post("surveys", ":sid", "close", use: WebPages.closeSurvey)
    signedIn.get("surveys", ":sid", "export.csv", use: WebPages.exportSurvey)
    signedIn.get("mentions", use: WebPages.mentions)
    signedIn.post("mentions", "import", use: WebPages.importMentions)
    signedIn.post("mentions", "feeds", use: WebPages.addFeed)
    signedIn.post("mentions", "feeds", ":fid", "poll", use: WebPages.pollFeed)
    signedIn.post("mentions", "feeds", ":fid", "delete", use: WebPages.removeFeed)
    signedIn.get("partnerships", use: WebPages.partnerships)
    signedIn.get("partnerships", "new", use: WebPages.newPartnership)
    signedIn.post("partnerships", use: WebPages.createPartnership)
    let p = signedIn.grouped("partnerships", ":pid")
    p.get(use: WebPages.partnership)
    p.get("calendar.ics", use: WebPages.partnershipCalendar)
    p.get("record", use: WebPages.record)
    p.get("agreement", use: WebPages.agreementHistory)
    p.post("agreement", use: WebPages.updateAgreement)
    p.post("members", use: WebPages.addMember)
    p.post("invitation", use: WebPages.renewInvitation)
    p.post("end", use: WebPages.endPartnership)
    p.post("check-ins", use: WebPages.scheduleCheckIn)
    p.post("check-ins", ":ciid", "agenda", use: WebPages.addCheckInAgenda)
    p.post("check-ins", ":ciid", "meetings", use: WebPages.recordCheckInMeeting)
    p.post("check-ins", ":ciid", "cancel", use: WebPages.cancelCheckIn)
    p.get("commitments", "new", use: WebPages.newCommitment)
    p.post("commitments", use: WebPages.createCommitment)
    p.get("commitments", ":cid", use: WebPages.commitment)
    p.post("commitments", ":cid", "transitions", use: WebPages.transition)
    p.get("incidents", "new", use: WebPages.newIncident)
    p.post("incidents", use: WebPages.createIncident)
    p.get("incidents", ":iid", use: WebPages.incident)
    p.post("incidents", ":iid", "transitions", use: WebPages.transitionIncident)
    p.post("incidents", ":iid", "publication", use: WebPages.publishIncident)
    p.get("threads", ":tid", use: WebPages.thread)
    p.post("messages", use: WebPages.postMessage)
}

/// Handlers and views of the web UI. Each handler loads through the services and policy, then renders.
enum WebPages {
    // MARK: Frame

    static func page(_ req: Request, _ title: String, _ body: HTML, minimal: Bool = false) async throws -> HTML {
        let unread = try await req.actor.asyncFlatMap { try await Notifications.unreadCount(for: $0, on: req.db) } ?? 0
        return Layout(
            title: title, actor: minimal ? nil : req.actor, unread: unread, flash: req.takeFlash(), csrf: req.csrfToken,
            current: req.url.path, minimal: minimal
        ).render(body)
    }

    /// A page for a customer who has no account: no menu, no sign-in, no API link.
    static func customerPage(_ req: Request, _ title: String, _ body: HTML) async throws -> HTML {
        try await page(req, title, body, minimal: true)
    }

    static func errorPage(_ problem: Problem, for req: Request) async throws -> HTML {
        // A path no route matched never passed the session middleware: find the person so the menu is theirs.
        if req.actor == nil { try await WebSessions.recognize(req) }
        let body: HTML = """
            <div class="card"><h1>\(problem.title)</h1><p>\(problem.detail)</p>
            <p><a href="javascript:history.back()">Go back</a> · <a href="/">Home</a></p></div>
            """
        let layout = Layout(title: problem.title, actor: req.actor, csrf: req.actor != nil ? req.csrfToken : "", current: req.url.path)
        return layout.render(body)
    }

    static func csrf(_ req: Request) -> HTML { "<input type=\"hidden\" name=\"_csrf\" value=\"\(req.csrfToken)\">" }

    /// Runs a form action; a problem becomes a message on the page the user came from.
    static func act(_ req: Request, back: String, _ work: () async throws -> String) async throws -> Response {
        do {
            return req.safeRedirect(to: try await work())
        } catch let problem as Problem {
            req.flash(problem.detail, error: true)
            return req.safeRedirect(to: back)
        }
    }

    static func uuid(_ req: Request, _ name: String) -> UUID? { req.parameters.get(name).flatMap(UUID.init(uuidString:)) }

    static func field(_ req: Request, _ name: String) -> String { (try? req.content.get(String.self, at: name)) ?? "" }

    static func zoneOptions(selected: String) -> HTML {
        HTML.join(TimeZones.all.map { z in "<option\(HTML(raw: z == selected ? " selected" : ""))>\(z)</option>" })
    }

    // MARK: Accounts

    static func home(_ req: Request) async throws -> Response {
        if req.actor != nil { return req.redirect(to: "/dashboard") }
        let body: HTML = """
            <section class="card"><h1>Trust you can verify, with partners you may never meet.</h1>
            <p>Bonafide gives a partnership one place to set clear expectations, talk, and keep promises, \
            and turns that record into trust both sides can check.</p>
            <p><a class="button" href="/signup">Create an account</a> <a class="button secondary" href="/login" style="background:#e7ebf3;color:#1d2433">Sign in</a></p></section>
            """
        return try await page(req, "Welcome", body).encodeResponse(for: req)
    }

    static func loginForm(_ req: Request) async throws -> HTML {
        try await loginPage(req, email: "", error: nil)
    }

    static func loginPage(_ req: Request, email: String, error: String?) async throws -> HTML {
        let next = (try? req.query.get(String.self, at: "next")) ?? ""
        return try await page(
            req, "Sign in",
            """
            <div class="card" style="max-width:460px"><h1>Sign in</h1>
            \(error.map { HTML("<p class=\"error-text\" role=\"alert\">\($0)</p>") } ?? "")
            <form method="post" action="/login?next=\(next.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")">\(csrf(req))
            <label for="email">Email</label><input id="email" name="email" type="email" autocomplete="email" required value="\(email)">
            <label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
            <button type="submit">Sign in</button></form>
            <p>or</p>\(PasskeyScript.button("signin", label: "Sign in with a passkey", csrf: req.csrfToken, status: "passkey-status"))
            <p class="small">No account yet? <a href="/signup">Sign up</a>. Forgot your password? <a href="/password-reset">Set a new one</a>.</p></div>
            """)
    }

    static func login(_ req: Request) async throws -> Response {
        let email = field(req, "email")
        do {
            try await req.limitSignIn(email: email)
            let user = try await Accounts.authenticate(
                email: email, password: field(req, "password"), hasher: req.password.async, on: req.db)
            let next = SafeRedirect.target((try? req.query.get(String.self, at: "next")) ?? "")
            if try await TwoFactor.hasSecondFactor(user, on: req.db) {
                try await WebSessions.start(req, user, pendingSecondFactor: true)
                return req.redirect(to: Paths.secondFactor(next: next))
            }
            try await signIn(req, user)
            // A crafted link must not send people elsewhere, or write headers, after sign-in.
            return req.safeRedirect(to: next)
        } catch let problem as Problem {
            return try await loginPage(req, email: email, error: problem.detail).encodeResponse(status: problem.status, for: req)
        }
    }

    static func signIn(_ req: Request, _ user: User) async throws {
        try await WebSessions.start(req, user)
        if try await Accounts.mustSetUpSecondFactor(user, on: req.db) { req.setSessionValue(setUpSecondFactorKey, "1") }
    }

    /// Session flag: this person must set up a second factor before using anything else.
    static let setUpSecondFactorKey = "setup_second_factor"

    static func logout(_ req: Request) async throws -> Response {
        try await WebSessions.end(req)
        return req.redirect(to: "/login")
    }

    struct SignupValues {
        var name = "", email = "", organization = "", timeZone = "UTC", invitation = ""
        var invitedOrganization: String?
    }

    static func signupForm(_ req: Request) async throws -> HTML {
        var v = SignupValues()
        v.email = (try? req.query.get(String.self, at: "email")) ?? ""
        return try await signupPage(req, v, error: nil)
    }

    static func joinForm(_ req: Request) async throws -> HTML {
        let secret = req.parameters.get("secret") ?? ""
        guard let invitation = try await Accounts.colleagueInvitation(secret: secret, on: req.db) else {
            throw Problem(.notFound, "This invitation link is not valid or was already used.")
        }
        var v = SignupValues()
        v.email = invitation.email
        v.invitation = secret
        v.invitedOrganization = invitation.organization.name
        v.timeZone = invitation.organization.timeZone
        return try await signupPage(req, v, error: nil)
    }

    static func signupPage(_ req: Request, _ v: SignupValues, error: Problem?) async throws -> HTML {
        let orgField: HTML =
            v.invitedOrganization.map { name in
                "<p>You are joining <strong>\(name)</strong>.</p><input type=\"hidden\" name=\"invitation\" value=\"\(v.invitation)\"><input type=\"hidden\" name=\"organization\" value=\"\(name)\">"
            } ?? """
                <label for="organization">Organization</label><input id="organization" name="organization" required maxlength="120" value="\(v.organization)">
                """
        let err: HTML = error.map { "<p class=\"error-text\" role=\"alert\">\($0.detail)</p>" } ?? ""
        return try await page(
            req, "Sign up",
            """
            <div class="card" style="max-width:520px"><h1>Create your account</h1>\(err)
            <form method="post" action="/signup">\(csrf(req))
            <label for="name">Your name</label><input id="name" name="name" required maxlength="100" autocomplete="name" value="\(v.name)">
            <label for="email">Email</label><input id="email" name="email" type="email" required autocomplete="email" value="\(v.email)">
            <label for="password">Password <span class="muted small">(at least 10 characters)</span></label>
            <input id="password" name="password" type="password" required minlength="10" autocomplete="new-password">
            \(orgField)
            <label for="timeZone">Time zone</label><select id="timeZone" name="timeZone">\(zoneOptions(selected: v.timeZone))</select>
            <button type="submit">Create account</button></form></div>
            """)
    }

    static func signup(_ req: Request) async throws -> Response {
        var v = SignupValues()
        v.name = field(req, "name")
        v.email = field(req, "email")
        v.organization = field(req, "organization")
        v.timeZone = field(req, "timeZone")
        v.invitation = field(req, "invitation")
        do {
            try await req.limitAttempts("signup", key: "", limit: 30, window: 600)
            let config = req.application.bonafide
            // With mail, the page never says whether an address has an account: both answers are "check your mail".
            if config.requiresEmailVerification, v.invitation.isEmpty,
                let existing = try await User.query(on: req.db).filter(\.$email == BonafideCore.Validation.normalizedEmail(v.email)).first()
            {
                try await AccountLinks.warnExistingAccount(existing, baseURL: config.baseURL, on: req.db)
                return try await checkYourMail(req, email: existing.email).encodeResponse(for: req)
            }
            let (user, _) = try await Accounts.register(
                .init(
                    email: v.email, password: field(req, "password"), name: v.name, organization: v.organization,
                    timeZone: v.timeZone.isEmpty ? nil : v.timeZone, invitation: v.invitation.isEmpty ? nil : v.invitation),
                hasher: req.password.async, on: req.db)
            if !v.invitation.isEmpty {
                // The colleague invitation was mailed to this address and the link came back: the address is proven.
                user.emailVerifiedAt = Date()
                try await user.save(on: req.db)
            } else if config.requiresEmailVerification {
                try await AccountLinks.send(.verifyEmail, to: user, baseURL: config.baseURL, on: req.db)
                return try await checkYourMail(req, email: user.email).encodeResponse(for: req)
            }
            try await signIn(req, user)
            req.flash("Welcome to Bonafide, \(user.name).")
            return req.redirect(to: "/dashboard")
        } catch let problem as Problem {
            if !v.invitation.isEmpty, let inv = try await Accounts.colleagueInvitation(secret: v.invitation, on: req.db) {
                v.invitedOrganization = inv.organization.name
            }
            return try await signupPage(req, v, error: problem).encodeResponse(status: problem.status, for: req)
        }
    }

    // MARK: Dashboard and notifications

    static func dashboard(_ req: Request) async throws -> HTML {
        let actor = try req.requireActor()
        let data = try await DashboardData.load(for: actor, on: req.db)
        let clock = Clock(actor.user.timeZone)
        let names = Dictionary(data.partnerships.map { ($0.id!, $0.name) }, uniquingKeysWith: { a, _ in a })
        func commitmentRows(_ items: [Commitment], empty: String) -> HTML {
            guard !items.isEmpty else { return "<p class=\"muted\">\(empty)</p>" }
            return """
                <table><thead><tr><th>Commitment</th><th>Due</th><th class="hide-sm">Partnership</th><th>State</th></tr></thead><tbody>
                \(items.map { c in HTML("""
                    <tr><td><a href="\(Paths.commitment(c.$partnership.id, c.id))">\(c.title)</a><div class="small muted">\(c.owner.name)</div></td>
                    <td>\(clock.format(c.dueAt, "d MMM, HH:mm"))<div class="small muted">\(Clock.relative(c.dueAt))</div></td>
                    <td class="hide-sm">\(names[c.$partnership.id] ?? "")</td>
                    <td>\(statusBadge(c.status.rawValue))\(c.atRisk ? HTML(" <span class=\"risk\">at risk</span>") : "")\(c.proposedDueAt != nil ? HTML(" <span class=\"risk\">new date asked</span>") : "")</td></tr>
                    """) })</tbody></table>
                """
        }
        let partnershipRows: HTML =
            data.partnerships.isEmpty
            ? "<p class=\"muted\">No partnerships yet. <a href=\"\(Paths.newPartnership)\">Open your first one</a>.</p>"
            : HTML(
                "<ul>\(data.partnerships.map { p in HTML("<li><a href=\"\(Paths.partnership(p.id))\">\(p.name)</a> \(statusBadge(p.status.rawValue))</li>") })</ul>"
            )
        let waiting: HTML =
            data.waiting.isEmpty
            ? "<p class=\"muted\">Nothing waits for your side.</p>"
            : HTML(
                "<ul>\(HTML.join(data.waiting.map { w in HTML("<li><strong>\(w.what)</strong>: <a href=\"\(w.link)\">\(w.title)</a> <span class=\"small muted\">· \(names[w.partnershipID] ?? "") · \(Clock.relative(w.since))</span></li>") }))</ul>"
            )
        let requests: HTML =
            data.openRequests.isEmpty
            ? "<p class=\"muted\">Nothing is waiting for your side.</p>"
            : HTML(
                """
                <ul>\(data.openRequests.map { m in HTML("""
                <li><a href="\(Paths.thread(m.$partnership.id, m.$thread.id))">\(m.thread.subject)</a>: \(m.author.name) asked \(Clock.relative(m.createdAt))
                <div class="small muted">\(String(m.body.prefix(140)))</div></li>
                """) })</ul>
                """)
        return try await page(
            req, "Dashboard",
            """
            <h1>Hello, \(actor.user.name)</h1>
            <section class="card" id="waiting"><h2>Waiting for you</h2>\(waiting)</section>
            <div class="grid">
            <section class="card"><h2>My partnerships</h2>\(partnershipRows)
            <p class="small"><a href="\(Paths.partnerships)">All partnerships</a> · <a href="\(Paths.newPartnership)">New partnership</a></p></section>
            <section class="card"><h2>Open requests for your side</h2>\(requests)</section>
            </div>
            <section class="card"><h2>Due soon: promised by your side</h2>\(commitmentRows(data.dueSoonMine, empty: "Nothing due in the next 14 days."))</section>
            <section class="card"><h2>Due soon: owed to your side</h2>\(commitmentRows(data.owedNotWaiting, empty: "Nothing owed to you in the next 14 days."))</section>
            <section class="card"><h2>What slipped</h2>\(commitmentRows(data.slippedNotListed, empty: "Nothing missed, at risk or rescheduled."))</section>
            """)
    }

    static func notifications(_ req: Request) async throws -> HTML {
        let model = try await NotificationsPage.load(
            for: try req.requireActor(), unreadOnly: req.query[String.self, at: "show"] == "unread",
            page: min(req.query[Int.self, at: "page"] ?? 0, 10_000), csrf: req.csrfToken, on: req.db)
        return try await page(req, "Notifications", model.render())
    }

    static func partnerships(_ req: Request) async throws -> HTML {
        let filter = PartnershipsPage.Filter(rawValue: req.query[String.self, at: "status"] ?? "all") ?? .all
        let model = try await PartnershipsPage.load(for: try req.requireActor(), filter: filter, on: req.db)
        return try await page(req, "Partnerships", model.render())
    }

    static func openNotification(_ req: Request) async throws -> Response {
        req.safeRedirect(to: try await Notifications.open(uuid(req, "nid"), for: try req.requireActor(), on: req.db))
    }

    static func markRead(_ req: Request) async throws -> Response {
        try await Notifications.markAllRead(for: try req.requireActor(), on: req.db)
        return req.redirect(to: "/notifications")
    }
}
