import Fluent
import Foundation
import SQLKit

/// The rows a pair's evidence is made of, read as plain values of only the columns it uses. The background recompute
/// gathers evidence for every queued pair: as Fluent models each statement listed every column of its table and
/// every row was decoded by reflection, which cost more than the statements themselves.
extension TrustService {
    /// A partnership between the viewer and the subject, as evidence reads it.
    struct SharedPartnership: Decodable, Sendable {
        var id: UUID
        var name: String
        var status: PartnershipStatus
        var createdAt: Date?

        enum CodingKeys: String, CodingKey {
            case id, name, status
            case createdAt = "created_at"
        }
    }

    /// The partnerships of the two, either side having opened it: `Partnerships.between` without the models.
    static func sharedPartnerships(_ a: UUID, _ b: UUID, on db: any Database) async throws -> [SharedPartnership] {
        try await db.sql().select().columns("id", "name", "status", "created_at").from(Partnership.schema)
            .where { $0.where("organization_id", .equal, SQLBind(a)).where("partner_organization_id", .equal, SQLBind(b)) }
            .orWhere { $0.where("organization_id", .equal, SQLBind(b)).where("partner_organization_id", .equal, SQLBind(a)) }
            .all(decoding: SharedPartnership.self)
    }

    /// A commitment the viewer sent back, and why.
    struct SendBackFacts: Decodable {
        var commitmentID: UUID?
        var reason: String?
        var createdAt: Date

        enum CodingKeys: String, CodingKey {
            case commitmentID = "commitment_id", reason
            case createdAt = "created_at"
        }
    }

    static func sendBackFacts(in partnerships: [UUID], on db: any Database) async throws -> [SendBackFacts] {
        try await db.sql().select().columns("commitment_id", "reason", "created_at").from(PartnershipEvent.schema)
            .where("partnership_id", .in, SQLBind.group(partnerships)).where("kind", .equal, SQLBind("commitment.sendBack"))
            .all(decoding: SendBackFacts.self)
    }

    /// One of the viewer's ratings of the subject, with the name of the person who gave it.
    struct RatingFacts: Decodable {
        var rating: Int
        var comment: String
        var createdAt: Date
        var authorName: String

        enum CodingKeys: String, CodingKey {
            case rating, comment
            case createdAt = "created_at", authorName = "name"
        }
    }

    static func ratingFacts(by viewer: UUID, of subject: UUID, on db: any Database) async throws -> [RatingFacts] {
        try await db.sql().select().column(SQLColumn("rating", table: "r")).column(SQLColumn("comment", table: "r"))
            .column(SQLColumn("created_at", table: "r")).column(SQLColumn("name", table: "u"))
            .from(SQLAlias(SQLIdentifier(TrustRating.schema), as: SQLIdentifier("r")))
            .join(
                SQLAlias(SQLIdentifier(User.schema), as: SQLIdentifier("u")), on: SQLColumn("id", table: "u"), .equal,
                SQLColumn("author_id", table: "r")
            )
            .where(SQLColumn("rater_organization_id", table: "r"), .equal, SQLBind(viewer))
            .where(SQLColumn("subject_organization_id", table: "r"), .equal, SQLBind(subject))
            .all(decoding: RatingFacts.self)
    }

    /// Where the viewer keeps the subject in its circles.
    struct PlacementFacts: Decodable {
        var circle: Circle
        var note: String
        var placedAt: Date

        enum CodingKeys: String, CodingKey {
            case circle, note
            case placedAt = "placed_at"
        }
    }

    static func placementFacts(of member: UUID, by organization: UUID, on db: any Database) async throws -> PlacementFacts? {
        try await db.sql().select().columns("circle", "note", "placed_at").from(CirclePlacement.schema)
            .where("organization_id", .equal, SQLBind(organization)).where("member_id", .equal, SQLBind(member))
            .first(decoding: PlacementFacts.self)
    }

    /// The viewer's testimonial of the subject: its text and tone.
    struct TestimonialFacts: Decodable {
        var text: String
        var sentiment: Double
        var writtenAt: Date

        enum CodingKeys: String, CodingKey {
            case text, sentiment
            case writtenAt = "written_at"
        }
    }

    static func testimonialFacts(by author: UUID, of subject: UUID, on db: any Database) async throws -> TestimonialFacts? {
        try await db.sql().select().columns("text", "sentiment", "written_at").from(Testimonial.schema)
            .where("author_organization_id", .equal, SQLBind(author)).where("subject_organization_id", .equal, SQLBind(subject))
            .first(decoding: TestimonialFacts.self)
    }

    /// An answer of one of the viewer's people to one of the subject's surveys, with the survey and who answered.
    struct SurveyAnswerFacts: Decodable {
        var kind: SurveyKind
        var title: String
        var name: String
        var email: String
        var score: Int?
        var reason: String
        var submittedAt: Date

        enum CodingKeys: String, CodingKey {
            case kind, title, name, email, score, reason
            case submittedAt = "submitted_at"
        }
    }

    /// Responses joined with their recipient (who answered, for the viewer) and their survey (the subject's): one
    /// statement where the models took three.
    static func surveyAnswerFacts(by viewer: UUID, about subject: UUID, on db: any Database) async throws -> [SurveyAnswerFacts] {
        try await db.sql().select().column(SQLColumn("kind", table: "s")).column(SQLColumn("title", table: "s"))
            .column(SQLColumn("name", table: "p")).column(SQLColumn("email", table: "p")).column(SQLColumn("score", table: "r"))
            .column(SQLColumn("reason", table: "r")).column(SQLColumn("submitted_at", table: "r"))
            .from(SQLAlias(SQLIdentifier(SurveyResponse.schema), as: SQLIdentifier("r")))
            .join(
                SQLAlias(SQLIdentifier(SurveyRecipient.schema), as: SQLIdentifier("p")), on: SQLColumn("id", table: "p"), .equal,
                SQLColumn("recipient_id", table: "r")
            )
            .join(
                SQLAlias(SQLIdentifier(Survey.schema), as: SQLIdentifier("s")), on: SQLColumn("id", table: "s"), .equal,
                SQLColumn("survey_id", table: "r")
            )
            .where(SQLColumn("organization_id", table: "s"), .equal, SQLBind(subject))
            // The recipient was asked in that same survey (the models read the subject's surveys' recipients).
            .where(SQLColumn("survey_id", table: "p"), .equal, SQLColumn("survey_id", table: "r"))
            .where(SQLColumn("partner_organization_id", table: "p"), .equal, SQLBind(viewer))
            .where(SQLColumn("responded_at", table: "p"), .isNot, SQLLiteral.null)
            .all(decoding: SurveyAnswerFacts.self)
    }

    /// The subject's name, for the assessment: all `assess` read of its organization.
    static func organizationName(_ id: UUID, on db: any Database) async throws -> String? {
        struct Row: Decodable { var name: String }
        return try await db.sql().select().column("name").from(Organization.schema).where("id", .equal, SQLBind(id))
            .first(decoding: Row.self)?.name
    }

    /// The newest stored assessment of the pair, read from its report alone (the recompute compares the fresh one
    /// with it and needs nothing else of the snapshot).
    static func latestAssessment(viewer: UUID, subject: UUID, on db: any Database) async throws -> Assessment? {
        struct Row: Decodable { var report: String }
        guard
            let row = try await db.sql().select().column("report").from(TrustSnapshot.schema)
                .where("viewer_organization_id", .equal, SQLBind(viewer)).where("subject_organization_id", .equal, SQLBind(subject))
                .orderBy("computed_at", .descending).first(decoding: Row.self)
        else { return nil }
        return try? decoder.decode(Assessment.self, from: Data(row.report.utf8))
    }
}
