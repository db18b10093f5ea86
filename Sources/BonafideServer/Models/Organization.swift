import Fluent
import Foundation

// Fluent models are reference types with property wrappers the compiler cannot check for
// sendability; each instance is confined to one request's task, hence @unchecked.
final class Organization: Model, @unchecked Sendable {
    static let schema = "organizations"

    @ID(key: .id) var id: UUID?
    @Field(key: "name") var name: String
    @Field(key: "description") var description: String
    @Field(key: "capabilities") var capabilities: [String]
    @Field(key: "limitations") var limitations: [String]
    @Field(key: "risks") var risks: [String]
    @Field(key: "time_zone") var timeZone: String
    @Field(key: "languages") var languages: [String]
    @Field(key: "work_start_minute") var workStartMinute: Int
    @Field(key: "work_end_minute") var workEndMinute: Int
    @Field(key: "work_days") var workDays: [Int]
    /// Whether the tone of partnership messages is analysed for this organization's people (opt-in).
    @Field(key: "message_sentiment") var messageSentiment: Bool
    /// Members must sign in with a second factor (TOTP or a passkey); set by owners.
    @Field(key: "require_two_factor") var requireTwoFactor: Bool
    /// Who may see the status page (`StatusPageVisibility`); "off" until its owners choose.
    @Field(key: "status_page") var statusPageText: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    init(name: String, timeZone: String) {
        self.name = name
        self.description = ""
        self.capabilities = []
        self.limitations = []
        self.risks = []
        self.timeZone = timeZone
        self.languages = []
        self.workStartMinute = 9 * 60
        self.workEndMinute = 17 * 60
        self.workDays = [1, 2, 3, 4, 5]
        self.messageSentiment = false
        self.requireTwoFactor = false
        self.statusPageText = StatusPageVisibility.off.rawValue
    }
}
