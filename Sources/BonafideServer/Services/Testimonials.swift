import BonafideCore
import Fluent
import Foundation

/// What an organization says of a partner, public on the partner's profile. Only a real, completed piece of work
/// entitles one to write it: a commitment the partner owned, delivered and the author accepted as complete. One
/// testimonial per author and partner (writing again replaces it); it is scored for sentiment, with its drivers,
/// and counts as credibility evidence by its tone.
enum Testimonials {
    static let minimumLength = 20
    static let maximumLength = 2_000

    struct Entry: Sendable {
        var id: UUID
        var authorID: UUID
        var authorName: String
        var subjectID: UUID
        var text: String
        var sentiment: Double
        var drivers: [Sentiment.Driver]
        var writtenBy: String
        var writtenAt: Date
        var basis: String
    }

    @discardableResult
    static func write(about subject: UUID, text raw: String, by actor: Actor, at now: Date = Date(), on db: any Database)
        async throws -> Testimonial
    {
        let text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.count >= minimumLength, text.count <= maximumLength else {
            throw Problem.invalid(
                "text", "A testimonial has \(minimumLength) to \(maximumLength) characters: say what they did and how it went.")
        }
        guard subject != actor.organizationID else {
            throw Problem(.unprocessableEntity, "You cannot write a testimonial for your own organization.")
        }
        guard try await Organization.find(subject, on: db) != nil else { throw Problem.notFound("organization") }
        let basis = try await Policy.testimonialBasis(author: actor, subject: subject, on: db)
        let sentiment = SentimentAnalyzer.shared.analyze(text, drivers: true)
        return try await db.writeTransaction { tx in
            let t =
                try await Testimonial.query(on: tx).filter(\.$author.$id == actor.organizationID).filter(\.$subject.$id == subject)
                .first() ?? Testimonial()
            if t.id != nil {
                try Policy.changeTestimonial(t, by: actor)
                // Passports count a testimonial by its last record in one log: moving to another log ends it in the old.
                if t.$partnership.id != basis.id! {
                    try await Passports.record(t, authorName: "", withdrawn: true, at: now, on: tx)
                }
            }
            t.$author.id = actor.organizationID
            t.$subject.id = subject
            t.$partnership.id = basis.id!
            t.text = text
            t.sentiment = sentiment.score
            t.drivers = StoredDrivers.json(sentiment.drivers)
            t.$writtenBy.id = actor.id
            t.writtenAt = now
            try await t.save(on: tx)
            let authorName = try await Organization.find(actor.organizationID, on: tx)?.name ?? ""
            try await Passports.record(t, authorName: authorName, withdrawn: false, at: now, on: tx)
            try await TrustService.enqueue(viewer: actor.organizationID, subject: subject, at: now, on: tx)
            return t
        }
    }

    /// Withdraws the actor's organization's testimonial about the subject; true when there was one.
    @discardableResult
    static func withdraw(about subject: UUID, by actor: Actor, at now: Date = Date(), on db: any Database) async throws -> Bool {
        try await db.writeTransaction { tx in
            guard
                let t = try await Testimonial.query(on: tx).filter(\.$author.$id == actor.organizationID)
                    .filter(\.$subject.$id == subject).first()
            else { return false }
            try Policy.changeTestimonial(t, by: actor)
            try await Passports.record(t, authorName: "", withdrawn: true, at: now, on: tx)
            try await t.delete(on: tx)
            try await TrustService.enqueue(viewer: actor.organizationID, subject: subject, at: now, on: tx)
            return true
        }
    }

    /// Testimonials about an organization, newest first.
    static func about(_ subject: UUID, on db: any Database) async throws -> [Entry] {
        entries(
            try await Testimonial.query(on: db).filter(\.$subject.$id == subject).with(\.$author).with(\.$writtenBy)
                .with(\.$partnership).sort(\.$writtenAt, .descending).limit(200).all())
    }

    static func entry(_ id: UUID, on db: any Database) async throws -> Entry? {
        entries(try await Testimonial.query(on: db).filter(\.$id == id).with(\.$author).with(\.$writtenBy).with(\.$partnership).all()).first
    }

    private static func entries(_ rows: [Testimonial]) -> [Entry] {
        // The partnership itself is private to its members: only when the work began is shown.
        rows.map { t in
            Entry(
                id: t.id!, authorID: t.$author.id, authorName: t.author.name, subjectID: t.$subject.id, text: t.text,
                sentiment: t.sentiment,
                drivers: StoredDrivers.decode(t.drivers), writtenBy: t.writtenBy.name, writtenAt: t.writtenAt,
                basis: "Completed work together since \((t.partnership.createdAt ?? t.writtenAt).formatted(.dateTime.month(.wide).year()))")
        }
    }
}
