import BonafideCore
import Foundation
import OpenAPIRuntime
import Vapor

extension API {
    // MARK: Keys

    func getVault(_ input: Operations.GetVault.Input) async throws -> Operations.GetVault.Output {
        let actor = try await actor()
        let db = try req.db
        let userKey = try await Vault.userKey(of: actor.id, on: db)
        let grants = try await Vault.grants(of: actor.id, on: db)
        let keys = try await Vault.organizationKeys(of: actor.organizationID, on: db)
        let members = Policy.canManage(actor) ? try await Vault.members(of: actor.organizationID, on: db) : []
        return .ok(
            .init(
                body: .json(
                    .init(
                        organizationId: actor.organizationID.apiString, role: actor.role.rawValue,
                        userKey: userKey.map(Self.dto),
                        organizationKeys: keys.map { Self.dto($0, grant: grants[$0.id!]) },
                        members: members.map {
                            .init(
                                userId: $0.user.id!.apiString, name: $0.user.name, publicKey: $0.publicKey,
                                granted: $0.granted)
                        }))))
    }

    func setVaultUserKey(_ input: Operations.SetVaultUserKey.Input) async throws -> Operations.SetVaultUserKey.Output {
        guard case .json(let b) = input.body else { throw Problem(.unsupportedMediaType, "Send JSON.") }
        let key = try await Vault.setUserKey(
            .init(publicKey: b.publicKey, wrappedPrivateKey: b.wrappedPrivateKey, salt: b.salt, iterations: b.iterations),
            for: try await actor(), on: try req.db)
        return .ok(.init(body: .json(Self.dto(key))))
    }

    func rotateVaultOrganizationKey(_ input: Operations.RotateVaultOrganizationKey.Input) async throws
        -> Operations.RotateVaultOrganizationKey.Output
    {
        guard case .json(let b) = input.body else { throw Problem(.unsupportedMediaType, "Send JSON.") }
        let grants = try b.grants.map { g in
            guard let id = UUID(uuidString: g.userId) else { throw Problem.invalid("userId", "userId must be an id (UUID).") }
            return Vault.Grant(userID: id, sealed: g.sealed)
        }
        let key = try await Vault.rotate(publicKey: b.publicKey, grants: grants, by: try await actor(), on: try req.db)
        return .created(.init(body: .json(Self.dto(key, grant: nil))))
    }

    func grantVaultKey(_ input: Operations.GrantVaultKey.Input) async throws -> Operations.GrantVaultKey.Output {
        guard case .json(let b) = input.body else { throw Problem(.unsupportedMediaType, "Send JSON.") }
        guard let user = UUID(uuidString: b.userId) else { throw Problem.invalid("userId", "userId must be an id (UUID).") }
        try await Vault.grant(
            .init(userID: user, sealed: b.sealed), organizationKeyID: UUID(uuidString: b.organizationKeyId), by: try await actor(),
            on: try req.db)
        return .noContent(.init())
    }

    static func dto(_ k: VaultUserKey) -> Components.Schemas.VaultUserKey {
        .init(publicKey: k.publicKey, wrappedPrivateKey: k.wrappedPrivateKey, salt: k.salt, iterations: k.iterations)
    }

    static func dto(_ k: VaultOrganizationKey, grant: String?) -> Components.Schemas.VaultOrganizationKey {
        .init(
            id: k.id!.apiString, publicKey: k.publicKey, keyId: k.keyID, active: k.retiredAt == nil, createdAt: k.createdAt,
            grant: grant)
    }

    // MARK: Documents

    func listDocuments(_ input: Operations.ListDocuments.Input) async throws -> Operations.ListDocuments.Output {
        let (actor, p) = try await partnership(input.path.partnershipId)
        let db = try req.db
        let documents = try await Documents.list(in: p, on: db)
        let links = try await Documents.links(of: documents, on: db)
        let shares = try await DocumentShares.shares(of: documents, on: db)
        let recipients = try await Documents.recipients(of: p, on: db)
        let config = try req.application.bonafide
        return .ok(
            .init(
                body: .json(
                    .init(
                        recipients: recipients.map {
                            .init(organizationId: $0.0.id!.apiString, name: $0.0.name, publicKey: $0.1?.publicKey)
                        },
                        documents: documents.map { Self.dto($0, links: links[$0.id!] ?? [], shares: shares[$0.id!] ?? [], for: actor) },
                        usedBytes: try await Documents.usage(of: actor.organizationID, on: db), quotaBytes: config.vaultQuotaBytes,
                        maxBytes: config.vaultMaxBytes))))
    }

    func uploadDocument(_ input: Operations.UploadDocument.Input) async throws -> Operations.UploadDocument.Output {
        guard case .binary(let body) = input.body else {
            throw Problem(.unsupportedMediaType, "Send the encrypted file as application/octet-stream.")
        }
        let (actor, p) = try await partnership(input.path.partnershipId)
        let req = try req
        let d = try await Documents.upload(
            body, declaredLength: Self.length(of: body), to: p, by: actor, expiresAt: input.query.expiresAt,
            maxDownloads: input.query.maxDownloads, limits: Self.limits(req), store: req.application.blobStore, on: req.db)
        return .created(.init(body: .json(Self.dto(d, links: [], for: actor))))
    }

    static func length(of body: HTTPBody) -> Int64? {
        if case .known(let n) = body.length { return n }
        return nil
    }

    static func limits(_ req: Request) -> Documents.Limits {
        .init(maxBytes: req.application.bonafide.vaultMaxBytes, quotaBytes: req.application.bonafide.vaultQuotaBytes)
    }

    func downloadDocument(_ input: Operations.DownloadDocument.Input) async throws -> Operations.DownloadDocument.Output {
        let req = try req
        let (d, header) = try await Documents.fetch(UUID(uuidString: input.path.documentId), by: try await actor(), on: req.db)
        guard let header else {
            let stream = req.application.blobStore.read(d.storageKey, from: 0)
            return .ok(.init(body: .binary(HTTPBody(stream, length: .known(d.size), iterationBehavior: .single))))
        }
        return .ok(.init(body: .binary(Self.body(header: header, after: d, store: req.application.blobStore))))
    }

    func rekeyDocument(_ input: Operations.RekeyDocument.Input) async throws -> Operations.RekeyDocument.Output {
        guard case .binary(let body) = input.body else {
            throw Problem(.unsupportedMediaType, "Send the file encrypted anew as application/octet-stream.")
        }
        let actor = try await actor()
        let req = try req
        let d = try await Documents.rekey(
            body, declaredLength: Self.length(of: body), document: UUID(uuidString: input.path.documentId), by: actor,
            limits: Self.limits(req), store: req.application.blobStore, on: req.db)
        let links = try await Documents.links(of: [d], on: req.db)
        let shares = try await DocumentShares.shares(of: [d], on: req.db)
        return .ok(.init(body: .json(Self.dto(d, links: links[d.id!] ?? [], shares: shares[d.id!] ?? [], for: actor))))
    }

    func revokeDocument(_ input: Operations.RevokeDocument.Input) async throws -> Operations.RevokeDocument.Output {
        let actor = try await actor()
        let d = try await Documents.revoke(UUID(uuidString: input.path.documentId), by: actor, on: try req.db)
        let links = try await Documents.links(of: [d], on: try req.db)
        let shares = try await DocumentShares.shares(of: [d], on: try req.db)
        return .ok(.init(body: .json(Self.dto(d, links: links[d.id!] ?? [], shares: shares[d.id!] ?? [], for: actor))))
    }

    func createDocumentLink(_ input: Operations.CreateDocumentLink.Input) async throws -> Operations.CreateDocumentLink.Output {
        guard case .json(let b) = input.body else { throw Problem(.unsupportedMediaType, "Send JSON.") }
        let link = try await Documents.createLink(
            for: UUID(uuidString: input.path.documentId), header: b.header, expiresAt: b.expiresAt, maxDownloads: b.maxDownloads,
            passwordSalt: b.passwordSalt, by: try await actor(), on: try req.db)
        return .created(.init(body: .json(Self.dto(link))))
    }

    func revokeDocumentLink(_ input: Operations.RevokeDocumentLink.Input) async throws -> Operations.RevokeDocumentLink.Output {
        let link = try await Documents.revokeLink(
            UUID(uuidString: input.path.linkId), of: UUID(uuidString: input.path.documentId), by: try await actor(), on: try req.db)
        return .ok(.init(body: .json(Self.dto(link))))
    }

    func getSharedLink(_ input: Operations.GetSharedLink.Input) async throws -> Operations.GetSharedLink.Output {
        let req = try req
        try await req.limitAttempts("share-link", key: "", limit: 120, window: 60)
        let (link, d) = try await Documents.openLink(UUID(uuidString: input.path.linkId), on: req.db)
        return .ok(
            .init(
                body: .json(
                    .init(
                        size: Int64(link.header.count) + d.size - Int64(d.header.count), header: Base64URL.encode(link.header),
                        password: link.passwordSalt != nil,
                        passwordSalt: link.passwordSalt, expiresAt: link.expiresAt,
                        downloadsLeft: link.maxDownloads.map { max(0, $0 - link.downloads) }))))
    }

    func downloadSharedLink(_ input: Operations.DownloadSharedLink.Input) async throws -> Operations.DownloadSharedLink.Output {
        let req = try req
        try await req.limitAttempts("share-link", key: "", limit: 120, window: 60)
        let (link, d) = try await Documents.useLink(UUID(uuidString: input.path.linkId), on: req.db)
        return .ok(.init(body: .binary(Self.body(header: link.header, after: d, store: req.application.blobStore))))
    }

    /// Another header in front of the document's stored chunks: what a link or a circle share downloads.
    static func body(header: Data, after d: Document, store: any BlobStore) -> HTTPBody {
        let rest = store.read(d.storageKey, from: Int64(d.header.count))
        let first = Array(header)[...]
        let stream = AsyncThrowingStream<ArraySlice<UInt8>, any Error> { continuation in
            let task = Task {
                continuation.yield(first)
                do {
                    for try await block in rest { continuation.yield(block) }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
        let length = Int64(header.count) + d.size - Int64(d.header.count)
        return HTTPBody(stream, length: .known(length), iterationBehavior: .single)
    }

    // MARK: Circles

    func listShareCandidates(_ input: Operations.ListShareCandidates.Input) async throws -> Operations.ListShareCandidates.Output {
        let circle = try Self.circle(input.query.circle.rawValue)
        let list = try await DocumentShares.candidates(
            for: UUID(uuidString: input.path.documentId), circle: circle, by: try await actor(), on: try req.db)
        return .ok(
            .init(
                body: .json(
                    list.map {
                        .init(
                            organizationId: $0.organizationID.apiString, name: $0.name, circle: $0.circle.rawValue,
                            publicKey: $0.publicKey)
                    })))
    }

    func shareDocument(_ input: Operations.ShareDocument.Input) async throws -> Operations.ShareDocument.Output {
        guard case .json(let b) = input.body else { throw Problem(.unsupportedMediaType, "Send JSON.") }
        let entries = try b.shares.map { s in
            guard let id = UUID(uuidString: s.organizationId) else {
                throw Problem.invalid("organizationId", "organizationId must be an id (UUID).")
            }
            return DocumentShares.Entry(organizationID: id, header: s.header)
        }
        let shares = try await DocumentShares.share(
            UUID(uuidString: input.path.documentId), circle: try Self.circle(b.circle.rawValue), entries: entries, expiresAt: b.expiresAt,
            maxDownloads: b.maxDownloads, by: try await actor(), on: try req.db)
        return .created(.init(body: .json(shares.map(Self.dto))))
    }

    func revokeDocumentShare(_ input: Operations.RevokeDocumentShare.Input) async throws -> Operations.RevokeDocumentShare.Output {
        let share = try await DocumentShares.revoke(
            UUID(uuidString: input.path.shareId), of: UUID(uuidString: input.path.documentId), by: try await actor(), on: try req.db)
        return .ok(.init(body: .json(Self.dto(share))))
    }

    func listSharedWithUs(_ input: Operations.ListSharedWithUs.Input) async throws -> Operations.ListSharedWithUs.Output {
        let list = try await DocumentShares.sharedWith(try await actor(), on: try req.db)
        return .ok(
            .init(
                body: .json(
                    list.map { share, d, from in
                        .init(
                            id: d.id!.apiString, number: d.number,
                            size: Int64(share.header.count) + d.size - Int64(d.header.count),
                            header: Base64URL.encode(share.header), from: from.name, sharedAt: share.createdAt, expiresAt: share.expiresAt,
                            downloadsLeft: share.maxDownloads.map { max(0, $0 - share.downloads) })
                    })))
    }

    static func circle(_ raw: String) throws -> Circle {
        guard let circle = Circle(rawValue: raw) else {
            throw Problem.invalid("circle", "circle must be connected, collaborator or trusted-referral.")
        }
        return circle
    }

    static func dto(_ s: DocumentShare) -> Components.Schemas.DocumentShare {
        .init(
            id: s.id!.apiString, organizationId: s.$organization.id.apiString, name: s.organization.name,
            circle: s.circle.rawValue, createdAt: s.createdAt, expiresAt: s.expiresAt, maxDownloads: s.maxDownloads, downloads: s.downloads,
            revokedAt: s.revokedAt)
    }

    static func dto(_ d: Document, links: [DocumentLink], shares: [DocumentShare] = [], for actor: Actor) -> Components.Schemas.Document {
        let manage = Documents.canManage(d, actor)
        return .init(
            id: d.id!.apiString, number: d.number, size: d.size, header: Base64URL.encode(d.header),
            organizationId: d.$organization.id.apiString, uploadedBy: d.uploadedBy?.name ?? "a former member",
            createdAt: d.createdAt, expiresAt: d.expiresAt, maxDownloads: d.maxDownloads, downloads: d.downloads, revokedAt: d.revokedAt,
            canManage: manage, rekeyedAt: d.rekeyedAt, links: manage ? links.map(dto) : [], shares: manage ? shares.map(dto) : [])
    }

    static func dto(_ l: DocumentLink) -> Components.Schemas.DocumentLink {
        .init(
            id: l.id!.apiString, path: SiteURL.shareLink(l.id), createdAt: l.createdAt, expiresAt: l.expiresAt,
            maxDownloads: l.maxDownloads, downloads: l.downloads, revokedAt: l.revokedAt, password: l.passwordSalt != nil)
    }
}
