import BonafideCore
import Fluent
import Foundation

/// Links sent by mail to prove an address or to set a new password: single use, short-lived, stored as a hash.
/// The mail goes through the outbox like every other; its body is blanked once the mail server took it.
enum AccountLinks {
    static let verificationLifetime: TimeInterval = 7 * 86_400
    static let resetLifetime: TimeInterval = 30 * 60
    static let mailKind = "account"

    /// Creates the link and queues the mail; answers the secret (tests follow it as a person would).
    @discardableResult
    static func send(
        _ purpose: AccountLink.Purpose, to user: User, email: String? = nil, baseURL: String, now: Date = Date(), on db: any Database
    ) async throws -> String {
        let secret = Secrets.make(prefix: "")
        let link = AccountLink()
        link.$user.id = user.id!
        link.purpose = purpose
        link.tokenHash = Secrets.digest(secret)
        link.email = email ?? user.email
        link.expiresAt = now.addingTimeInterval(purpose == .verifyEmail ? verificationLifetime : resetLifetime)
        link.createdAt = now
        let url = baseURL + (purpose == .verifyEmail ? SiteURL.verifyEmail(secret) : SiteURL.passwordResetLink(secret))
        let mail = OutboxMessage()
        mail.$organization.id = user.$organization.id
        mail.toEmail = link.email
        mail.kind = mailKind
        mail.createdAt = now
        switch purpose {
        case .verifyEmail:
            mail.subject = "Confirm your email address for Bonafide"
            mail.body = """
                Hello \(user.name),

                please confirm that \(link.email) is your address by opening this link within 7 days:

                \(url)

                If you did not ask for this, ignore this mail; nothing changes.
                """
        case .resetPassword:
            mail.subject = "Set a new Bonafide password"
            mail.body = """
                Hello \(user.name),

                someone (we hope you) asked to set a new password for your Bonafide account. The link works once, \
                for 30 minutes:

                \(url)

                If it was not you, ignore this mail: your password stays as it is.
                """
        }
        try await db.writeTransaction { tx in
            // A new link replaces earlier ones of the same kind: only the newest mail works.
            try await AccountLink.query(on: tx).filter(\.$user.$id == user.id!).filter(\.$purpose == purpose)
                .filter(\.$usedAt == nil).set(\.$usedAt, to: now).update()
            try await link.save(on: tx)
            try await mail.save(on: tx)
        }
        return secret
    }

    /// Tells the owner of an address that someone tried to sign up with it, instead of saying so on the page.
    static func warnExistingAccount(_ user: User, baseURL: String, now: Date = Date(), on db: any Database) async throws {
        let mail = OutboxMessage()
        mail.$organization.id = user.$organization.id
        mail.toEmail = user.email
        mail.kind = mailKind
        mail.createdAt = now
        mail.subject = "You already have a Bonafide account"
        mail.body = """
            Hello \(user.name),

            someone tried to create a Bonafide account with your address, which already has one. To sign in, go to \
            \(baseURL)/login; if you forgot your password, set a new one at \(baseURL)/password-reset.

            If it was not you, you can ignore this mail.
            """
        try await mail.save(on: db)
    }

    /// Uses up a link: the address is verified (and becomes the account's address), or the password is set.
    static func redeem(
        _ secret: String, as purpose: AccountLink.Purpose, now: Date = Date(), on db: any Database,
        then apply: @escaping @Sendable (User, AccountLink, any Database) async throws -> Void
    ) async throws -> User {
        guard secret.utf8.count < 100 else { throw invalidLink }
        return try await db.writeTransaction { tx in
            guard
                let found = try await AccountLink.query(on: tx).filter(\.$tokenHash == Secrets.digest(secret))
                    .filter(\.$purpose == purpose).first(),
                let link = try await tx.lockedRow(AccountLink.self, found.id!), link.usedAt == nil, link.expiresAt > now,
                let user = try await tx.lockedRow(User.self, link.$user.id)
            else { throw invalidLink }
            link.usedAt = now
            try await link.save(on: tx)
            try await apply(user, link, tx)
            return user
        }
    }

    static let invalidLink = Problem(
        .notFound, "This link is not valid any more: it was used, replaced by a newer one, or it expired. Ask for a new one.")

    static func verifyEmail(_ secret: String, now: Date = Date(), on db: any Database) async throws -> User {
        try await redeem(secret, as: .verifyEmail, now: now, on: db) { user, link, tx in
            if user.email != link.email {
                guard try await User.query(on: tx).filter(\.$email == link.email).first() == nil else {
                    throw Problem(.conflict, "\(link.email) belongs to another account now.")
                }
                user.email = link.email
            }
            user.emailVerifiedAt = now
            try await user.save(on: tx)
        }
    }
}
