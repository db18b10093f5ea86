import Foundation

/// Every address of the web UI: `registerWeb` registers these routes and every link, redirect and notification is
/// built from them, so no page or service writes an internal URL by hand.
enum SiteURL {
    // MARK: Signing in and public pages

    static let home = SiteRoute()
    static let login = SiteRoute("login")
    static let signup = SiteRoute("signup")
    static let logout = SiteRoute("logout")
    static let join = SiteRoute<String>("join", ":secret")
    static let verifyEmail = SiteRoute<String>("verify-email", ":token")
    static let passwordReset = SiteRoute("password-reset")
    static let passwordResetLink = SiteRoute<String>("password-reset", ":token")
    static let passkeySignInOptions = SiteRoute("login", "passkey", "options")
    static let passkeySignIn = SiteRoute("login", "passkey")
    static let secondFactorPage = SiteRoute("login", "second-factor")
    static let invitation = SiteRoute<String>("invitations", ":secret")
    static let invitationAccept = SiteRoute<String>("invitations", ":secret", "accept")
    static let invitationDecline = SiteRoute<String>("invitations", ":secret", "decline")
    /// Survey links need no account: the signed token in the path is the credential.
    static let surveyAnswer = SiteRoute<String>("s", ":token")
    static let surveyOptOut = SiteRoute<String>("s", ":token", "opt-out")
    /// Document share links need no account: the key is in the fragment, which never reaches the server.
    static let shareLink = SiteRoute<UUID>("shared", ":lid")
    static let referralList = SiteRoute<String>("referrals", ":token")
    static let publicProfile = SiteRoute<UUID>("profiles", ":oid")
    static let unsubscribe = SiteRoute<String>("unsubscribe", ":token")
    static let personalCalendar = SiteRoute<String>("calendar", ":token")
    static let status = SiteRoute<UUID>("status", ":oid")
    static let statusFeed = SiteRoute<UUID>("status", ":oid", "feed.atom")
    /// A status page's feed; one that is not public carries the reader's own token.
    static func statusFeed(_ organization: UUID?, token: String?) -> String {
        statusFeed(organization) + (token.map { "?token=" + queryValue($0) } ?? "")
    }
    static let statusSubscribe = SiteRoute<UUID>("status", ":oid", "subscribe")
    static let statusUnsubscribe = SiteRoute<UUID>("status", ":oid", "unsubscribe")
    /// Anyone's passport once its organization has a public profile (the API serves it to browsers too).
    static let passport = SiteRoute<UUID>("api", "v1", "organizations", ":organizationId", "passport")
    static let openAPI = SiteRoute("openapi.yaml")

    static func asset(_ name: String) -> String { "/assets/" + name }

    /// The second step of signing in, returning to `next` afterwards.
    static func secondFactor(next: String) -> String { secondFactorPage() + "?next=" + queryValue(next) }
    static func login(next: String) -> String { login() + "?next=" + queryValue(next) }
    static func signup(email: String) -> String { signup() + "?email=" + queryValue(email) }

    // MARK: Your work

    static let dashboard = SiteRoute("dashboard")
    static let notifications = SiteRoute("notifications")
    static let notificationsRead = SiteRoute("notifications", "read")
    /// Opens a notification: marks it read, then goes where it points.
    static let notification = SiteRoute<UUID>("notifications", ":nid")
    static let find = SiteRoute("find")
    static let introductions = SiteRoute("introductions")
    static let introductionDecision = SiteRoute<UUID>("introductions", ":iid", "decision")
    static let circles = SiteRoute("circles")
    static let referralLinks = SiteRoute("circles", "referral-links")
    static let referralLinkRevoke = SiteRoute<UUID>("circles", "referral-links", ":rid", "revoke")
    static let mentions = SiteRoute("mentions")
    static var mentionFeeds: String { mentions() + "#mention-feeds" }
    static let mentionsImport = SiteRoute("mentions", "import")
    static let feeds = SiteRoute("mentions", "feeds")
    static let feedPoll = SiteRoute<UUID>("mentions", "feeds", ":fid", "poll")
    static let feedRemove = SiteRoute<UUID>("mentions", "feeds", ":fid", "delete")

    static var referralLinksSection: String { circles() + "#referral-links" }
    static let search = SiteRoute("search")
    static func search(_ q: String) -> String { search() + "?q=" + queryValue(q) }
    static let incidentsOverview = SiteRoute("incidents")
    static func incidentsOverview(filter: String, page: Int = 0) -> String {
        incidentsOverview() + "?show=" + queryValue(filter) + (page > 0 ? "&page=" + String(page) : "")
    }

    static func mentions(brand key: String) -> String { mentions() + "?brand=" + queryValue(key) }
    static func mentions(brand key: String?, page: Int) -> String {
        let query = [key.map { "brand=" + queryValue($0) }, page > 0 ? "page=" + String(page) : nil].compactMap { $0 }
        return mentions() + (query.isEmpty ? "" : "?" + query.joined(separator: "&"))
    }
    static func circles(query: String) -> String { circles() + "?q=" + queryValue(query) }

    // MARK: Surveys

    static let surveys = SiteRoute("surveys")
    static var newSurveySection: String { surveys() + "#new-survey" }
    static let survey = SiteRoute<UUID>("surveys", ":sid")
    /// A page of a survey's recipients, at the recipients table.
    static func survey(_ id: UUID?, recipientsPage page: Int) -> String {
        survey(id) + (page > 0 ? "?recipients=" + String(page) : "") + "#recipients"
    }
    static let surveyRecipients = SiteRoute<UUID>("surveys", ":sid", "recipients")
    static let surveySend = SiteRoute<UUID>("surveys", ":sid", "send")
    static let surveyRemind = SiteRoute<UUID>("surveys", ":sid", "remind")
    static let surveyClose = SiteRoute<UUID>("surveys", ":sid", "close")
    static let surveyExport = SiteRoute<UUID>("surveys", ":sid", "export.csv")

    // MARK: Updates and case studies

    static let updates = SiteRoute("updates")
    static let update = SiteRoute<UUID>("updates", ":uid")
    /// A reader's reply, or the writer's answer in a reader organization's thread (`Updates.threadLink` reads them).
    static let updateReplies = SiteRoute<UUID>("updates", ":uid", "replies")
    static let caseStudies = SiteRoute("case-studies")
    static let caseStudy = SiteRoute<UUID>("case-studies", ":csid")
    static let caseStudyDecision = SiteRoute<UUID>("case-studies", ":csid", "decision")
    static let caseStudyWithdrawal = SiteRoute<UUID>("case-studies", ":csid", "withdraw")
    /// An organization's public updates as an Atom feed, for feed readers without an account.
    static let updatesFeed = SiteRoute<UUID>("profiles", ":oid", "updates.atom")

    // MARK: Events

    static let events = SiteRoute("events")
    static var newEventSection: String { events() + "#new-event" }
    /// Open to visitors for public events (they register there with an address); any other asks them to sign in.
    static let event = SiteRoute<UUID>("events", ":evid")
    static let eventRegistration = SiteRoute<UUID>("events", ":evid", "register")
    static let eventUnregister = SiteRoute<UUID>("events", ":evid", "unregister")
    static let eventQuestions = SiteRoute<UUID>("events", ":evid", "questions")
    static let eventVote = SiteRoute<UUID, UUID>("events", ":evid", "questions", ":qid", "vote")
    static let eventAnswer = SiteRoute<UUID, UUID>("events", ":evid", "questions", ":qid", "answer")
    static let eventAttendance = SiteRoute<UUID>("events", ":evid", "attendance")
    static let eventRecording = SiteRoute<UUID>("events", ":evid", "recording")
    static let eventCancel = SiteRoute<UUID>("events", ":evid", "cancel")
    static let eventFollowUp = SiteRoute<UUID>("events", ":evid", "follow-up-survey")
    static let eventEdit = SiteRoute<UUID>("events", ":evid", "edit")
    static func eventQuestionsSection(_ id: UUID?) -> String { event(id) + "#questions" }
    /// A personal event link, for someone registered without an account: the token in the path is the credential.
    static let eventLink = SiteRoute<String>("e", ":token")
    static let eventLinkQuestions = SiteRoute<String>("e", ":token", "questions")
    static let eventLinkVote = SiteRoute<String, UUID>("e", ":token", "questions", ":qid", "vote")
    static let eventLinkCancel = SiteRoute<String>("e", ":token", "cancel")

    // MARK: Feedback panels

    static let panels = SiteRoute("panels")
    static let panel = SiteRoute<UUID>("panels", ":pnid")
    static let panelMembers = SiteRoute<UUID>("panels", ":pnid", "members")
    static let panelIdeas = SiteRoute<UUID>("panels", ":pnid", "ideas")
    static let panelVote = SiteRoute<UUID, UUID>("panels", ":pnid", "ideas", ":iid", "vote")
    static let panelComment = SiteRoute<UUID, UUID>("panels", ":pnid", "ideas", ":iid", "comments")
    static let panelDecision = SiteRoute<UUID, UUID>("panels", ":pnid", "ideas", ":iid", "decision")
    static let panelClose = SiteRoute<UUID>("panels", ":pnid", "close")
    /// A personal panel link, for a member without an account: the token in the path is the credential.
    static let panelLink = SiteRoute<String>("p", ":token")
    static let panelLinkIdeas = SiteRoute<String>("p", ":token", "ideas")
    static let panelLinkVote = SiteRoute<String, UUID>("p", ":token", "ideas", ":iid", "vote")
    static let panelLinkComment = SiteRoute<String, UUID>("p", ":token", "ideas", ":iid", "comments")
    static let panelLeave = SiteRoute<UUID>("panels", ":pnid", "leave")
    static let panelLinkLeave = SiteRoute<String>("p", ":token", "leave")

    // MARK: Challenges

    static let challenges = SiteRoute("challenges")
    static let newChallenge = SiteRoute("challenges", "new")
    static let challenge = SiteRoute<UUID>("challenges", ":chid")
    static let challengeEntries = SiteRoute<UUID>("challenges", ":chid", "entries")
    static let challengeHighlight = SiteRoute<UUID, UUID>("challenges", ":chid", "entries", ":ceid", "highlight")
    static let challengeClose = SiteRoute<UUID>("challenges", ":chid", "close")
    /// A personal challenge link, for someone invited without an account: the token in the path is the credential.
    static let challengeLink = SiteRoute<String>("c", ":token")
    static let challengeLinkEntries = SiteRoute<String>("c", ":token", "entries")

    // MARK: Offers and early access

    static let offers = SiteRoute("offers")
    static var newOfferSection: String { offers() + "#new-offer" }
    static let offer = SiteRoute<UUID>("offers", ":ofid")
    static let offerResponse = SiteRoute<UUID>("offers", ":ofid", "response")
    static let offerWithdrawal = SiteRoute<UUID>("offers", ":ofid", "withdraw")

    // MARK: Guides and resources

    /// An organization's guides, videos, whitepapers and articles that the viewer may read; public ones need no account.
    static let profileContent = SiteRoute<UUID>("profiles", ":oid", "content")
    /// One of them; a public one needs no account.
    static let contentItem = SiteRoute<UUID>("content", ":ctid")
    /// One's own organization's list, with the form to add one for owners and admins.
    static let ownContent = SiteRoute("organization", "content")
    static var newContentSection: String { ownContent() + "#new-content" }
    static let contentEdit = SiteRoute<UUID>("organization", "content", ":ctid")
    static let contentRemove = SiteRoute<UUID>("organization", "content", ":ctid", "remove")
    /// The card on an organization's profile.
    static func contentCard(_ id: UUID?) -> String { organization(id) + "#guides-and-resources" }

    // MARK: Thank-yous

    /// Thanking another organization, from its profile.
    static let thankOrganization = SiteRoute<UUID>("organizations", ":oid", "thanks")
    static let thanksDecision = SiteRoute<UUID>("thanks", ":thid", "decision")
    static let thanksWithdrawal = SiteRoute<UUID>("thanks", ":thid", "withdraw")
    /// Where one's own organization's thank-yous, received and given, are shown and decided.
    static var thanksSection: String { ownOrganization() + "#thanks" }
    /// The "Say thank you" card on another organization's profile.
    static func sayThanks(_ id: UUID?) -> String { organization(id) + "#say-thanks" }

    // MARK: Support requests

    static let support = SiteRoute("support")
    static let supportRequest = SiteRoute<UUID>("support", ":srid")
    static let supportMessages = SiteRoute<UUID>("support", ":srid", "messages")
    static let supportResolution = SiteRoute<UUID>("support", ":srid", "resolution")
    /// The support card on an organization's profile: its answer figures and, for those it serves, the form.
    static func supportCard(_ id: UUID?) -> String { organization(id) + "#support" }
    /// The notes comparing one's own profile with the record, on one's own organization page.
    static var consistencySection: String { ownOrganization() + "#consistency" }

    // MARK: Organizations

    static let organization = SiteRoute<UUID>("organizations", ":oid")
    static let ratings = SiteRoute<UUID>("organizations", ":oid", "ratings")
    static let trustExplained = SiteRoute<UUID>("organizations", ":oid", "trust")
    static let circlePlacement = SiteRoute<UUID>("organizations", ":oid", "circle")
    static let circleRemoval = SiteRoute<UUID>("organizations", ":oid", "circle", "remove")
    static let testimonial = SiteRoute<UUID>("organizations", ":oid", "testimonial")
    static let testimonialWithdrawal = SiteRoute<UUID>("organizations", ":oid", "testimonial", "withdraw")

    // MARK: Your organization

    static let ownOrganization = SiteRoute("organization")
    static let ownPassport = SiteRoute("organization", "passport.json")
    static let colleagueInvitations = SiteRoute("organization", "invitations")
    static let twoFactorRequirement = SiteRoute("organization", "two-factor")
    static let statusPageSettings = SiteRoute("organization", "status-page")
    static let mailRetry = SiteRoute("organization", "mail", "retry")
    static let profileSections = SiteRoute("organization", "sections")
    static let profileSection = SiteRoute<String>("organization", "sections", ":section")
    static let profileSectionRemove = SiteRoute<String>("organization", "sections", ":section", "remove")
    static let webhooksCreate = SiteRoute("organization", "webhooks")
    static let webhookRemove = SiteRoute<UUID>("organization", "webhooks", ":wid", "remove")
    static let webhookEnable = SiteRoute<UUID>("organization", "webhooks", ":wid", "enable")
    static let webhookResend = SiteRoute<UUID, UUID>("organization", "webhooks", ":wid", "deliveries", ":did", "resend")
    static let credentialsAdd = SiteRoute("organization", "credentials")
    static let credentialRemove = SiteRoute<UUID>("organization", "credentials", ":crid", "remove")
    static let credentialDecision = SiteRoute<UUID>("organization", "credentials", ":crid", "decision")

    static var sharedWithUs: String { ownOrganization() + "#shared-with-us" }
    static var profileSettings: String { ownOrganization() + "#profile-sections" }
    static var organizationSettings: String { ownOrganization() + "#credentials" }
    static var credentialRequests: String { ownOrganization() + "#credential-requests" }
    static var webhooks: String { ownOrganization() + "#webhooks" }
    static var outgoingMail: String { ownOrganization() + "#outgoing-mail" }
    static var statusPageSection: String { ownOrganization() + "#status-page" }
    static var colleagueInvitationSection: String { ownOrganization() + "#invite-colleague" }
    static var vaultSection: String { ownOrganization() + "#vault" }

    // MARK: Partnerships

    static let partnerships = SiteRoute("partnerships")
    static let newPartnership = SiteRoute("partnerships", "new")
    static let partnership = SiteRoute<UUID>("partnerships", ":pid")
    static let partnershipCalendar = SiteRoute<UUID>("partnerships", ":pid", "calendar.ics")
    static let record = SiteRoute<UUID>("partnerships", ":pid", "record")
    static let agreement = SiteRoute<UUID>("partnerships", ":pid", "agreement")
    static let members = SiteRoute<UUID>("partnerships", ":pid", "members")
    static let renewInvitation = SiteRoute<UUID>("partnerships", ":pid", "invitation")
    static let endPartnership = SiteRoute<UUID>("partnerships", ":pid", "end")
    static let scheduleCheckIn = SiteRoute<UUID>("partnerships", ":pid", "check-ins")
    static let checkInAgenda = SiteRoute<UUID, UUID>("partnerships", ":pid", "check-ins", ":ciid", "agenda")
    static let checkInMeeting = SiteRoute<UUID, UUID>("partnerships", ":pid", "check-ins", ":ciid", "meetings")
    static let checkInCancel = SiteRoute<UUID, UUID>("partnerships", ":pid", "check-ins", ":ciid", "cancel")
    static let newCommitment = SiteRoute<UUID>("partnerships", ":pid", "commitments", "new")
    static let commitments = SiteRoute<UUID>("partnerships", ":pid", "commitments")
    static let commitment = SiteRoute<UUID, UUID>("partnerships", ":pid", "commitments", ":cid")
    static let commitmentTransitions = SiteRoute<UUID, UUID>("partnerships", ":pid", "commitments", ":cid", "transitions")
    static let commitmentEdit = SiteRoute<UUID, UUID>("partnerships", ":pid", "commitments", ":cid", "edit")
    static let commitmentChangeDecision = SiteRoute<UUID, UUID>("partnerships", ":pid", "commitments", ":cid", "change")
    static let newIncident = SiteRoute<UUID>("partnerships", ":pid", "incidents", "new")
    static let incidents = SiteRoute<UUID>("partnerships", ":pid", "incidents")
    static let incident = SiteRoute<UUID, UUID>("partnerships", ":pid", "incidents", ":iid")
    static let incidentTransitions = SiteRoute<UUID, UUID>("partnerships", ":pid", "incidents", ":iid", "transitions")
    static let incidentPublication = SiteRoute<UUID, UUID>("partnerships", ":pid", "incidents", ":iid", "publication")
    static let thread = SiteRoute<UUID, UUID>("partnerships", ":pid", "threads", ":tid")
    static let messages = SiteRoute<UUID>("partnerships", ":pid", "messages")

    static func checkIns(_ p: UUID?) -> String { partnership(p) + "#check-ins" }
    static func documents(_ p: UUID?) -> String { partnership(p) + "#documents" }
    static func partnerships(status: String, page: Int = 0) -> String {
        partnerships() + "?status=" + queryValue(status) + (page > 0 ? "&page=" + String(page) : "")
    }
    /// Raising an incident about one of the partnership's documents, by its number.
    static func newIncident(_ p: UUID?, document number: Int) -> String { newIncident(p) + "?document=" + String(number) }
    static func record(_ p: UUID?, before index: UInt64) -> String { record(p) + "?before=" + String(index) }

    // MARK: Your account

    enum Settings {
        static let page = SiteRoute("settings")
        static let profile = SiteRoute("settings", "profile")
        static let tokens = SiteRoute("settings", "tokens")
        static let revokeToken = SiteRoute<UUID>("settings", "tokens", ":tokenID", "revoke")
        static let name = SiteRoute("settings", "name")
        static let email = SiteRoute("settings", "email")
        static let resendVerification = SiteRoute("settings", "email", "verify")
        static let password = SiteRoute("settings", "password")
        static let totp = SiteRoute("settings", "totp")
        static let confirmTOTP = SiteRoute("settings", "totp", "confirm")
        static let disableTOTP = SiteRoute("settings", "totp", "disable")
        static let recoveryCodes = SiteRoute("settings", "recovery-codes")
        static let passkeyOptions = SiteRoute("settings", "passkeys", "options")
        static let passkeys = SiteRoute("settings", "passkeys")
        static let removePasskey = SiteRoute<UUID>("settings", "passkeys", ":pkid", "remove")
        static let endSession = SiteRoute<UUID>("settings", "sessions", ":sessionID", "end")
        static let endAllSessions = SiteRoute("settings", "sessions", "end-all")
        static let notifications = SiteRoute("settings", "notifications")
        static let resetCalendar = SiteRoute("settings", "calendar", "reset")

        static func section(_ anchor: String) -> String { page() + "#" + anchor }
    }

    private static func queryValue(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
    }
}
