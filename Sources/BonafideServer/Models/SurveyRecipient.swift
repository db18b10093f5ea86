import Fluent
import Foundation

final class SurveyRecipient: Model, @unchecked Sendable {
    static let schema = "survey_recipients"

    @ID(key: .id) var id: UUID?
    @Parent(key: "survey_id") var survey: Survey
    @Field(key: "email") var email: String
    @Field(key: "name") var name: String
    /// Where the answer is compared: the partner's name, a CSV segment, or empty.
    @Field(key: "segment") var segment: String
    /// Set when the recipient works for a partner organization: their answer is also trust evidence.
    @OptionalParent(key: "partner_organization_id") var partner: Organization?
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "invited_at") var invitedAt: Date?
    @OptionalField(key: "reminded_at") var remindedAt: Date?
    @Field(key: "reminders") var reminders: Int
    @OptionalField(key: "responded_at") var respondedAt: Date?

    init() {}
}
