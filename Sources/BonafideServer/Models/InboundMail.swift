import BonafideCore
import Fluent
import Foundation

/// An inbound mail already taken (or refused), by its Message-ID: the same mail delivered twice posts once.
final class InboundMail: Model, @unchecked Sendable {
    // @unchecked: see NotificationSettings.
    static let schema = "inbound_mails"

    @ID(key: .id) var id: UUID?
    @Field(key: "message_id") var messageID: String
    @Field(key: "received_at") var receivedAt: Date
    @Field(key: "outcome") var outcome: String

    init() {}
}
