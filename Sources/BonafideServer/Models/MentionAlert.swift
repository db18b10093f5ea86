import BonafideCore
import Fluent
import Foundation

/// A week in which a brand's mean sentiment fell clearly below the four weeks before it.
final class MentionAlert: Model, @unchecked Sendable {
    static let schema = "mention_alerts"

    @ID(key: .id) var id: UUID?
    @Parent(key: "organization_id") var organization: Organization
    @Field(key: "brand") var brand: String
    @Field(key: "brand_key") var brandKey: String
    @Field(key: "week_start") var weekStart: Date
    @Field(key: "mean") var mean: Double
    @Field(key: "n") var n: Int
    @Field(key: "baseline_mean") var baselineMean: Double
    @Field(key: "baseline_n") var baselineN: Int
    @Field(key: "created_at") var createdAt: Date

    init() {}
}
