import Fluent
import Foundation

final class SurveyOptOut: Model, @unchecked Sendable {
    static let schema = "survey_opt_outs"

    @ID(key: .id) var id: UUID?
    @Parent(key: "organization_id") var organization: Organization
    @Field(key: "email") var email: String
    @Field(key: "created_at") var createdAt: Date

    init() {}
}
