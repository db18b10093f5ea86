import Fluent
import Foundation

final class Testimonial: Model, @unchecked Sendable {
    static let schema = "testimonials"

    @ID(key: .id) var id: UUID?
    @Parent(key: "author_organization_id") var author: Organization
    @Parent(key: "subject_organization_id") var subject: Organization
    /// The partnership in which the subject delivered work to the author: what entitles the author to speak.
    @Parent(key: "partnership_id") var partnership: Partnership
    @Field(key: "text") var text: String
    @Field(key: "sentiment") var sentiment: Double
    @Field(key: "drivers") var drivers: String
    @Parent(key: "written_by") var writtenBy: User
    @Field(key: "written_at") var writtenAt: Date

    init() {}
}
