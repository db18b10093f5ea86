import BonafideCore
import Fluent
import Foundation

/// One version of a partnership's agreement; versions are only ever added.
final class AgreementVersion: Model, @unchecked Sendable {
    static let schema = "agreement_versions"

    @ID(key: .id) var id: UUID?
    @Parent(key: "partnership_id") var partnership: Partnership
    @Field(key: "version") var version: Int
    @Field(key: "text") var text: String
    @Parent(key: "author_id") var author: User
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    init(partnershipID: UUID, version: Int, text: String, authorID: UUID) {
        self.$partnership.id = partnershipID
        self.version = version
        self.text = text
        self.$author.id = authorID
    }
}
