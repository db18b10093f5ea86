import BonafideCore
import Fluent
import FluentSQL
import Foundation
import SQLKit
import Vapor

/// Sign-up, sign-in, tokens and colleagues.
enum Accounts {
    struct Registration: Sendable {
        var email: String
        var password: String
        var name: String
        var organization: String
        var timeZone: String?
        /// A colleague invitation secret: join that organization instead of creating one.
        var invitation: String?
    }

    /// Length, bcrypt's 72-byte and NUL limits, control characters, the 10,000 most common passwords and the
    /// person's own name or address: `PasswordPolicy` says which rule failed and why.
    static func validatePassword(_ password: String, email: String?, name: String?, field: String = "password") throws {
        if let problem = PasswordPolicy.problem(with: password, email: email, name: name) { throw Problem.invalid(field, problem) }
    }

    /// An owner asked for two-factor sign-in and this person has no second factor yet.
    static func mustSetUpSecondFactor(_ user: User, on db: any Database) async throws -> Bool {
        guard let org = try await Organization.find(user.$organization.id, on: db), org.requireTwoFactor else { return false }
        return try await !TwoFactor.hasSecondFactor(user, on: db)
    }

    /// A new password after the current one; every other browser and every API token made by signing in stays
    /// valid only if the person keeps it: other sessions end.
    static func changePassword(
        _ user: User, current: String, new: String, keepingSession: UUID?, hasher: AsyncPasswordHasher, on db: any Database
    ) async throws {
        guard (try? await hasher.verify(current, created: user.passwordHash)) == true else {
            throw Problem.invalid("currentPassword", "The current password is wrong.")
        }
        try validatePassword(new, email: user.email, name: user.name, field: "newPassword")
        let hash = try await hasher.hash(new)
        try await db.writeTransaction { tx in try await setPassword(user, hash: hash, keepingSession: keepingSession, on: tx) }
    }

    /// Inside a write transaction: the new hash, and every browser but `keepingSession` signed out.
    static func setPassword(_ user: User, hash: String, keepingSession: UUID?, now: Date = Date(), on tx: any Database) async throws {
        user.passwordHash = hash
        user.passwordChangedAt = now
        try await user.save(on: tx)
        try await WebSessions.endAll(of: user.id!, keeping: keepingSession, on: tx)
    }

    /// Turns the organization's two-factor requirement on or off. Colleagues without a second factor are signed
    /// out of their browsers, so the requirement meets them at their next sign-in.
    static func requireTwoFactor(_ required: Bool, by actor: Actor, keepingSession: UUID?, on db: any Database) async throws {
        try Policy.requireOwner(actor)
        guard let org = try await Organization.find(actor.organizationID, on: db) else { throw Problem.notFound("organization") }
        if required, try await !TwoFactor.hasSecondFactor(actor.user, on: db) {
            throw Problem(.conflict, "Set up two-factor sign-in for yourself first (Settings), then require it of everyone.")
        }
        org.requireTwoFactor = required
        try await db.writeTransaction { tx in
            try await org.save(on: tx)
            guard required else { return }
            let colleagues = try await User.query(on: tx).filter(\.$organization.$id == actor.organizationID).all()
            for colleague in colleagues where try await !TwoFactor.hasSecondFactor(colleague, on: tx) {
                try await WebSessions.endAll(of: colleague.id!, keeping: keepingSession, on: tx)
            }
        }
    }

    /// A new address, after the current password. With mail, the account keeps its address until the link sent
    /// to the new one is opened; answers the new address.
    static func changeEmail(
        _ user: User, to raw: String, password: String, confirmByMail: Bool, hasher: AsyncPasswordHasher, on db: any Database
    ) async throws -> String {
        guard (try? await hasher.verify(password, created: user.passwordHash)) == true else {
            throw Problem.invalid("password", "The password is wrong.")
        }
        let email = Validation.normalizedEmail(raw)
        guard Validation.isEmail(email) else { throw Problem.invalid("email", "\"\(raw.prefix(254))\" is not an email address.") }
        guard email != user.email else { throw Problem.invalid("email", "That is your address already.") }
        if try await User.query(on: db).filter(\.$email == email).first() != nil {
            throw Problem(.conflict, "\(email) belongs to another account.", field: "email")
        }
        if !confirmByMail {
            user.email = email
            user.emailVerifiedAt = nil
            try await user.save(on: db)
        }
        return email
    }

    static func rename(_ user: User, to raw: String, on db: any Database) async throws {
        let name = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...100).contains(name.length) else { throw Problem.invalid("name", "The name must have 1 to 100 characters.") }
        user.name = name
        try await user.save(on: db)
    }

    static func register(_ r: Registration, hasher: AsyncPasswordHasher, on db: any Database) async throws -> (User, Organization) {
        let email = Validation.normalizedEmail(r.email)
        guard Validation.isEmail(email) else { throw Problem.invalid("email", "\"\(r.email.prefix(254))\" is not an email address.") }
        let name = r.name.trimmingCharacters(in: .whitespacesAndNewlines)
        try validatePassword(r.password, email: email, name: name)
        guard (1...100).contains(name.length) else { throw Problem.invalid("name", "The name must have 1 to 100 characters.") }
        let zone = r.timeZone?.trimmingCharacters(in: .whitespaces) ?? "UTC"
        guard Validation.isTimeZone(zone) else {
            throw Problem.invalid("timeZone", "\"\(zone)\" is not an IANA time zone such as Europe/Berlin.")
        }
        var invitation: ColleagueInvitation?
        if let secret = r.invitation {
            invitation = try await ColleagueInvitation.query(on: db)
                .filter(\.$secretHash == Secrets.digest(secret)).filter(\.$acceptedAt == nil).first()
            guard let invitation, invitation.email == email else {
                throw Problem(.notFound, "This invitation link is not valid for \(email), or it was already used.")
            }
        }
        let orgName = r.organization.trimmingCharacters(in: .whitespacesAndNewlines)
        if invitation == nil, !(1...120).contains(orgName.length) {
            throw Problem.invalid("organization", "The organization name must have 1 to 120 characters.")
        }
        if try await User.query(on: db).filter(\.$email == email).first() != nil {
            throw Problem(.conflict, "An account with the email \(email) already exists; sign in instead.", field: "email")
        }
        let hash = try await hasher.hash(r.password)
        let foundInvitation = invitation
        return try await db.writeTransaction { tx in
            let organization: Organization
            let role: Role
            if let invitation = foundInvitation {
                organization = try await invitation.$organization.get(on: tx)
                role = invitation.role
                invitation.acceptedAt = Date()
                try await invitation.save(on: tx)
            } else {
                organization = Organization(name: orgName, timeZone: zone)
                try await organization.save(on: tx)
                role = .owner
            }
            let user = User(
                email: email, name: name, passwordHash: hash, timeZone: zone,
                organizationID: organization.id!, role: role)
            try await user.save(on: tx)
            return (user, organization)
        }
    }

    /// The owners and admins of an organization: the people who act for it and hear of what needs its decision.
    static func managers(of organization: UUID, on db: any Database) async throws -> [UUID] {
        try await User.query(on: db).filter(\.$organization.$id == organization).filter(\.$role ~~ [.owner, .admin]).all(\.$id)
            .compactMap { $0 }
    }

    static func authenticate(email: String, password: String, hasher: AsyncPasswordHasher, on db: any Database) async throws -> User {
        let email = Validation.normalizedEmail(email)
        let user = try await User.query(on: db).filter(\.$email == email).first()
        // Verify against a fixed hash when the account is unknown, so timing does not reveal it.
        let hash = user?.passwordHash ?? "$2b$12$C6UzMDM.H6dfI/f/IKcEeO5rV1vG6w3dJ0Q2v6yQk7g4mYy0gQ1aK"
        let ok = (try? await hasher.verify(password, created: hash)) ?? false
        guard let user, ok else { throw Problem(.unauthorized, "The email or password is wrong.") }
        return user
    }

    static func createToken(for user: User, name: String, on db: any Database) async throws -> (APIToken, String) {
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...80).contains(name.length) else { throw Problem.invalid("name", "The token name must have 1 to 80 characters.") }
        let secret = Secrets.make(prefix: "bfd_")
        let token = APIToken(userID: user.id!, name: name, prefix: String(secret.prefix(10)), secretHash: Secrets.digest(secret))
        try await token.save(on: db)
        return (token, secret)
    }

    static func user(forBearer secret: String, from address: String?, on db: any Database) async throws -> User? {
        guard secret.hasPrefix("bfd_"), secret.count < 200 else { return nil }
        // The token and its person in one query (a join, not an eager load's second query): every API call starts here.
        // Of the token only what recording its use needs is read, as plain values: no token model is decoded.
        guard
            let row = try await db.sql().raw(
                """
                SELECT u.*, t.id AS token_id, t.last_used_at AS token_last_used_at, t.last_used_ip AS token_last_used_ip
                FROM api_tokens t JOIN users u ON u.id = t.user_id
                WHERE t.secret_hash = \(bind: Secrets.digest(secret)) AND t.revoked_at IS NULL
                LIMIT 1
                """
            ).first()
        else { return nil }
        // Column by column, without reflection or keyed decoding containers (`User.load(from:)`, `SQLRow+Columns`).
        let user = try User.load(from: RowOutput(row: row))
        let tokenID = try row.decodeUUID(column: "token_id")
        let lastUsedAt = try row.decodeIfPresent(column: "token_last_used_at", as: Date.self)
        let lastUsedIP = try row.decodeIfPresent(column: "token_last_used_ip", as: String.self)
        // Record use at most once a minute (or when the address changes) so reads do not become writes.
        let now = Date()
        if (lastUsedAt ?? .distantPast) < now.addingTimeInterval(-60) || lastUsedIP != address {
            try await APIToken.query(on: db).filter(\.$id == tokenID).set(\.$lastUsedAt, to: now).set(\.$lastUsedIP, to: address)
                .update()
        }
        return user
    }

    static func tokens(of actor: Actor, on db: any Database) async throws -> [APIToken] {
        try await APIToken.query(on: db).filter(\.$user.$id == actor.id).sort(\.$createdAt, .descending).all()
    }

    static func revokeToken(_ id: UUID?, by actor: Actor, on db: any Database) async throws {
        guard let id,
            let token = try await APIToken.query(on: db)
                .filter(\.$id == id).filter(\.$user.$id == actor.id).first()
        else { throw Problem.notFound("token") }
        if token.revokedAt == nil {
            token.revokedAt = Date()
            try await token.save(on: db)
        }
    }

    /// The zone a person's dates are shown in.
    static func setTimeZone(_ zone: String, of actor: Actor, on db: any Database) async throws {
        guard Validation.isTimeZone(zone) else {
            throw Problem.invalid("timeZone", "\"\(zone)\" is not an IANA time zone such as Europe/Berlin.")
        }
        actor.user.timeZone = zone
        try await actor.user.save(on: db)
    }

    /// With `baseURL`, the invitation is also mailed to the address.
    static func inviteColleague(email: String, role: Role, by actor: Actor, mailingFrom baseURL: String? = nil, on db: any Database)
        async throws -> (
            ColleagueInvitation, String
        )
    {
        try Policy.grant(role, by: actor)
        let email = Validation.normalizedEmail(email)
        guard Validation.isEmail(email) else { throw Problem.invalid("email", "\"\(email)\" is not an email address.") }
        if try await User.query(on: db).filter(\.$email == email).first() != nil {
            throw Problem(.conflict, "\(email) already has a Bonafide account.", field: "email")
        }
        let secret = Secrets.make(prefix: "join_")
        let invitation = ColleagueInvitation(
            organizationID: actor.organizationID, email: email, role: role,
            secretHash: Secrets.digest(secret), invitedByID: actor.id)
        try await db.writeTransaction { tx in
            try await invitation.save(on: tx)
            if let baseURL { try await InvitationMail.colleague(invitation, secret: secret, by: actor, baseURL: baseURL, on: tx) }
        }
        return (invitation, secret)
    }

    static func colleagueInvitation(secret: String, on db: any Database) async throws -> ColleagueInvitation? {
        try await ColleagueInvitation.query(on: db).filter(\.$secretHash == Secrets.digest(secret))
            .filter(\.$acceptedAt == nil).with(\.$organization).first()
    }

    struct ProfileUpdate: Sendable {
        var name: String?
        var description: String?
        var capabilities: [String]?
        var limitations: [String]?
        var risks: [String]?
        var timeZone: String?
        var languages: [String]?
        var workStart: String?
        var workEnd: String?
        var workDays: [Int]?
        /// Opt in to (or out of) analysing the tone of partnership messages for this organization's people.
        var messageSentiment: Bool?
    }

    static func updateOrganization(_ u: ProfileUpdate, by actor: Actor, on db: any Database) async throws -> Organization {
        try Policy.manageOrganization(actor)
        guard let org = try await Organization.find(actor.organizationID, on: db) else { throw Problem.notFound("organization") }
        func list(_ items: [String]?, _ field: String, max: Int, length: Int) throws -> [String]? {
            guard let items else { return nil }
            let cleaned = items.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
            guard cleaned.count <= max else { throw Problem.invalid(field, "At most \(max) entries are allowed in \(field).") }
            if let long = cleaned.first(where: { $0.length > length }) {
                throw Problem.invalid(
                    field, "Each entry of \(field) must have at most \(length) characters; \"\(long.prefix(40))…\" is longer.")
            }
            return cleaned
        }
        if let name = u.name?.trimmingCharacters(in: .whitespacesAndNewlines) {
            guard (1...120).contains(name.length) else {
                throw Problem.invalid("name", "The organization name must have 1 to 120 characters.")
            }
            org.name = name
        }
        if let d = u.description {
            guard d.length <= 4000 else { throw Problem.invalid("description", "The description must have at most 4000 characters.") }
            org.description = d
        }
        if let v = try list(u.capabilities, "capabilities", max: 50, length: 200) { org.capabilities = v }
        if let v = try list(u.limitations, "limitations", max: 50, length: 200) { org.limitations = v }
        if let v = try list(u.risks, "risks", max: 50, length: 200) { org.risks = v }
        if let v = try list(u.languages, "languages", max: 20, length: 40) { org.languages = v }
        if let zone = u.timeZone {
            guard Validation.isTimeZone(zone) else {
                throw Problem.invalid("timeZone", "\"\(zone)\" is not an IANA time zone such as Europe/Berlin.")
            }
            org.timeZone = zone
        }
        func minute(_ text: String?, _ edge: String, example: String, current: Int) throws -> Int {
            guard let text else { return current }
            guard let m = WorkingHours.minute(of: text) else {
                throw Problem.invalid("workingHours.\(edge)", "Use HH:MM for the \(edge) of working hours, e.g. \(example).")
            }
            return m
        }
        let start = try minute(u.workStart, "start", example: "09:00", current: org.workStartMinute)
        let end = try minute(u.workEnd, "end", example: "17:30", current: org.workEndMinute)
        guard end > start else { throw Problem.invalid("workingHours.end", "Working hours must end after they start.") }
        org.workStartMinute = start
        org.workEndMinute = end
        if let days = u.workDays {
            guard days.allSatisfy({ (1...7).contains($0) }) else {
                throw Problem.invalid("workingHours.days", "Working days are ISO weekdays from 1 (Monday) to 7 (Sunday).")
            }
            org.workDays = Array(Set(days)).sorted()
        }
        let startsToneAnalysis = u.messageSentiment == true && !org.messageSentiment
        if let tone = u.messageSentiment { org.messageSentiment = tone }
        try await org.save(on: db)
        if startsToneAnalysis { try await MessageTone.backfill(for: org.id!, on: db) }
        return org
    }

    static func workingHours(of org: Organization) -> WorkingHours {
        WorkingHours(
            startMinute: org.workStartMinute, endMinute: org.workEndMinute, days: Set(org.workDays),
            timeZone: TimeZone(identifier: org.timeZone) ?? .gmt)
    }
}
