import Fluent
import Foundation

final class TrustSnapshot: Model, @unchecked Sendable {
    static let schema = "trust_snapshots"

    @ID(key: .id) var id: UUID?
    @Parent(key: "viewer_organization_id") var viewer: Organization
    @Parent(key: "subject_organization_id") var subject: Organization
    @Field(key: "computed_at") var computedAt: Date
    @Field(key: "expectation") var expectation: Double
    @Field(key: "uncertainty") var uncertainty: Double
    /// The whole assessment (components, explanation, network figures) as JSON, as served.
    @Field(key: "report") var report: String

    init() {}
}
