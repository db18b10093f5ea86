import Fluent
import Foundation

/// One event for one endpoint: tried until the endpoint answers 2xx, with growing pauses, for about three days.
final class WebhookDelivery: Model, @unchecked Sendable {
    // @unchecked: see Webhook.
    static let schema = "webhook_deliveries"

    @ID(key: .id) var id: UUID?
    @Parent(key: "webhook_id") var webhook: Webhook
    /// The `webhook-id` header: the same on every attempt, so the receiver can drop repeats.
    @Field(key: "message_id") var messageID: String
    @Field(key: "event_type") var eventType: String
    @Field(key: "payload") var payload: String
    @Enum(key: "status") var status: WebhookDeliveryStatus
    @Field(key: "attempts") var attempts: Int
    @OptionalField(key: "next_attempt_at") var nextAttemptAt: Date?
    @OptionalField(key: "claimed_until") var claimedUntil: Date?
    @OptionalField(key: "last_status_code") var lastStatusCode: Int?
    @OptionalField(key: "last_error") var lastError: String?
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "delivered_at") var deliveredAt: Date?

    init() {}
}
