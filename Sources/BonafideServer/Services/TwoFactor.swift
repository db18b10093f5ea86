import BonafideCore
import Crypto
import Fluent
import Foundation

/// Two-factor sign-in by authenticator app (RFC 6238 TOTP), with ten single-use recovery codes for when the
/// phone is lost. The secret is sealed at rest; each code works once, and never for an earlier time step.
enum TwoFactor {
    static let issuer = "Bonafide"
    static let attemptsPerWindow = 10

    /// Proposes a new secret; nothing changes for sign-in until `confirm` proves the app has it.
    static func start(for user: User, key: [UInt8], on db: any Database) async throws -> (secret: String, otpauthURL: String) {
        guard user.totpConfirmedAt == nil else {
            throw Problem(.conflict, "Two-factor sign-in by app is already on; turn it off first to use another app.")
        }
        let secret = Base32.encode(TOTP.generateSecret())
        user.totpSecret = try SecretBox.seal(secret, key: key)
        try await user.save(on: db)
        let url = TOTP(secret: Base32.decode(secret) ?? []).otpauthURL(issuer: issuer, account: user.email)
        return (secret, url)
    }

    /// The secret proposed by `start`, to show again while it is not confirmed.
    static func pendingSecret(of user: User, key: [UInt8]) -> String? {
        guard user.totpConfirmedAt == nil, let sealed = user.totpSecret else { return nil }
        return try? SecretBox.open(sealed, key: key)
    }

    /// Turns two-factor sign-in on once a code from the app matches; answers the recovery codes, shown only now.
    static func confirm(_ user: User, code: String, key: [UInt8], now: Date = Date(), on db: any Database) async throws -> [String] {
        guard user.totpConfirmedAt == nil, let sealed = user.totpSecret, let secret = try? SecretBox.open(sealed, key: key),
            let bytes = Base32.decode(secret)
        else { throw Problem(.conflict, "Start the setup first: there is no new secret waiting for a code.") }
        guard let counter = TOTP(secret: bytes).matchingCounter(code, at: now) else {
            throw Problem.invalid(
                "code", "That code does not match. Type the 6 digits the app shows now, and check that the phone's clock is right.")
        }
        let codes = RecoveryCodes.generate()
        return try await db.writeTransaction { tx in
            guard let fresh = try await tx.lockedRow(User.self, user.id!), fresh.totpConfirmedAt == nil else {
                throw Problem(.conflict, "Two-factor sign-in is already on.")
            }
            fresh.totpConfirmedAt = now
            fresh.totpLastCounter = counter
            try await fresh.save(on: tx)
            try await replaceRecoveryCodes(of: user.id!, with: codes, now: now, on: tx)
            user.totpConfirmedAt = now
            user.totpLastCounter = counter
            return codes
        }
    }

    /// New recovery codes, replacing the old (all of them stop working).
    static func regenerateRecoveryCodes(of user: User, now: Date = Date(), on db: any Database) async throws -> [String] {
        guard user.totpConfirmedAt != nil else { throw Problem(.conflict, "Turn on two-factor sign-in by app first.") }
        let codes = RecoveryCodes.generate()
        try await db.writeTransaction { tx in try await replaceRecoveryCodes(of: user.id!, with: codes, now: now, on: tx) }
        return codes
    }

    private static func replaceRecoveryCodes(of userID: UUID, with codes: [String], now: Date, on tx: any Database) async throws {
        try await RecoveryCode.query(on: tx).filter(\.$user.$id == userID).delete()
        for code in codes {
            let row = RecoveryCode()
            row.$user.id = userID
            row.codeHash = RecoveryCodes.hash(code)
            row.createdAt = now
            try await row.save(on: tx)
        }
    }

    /// Turns the app off after a last valid code (or recovery code); the recovery codes go with it.
    static func disable(_ user: User, code: String, key: [UInt8], now: Date = Date(), on db: any Database) async throws {
        guard user.totpConfirmedAt != nil else { return }
        guard try await verify(user, code: code, key: key, now: now, on: db) else {
            throw Problem.invalid("code", "That code does not match; give a current code from the app or a recovery code.")
        }
        try await db.writeTransaction { tx in
            guard let fresh = try await tx.lockedRow(User.self, user.id!) else { return }
            fresh.totpSecret = nil
            fresh.totpConfirmedAt = nil
            fresh.totpLastCounter = nil
            try await fresh.save(on: tx)
            try await RecoveryCode.query(on: tx).filter(\.$user.$id == user.id!).delete()
        }
        user.totpSecret = nil
        user.totpConfirmedAt = nil
    }

    static func isOn(_ user: User) -> Bool { user.totpConfirmedAt != nil }

    /// Whether signing in needs a second step: an authenticator app or a passkey.
    static func hasSecondFactor(_ user: User, on db: any Database) async throws -> Bool {
        if isOn(user) { return true }
        return try await Passkey.query(on: db).filter(\.$user.$id == user.id!).count() > 0
    }

    static func recoveryCodesLeft(of user: User, on db: any Database) async throws -> Int {
        try await RecoveryCode.query(on: db).filter(\.$user.$id == user.id!).filter(\.$usedAt == nil).count()
    }

    /// Checks and uses up a code from the app or a recovery code. Decided on the user's row, locked: the same
    /// code sent twice at once signs in once.
    static func verify(_ user: User, code rawCode: String, key: [UInt8], now: Date = Date(), on db: any Database) async throws -> Bool {
        let code = rawCode.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !code.isEmpty, code.utf8.count <= 40 else { return false }
        return try await db.writeTransaction { tx in
            guard let fresh = try await tx.lockedRow(User.self, user.id!) else { return false }
            if fresh.totpConfirmedAt != nil, let sealed = fresh.totpSecret, let secret = try? SecretBox.open(sealed, key: key),
                let bytes = Base32.decode(secret), let counter = TOTP(secret: bytes).matchingCounter(code, at: now)
            {
                guard counter > (fresh.totpLastCounter ?? -1) else { return false }
                fresh.totpLastCounter = counter
                try await fresh.save(on: tx)
                return true
            }
            let hash = RecoveryCodes.hash(code)
            guard
                let recovery = try await RecoveryCode.query(on: tx).filter(\.$user.$id == user.id!).filter(\.$codeHash == hash)
                    .filter(\.$usedAt == nil).first()
            else { return false }
            recovery.usedAt = now
            try await recovery.save(on: tx)
            return true
        }
    }
}
