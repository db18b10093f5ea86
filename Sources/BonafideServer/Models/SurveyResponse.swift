import Fluent
import Foundation

final class SurveyResponse: Model, @unchecked Sendable {
    static let schema = "survey_responses"

    @ID(key: .id) var id: UUID?
    @Parent(key: "survey_id") var survey: Survey
    @Parent(key: "recipient_id") var recipient: SurveyRecipient
    /// The main score; nil when skipped (then it counts toward the response rate, not the score).
    @OptionalField(key: "score") var score: Int?
    @Field(key: "reason") var reason: String
    /// Extra answers as JSON (`[String: SurveyAnswer]` by question id).
    @Field(key: "answers") var answersJSON: String
    @OptionalField(key: "sentiment") var sentiment: Double?
    /// The phrases that drove the sentiment of the reason, as JSON (`[Sentiment.Driver]`).
    @Field(key: "drivers") var driversJSON: String
    @Field(key: "submitted_at") var submittedAt: Date

    init() {}

    var answers: [String: SurveyAnswer] {
        (try? JSONDecoder().decode([String: SurveyAnswer].self, from: Data(answersJSON.utf8))) ?? [:]
    }
}
