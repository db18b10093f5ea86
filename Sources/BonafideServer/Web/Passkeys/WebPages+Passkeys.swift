import BonafideCore
import Fluent
import Foundation
import Vapor

/// Passkeys in the browser: the page script (`PasskeyScript`) asks for options, lets the authenticator sign, and
/// posts the answer here as JSON. Failures answer problem+json so the page can say what went wrong.
extension WebPages {
    struct PasskeyAnswer: Content {
        var name: String?
        var id: String?
        var clientDataJSON: String
        var attestationObject: String?
        var authenticatorData: String?
        var signature: String?
    }

    struct Redirect: Content {
        var redirect: String
    }

    static func relyingParty(_ req: Request) -> Passkeys.RelyingParty { .init(baseURL: req.application.bonafide.baseURL) }

    /// A JSON endpoint whose problems are answered here, so the session middleware still writes its cookies (the
    /// used-up challenge among them).
    static func json(_ req: Request, _ work: () async throws -> any AsyncResponseEncodable) async throws -> Response {
        do {
            return try await work().encodeResponse(for: req)
        } catch let problem as Problem {
            return try ProblemMiddleware.json(problem)
        }
    }

    static func passkeyCreationOptions(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        let challenge = req.issueWebAuthnChallenge("create")
        let rp = relyingParty(req)
        let existing = try await Passkeys.list(of: actor.id, on: req.db)
        let options: [String: Any] = [
            "challenge": Base64URL.encode(challenge),
            "rp": ["id": rp.id, "name": "Bonafide"],
            "user": [
                "id": Base64URL.encode(withUnsafeBytes(of: actor.id.uuid) { Array($0) }), "name": actor.user.email,
                "displayName": actor.user.name,
            ],
            "pubKeyCredParams": [["type": "public-key", "alg": WebAuthn.es256]],
            "excludeCredentials": existing.map { ["type": "public-key", "id": $0.credentialID] },
            "authenticatorSelection": ["residentKey": "preferred", "userVerification": "preferred"],
            "attestation": "none", "timeout": 120_000,
        ]
        return rawJSON(options)
    }

    static func rawJSON(_ object: [String: Any]) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        var headers = HTTPHeaders()
        headers.contentType = .json
        return Response(status: .ok, headers: headers, body: .init(data: data))
    }

    static func addPasskey(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        return try await json(req) {
            let answer = try req.content.decode(PasskeyAnswer.self)
            guard let challenge = req.takeWebAuthnChallenge("create") else {
                throw Problem(.conflict, "The request to add a passkey expired; try again.")
            }
            let passkey = try await Passkeys.register(
                actor.user, name: answer.name ?? "", clientDataJSON: answer.clientDataJSON,
                attestationObject: answer.attestationObject ?? "",
                challenge: challenge, rp: relyingParty(req), on: req.db)
            req.setSessionValue(setUpSecondFactorKey, nil)
            req.flash("Passkey “\(passkey.name)” added: it signs you in on this device.")
            return Redirect(redirect: SiteURL.Settings.section("passkeys"))
        }
    }

    static func removePasskey(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        return try await act(req, back: SiteURL.Settings.section("passkeys")) {
            try await Passkeys.remove(uuid(req, "pkid"), of: actor.id, on: req.db)
            if try await Accounts.mustSetUpSecondFactor(actor.user, on: req.db) { req.setSessionValue(setUpSecondFactorKey, "1") }
            req.flash("Passkey removed; it no longer signs you in.")
            return SiteURL.Settings.section("passkeys")
        }
    }

    /// Options for signing in: the pending person's passkeys after a password, any discoverable passkey otherwise.
    static func passkeyRequestOptions(_ req: Request) async throws -> Response {
        let challenge = req.issueWebAuthnChallenge("get")
        var allowed: [[String: String]] = []
        if let pending = req.webState.session, pending.pendingSecondFactor {
            allowed = try await Passkeys.list(of: pending.$user.id, on: req.db).map { ["type": "public-key", "id": $0.credentialID] }
        }
        return rawJSON([
            "challenge": Base64URL.encode(challenge), "rpId": relyingParty(req).id, "allowCredentials": allowed,
            "userVerification": allowed.isEmpty ? "required" : "preferred", "timeout": 120_000,
        ])
    }

    static func signInWithPasskey(_ req: Request) async throws -> Response {
        try await json(req) {
            try await req.limitAttempts("passkey", key: "", limit: 60)
            let answer = try req.content.decode(PasskeyAnswer.self)
            guard let challenge = req.takeWebAuthnChallenge("get") else {
                throw Problem(.conflict, "The sign-in request expired; try again.")
            }
            let pending = req.webState.session.flatMap { $0.pendingSecondFactor ? $0.$user.id : nil }
            let user = try await Passkeys.authenticate(
                credentialID: answer.id ?? "", clientDataJSON: answer.clientDataJSON, authenticatorData: answer.authenticatorData ?? "",
                signature: answer.signature ?? "", challenge: challenge, rp: relyingParty(req), expectedUser: pending, on: req.db)
            try await signIn(req, user)
            return Redirect(redirect: SafeRedirect.target((try? req.query.get(String.self, at: "next")) ?? ""))
        }
    }
}
