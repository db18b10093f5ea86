import BonafideCore
import Fluent
import Foundation
import OpenAPIRuntime
import OpenAPIVapor
import Vapor

/// The Vapor request behind the current OpenAPI call, for authentication and the database.
enum CurrentRequest {
    @TaskLocal static var value: Request?
}

struct InjectRequestMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        try await CurrentRequest.$value.withValue(request) { try await next.respond(to: request) }
    }
}

func registerAPI(_ app: Application) throws {
    let api = app.grouped("api", "v1").grouped(InjectRequestMiddleware())
    try API().registerHandlers(
        on: VaporTransport(routesBuilder: api),
        configuration: .init(dateTranscoder: RFC3339Transcoder(), jsonEncodingOptions: [.withoutEscapingSlashes]))
}

/// RFC 3339 date-times with or without fractional seconds; answers with whole seconds.
/// Format styles are values: no formatter is built per date, which matters on every list response.
struct RFC3339Transcoder: DateTranscoder {
    static let plain = Date.ISO8601FormatStyle()
    static let fractional = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    func encode(_ date: Date) throws -> String { date.rfc3339String }

    func decode(_ text: String) throws -> Date {
        if let date = try? Self.plain.parse(text) { return date }
        if let date = try? Self.fractional.parse(text) { return date }
        throw DecodingError.dataCorrupted(
            .init(codingPath: [], debugDescription: "Expected an RFC 3339 date-time.", underlyingError: InvalidDateTime()))
    }
}

/// A date-time that is not RFC 3339: typed, so the problem answer can name the field without reading error text.
struct InvalidDateTime: Error {}

enum OpenAPIDocument {
    /// The same file the server code is generated from, so what is served is what is implemented.
    static let yaml: String = {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml"),
            let text = try? String(contentsOf: url, encoding: .utf8)
        else { fatalError("openapi.yaml is missing from the BonafideServer resources") }
        return text
    }()
}

/// The JSON API: each operation authenticates, goes through the policy and services, and maps
/// models to the generated DTOs.
struct API: APIProtocol {
    var req: Request {
        get throws {
            guard let req = CurrentRequest.value else { throw Problem(.internalServerError, "Request context missing.") }
            return req
        }
    }

    func actor() async throws -> Actor { try await req.bearerActor() }

    func optionalActor() async throws -> Actor? { try await req.optionalBearerActor() }

    /// An optional id field of the request: absent is fine, malformed is the caller's error.
    func optionalID(_ raw: String?, field: String) throws -> UUID? {
        guard let raw else { return nil }
        guard let id = UUID(uuidString: raw) else { throw Problem.invalid(field, "\(field) must be an id (UUID).") }
        return id
    }

    func partnership(_ id: String) async throws -> (Actor, Partnership) {
        let actor = try await actor()
        return (actor, try await Policy.partnership(UUID(uuidString: id), for: actor, on: try req.db))
    }

    // MARK: Accounts

    func register(_ input: Operations.Register.Input) async throws -> Operations.Register.Output {
        guard case .json(let body) = input.body else { throw Problem(.unsupportedMediaType, "Send JSON.") }
        let req = try req
        try await req.limitAttempts("signup", key: "", limit: req.application.bonafide.signupsPerClient, window: 600)
        let (user, org) = try await Accounts.register(
            .init(email: body.email, password: body.password, name: body.name, organization: body.organization, timeZone: body.timeZone),
            hasher: req.password.async, on: req.db)
        if req.application.bonafide.requiresEmailVerification {
            try await AccountLinks.send(.verifyEmail, to: user, baseURL: req.application.bonafide.baseURL, on: req.db)
        }
        let (_, secret) = try await Accounts.createToken(for: user, name: "Sign-up", on: req.db)
        return .created(.init(body: .json(.init(token: secret, user: DTO.user(user), organization: DTO.organization(org)))))
    }

    func login(_ input: Operations.Login.Input) async throws -> Operations.Login.Output {
        guard case .json(let body) = input.body else { throw Problem(.unsupportedMediaType, "Send JSON.") }
        let req = try req
        try await req.limitSignIn(email: body.email)
        let user = try await Accounts.authenticate(email: body.email, password: body.password, hasher: req.password.async, on: req.db)
        if try await TwoFactor.hasSecondFactor(user, on: req.db) {
            guard let code = body.code, !code.isEmpty else {
                let detail =
                    TwoFactor.isOn(user)
                    ? "This account signs in with a second factor: send \"code\", the 6 digits the authenticator app shows or a recovery code."
                    : "This account signs in with a passkey, which the API cannot use: create an API token in Settings in the web app."
                throw Problem(.unauthorized, detail, field: "code", mfaRequired: true)
            }
            try await req.limitAttempts("second-factor", key: user.id!.uuidString, limit: TwoFactor.attemptsPerWindow, perClient: false)
            guard try await TwoFactor.verify(user, code: code, key: req.application.secretBoxKey, on: req.db) else {
                throw Problem(.unauthorized, "That code is wrong or was already used.", field: "code", mfaRequired: true)
            }
        } else if try await Accounts.mustSetUpSecondFactor(user, on: req.db) {
            throw Problem(
                .forbidden, "Your organization requires two-factor sign-in: set it up in Settings in the web app, then sign in again.")
        }
        let (_, secret) = try await Accounts.createToken(
            for: user, name: "Sign-in \(ISO8601DateFormatter().string(from: Date()))", on: req.db)
        return .ok(.init(body: .json(.init(token: secret, user: DTO.user(user)))))
    }

    func startTOTP(_ input: Operations.StartTOTP.Input) async throws -> Operations.StartTOTP.Output {
        let req = try req
        let (secret, url) = try await TwoFactor.start(for: try await actor().user, key: req.application.secretBoxKey, on: req.db)
        return .created(.init(body: .json(.init(secret: secret, otpauthUrl: url))))
    }

    func confirmTOTP(_ input: Operations.ConfirmTOTP.Input) async throws -> Operations.ConfirmTOTP.Output {
        guard case .json(let body) = input.body else { throw Problem(.unsupportedMediaType, "Send JSON.") }
        let req = try req
        let user = try await actor().user
        try await req.limitAttempts("second-factor", key: user.id!.uuidString, limit: TwoFactor.attemptsPerWindow, perClient: false)
        let codes = try await TwoFactor.confirm(user, code: body.code, key: req.application.secretBoxKey, on: req.db)
        return .ok(.init(body: .json(.init(recoveryCodes: codes))))
    }

    func disableTOTP(_ input: Operations.DisableTOTP.Input) async throws -> Operations.DisableTOTP.Output {
        guard case .json(let body) = input.body else { throw Problem(.unsupportedMediaType, "Send JSON.") }
        let req = try req
        let user = try await actor().user
        try await req.limitAttempts("second-factor", key: user.id!.uuidString, limit: TwoFactor.attemptsPerWindow, perClient: false)
        try await TwoFactor.disable(user, code: body.code, key: req.application.secretBoxKey, on: req.db)
        return .noContent(.init())
    }

    func getMe(_ input: Operations.GetMe.Input) async throws -> Operations.GetMe.Output {
        .ok(.init(body: .json(DTO.user(try await actor().user))))
    }

    func listTokens(_ input: Operations.ListTokens.Input) async throws -> Operations.ListTokens.Output {
        let tokens = try await Accounts.tokens(of: try await actor(), on: try req.db)
        return .ok(.init(body: .json(tokens.map(DTO.token))))
    }

    func createToken(_ input: Operations.CreateToken.Input) async throws -> Operations.CreateToken.Output {
        guard case .json(let body) = input.body else { throw Problem(.unsupportedMediaType, "Send JSON.") }
        let (token, secret) = try await Accounts.createToken(for: try await actor().user, name: body.name, on: try req.db)
        return .created(.init(body: .json(.init(token: DTO.token(token), secret: secret))))
    }

    func revokeToken(_ input: Operations.RevokeToken.Input) async throws -> Operations.RevokeToken.Output {
        try await Accounts.revokeToken(UUID(uuidString: input.path.tokenId), by: try await actor(), on: try req.db)
        return .noContent(.init())
    }

    func getOrganization(_ input: Operations.GetOrganization.Input) async throws -> Operations.GetOrganization.Output {
        let actor = try await actor()
        guard let org = try await Organization.find(actor.organizationID, on: try req.db) else { throw Problem.notFound("organization") }
        return .ok(.init(body: .json(DTO.organization(org))))
    }

    func updateOrganization(_ input: Operations.UpdateOrganization.Input) async throws -> Operations.UpdateOrganization.Output {
        guard case .json(let b) = input.body else { throw Problem(.unsupportedMediaType, "Send JSON.") }
        let org = try await Accounts.updateOrganization(
            .init(
                name: b.name, description: b.description, capabilities: b.capabilities, limitations: b.limitations,
                risks: b.risks, timeZone: b.timeZone, languages: b.languages, workStart: b.workingHours?.start,
                workEnd: b.workingHours?.end, workDays: b.workingHours?.days, messageSentiment: b.messageSentiment), by: try await actor(),
            on: try req.db)
        return .ok(.init(body: .json(DTO.organization(org))))
    }

    func listMembers(_ input: Operations.ListMembers.Input) async throws -> Operations.ListMembers.Output {
        let actor = try await actor()
        let users = try await User.query(on: try req.db).filter(\.$organization.$id == actor.organizationID).sort(\.$name).all()
        return .ok(.init(body: .json(users.map(DTO.user))))
    }

    func inviteColleague(_ input: Operations.InviteColleague.Input) async throws -> Operations.InviteColleague.Output {
        guard case .json(let b) = input.body else { throw Problem(.unsupportedMediaType, "Send JSON.") }
        let req = try req
        guard let role = Role(rawValue: b.role.rawValue) else { throw Problem.invalid("role", "Unknown role.") }
        let (inv, secret) = try await Accounts.inviteColleague(
            email: b.email, role: role, by: try await actor(), mailingFrom: req.application.bonafide.baseURL, on: req.db)
        return .created(
            .init(
                body: .json(
                    .init(
                        id: inv.id!.apiString, email: inv.email, role: b.role,
                        link: req.application.bonafide.baseURL + SiteURL.join(secret)))))
    }

    // MARK: Partnerships

    func listPartnerships(_ input: Operations.ListPartnerships.Input) async throws -> Operations.ListPartnerships.Output {
        let actor = try await actor()
        let db = try req.db
        let visible = try await Policy.visiblePartnershipRows(for: actor, on: db)
        return .ok(.init(body: .json(try await DTO.partnerships(visible, on: db))))
    }

    func createPartnership(_ input: Operations.CreatePartnership.Input) async throws -> Operations.CreatePartnership.Output {
        guard case .json(let b) = input.body else { throw Problem(.unsupportedMediaType, "Send JSON.") }
        let req = try req
        let (p, secret) = try await Partnerships.create(
            name: b.name, partnerEmail: b.partnerEmail, agreement: b.agreement,
            by: try await actor(), mailingFrom: req.application.bonafide.baseURL, on: req.db)
        var dto = try await DTO.partnership(p, detailed: true, on: req.db)
        dto.invitationLink = req.application.bonafide.baseURL + SiteURL.invitation(secret)
        return .created(.init(body: .json(dto)))
    }

    func getPartnership(_ input: Operations.GetPartnership.Input) async throws -> Operations.GetPartnership.Output {
        let (_, p) = try await partnership(input.path.partnershipId)
        return .ok(.init(body: .json(try await DTO.partnership(p, detailed: true, on: try req.db))))
    }

    func acceptInvitation(_ input: Operations.AcceptInvitation.Input) async throws -> Operations.AcceptInvitation.Output {
        let db = try req.db
        let p = try await Partnerships.accept(
            secret: input.path.invitationToken, by: try await actor(),
            requireVerifiedEmail: try req.application.bonafide.requiresEmailVerification, on: db)
        return .ok(.init(body: .json(try await DTO.partnership(p, detailed: true, on: db))))
    }

    func declineInvitation(_ input: Operations.DeclineInvitation.Input) async throws -> Operations.DeclineInvitation.Output {
        try await Partnerships.decline(secret: input.path.invitationToken, by: try await actor(), on: try req.db)
        return .noContent(.init())
    }

    func listAgreementVersions(_ input: Operations.ListAgreementVersions.Input) async throws -> Operations.ListAgreementVersions.Output {
        let (_, p) = try await partnership(input.path.partnershipId)
        return .ok(.init(body: .json(try await Partnerships.agreementVersions(of: p, on: try req.db).map(DTO.agreement))))
    }

    func updateAgreement(_ input: Operations.UpdateAgreement.Input) async throws -> Operations.UpdateAgreement.Output {
        guard case .json(let b) = input.body else { throw Problem(.unsupportedMediaType, "Send JSON.") }
        let (actor, p) = try await partnership(input.path.partnershipId)
        let v = try await Partnerships.updateAgreement(p, text: b.text, by: actor, on: try req.db)
        return .created(.init(body: .json(DTO.agreement(v))))
    }

    func getTimeline(_ input: Operations.GetTimeline.Input) async throws -> Operations.GetTimeline.Output {
        let (_, p) = try await partnership(input.path.partnershipId)
        return .ok(.init(body: .json(try await Timeline.events(of: p, on: try req.db).map(DTO.event))))
    }

    // MARK: Commitments

    func listCommitments(_ input: Operations.ListCommitments.Input) async throws -> Operations.ListCommitments.Output {
        let (_, p) = try await partnership(input.path.partnershipId)
        return .ok(.init(body: .json(try await Commitments.rows(in: p, on: try req.db).map(DTO.commitment))))
    }

    func createCommitment(_ input: Operations.CreateCommitment.Input) async throws -> Operations.CreateCommitment.Output {
        guard case .json(let b) = input.body else { throw Problem(.unsupportedMediaType, "Send JSON.") }
        let (actor, p) = try await partnership(input.path.partnershipId)
        let ownerID = try optionalID(b.ownerId, field: "ownerId")
        let c = try await Commitments.create(
            .init(
                title: b.title, deliverable: b.deliverable ?? "",
                acceptanceCriteria: b.acceptanceCriteria ?? "", dueAt: b.dueAt, timeZone: b.timeZone, ownerID: ownerID),
            in: p, by: actor, on: try req.db)
        return .created(.init(body: .json(DTO.commitment(c))))
    }

    func getCommitment(_ input: Operations.GetCommitment.Input) async throws -> Operations.GetCommitment.Output {
        let (_, p) = try await partnership(input.path.partnershipId)
        let db = try req.db
        let c = try await Policy.commitment(UUID(uuidString: input.path.commitmentId), in: p, on: db)
        let history = try await Timeline.events(of: p, commitment: c.id, on: db)
        return .ok(.init(body: .json(DTO.commitment(c, history: history))))
    }

    func transitionCommitment(_ input: Operations.TransitionCommitment.Input) async throws -> Operations.TransitionCommitment.Output {
        guard case .json(let b) = input.body else { throw Problem(.unsupportedMediaType, "Send JSON.") }
        let (actor, p) = try await partnership(input.path.partnershipId)
        let db = try req.db
        let c = try await Policy.commitment(UUID(uuidString: input.path.commitmentId), in: p, on: db)
        guard let action = CommitmentAction(rawValue: b.action.rawValue) else { throw Problem.invalid("action", "Unknown action.") }
        let updated = try await Commitments.transition(c, in: p, action: action, reason: b.reason, newDueAt: b.dueAt, by: actor, on: db)
        let history = try await Timeline.events(of: p, commitment: c.id, on: db)
        return .ok(.init(body: .json(DTO.commitment(updated, history: history))))
    }

    func editCommitment(_ input: Operations.EditCommitment.Input) async throws -> Operations.EditCommitment.Output {
        guard case .json(let b) = input.body else { throw Problem(.unsupportedMediaType, "Send JSON.") }
        let (actor, p) = try await partnership(input.path.partnershipId)
        let db = try req.db
        let c = try await Policy.commitment(UUID(uuidString: input.path.commitmentId), in: p, on: db)
        // Fields left out keep their words.
        let wording = CommitmentWording(
            title: b.title, deliverable: b.deliverable ?? c.deliverable, acceptanceCriteria: b.acceptanceCriteria ?? c.acceptanceCriteria)
        let updated = try await Commitments.edit(c, in: p, to: wording, dueAt: b.dueAt, by: actor, on: db)
        let history = try await Timeline.events(of: p, commitment: c.id, on: db)
        return .ok(.init(body: .json(DTO.commitment(updated, history: history))))
    }

    func decideCommitmentChange(_ input: Operations.DecideCommitmentChange.Input) async throws
        -> Operations.DecideCommitmentChange.Output
    {
        guard case .json(let b) = input.body else { throw Problem(.unsupportedMediaType, "Send JSON.") }
        let (actor, p) = try await partnership(input.path.partnershipId)
        let db = try req.db
        let c = try await Policy.commitment(UUID(uuidString: input.path.commitmentId), in: p, on: db)
        let updated = try await Commitments.decideChange(c, in: p, accept: b.decision == .accept, by: actor, on: db)
        let history = try await Timeline.events(of: p, commitment: c.id, on: db)
        return .ok(.init(body: .json(DTO.commitment(updated, history: history))))
    }

    // MARK: Messages

    func listMessages(_ input: Operations.ListMessages.Input) async throws -> Operations.ListMessages.Output {
        let (actor, p) = try await partnership(input.path.partnershipId)
        let thread = try optionalID(input.query.threadId, field: "threadId")
        // One query: the messages with their authors' names and whether this side is shown their tone.
        let rows = try await MessageRow.messages(of: p, thread: thread, viewer: actor, on: try req.db)
        let tone = rows.first?.viewerTone ?? false
        return .ok(.init(body: .json(rows.map { DTO.message($0, tone: tone) })))
    }

    func postMessage(_ input: Operations.PostMessage.Input) async throws -> Operations.PostMessage.Output {
        guard case .json(let b) = input.body else { throw Problem(.unsupportedMediaType, "Send JSON.") }
        let (actor, p) = try await partnership(input.path.partnershipId)
        let thread = try optionalID(b.threadId, field: "threadId")
        let m = try await Messages.post(
            .init(body: b.body, needsResponse: b.needsResponse ?? false, threadID: thread, subject: b.subject),
            in: p, by: actor, on: try req.db)
        // A message scored for tone may be shown with it; one not scored shows none either way, and needs no read.
        let tone = m.sentiment == nil ? false : try await MessageTone.isShown(to: actor, on: try req.db)
        return .created(.init(body: .json(DTO.message(m, tone: tone))))
    }

    func listThreads(_ input: Operations.ListThreads.Input) async throws -> Operations.ListThreads.Output {
        let (_, p) = try await partnership(input.path.partnershipId)
        let db = try req.db
        let threads = try await Messages.threads(of: p, on: db)
        let messages = try await Messages.messages(of: p, thread: nil, on: db)
        return .ok(
            .init(
                body: .json(
                    threads.map { t in
                        let mine = messages.filter { $0.$thread.id == t.id }
                        return .init(
                            id: t.id!.apiString, subject: t.subject, messageCount: mine.count,
                            openRequests: mine.filter { $0.needsResponse && $0.respondedAt == nil }.count, lastMessageAt: t.lastMessageAt)
                    })))
    }

    func listNotifications(_ input: Operations.ListNotifications.Input) async throws -> Operations.ListNotifications.Output {
        let (unread, items) = try await Notifications.list(for: try await actor(), on: try req.db)
        return .ok(
            .init(
                body: .json(
                    .init(
                        unread: unread,
                        items: items.map {
                            .init(id: $0.id.apiString, text: $0.text, link: $0.link, createdAt: $0.createdAt, readAt: $0.readAt)
                        }))))
    }

    func markNotificationsRead(_ input: Operations.MarkNotificationsRead.Input) async throws -> Operations.MarkNotificationsRead.Output {
        try await Notifications.markAllRead(for: try await actor(), on: try req.db)
        return .noContent(.init())
    }

    func getDashboard(_ input: Operations.GetDashboard.Input) async throws -> Operations.GetDashboard.Output {
        let db = try req.db
        let actor = try await actor()
        let d = try await DashboardData.load(for: actor, withIncidents: false, on: db)
        let partnerships = try await DTO.partnerships(d.partnerships, on: db)
        return .ok(
            .init(
                body: .json(
                    .init(
                        partnerships: partnerships, dueSoonMine: d.dueSoonMine.map { DTO.commitment($0) },
                        dueSoonOwed: d.dueSoonOwed.map { DTO.commitment($0) }, openRequests: d.openRequests.map { DTO.message($0) },
                        slipped: d.slipped.map { DTO.commitment($0) },
                        unreadNotifications: try await Notifications.unreadCount(for: actor, on: db)))))
    }
}
