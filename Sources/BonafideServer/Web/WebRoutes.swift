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
        return try await WebPages.page(req, page.name, page.render(), head: page.head)
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
        let q = req.queryParameter("q") ?? ""
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
        let filter = req.queryParameter("show").flatMap(IncidentsPage.Filter.init(rawValue:)) ?? .open
        let page = min(max(req.query[Int.self, at: "page"] ?? 0, 0), 10_000)
        let model = try await IncidentsPage.load(for: try req.requireActor(), filter: filter, page: page, on: req.db)
        return try await WebPages.page(req, "Incidents", model.render())
    }
    signedIn.get(SiteURL.updates, use: WebPages.updates)
    signedIn.post(SiteURL.updates, use: WebPages.publishUpdate)
    // Open to visitors for public updates, which the feed links to; any other asks them to sign in.
    web.get(SiteURL.update, use: WebPages.updatePage)
    signedIn.post(SiteURL.updateReplies, use: WebPages.replyToUpdate)
    // Feed readers have no session: like the status feed, outside the session middleware.
    app.get(SiteURL.updatesFeed, use: WebPages.updatesFeed)
    signedIn.get(SiteURL.caseStudies, use: WebPages.caseStudies)
    signedIn.post(SiteURL.caseStudies, use: WebPages.proposeCaseStudy)
    signedIn.get(SiteURL.caseStudy, use: WebPages.caseStudyPage)
    signedIn.post(SiteURL.caseStudyDecision, use: WebPages.decideCaseStudy)
    signedIn.post(SiteURL.caseStudyWithdrawal, use: WebPages.withdrawCaseStudy)
    // Offers and early access: only for organizations an offer is made to, and its own.
    signedIn.get(SiteURL.offers, use: WebPages.offers)
    signedIn.post(SiteURL.offers, use: WebPages.createOffer)
    signedIn.get(SiteURL.offer, use: WebPages.offerPage)
    signedIn.post(SiteURL.offerResponse, use: WebPages.respondToOffer)
    signedIn.post(SiteURL.offerWithdrawal, use: WebPages.withdrawOffer)
    // Guides and resources: an organization's list and each item are open to visitors for public ones (any other
    // asks them to sign in); its own people see and its owners and admins manage them on the organization's list.
    web.get(SiteURL.profileContent, use: WebPages.profileContent)
    web.get(SiteURL.contentItem, use: WebPages.contentItemPage)
    signedIn.get(SiteURL.ownContent, use: WebPages.ownContent)
    signedIn.post(SiteURL.ownContent, use: WebPages.addContent)
    signedIn.get(SiteURL.contentEdit, use: WebPages.editContentForm)
    signedIn.post(SiteURL.contentEdit, use: WebPages.editContent)
    signedIn.post(SiteURL.contentRemove, use: WebPages.removeContent)
    // Events: an event's page is open to visitors for public events (they register there with an address); the
    // personal link's pages need no account, the token in the path is the credential.
    signedIn.get(SiteURL.events, use: WebPages.events)
    signedIn.post(SiteURL.events, use: WebPages.createEvent)
    web.get(SiteURL.event, use: WebPages.eventPage)
    web.post(SiteURL.eventRegistration, use: WebPages.registerForEvent)
    signedIn.post(SiteURL.eventUnregister, use: WebPages.unregisterFromEvent)
    signedIn.post(SiteURL.eventQuestions, use: WebPages.askAtEvent)
    signedIn.post(SiteURL.eventVote, use: WebPages.voteAtEvent)
    signedIn.post(SiteURL.eventAnswer, use: WebPages.answerAtEvent)
    signedIn.post(SiteURL.eventAttendance, use: WebPages.markEventAttendance)
    signedIn.post(SiteURL.eventRecording, use: WebPages.setEventRecording)
    signedIn.post(SiteURL.eventFollowUp, use: WebPages.sendEventFollowUp)
    signedIn.post(SiteURL.eventCancel, use: WebPages.cancelEvent)
    signedIn.post(SiteURL.eventEdit, use: WebPages.updateEvent)
    web.get(SiteURL.eventLink, use: WebPages.eventLinkPage)
    web.post(SiteURL.eventLinkQuestions, use: WebPages.askThroughEventLink)
    web.post(SiteURL.eventLinkVote, use: WebPages.voteThroughEventLink)
    web.post(SiteURL.eventLinkCancel, use: WebPages.cancelThroughEventLink)
    // Feedback panels: members and the organization's people on the signed-in pages; the personal link's pages
    // need no account, the token in the path is the credential.
    signedIn.get(SiteURL.panels, use: WebPages.panels)
    signedIn.post(SiteURL.panels, use: WebPages.createPanel)
    signedIn.get(SiteURL.panel, use: WebPages.panelPage)
    signedIn.post(SiteURL.panelMembers, use: WebPages.invitePanelMembers)
    signedIn.post(SiteURL.panelIdeas, use: WebPages.proposePanelIdea)
    signedIn.post(SiteURL.panelVote, use: WebPages.voteOnPanelIdea)
    signedIn.post(SiteURL.panelComment, use: WebPages.commentOnPanelIdea)
    signedIn.post(SiteURL.panelDecision, use: WebPages.decidePanelIdea)
    signedIn.post(SiteURL.panelClose, use: WebPages.closePanel)
    web.get(SiteURL.panelLink, use: WebPages.panelLinkPage)
    web.post(SiteURL.panelLinkIdeas, use: WebPages.proposeThroughPanelLink)
    web.post(SiteURL.panelLinkVote, use: WebPages.voteThroughPanelLink)
    web.post(SiteURL.panelLinkComment, use: WebPages.commentThroughPanelLink)
    signedIn.post(SiteURL.panelLeave, use: WebPages.leavePanel)
    web.post(SiteURL.panelLinkLeave, use: WebPages.leaveThroughPanelLink)
    // Challenges: the audience and the organization's people on the signed-in pages, a public challenge's page open to
    // visitors (any other asks them to sign in); the personal link's pages need no account, the token in the path is
    // the credential.
    signedIn.get(SiteURL.challenges, use: WebPages.challenges)
    signedIn.get(SiteURL.newChallenge, use: WebPages.newChallenge)
    signedIn.post(SiteURL.challenges, use: WebPages.createChallenge)
    web.get(SiteURL.challenge, use: WebPages.challengePage)
    signedIn.post(SiteURL.challengeEntries, use: WebPages.submitChallengeEntry)
    signedIn.post(SiteURL.challengeHighlight, use: WebPages.highlightChallengeEntry)
    signedIn.post(SiteURL.challengeClose, use: WebPages.closeChallenge)
    web.get(SiteURL.challengeLink, use: WebPages.challengeLinkPage)
    web.post(SiteURL.challengeLinkEntries, use: WebPages.submitThroughChallengeLink)
    // Thank-yous: given from the other organization's profile, decided and withdrawn on one's own organization page.
    signedIn.post(SiteURL.thankOrganization, use: WebPages.giveThanks)
    signedIn.post(SiteURL.thanksDecision, use: WebPages.decideThanks)
    signedIn.post(SiteURL.thanksWithdrawal, use: WebPages.withdrawThanks)
    // Support requests: both sides' lists with the form, one request's thread; also opened from a profile's card.
    signedIn.get(SiteURL.support, use: WebPages.support)
    signedIn.post(SiteURL.support, use: WebPages.openSupportRequest)
    signedIn.get(SiteURL.supportRequest, use: WebPages.supportRequestPage)
    signedIn.post(SiteURL.supportMessages, use: WebPages.replyToSupportRequest)
    signedIn.post(SiteURL.supportResolution, use: WebPages.resolveSupportRequest)
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

    static func page(_ req: Request, _ title: String, _ body: HTML, minimal: Bool = false, head: HTML = "") async throws -> HTML {
        let unread = try await req.actor.asyncFlatMap { try await Notifications.unreadCount(for: $0, on: req.db) } ?? 0
        return Layout(
            title: title, actor: minimal ? nil : req.actor, unread: unread, flash: req.takeFlash(), csrf: req.csrfToken,
            current: req.url.path, minimal: minimal, head: head
        ).render(body)
    }

    /// A page for a customer who has no account: no menu, no sign-in, no API link.
    static func customerPage(_ req: Request, _ title: String, _ body: HTML) async throws -> HTML {
        try await page(req, title, body, minimal: true)
    }

    static func errorPage(_ problem: Problem, for req: Request) async throws -> HTML {
        // A path no route matched never passed the session middleware: find the person so the menu is theirs.
        if req.actor == nil { try await WebSessions.recognize(req) }
        let layout = Layout(title: problem.title, actor: req.actor, csrf: req.actor != nil ? req.csrfToken : "", current: req.url.path)
        return layout.render(ErrorPage(problem: problem).render())
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

    // MARK: Dashboard and notifications

    static func dashboard(_ req: Request) async throws -> HTML {
        let model = try await DashboardPage.load(for: try req.requireActor(), csrf: req.csrfToken, on: req.db)
        return try await page(req, "Dashboard", model.render())
    }

    static func notifications(_ req: Request) async throws -> HTML {
        let model = try await NotificationsPage.load(
            for: try req.requireActor(), unreadOnly: req.queryParameter("show") == "unread",
            page: min(req.query[Int.self, at: "page"] ?? 0, 10_000), csrf: req.csrfToken, on: req.db)
        return try await page(req, "Notifications", model.render())
    }

    static func partnerships(_ req: Request) async throws -> HTML {
        let filter = PartnershipsPage.Filter(rawValue: req.queryParameter("status") ?? "all") ?? .all
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
