import BonafideCore
import Fluent
import Foundation
import Testing
import VaporTesting

@testable import BonafideServer

/// Accounts as users of serious SaaS expect: two-factor sign-in, confirmed addresses, password reset by mail.
@Suite("Account security")
struct AccountSecurityAPITests {
    func code(_ secret: String, at date: Date = Date()) -> String { TOTP(secret: Base32.decode(secret) ?? []).code(at: date) }

    @Test func totpGuardsSignInAndRecoveryCodesWorkOnce() async throws {
        try await withTestApp { app in
            let a = try await app.register("Alice", org: "Northwind")
            let started = try await app.api(.POST, "/me/totp", token: a.token)
            #expect(started.status == .created, "\(started.raw)")
            let secret = try #require(started.body["secret"] as? String)
            #expect((started.body["otpauthUrl"] as? String)?.hasPrefix("otpauth://totp/Bonafide:") == true)
            // Not on until confirmed: sign-in still needs only the password.
            let before = try await app.api(.POST, "/auth/login", json: #"{"email":"\#(a.email)","password":"correct horse battery"}"#)
            #expect(before.status == .ok)
            let stored = try #require(try await User.query(on: app.db).filter(\.$email == a.email).first())
            #expect(stored.totpSecret?.contains(secret) == false, "the secret is sealed at rest")

            let wrong = try await app.api(.POST, "/me/totp/confirm", token: a.token, json: #"{"code":"000000"}"#)
            #expect(wrong.status == .unprocessableEntity && wrong.body["field"] as? String == "code")
            let confirmed = try await app.api(.POST, "/me/totp/confirm", token: a.token, json: #"{"code":"\#(code(secret))"}"#)
            #expect(confirmed.status == .ok, "\(confirmed.raw)")
            let codes = confirmed.body["recoveryCodes"] as? [String] ?? []
            #expect(codes.count == 10 && Set(codes).count == 10)

            let needsCode = try await app.api(.POST, "/auth/login", json: #"{"email":"\#(a.email)","password":"correct horse battery"}"#)
            #expect(needsCode.status == .unauthorized && needsCode.body["mfaRequired"] as? Bool == true, "\(needsCode.raw)")
            #expect(needsCode.headers.contentType?.description.contains("problem+json") == true)
            let bad = try await app.api(
                .POST, "/auth/login", json: #"{"email":"\#(a.email)","password":"correct horse battery","code":"123456"}"#)
            #expect(bad.status == .unauthorized)
            // Confirming used this step's code; the next step's is accepted too (clock skew) and not used yet. One step
            // ahead, not behind: a slow run crossing a step boundary still lands inside the window.
            let now = code(secret, at: Date().addingTimeInterval(30))
            let good = try await app.api(
                .POST, "/auth/login", json: #"{"email":"\#(a.email)","password":"correct horse battery","code":"\#(now)"}"#)
            #expect(good.status == .ok, "\(good.raw)")
            let token = try #require(good.body["token"] as? String)
            #expect(try await app.api(.GET, "/me", token: token).status == .ok)
            // The same code again: refused, it was used.
            let replay = try await app.api(
                .POST, "/auth/login", json: #"{"email":"\#(a.email)","password":"correct horse battery","code":"\#(now)"}"#)
            #expect(replay.status == .unauthorized)
            // A recovery code works once, typed loosely.
            let loose = codes[0].uppercased().replacingOccurrences(of: "-", with: " ")
            let recovered = try await app.api(
                .POST, "/auth/login", json: #"{"email":"\#(a.email)","password":"correct horse battery","code":"\#(loose)"}"#)
            #expect(recovered.status == .ok, "\(recovered.raw)")
            let again = try await app.api(
                .POST, "/auth/login", json: #"{"email":"\#(a.email)","password":"correct horse battery","code":"\#(codes[0])"}"#)
            #expect(again.status == .unauthorized)
            // Turning it off needs a valid code; then the password alone signs in again.
            #expect(try await app.api(.DELETE, "/me/totp", token: token, json: #"{"code":"999999"}"#).status == .unprocessableEntity)
            #expect(try await app.api(.DELETE, "/me/totp", token: token, json: #"{"code":"\#(codes[1])"}"#).status == .noContent)
            let plain = try await app.api(.POST, "/auth/login", json: #"{"email":"\#(a.email)","password":"correct horse battery"}"#)
            #expect(plain.status == .ok)
            #expect(try await RecoveryCode.query(on: app.db).count() == 0)
        }
    }

    @Test func theWebAsksForTheSecondFactorAndOwnersCanRequireIt() async throws {
        try await withTestApp { app in
            let a = try await app.register("Alice", org: "Northwind")
            let mia = try await app.invitedMember(of: a, role: "member")
            let browser = try await Browser.signedIn(app, as: a)
            #expect(try await browser.post("/settings/totp", [:]).location == "/settings#two-factor")
            let setup = try await browser.get("/settings")
            #expect(setup.html.contains("<svg") && setup.html.contains("QR code for your authenticator app"))
            let secret = try #require(
                setup.html.range(of: #"<code id="totp-secret">"#).map { String(setup.html[$0.upperBound...].prefix { $0 != "<" }) })
            let confirmed = try await browser.post("/settings/totp/confirm", ["code": code(secret)])
            #expect(confirmed.location == "/settings#recovery-codes")
            let shown = try await browser.get("/settings")
            #expect(shown.html.contains("Save these recovery codes now") && shown.html.contains(#"id="totp-state">on"#))
            #expect(!(try await browser.get("/settings")).html.contains("Save these recovery codes now"), "shown once")

            // A new browser: the password is not enough.
            let other = Browser(app)
            let first = try await other.post("/login?next=%2Fcircles", ["email": a.email, "password": "correct horse battery"])
            #expect(first.location?.hasPrefix("/login/second-factor") == true, "\(first.location ?? "")")
            #expect(try await other.get("/dashboard").location?.hasPrefix("/login") == true, "not signed in before the code")
            let wrong = try await other.post(first.location!, ["code": "000000"])
            #expect(wrong.status == .unprocessableEntity && wrong.html.contains("wrong"))
            let right = try await other.post(first.location!, ["code": code(secret, at: Date().addingTimeInterval(30))])
            #expect(right.location == "/circles", "\(right.location ?? "") \(right.html.prefix(300))")
            #expect(try await other.get("/dashboard").status == .ok)

            // The owner requires it: Mia, without a second factor, may only set it up.
            let required = try await browser.post("/organization/two-factor", ["required": "1"])
            #expect(required.location == "/organization")
            #expect(try await Organization.find(UUID(uuidString: a.organizationID), on: app.db)?.requireTwoFactor == true)
            let miaBrowser = try await Browser.signedIn(app, as: mia)
            #expect(try await miaBrowser.get("/dashboard").location == "/settings#two-factor")
            #expect(try await miaBrowser.get("/settings").status == .ok)
            let api = try await app.api(.POST, "/auth/login", json: #"{"email":"\#(mia.email)","password":"correct horse battery"}"#)
            #expect(api.status == .forbidden && api.raw.contains("requires two-factor"), "\(api.raw)")
            // A member cannot change the rule.
            #expect(try await miaBrowser.post("/organization/two-factor", ["required": "0"]).location == "/settings#two-factor")
        }
    }

    @Test func passkeyAnswersThatDoNotHoldAreRefusedAndChangeNothing() async throws {
        try await withTestApp { app in
            let a = try await app.register("Alice", org: "Northwind")
            let browser = try await Browser.signedIn(app, as: a)
            let token = try await browser.token()
            func post(_ path: String, _ json: String) async throws -> (HTTPStatus, String) {
                var result: (HTTPStatus, String) = (.ok, "")
                try await app.testing().test(
                    .POST, path,
                    beforeRequest: { req in
                        req.headers.replaceOrAdd(name: .cookie, value: browser.cookie ?? "")
                        req.headers.replaceOrAdd(name: .accept, value: "application/json")
                        req.headers.contentType = .json
                        req.body = ByteBuffer(string: json)
                    },
                    afterResponse: { res async in
                        if let set = res.headers.setCookie?["bonafide_webauthn"] { browser.cookies["bonafide_webauthn"] = set.string }
                        result = (res.status, res.body.string)
                    })
                return result
            }
            // No challenge was asked for: nothing to answer.
            let early = try await post("/settings/passkeys", #"{"_csrf":"\#(token)","clientDataJSON":"e30","attestationObject":"oA"}"#)
            #expect(early.0 == .conflict && early.1.contains("expired"), "\(early)")
            let options = try await post("/settings/passkeys/options", #"{"_csrf":"\#(token)"}"#)
            #expect(options.0 == .ok && options.1.contains(#""alg":-7"#) && options.1.contains(#""attestation":"none""#))
            let forged = try await post("/settings/passkeys", #"{"_csrf":"\#(token)","clientDataJSON":"e30","attestationObject":"oA"}"#)
            #expect(forged.0 == .unprocessableEntity && forged.1.contains("not added"), "\(forged)")
            // The challenge was used up by the refused answer.
            let again = try await post("/settings/passkeys", #"{"_csrf":"\#(token)","clientDataJSON":"e30","attestationObject":"oA"}"#)
            #expect(again.0 == .conflict, "\(again)")
            let noForm = try await post("/settings/passkeys/options", #"{}"#)
            #expect(noForm.0 == .forbidden)
            // Signing in with a passkey nobody registered.
            let visitor = Browser(app)
            _ = try await visitor.get("/login")
            let signIn = try await post("/login/passkey/options", #"{"_csrf":"\#(token)"}"#)
            #expect(signIn.0 == .ok && signIn.1.contains(#""userVerification":"preferred""#) == false)
            let unknown = try await post(
                "/login/passkey", #"{"_csrf":"\#(token)","id":"AAAA","clientDataJSON":"e30","authenticatorData":"AA","signature":"AA"}"#)
            #expect(unknown.0 == .unauthorized, "\(unknown)")
            #expect(try await Passkey.query(on: app.db).count() == 0)

            // Another organization's person cannot remove someone's passkey.
            let passkey = Passkey()
            passkey.$user.id = try #require(UUID(uuidString: a.id))
            passkey.credentialID = "cred"
            passkey.publicKey = "key"
            passkey.signCount = 0
            passkey.name = "Alice YubiKey"
            passkey.createdAt = Date()
            try await passkey.save(on: app.db)
            let b = try await app.register("Bob", org: "Acme")
            let other = try await Browser.signedIn(app, as: b)
            #expect(!(try await other.get("/settings")).html.contains("Alice YubiKey"))
            _ = try await other.post("/settings/passkeys/\(passkey.id!)/remove", [:])
            #expect(try await Passkey.query(on: app.db).count() == 1)
            #expect((try await browser.get("/settings")).html.contains("Alice YubiKey"))
        }
    }

    @Test func signedInBrowsersAreNamedAsPeopleKnowThem() {
        let chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
        let edge = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36 Edg/131.0"
        let safari =
            "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
        #expect(SecuritySettingsPage.browserName(chrome) == "Chrome on Linux")
        #expect(SecuritySettingsPage.browserName(edge) == "Edge on Windows")
        #expect(SecuritySettingsPage.browserName(safari) == "Safari on iPhone")
        #expect(SecuritySettingsPage.browserName("") == "A browser")
    }

    @Test func settingsShowWhereEachTokenWasLastUsed() async throws {
        try await withTestApp { app in
            let a = try await app.register("Alice", org: "Northwind")
            let b = try await app.register("Bob", org: "Acme")
            #expect(try await Accounts.user(forBearer: a.token, from: "203.0.113.9", on: app.db)?.email == a.email)
            #expect(try await Accounts.user(forBearer: b.token, from: "198.51.100.7", on: app.db)?.email == b.email)
            let settings = try await Browser.signedIn(app, as: a).get("/settings").html
            #expect(settings.contains("203.0.113.9"))
            #expect(!settings.contains("198.51.100.7"), "another person's token is not listed")
        }
    }

    func withMail(_ config: inout AppConfig) {
        config.smtp = try? SMTPSettings.parse(url: "smtp://127.0.0.1:9", from: "trust@bonafide.example")
    }

    /// The secret of the newest link mailed to an address, as the person would click it.
    func mailedLink(_ app: Application, to email: String, path: String) async throws -> String? {
        let mail = try await OutboxMessage.query(on: app.db).filter(\.$toEmail == email).sort(\.$createdAt, .descending).all()
        for m in mail {
            if let range = m.body.range(of: path) { return String(m.body[range.upperBound...].prefix { !$0.isWhitespace }) }
        }
        return nil
    }

    @Test func withMailAddressesAreConfirmedAndSignUpDoesNotTellWhoHasAnAccount() async throws {
        try await withTestApp(withMail) { app in
            let a = try await app.register("Alice", org: "Northwind")
            #expect(try await User.query(on: app.db).filter(\.$email == a.email).first()?.emailVerifiedAt == nil)
            // An unconfirmed address cannot take an invitation addressed to it.
            let b = try await app.register("Bob", org: "Acme")
            let created = try await app.api(
                .POST, "/partnerships", token: a.token, json: #"{"name":"Relaunch","partnerEmail":"\#(b.email)","agreement":"v1"}"#)
            let invitation = String((created.body["invitationLink"] as? String ?? "").split(separator: "/").last ?? "")
            let refused = try await app.api(.POST, "/invitations/\(invitation)/accept", token: b.token)
            #expect(refused.status == .forbidden && refused.raw.contains("Confirm your email"), "\(refused.raw)")
            let link = try #require(try await mailedLink(app, to: b.email, path: "/verify-email/"))
            let visitor = Browser(app)
            #expect(try await visitor.get("/verify-email/\(link)").location == "/login")
            #expect(try await visitor.get("/verify-email/\(link)").status == .notFound, "single use")
            #expect(try await app.api(.POST, "/invitations/\(invitation)/accept", token: b.token).status == .ok)

            // On the web both answers read the same; the owner of the address hears of it by mail instead.
            let taken = try await visitor.post(
                "/signup", ["name": "Eve", "email": a.email, "password": "another good passphrase", "organization": "Evil"])
            let fresh = try await visitor.post(
                "/signup", ["name": "Cleo", "email": "cleo@kite.example", "password": "another good passphrase", "organization": "Kite"])
            #expect(taken.status == .ok && fresh.status == .ok)
            #expect(taken.html.contains("Check your mail") && fresh.html.contains("Check your mail"))
            #expect(!taken.html.contains("already"))
            #expect(
                try await OutboxMessage.query(on: app.db).filter(\.$toEmail == a.email).all().contains { $0.subject.contains("already") })
            #expect(try await User.query(on: app.db).filter(\.$email == a.email).first()?.name == "Alice")
        }
    }

    @Test func passwordResetLinksWorkOnceForHalfAnHourAndEndEverySession() async throws {
        try await withTestApp(withMail) { app in
            let a = try await app.register("Alice", org: "Northwind")
            let signedIn = try await Browser.signedIn(app, as: a)
            let visitor = Browser(app)
            let unknown = try await visitor.post("/password-reset", ["email": "nobody@nowhere.example"])
            let known = try await visitor.post("/password-reset", ["email": a.email])
            #expect(unknown.location == "/login" && known.location == "/login")
            #expect(try await OutboxMessage.query(on: app.db).filter(\.$toEmail == "nobody@nowhere.example").count() == 0)
            let secret = try #require(try await mailedLink(app, to: a.email, path: "/password-reset/"))
            let weak = try await visitor.post("/password-reset/\(secret)", ["password": "password12"])
            #expect(weak.location == "/password-reset/\(secret)")
            let set = try await visitor.post("/password-reset/\(secret)", ["password": "a brand new passphrase"])
            #expect(set.location == "/login")
            #expect(try await signedIn.get("/dashboard").location?.hasPrefix("/login") == true)
            let login = try await app.api(.POST, "/auth/login", json: #"{"email":"\#(a.email)","password":"a brand new passphrase"}"#)
            #expect(login.status == .ok)
            let reused = try await visitor.post("/password-reset/\(secret)", ["password": "yet another passphrase"])
            #expect(reused.location == "/password-reset/\(secret)")

            // A link older than 30 minutes no longer works.
            _ = try await visitor.post("/password-reset", ["email": a.email])
            let late = try #require(try await mailedLink(app, to: a.email, path: "/password-reset/"))
            let row = try #require(try await AccountLink.query(on: app.db).filter(\.$tokenHash == Secrets.digest(late)).first())
            row.expiresAt = Date().addingTimeInterval(-1)
            try await row.save(on: app.db)
            let expired = try await visitor.post("/password-reset/\(late)", ["password": "yet another passphrase"])
            #expect(expired.location == "/password-reset/\(late)")
        }
    }
}
