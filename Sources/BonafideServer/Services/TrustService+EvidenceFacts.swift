import Fluent
import Foundation
import SQLKit

/// The rows a pair's evidence is made of, read as plain values of only the columns it uses. The background recompute
/// gathers evidence for every queued pair: as Fluent models each statement listed every column of its table and
/// every row was decoded by reflection, which cost more than the statements themselves. Each is read column by column
/// (`init(row:)`, `SQLRow+Columns`): through `all(decoding:)`'s `SQLRowDecoder`, the messages' facts alone were a
/// thirtieth of the CPU of posting messages, whose trust recomputes run beside them.
extension TrustService {
    /// A partnership between the viewer and the subject, as evidence reads it.
    struct SharedPartnership: Sendable {
        var id: UUID
        var organization: UUID
        var partner: UUID?
        var name: String
        var status: PartnershipStatus
        var createdAt: Date?

        /// Reads the columns `sharedPartnershipColumns` selects, each with one call to the driver (two when it may be
        /// NULL).
        init(row: any SQLRow) throws {
            id = try row.decodeUUID(column: "id")
            organization = try row.decodeUUID(column: "organization_id")
            partner = try row.decodeUUIDIfPresent(column: "partner_organization_id")
            name = try row.decode(column: "name", as: String.self)
            status = try row.decodeRawValue(column: "status", as: PartnershipStatus.self)
            createdAt = try row.decodeIfPresent(column: "created_at", as: Date.self)
        }

        /// Both directions between its two sides: whichever opened it, it is shared by each pair of them.
        var pairs: [Pair] {
            guard let partner else { return [] }
            return [Pair(viewer: organization, subject: partner), Pair(viewer: partner, subject: organization)]
        }
    }

    static let sharedPartnershipColumns = ["id", "organization_id", "partner_organization_id", "name", "status", "created_at"]

    /// The partnerships of the two, either side having opened it: `Partnerships.between` without the models.
    static func sharedPartnerships(_ a: UUID, _ b: UUID, on db: any Database) async throws -> [SharedPartnership] {
        try await db.sql().select().columns(sharedPartnershipColumns).from(Partnership.schema)
            .where { $0.where("organization_id", .equal, SQLBind(a)).where("partner_organization_id", .equal, SQLBind(b)) }
            .orWhere { $0.where("organization_id", .equal, SQLBind(b)).where("partner_organization_id", .equal, SQLBind(a)) }
            .all().map(SharedPartnership.init(row:))
    }

    /// The same for many pairs: the partnerships between any two of their organizations, kept for the pairs asked.
    static func sharedPartnerships(for pairs: [Pair], on db: any Database) async throws -> [Pair: [SharedPartnership]] {
        // 125 pairs name at most 250 organizations, bound in two lists.
        try await rows(of: pairs, perStatement: 125, belongingTo: { (p: SharedPartnership) in p.pairs }) {
            (slice: [Pair]) -> [SharedPartnership] in
            let organizations: [UUID] = Array(Set(slice.flatMap { [$0.viewer, $0.subject] }))
            return try await db.sql().select().columns(sharedPartnershipColumns).from(Partnership.schema)
                .where("organization_id", .in, SQLBind.group(organizations))
                .where("partner_organization_id", .in, SQLBind.group(organizations))
                .all().map(SharedPartnership.init(row:))
        }
    }

    /// A commitment the viewer sent back, and why.
    struct SendBackFacts {
        var partnership: UUID
        var commitmentID: UUID?
        var reason: String?
        var createdAt: Date

        init(row: any SQLRow) throws {
            partnership = try row.decodeUUID(column: "partnership_id")
            commitmentID = try row.decodeUUIDIfPresent(column: "commitment_id")
            reason = try row.decodeIfPresent(column: "reason", as: String.self)
            createdAt = try row.decode(column: "created_at", as: Date.self)
        }
    }

    /// Sliced: a batch asks for all its pairs' partnerships at once.
    static func sendBackFacts(in partnerships: [UUID], on db: any Database) async throws -> [SendBackFacts] {
        try await rows(in: partnerships) { (slice: [UUID]) -> [SendBackFacts] in
            try await db.sql().select().columns("partnership_id", "commitment_id", "reason", "created_at").from(PartnershipEvent.schema)
                .where("partnership_id", .in, SQLBind.group(slice)).where("kind", .equal, SQLBind("commitment.sendBack"))
                .all().map(SendBackFacts.init(row:))
        }
    }

    /// One of the viewer's ratings of the subject, with the name of the person who gave it.
    struct RatingFacts {
        var rater: UUID
        var subject: UUID
        var rating: Int
        var comment: String
        var createdAt: Date
        var authorName: String

        init(row: any SQLRow) throws {
            rater = try row.decodeUUID(column: "rater_organization_id")
            subject = try row.decodeUUID(column: "subject_organization_id")
            rating = try row.decode(column: "rating", as: Int.self)
            comment = try row.decode(column: "comment", as: String.self)
            createdAt = try row.decode(column: "created_at", as: Date.self)
            authorName = try row.decode(column: "name", as: String.self)
        }
    }

    static func ratingFacts(by viewer: UUID, of subject: UUID, on db: any Database) async throws -> [RatingFacts] {
        try await ratingQuery(on: db).where(SQLColumn("rater_organization_id", table: "r"), .equal, SQLBind(viewer))
            .where(SQLColumn("subject_organization_id", table: "r"), .equal, SQLBind(subject))
            .all().map(RatingFacts.init(row:))
    }

    static func ratingFacts(for pairs: [Pair], on db: any Database) async throws -> [Pair: [RatingFacts]] {
        try await rows(of: pairs, belongingTo: { (r: RatingFacts) in [Pair(viewer: r.rater, subject: r.subject)] }) {
            (slice: [Pair]) -> [RatingFacts] in
            try await ratingQuery(on: db)
                .where(SQLColumn("rater_organization_id", table: "r"), .in, SQLBind.group(viewerIDs(of: slice)))
                .where(SQLColumn("subject_organization_id", table: "r"), .in, SQLBind.group(subjectIDs(of: slice)))
                .all().map(RatingFacts.init(row:))
        }
    }

    private static func ratingQuery(on db: any Database) throws -> SQLSelectBuilder {
        try db.sql().select().column(SQLColumn("rater_organization_id", table: "r")).column(
            SQLColumn("subject_organization_id", table: "r")
        )
        .column(SQLColumn("rating", table: "r")).column(SQLColumn("comment", table: "r"))
        .column(SQLColumn("created_at", table: "r")).column(SQLColumn("name", table: "u"))
        .from(SQLAlias(SQLIdentifier(TrustRating.schema), as: SQLIdentifier("r")))
        .join(
            SQLAlias(SQLIdentifier(User.schema), as: SQLIdentifier("u")), on: SQLColumn("id", table: "u"), .equal,
            SQLColumn("author_id", table: "r")
        )
    }

    /// Where the viewer keeps the subject in its circles.
    struct PlacementFacts {
        var organization: UUID
        var member: UUID
        var circle: Circle
        var note: String
        var placedAt: Date

        init(row: any SQLRow) throws {
            organization = try row.decodeUUID(column: "organization_id")
            member = try row.decodeUUID(column: "member_id")
            circle = try row.decodeRawValue(column: "circle", as: Circle.self)
            note = try row.decode(column: "note", as: String.self)
            placedAt = try row.decode(column: "placed_at", as: Date.self)
        }
    }

    static let placementColumns = ["organization_id", "member_id", "circle", "note", "placed_at"]

    static func placementFacts(of member: UUID, by organization: UUID, on db: any Database) async throws -> PlacementFacts? {
        try await db.sql().select().columns(placementColumns).from(CirclePlacement.schema)
            .where("organization_id", .equal, SQLBind(organization)).where("member_id", .equal, SQLBind(member))
            .first().map(PlacementFacts.init(row:))
    }

    /// Where each viewer keeps its subject (one placement at most: organization and member are unique together).
    static func placementFacts(for pairs: [Pair], on db: any Database) async throws -> [Pair: PlacementFacts] {
        try await rows(of: pairs, belongingTo: { (p: PlacementFacts) in [Pair(viewer: p.organization, subject: p.member)] }) {
            (slice: [Pair]) -> [PlacementFacts] in
            try await db.sql().select().columns(placementColumns).from(CirclePlacement.schema)
                .where("organization_id", .in, SQLBind.group(viewerIDs(of: slice)))
                .where("member_id", .in, SQLBind.group(subjectIDs(of: slice)))
                .all().map(PlacementFacts.init(row:))
        }
        .compactMapValues { $0.first }
    }

    /// The viewer's testimonial of the subject: its text and tone.
    struct TestimonialFacts {
        var author: UUID
        var subject: UUID
        var text: String
        var sentiment: Double
        var writtenAt: Date

        init(row: any SQLRow) throws {
            author = try row.decodeUUID(column: "author_organization_id")
            subject = try row.decodeUUID(column: "subject_organization_id")
            text = try row.decode(column: "text", as: String.self)
            sentiment = try row.decode(column: "sentiment", as: Double.self)
            writtenAt = try row.decode(column: "written_at", as: Date.self)
        }
    }

    static let testimonialColumns = ["author_organization_id", "subject_organization_id", "text", "sentiment", "written_at"]

    static func testimonialFacts(by author: UUID, of subject: UUID, on db: any Database) async throws -> TestimonialFacts? {
        try await db.sql().select().columns(testimonialColumns).from(Testimonial.schema)
            .where("author_organization_id", .equal, SQLBind(author)).where("subject_organization_id", .equal, SQLBind(subject))
            .first().map(TestimonialFacts.init(row:))
    }

    /// Each viewer's testimonial of its subject (one at most: author and subject are unique together).
    static func testimonialFacts(for pairs: [Pair], on db: any Database) async throws -> [Pair: TestimonialFacts] {
        try await rows(of: pairs, belongingTo: { (t: TestimonialFacts) in [Pair(viewer: t.author, subject: t.subject)] }) {
            (slice: [Pair]) -> [TestimonialFacts] in
            try await db.sql().select().columns(testimonialColumns).from(Testimonial.schema)
                .where("author_organization_id", .in, SQLBind.group(viewerIDs(of: slice)))
                .where("subject_organization_id", .in, SQLBind.group(subjectIDs(of: slice)))
                .all().map(TestimonialFacts.init(row:))
        }
        .compactMapValues { $0.first }
    }

    /// An answer of one of the viewer's people to one of the subject's surveys, with the survey and who answered.
    struct SurveyAnswerFacts {
        var viewer: UUID?
        var subject: UUID
        var kind: SurveyKind
        var title: String
        var name: String
        var email: String
        var score: Int?
        var reason: String
        var submittedAt: Date

        init(row: any SQLRow) throws {
            viewer = try row.decodeUUIDIfPresent(column: "partner_organization_id")
            subject = try row.decodeUUID(column: "organization_id")
            kind = try row.decodeRawValue(column: "kind", as: SurveyKind.self)
            title = try row.decode(column: "title", as: String.self)
            name = try row.decode(column: "name", as: String.self)
            email = try row.decode(column: "email", as: String.self)
            score = try row.decodeIfPresent(column: "score", as: Int.self)
            reason = try row.decode(column: "reason", as: String.self)
            submittedAt = try row.decode(column: "submitted_at", as: Date.self)
        }
    }

    /// Responses joined with their recipient (who answered, for the viewer) and their survey (the subject's): one
    /// statement where the models took three.
    static func surveyAnswerFacts(by viewer: UUID, about subject: UUID, on db: any Database) async throws -> [SurveyAnswerFacts] {
        try await surveyAnswerQuery(on: db).where(SQLColumn("organization_id", table: "s"), .equal, SQLBind(subject))
            .where(SQLColumn("partner_organization_id", table: "p"), .equal, SQLBind(viewer))
            .all().map(SurveyAnswerFacts.init(row:))
    }

    static func surveyAnswerFacts(for pairs: [Pair], on db: any Database) async throws -> [Pair: [SurveyAnswerFacts]] {
        try await rows(
            of: pairs, belongingTo: { (a: SurveyAnswerFacts) in a.viewer.map { [Pair(viewer: $0, subject: a.subject)] } ?? [] }
        ) { (slice: [Pair]) -> [SurveyAnswerFacts] in
            try await surveyAnswerQuery(on: db)
                .where(SQLColumn("organization_id", table: "s"), .in, SQLBind.group(subjectIDs(of: slice)))
                .where(SQLColumn("partner_organization_id", table: "p"), .in, SQLBind.group(viewerIDs(of: slice)))
                .all().map(SurveyAnswerFacts.init(row:))
        }
    }

    private static func surveyAnswerQuery(on db: any Database) throws -> SQLSelectBuilder {
        try db.sql().select().column(SQLColumn("partner_organization_id", table: "p")).column(SQLColumn("organization_id", table: "s"))
            .column(SQLColumn("kind", table: "s")).column(SQLColumn("title", table: "s"))
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
            // The recipient was asked in that same survey (the models read the subject's surveys' recipients).
            .where(SQLColumn("survey_id", table: "p"), .equal, SQLColumn("survey_id", table: "r"))
            .where(SQLColumn("responded_at", table: "p"), .isNot, SQLLiteral.null)
    }

    /// The subject's name, for the assessment: all `assess` read of its organization.
    static func organizationName(_ id: UUID, on db: any Database) async throws -> String? {
        struct Row: Decodable { var name: String }
        return try await db.sql().select().column("name").from(Organization.schema).where("id", .equal, SQLBind(id))
            .first(decoding: Row.self)?.name
    }

    /// Many subjects' names at once, for a batch's assessments.
    static func organizationNames(_ ids: [UUID], on db: any Database) async throws -> [UUID: String] {
        struct Row: Decodable { var id: UUID; var name: String }
        let found = try await rows(in: ids) { (slice: [UUID]) -> [Row] in
            try await db.sql().select().columns("id", "name").from(Organization.schema).where("id", .in, SQLBind.group(slice))
                .all(decoding: Row.self)
        }
        return Dictionary(found.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
    }

    /// The newest stored assessment of the pair, read from its report alone (the recompute compares the fresh one
    /// with it and needs nothing else of the snapshot).
    static func latestAssessment(viewer: UUID, subject: UUID, on db: any Database) async throws -> Assessment? {
        struct Row: Decodable { var report: String }
        let sql = try db.sql()
        guard
            let row = try await sql.select().column("report").from(TrustSnapshot.schema)
                .where("viewer_organization_id", .equal, SQLBind(viewer)).where("subject_organization_id", .equal, SQLBind(subject))
                .orderBy("computed_at", .descending).orderBy(storedLastFirst(db)).first(decoding: Row.self)
        else { return nil }
        return try? decoder.decode(Assessment.self, from: Data(row.report.utf8))
    }

    /// The newest stored assessment of each pair, as `latestAssessment` reads it (the same order, ties included), in
    /// one statement for up to 250 pairs where each pair took one: a subquery per pair finds its newest snapshot by
    /// the index, and only those reports are sent (a window over the pairs' whole history would read every one).
    static func latestAssessments(of pairs: [Pair], on db: any Database) async throws -> [Pair: Assessment] {
        struct Row: Decodable {
            var viewer: UUID
            var subject: UUID
            var report: String
        }
        let sql = try db.sql()
        let tie = storedLastFirst(db)
        let newest = try await rows(of: pairs, belongingTo: { (r: Row) in [Pair(viewer: r.viewer, subject: r.subject)] }) {
            (slice: [Pair]) -> [Row] in
            let ids: [any SQLExpression] = slice.map { pair in
                SQLQueryString(
                    """
                    (SELECT id FROM \(ident: TrustSnapshot.schema)
                     WHERE viewer_organization_id = \(bind: pair.viewer) AND subject_organization_id = \(bind: pair.subject)
                     ORDER BY computed_at DESC, \(tie) LIMIT 1)
                    """)
            }
            let read: SQLQueryString = """
                SELECT viewer_organization_id AS viewer, subject_organization_id AS subject, report FROM \(ident: TrustSnapshot.schema)
                WHERE id IN (\(SQLList(ids)))
                """
            return try await sql.raw(read).all(decoding: Row.self)
        }
        return newest.compactMapValues { rows in rows.first.flatMap { try? decoder.decode(Assessment.self, from: Data($0.report.utf8)) } }
    }

    /// How a pair's snapshots stored in the same instant (a clock held still: tests, the demo) are ordered after
    /// `computed_at DESC`: the one stored last first, so a recompute compares itself with what it stored last and not
    /// with an older snapshot for ever. SQLite numbers rows as they are inserted (the rowid, which its index on
    /// computed_at already ends in). PostgreSQL's row place (ctid) is not that order when a page left with room takes
    /// a later row, so there the inserting transaction decides first (xmin; transaction ids wrap after four billion,
    /// and no wrap falls inside one instant), then the place, for rows of one statement.
    static func storedLastFirst(_ db: any Database) -> SQLRaw {
        (db as? any SQLDatabase)?.dialect.name == "postgresql" ? SQLRaw("xmin::text::bigint DESC, ctid DESC") : SQLRaw("rowid DESC")
    }
}
