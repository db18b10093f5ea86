import Fluent
import Foundation

enum WebhookDeliveryStatus: String, Codable, Sendable {
    case pending, delivered, failed
}
