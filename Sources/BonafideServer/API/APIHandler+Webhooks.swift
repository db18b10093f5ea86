import Fluent
import Foundation
import Vapor

extension API {
    func listWebhooks(_ input: Operations.ListWebhooks.Input) async throws -> Operations.ListWebhooks.Output {
        let hooks = try await Webhooks.list(for: try await actor(), on: try req.db)
        return .ok(.init(body: .json(hooks.map { Self.dto($0) })))
    }

    func createWebhook(_ input: Operations.CreateWebhook.Input) async throws -> Operations.CreateWebhook.Output {
        guard case .json(let b) = input.body else { throw Problem(.unsupportedMediaType, "Send JSON.") }
        let req = try req
        let (hook, secret) = try await Webhooks.create(
            .init(url: b.url, events: b.events, format: b.format?.rawValue), by: try await actor(), key: req.application.secretBoxKey,
            allowPrivate: req.application.bonafide.allowPrivateWebhookAddresses, on: req.db)
        var dto = Self.dto(hook)
        dto.secret = secret
        return .created(.init(body: .json(dto)))
    }

    func deleteWebhook(_ input: Operations.DeleteWebhook.Input) async throws -> Operations.DeleteWebhook.Output {
        let req = try req
        let hook = try await Webhooks.find(UUID(uuidString: input.path.webhookId), for: try await actor(), on: req.db)
        try await Webhooks.delete(hook, on: req.db)
        return .noContent(.init())
    }

    func enableWebhook(_ input: Operations.EnableWebhook.Input) async throws -> Operations.EnableWebhook.Output {
        let req = try req
        let hook = try await Webhooks.find(UUID(uuidString: input.path.webhookId), for: try await actor(), on: req.db)
        try await Webhooks.enable(hook, on: req.db)
        return .ok(.init(body: .json(Self.dto(hook))))
    }

    func listWebhookDeliveries(_ input: Operations.ListWebhookDeliveries.Input) async throws -> Operations.ListWebhookDeliveries.Output {
        let req = try req
        let hook = try await Webhooks.find(UUID(uuidString: input.path.webhookId), for: try await actor(), on: req.db)
        return .ok(.init(body: .json(try await Webhooks.deliveries(of: hook, on: req.db).map { Self.dto($0) })))
    }

    func resendWebhookDelivery(_ input: Operations.ResendWebhookDelivery.Input) async throws -> Operations.ResendWebhookDelivery.Output {
        let req = try req
        let hook = try await Webhooks.find(UUID(uuidString: input.path.webhookId), for: try await actor(), on: req.db)
        let delivery = try await Webhooks.resend(UUID(uuidString: input.path.deliveryId), of: hook, on: req.db)
        return .ok(.init(body: .json(Self.dto(delivery))))
    }

    static func dto(_ hook: Webhook) -> Components.Schemas.Webhook {
        .init(
            id: hook.id!.apiString, url: hook.url, events: hook.events, format: hook.format, enabled: hook.disabledAt == nil,
            disabledReason: hook.disabledReason, createdAt: hook.createdAt)
    }

    static func dto(_ d: WebhookDelivery) -> Components.Schemas.WebhookDelivery {
        .init(
            id: d.id!.apiString, messageId: d.messageID, eventType: d.eventType,
            status: .init(rawValue: d.status.rawValue) ?? .pending, attempts: d.attempts,
            nextAttemptAt: d.status == .pending ? d.nextAttemptAt : nil, lastStatusCode: d.lastStatusCode, lastError: d.lastError,
            createdAt: d.createdAt, deliveredAt: d.deliveredAt)
    }
}
