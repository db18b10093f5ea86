import BonafideCore
import Fluent
import Foundation
import Vapor

extension Request {
    private struct ActorKey: StorageKey { typealias Value = Actor }

    /// The signed-in person, filled by `WebSessionMiddleware` for pages and by bearer auth for the API.
    var actor: Actor? {
        get { storage[ActorKey.self] }
        set { storage[ActorKey.self] = newValue }
    }

    func requireActor() throws -> Actor {
        guard let actor else { throw Problem.unauthorized }
        return actor
    }

    /// The API caller, from the bearer token (once per request): the generated API and the plain
    /// tile routes authenticate the same way.
    /// The caller when they sent credentials (bad ones are still 401), nil for someone not signed in: for what
    /// anyone may read and signed-in people may read more of.
    func optionalBearerActor() async throws -> Actor? {
        guard headers.bearerAuthorization != nil || headers.first(name: "X-CSRF-Token") != nil else { return nil }
        return try await bearerActor()
    }

    func bearerActor() async throws -> Actor {
        if let actor { return actor }
        guard let bearer = headers.bearerAuthorization else {
            guard let actor = try await WebSessions.apiActor(self) else { throw Problem.unauthorized }
            self.actor = actor
            return actor
        }
        guard let user = try await Accounts.user(forBearer: bearer.token, from: clientAddress, on: db)
        else { throw Problem.unauthorized }
        let actor = Actor(user: user)
        self.actor = actor
        return actor
    }
}
