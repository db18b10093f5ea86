import Fluent
import Foundation

final class Survey: Model, @unchecked Sendable {
    static let schema = "surveys"

    @ID(key: .id) var id: UUID?
    @Parent(key: "organization_id") var organization: Organization
    @Field(key: "title") var title: String
    @Enum(key: "kind") var kind: SurveyKind
    @Field(key: "question") var question: String
    @Field(key: "campaign") var campaign: String
    /// The extra questions as JSON (`[SurveyQuestion]`).
    @Field(key: "questions") var questionsJSON: String
    @Enum(key: "status") var status: SurveyStatus
    @Parent(key: "created_by") var createdBy: User
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "closed_at") var closedAt: Date?

    init() {}

    var questions: [SurveyQuestion] {
        get { (try? JSONDecoder().decode([SurveyQuestion].self, from: Data(questionsJSON.utf8))) ?? [] }
        set { questionsJSON = String(decoding: (try? JSONEncoder().encode(newValue)) ?? Data("[]".utf8), as: UTF8.self) }
    }
}
