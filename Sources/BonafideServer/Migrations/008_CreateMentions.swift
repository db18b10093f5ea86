import Fluent
import SQLKit

struct CreateMentions: AsyncMigration {
    var name: String { "008_CreateMentions" }

    func prepare(on database: any Database) async throws {
        try await database.schema("mention_feeds")
            .id()
            .field("organization_id", .uuid, .required, .references("organizations", "id"))
            .field("url", .string, .required)
            .field("brand", .string, .required)
            .field("partner_organization_id", .uuid, .references("organizations", "id"))
            .field("keywords", .string, .required)
            .field("etag", .string)
            .field("last_modified", .string)
            .field("last_polled_at", .datetime)
            .field("last_status", .string, .required)
            .field("created_by", .uuid, .required, .references("users", "id"))
            .field("created_at", .datetime, .required)
            .unique(on: "organization_id", "url")
            .create()
        try await database.schema("mentions")
            .id()
            .field("organization_id", .uuid, .required, .references("organizations", "id"))
            .field("brand", .string, .required)
            .field("brand_key", .string, .required)
            .field("partner_organization_id", .uuid, .references("organizations", "id"))
            .field("source", .string, .required)
            .field("feed_id", .uuid, .references("mention_feeds", "id", onDelete: .setNull))
            .field("url", .string, .required)
            .field("title", .string, .required)
            .field("text", .string, .required)
            .field("author", .string, .required)
            .field("published_at", .datetime, .required)
            .field("imported_at", .datetime, .required)
            .field("sentiment", .double, .required)
            .field("drivers", .string, .required)
            // A hash of the link, the feed's id for the item, or the text: the same mention is kept once.
            .field("dedupe_key", .string, .required)
            .unique(on: "organization_id", "dedupe_key")
            .create()
        try await database.schema("mention_alerts")
            .id()
            .field("organization_id", .uuid, .required, .references("organizations", "id"))
            .field("brand", .string, .required)
            .field("brand_key", .string, .required)
            .field("week_start", .datetime, .required)
            .field("mean", .double, .required)
            .field("n", .int, .required)
            .field("baseline_mean", .double, .required)
            .field("baseline_n", .int, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "organization_id", "brand_key", "week_start")
            .create()
        // Sentiment of partnership messages is opt-in per organization.
        try await database.schema("organizations")
            .field("message_sentiment", .bool, .required, .sql(.default(false)))
            .update()
        // One column per statement: SQLite adds columns one at a time.
        try await database.schema("messages").field("sentiment", .double).update()
        try await database.schema("messages").field("sentiment_drivers", .string).update()
        if let sql = database as? any SQLDatabase {
            try await sql.raw("CREATE INDEX mentions_brand_time ON mentions (organization_id, brand_key, published_at)").run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema("messages").deleteField("sentiment_drivers").update()
        try await database.schema("messages").deleteField("sentiment").update()
        try await database.schema("organizations").deleteField("message_sentiment").update()
        for table in ["mention_alerts", "mentions", "mention_feeds"] { try await database.schema(table).delete() }
    }
}
