import BonafideCore
import Fluent
import Foundation
import Vapor

func registerWeb(_ app: Application) throws {
    let web = app.grouped(WebSessionMiddleware(secureCookies: app.bonafide.secureCookies))
    web.get(SiteURL.home, use: WebPages.home)
    web.get(SiteURL.login, use: WebPages.loginForm)
    web.post(SiteURL.login, use: WebPages.login)
    web.get(SiteURL.signup, use: WebPages.signupForm)
    web.post(SiteURL.signup, use: WebPages.signup)
    web.get(SiteURL.join, use: WebPages.joinForm)
    web.post(SiteURL.logout, use: WebPages.logout)
    web.get(SiteURL.verifyEmail, use: WebPages.verifyEmail)
    web.get(SiteURL.passwordReset, use: WebPages.passwordResetRequestForm)
    web.post(SiteURL.passwordReset, use: WebPages.requestPasswordReset)
    web.get(SiteURL.passwordResetLink, use: WebPages.passwordResetForm)
    web.post(SiteURL.passwordResetLink, use: WebPages.resetPassword)
    web.post(SiteURL.passkeySignInOptions, use: WebPages.passkeyRequestOptions)
    web.post(SiteURL.passkeySignIn, use: WebPages.signInWithPasskey)
    web.get(SiteURL.secondFactorPage, use: WebPages.secondFactorForm)
    web.post(SiteURL.secondFactorPage, use: WebPages.verifySecondFactor)
    web.get(SiteURL.invitation, use: WebPages.invitation)
    // Survey links need no account: the signed token in the path is the credential.
    web.get(SiteURL.surveyAnswer, use: WebPages.answerForm)
    web.post(SiteURL.surveyAnswer, use: WebPages.submitAnswer)
    web.post(SiteURL.surveyOptOut, use: WebPages.optOut)
    // Document share links need no account: the key is in the fragment, which never reaches the server.
    web.get(SiteURL.shareLink) { req async throws -> Response in
        let page = try await SharedDocumentPage.load(req)
        let res = try await page.render().encodeResponse(for: req)
        res.headers.replaceOrAdd(name: "Referrer-Policy", value: "no-referrer")
        res.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return res
    }

    let signedIn = web.grouped(RequireSignInMiddleware())
    signedIn.post(SiteURL.invitationAccept, use: WebPages.acceptInvitation)
    signedIn.post(SiteURL.invitationDecline, use: WebPages.declineInvitation)
    signedIn.get(SiteURL.dashboard, use: WebPages.dashboard)
    signedIn.get(SiteURL.notifications, use: WebPages.notifications)
    signedIn.post(SiteURL.notificationsRead, use: WebPages.markRead)
    signedIn.get(SiteURL.notification, use: WebPages.openNotification)
    signedIn.get(SiteURL.ownOrganization, use: WebPages.organization)
    signedIn.post(SiteURL.ownOrganization, use: WebPages.updateOrganization)
    signedIn.post(SiteURL.colleagueInvitations, use: WebPages.inviteColleague)
    signedIn.post(SiteURL.referralLinks, use: WebPages.createReferralLink)
    signedIn.post(SiteURL.referralLinkRevoke, use: WebPages.revokeReferralLink)
    signedIn.get(SiteURL.introductions) { req async throws -> HTML in
        let actor = try req.requireActor()
        return try await WebPages.page(
            req, "Introductions",
            try await IntroductionsPage.load(req, for: actor).render(csrf: req.csrfToken, clock: Clock(actor.user.timeZone)))
    }
    signedIn.post(SiteURL.introductions, use: WebPages.requestIntroduction)
    signedIn.post(SiteURL.introductionDecision, use: WebPages.decideIntroduction)
    signedIn.get(SiteURL.find) { req async throws -> HTML in
        let actor = try req.requireActor()
        return try await WebPages.page(req, "Find an organization", try await FindPage.load(req, for: actor).render())
    }
    signedIn.post(SiteURL.profileSections, use: WebPages.addProfileSection)
    signedIn.get(SiteURL.ownPassport) { req async throws -> Response in
        try await passportResponse(for: try req.requireActor().organizationID, req)
    }
    signedIn.post(SiteURL.profileSection, use: WebPages.saveProfileSection)
    signedIn.post(SiteURL.profileSectionRemove, use: WebPages.removeProfileSection)
    signedIn.post(SiteURL.mailRetry, use: WebPages.retryFailedMail)
    signedIn.post(SiteURL.webhooksCreate, use: WebPages.addWebhook)
    signedIn.post(SiteURL.webhookRemove, use: WebPages.removeWebhook)
    signedIn.post(SiteURL.webhookEnable, use: WebPages.enableWebhook)
    signedIn.post(SiteURL.webhookResend, use: WebPages.resendWebhookDelivery)
    signedIn.post(SiteURL.credentialsAdd, use: WebPages.addCredential)
    signedIn.post(SiteURL.credentialRemove, use: WebPages.removeCredential)
    signedIn.post(SiteURL.credentialDecision, use: WebPages.decideCredential)
    signedIn.get(SiteURL.Settings.page, use: WebPages.settings)
    signedIn.post(SiteURL.Settings.profile, use: WebPages.updateProfile)
    signedIn.post(SiteURL.Settings.tokens, use: WebPages.createToken)
    signedIn.post(SiteURL.Settings.revokeToken, use: WebPages.revokeToken)
    signedIn.post(SiteURL.Settings.passkeyOptions, use: WebPages.passkeyCreationOptions)
    signedIn.post(SiteURL.Settings.passkeys, use: WebPages.addPasskey)
    signedIn.post(SiteURL.Settings.removePasskey, use: WebPages.removePasskey)
    signedIn.post(SiteURL.Settings.name, use: WebPages.rename)
    signedIn.post(SiteURL.Settings.email, use: WebPages.changeEmail)
    signedIn.post(SiteURL.Settings.resendVerification, use: WebPages.resendVerification)
    signedIn.post(SiteURL.Settings.password, use: WebPages.changePassword)
    signedIn.post(SiteURL.Settings.totp, use: WebPages.startTOTP)
    signedIn.post(SiteURL.Settings.confirmTOTP, use: WebPages.confirmTOTP)
    signedIn.post(SiteURL.Settings.disableTOTP, use: WebPages.disableTOTP)
    signedIn.post(SiteURL.Settings.recoveryCodes, use: WebPages.regenerateRecoveryCodes)
    signedIn.post(SiteURL.Settings.endSession, use: WebPages.endSession)
    signedIn.post(SiteURL.Settings.endAllSessions, use: WebPages.endAllSessions)
    signedIn.post(SiteURL.Settings.notifications, use: WebPages.updateNotificationSettings)
    signedIn.post(SiteURL.Settings.resetCalendar, use: WebPages.resetCalendar)
    web.get(SiteURL.unsubscribe, use: WebPages.unsubscribeForm)
    web.get(SiteURL.status, use: WebPages.statusPage)
    // Referral lists need no account: the token in the path is the credential.
    web.get(SiteURL.referralList) { req async throws -> Response in
        let page = try await ReferralListPage.load(req)
        let html = try await WebPages.page(req, "Recommended by \(page.list.referrer)", page.render(clock: Clock(req.actor?.user.timeZone)))
        let res = try await html.encodeResponse(for: req)
        res.headers.replaceOrAdd(name: "Referrer-Policy", value: "no-referrer")
        res.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return res
    }
    web.get(SiteURL.publicProfile) { req async throws -> HTML in
        let page = try await PublicProfilePage.load(req)
        let clock = Clock(req.actor?.user.timeZone)
        let incidents = try await WebPages.incidentRecordCard(req, subject: page.organizationID, clock: clock)
        return try await WebPages.page(req, page.name, page.render(incidents: incidents, clock: clock))
    }
    app.get(SiteURL.statusFeed, use: WebPages.statusFeed)
    signedIn.post(SiteURL.statusSubscribe, use: WebPages.followStatus)
    signedIn.post(SiteURL.statusUnsubscribe, use: WebPages.followStatus)
    signedIn.post(SiteURL.statusPageSettings, use: WebPages.setStatusPage)
    // One-click unsubscribe (RFC 8058) comes from mail clients without a session or CSRF token; the signed token
    // in the path is the authority.
    app.post(SiteURL.unsubscribe, use: WebPages.unsubscribe)
    app.get(SiteURL.personalCalendar, use: WebPages.personalCalendar)
    signedIn.post(SiteURL.twoFactorRequirement, use: WebPages.requireTwoFactor)
    signedIn.get(SiteURL.organization, use: WebPages.organizationProfile)
    signedIn.post(SiteURL.ratings, use: WebPages.rateOrganization)
    signedIn.get(SiteURL.trustExplained) { req async throws -> HTML in
        guard let subject = WebPages.uuid(req, "oid") else { throw Problem.notFound("organization") }
        let model = try await TrustExplainedPage.load(viewer: try req.requireActor(), subject: subject, on: req.db)
        return try await WebPages.page(req, "Trust in \(model.subjectName)", model.render())
    }
    signedIn.post(SiteURL.circlePlacement, use: WebPages.placeInCircle)
    signedIn.post(SiteURL.circleRemoval, use: WebPages.removeFromCircle)
    signedIn.post(SiteURL.testimonial, use: WebPages.writeTestimonial)
    signedIn.post(SiteURL.testimonialWithdrawal, use: WebPages.withdrawTestimonial)
    signedIn.get(SiteURL.circles, use: WebPages.circles)
    signedIn.get(SiteURL.search) { req async throws -> Response in
        let q = req.query[String.self, at: "q"] ?? ""
        do {
            let results = try await Search.run(q, for: try req.requireActor(), on: req.db)
            return try await WebPages.page(req, "Search", SearchPage(results: results).render()).encodeResponse(for: req)
        } catch let problem as Problem where problem.field == "q" {
            req.flash(problem.detail, error: true)
            let kept = Search.Results(query: String(q.prefix(100)))
            return try await WebPages.page(req, "Search", SearchPage(results: kept).render())
                .encodeResponse(status: .unprocessableEntity, for: req)
        }
    }
    signedIn.get(SiteURL.incidentsOverview) { req async throws -> HTML in
        let filter = req.query[String.self, at: "show"].flatMap(IncidentsPage.Filter.init(rawValue:)) ?? .open
        let page = min(max(req.query[Int.self, at: "page"] ?? 0, 0), 10_000)
        let model = try await IncidentsPage.load(for: try req.requireActor(), filter: filter, page: page, on: req.db)
        return try await WebPages.page(req, "Incidents", model.render())
    }
    signedIn.get(SiteURL.surveys, use: WebPages.surveys)
    signedIn.post(SiteURL.surveys, use: WebPages.createSurvey)
    signedIn.get(SiteURL.survey, use: WebPages.surveyPage)
    signedIn.post(SiteURL.surveyRecipients, use: WebPages.addSurveyRecipients)
    signedIn.post(SiteURL.surveySend, use: WebPages.sendSurvey)
    signedIn.post(SiteURL.surveyRemind, use: WebPages.remindSurvey)
    signedIn.post(SiteURL.surveyClose, use: WebPages.closeSurvey)
    signedIn.get(SiteURL.surveyExport, use: WebPages.exportSurvey)
    signedIn.get(SiteURL.mentions, use: WebPages.mentions)
    signedIn.post(SiteURL.mentionsImport, use: WebPages.importMentions)
    signedIn.post(SiteURL.feeds, use: WebPages.addFeed)
    signedIn.post(SiteURL.feedPoll, use: WebPages.pollFeed)
    signedIn.post(SiteURL.feedRemove, use: WebPages.removeFeed)
    signedIn.get(SiteURL.partnerships, use: WebPages.partnerships)
    signedIn.get(SiteURL.newPartnership, use: WebPages.newPartnership)
    signedIn.post(SiteURL.partnerships, use: WebPages.createPartnership)
    signedIn.get(SiteURL.partnership, use: WebPages.partnership)
    signedIn.get(SiteURL.partnershipCalendar, use: WebPages.partnershipCalendar)
    signedIn.get(SiteURL.record, use: WebPages.record)
    signedIn.get(SiteURL.agreement, use: WebPages.agreementHistory)
    signedIn.post(SiteURL.agreement, use: WebPages.updateAgreement)
    signedIn.post(SiteURL.members, use: WebPages.addMember)
    signedIn.post(SiteURL.renewInvitation, use: WebPages.renewInvitation)
    signedIn.post(SiteURL.endPartnership, use: WebPages.endPartnership)
    signedIn.post(SiteURL.scheduleCheckIn, use: WebPages.scheduleCheckIn)
    signedIn.post(SiteURL.checkInAgenda, use: WebPages.addCheckInAgenda)
    signedIn.post(SiteURL.checkInMeeting, use: WebPages.recordCheckInMeeting)
    signedIn.post(SiteURL.checkInCancel, use: WebPages.cancelCheckIn)
    signedIn.get(SiteURL.newCommitment, use: WebPages.newCommitment)
    signedIn.post(SiteURL.commitments, use: WebPages.createCommitment)
    signedIn.get(SiteURL.commitment, use: WebPages.commitment)
    signedIn.post(SiteURL.commitmentTransitions, use: WebPages.transition)
    signedIn.get(SiteURL.commitmentEdit, use: WebPages.editCommitmentForm)
    signedIn.post(SiteURL.commitmentEdit, use: WebPages.editCommitment)
    signedIn.post(SiteURL.commitmentChangeDecision, use: WebPages.decideCommitmentChange)
    signedIn.get(SiteURL.newIncident, use: WebPages.newIncident)
    signedIn.post(SiteURL.incidents, use: WebPages.createIncident)
    signedIn.get(SiteURL.incident, use: WebPages.incident)
    signedIn.post(SiteURL.incidentTransitions, use: WebPages.transitionIncident)
    signedIn.post(SiteURL.incidentPublication, use: WebPages.publishIncident)
    signedIn.get(SiteURL.thread, use: WebPages.thread)
    signedIn.post(SiteURL.messages, use: WebPages.postMessage)
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
            <p><a href="javascript:history.back()">Go back</a> · <a href="\(SiteURL.home())">Home</a></p></div>
            """
        let layout = Layout(title: problem.title, actor: req.actor, csrf: req.actor != nil ? req.csrfToken : "", current: req.url.path)
        return layout.render(body)
    }

    static func csrf(_ req: Request) -> HTML { csrfField(req.csrfToken) }

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
        if req.actor != nil { return req.redirect(to: SiteURL.dashboard()) }
        let body: HTML = """
            <section class="card"><h1>Trust you can verify, with partners you may never meet.</h1>
            <p>Bonafide gives a partnership one place to set clear expectations, talk, and keep promises, \
            and turns that record into trust both sides can check.</p>
            <p><a class="button" href="\(SiteURL.signup())">Create an account</a> <a class="button secondary" href="\(SiteURL.login())" style="background:#e7ebf3;color:#1d2433">Sign in</a></p></section>
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
            <form method="post" action="\(SiteURL.login(next: next))">\(csrf(req))
            <label for="email">Email</label><input id="email" name="email" type="email" autocomplete="email" required value="\(email)">
            <label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
            <button type="submit">Sign in</button></form>
            <p>or</p>\(PasskeyScript.button("signin", label: "Sign in with a passkey", csrf: req.csrfToken, status: "passkey-status"))
            <p class="small">No account yet? <a href="\(SiteURL.signup())">Sign up</a>. Forgot your password? <a href="\(SiteURL.passwordReset())">Set a new one</a>.</p></div>
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
                return req.redirect(to: SiteURL.secondFactor(next: next))
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
        return req.redirect(to: SiteURL.login())
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
            <form method="post" action="\(SiteURL.signup())">\(csrf(req))
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
            try await req.limitAttempts("signup", key: "", limit: req.application.bonafide.signupsPerClient, window: 600)
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
            return req.redirect(to: SiteURL.dashboard())
        } catch let problem as Problem {
            if !v.invitation.isEmpty, let inv = try await Accounts.colleagueInvitation(secret: v.invitation, on: req.db) {
                v.invitedOrganization = inv.organization.name
            }
            return try await signupPage(req, v, error: problem).encodeResponse(status: problem.status, for: req)
        }
    }

    // MARK: Dashboard and notifications

    static func dashboard(_ req: Request) async throws -> HTML {
        let model = try await DashboardPage.load(for: try req.requireActor(), csrf: req.csrfToken, on: req.db)
        return try await page(req, "Dashboard", model.render())
    }

    static func notifications(_ req: Request) async throws -> HTML {
        let model = try await NotificationsPage.load(
            for: try req.requireActor(), unreadOnly: req.query[String.self, at: "show"] == "unread",
            page: min(req.query[Int.self, at: "page"] ?? 0, 10_000), csrf: req.csrfToken, on: req.db)
        return try await page(req, "Notifications", model.render())
    }

    static func partnerships(_ req: Request) async throws -> HTML {
        let filter = PartnershipsPage.Filter(rawValue: req.query[String.self, at: "status"] ?? "all") ?? .all
        let number = min(max(req.query[Int.self, at: "page"] ?? 0, 0), 10_000)
        let model = try await PartnershipsPage.load(for: try req.requireActor(), filter: filter, page: number, on: req.db)
        return try await page(req, "Partnerships", model.render())
    }

    static func openNotification(_ req: Request) async throws -> Response {
        req.safeRedirect(to: try await Notifications.open(uuid(req, "nid"), for: try req.requireActor(), on: req.db))
    }

    static func markRead(_ req: Request) async throws -> Response {
        try await Notifications.markAllRead(for: try req.requireActor(), on: req.db)
        return req.redirect(to: SiteURL.notifications())
    }
}
