import BonafideCore
import Fluent
import Foundation

/// Questions at an event: asked by those registered (through their account or their personal link) before and
/// during the event, upvoted once per registration, answered by the organizer, the answers kept with them.
extension Events {
    static let maxQuestion = 500
    static let maxAnswer = 4_000
    /// Questions listed for one event; more than this is no longer a Q&A anyone reads.
    static let maxQuestionsListed = 500

    struct Question: Sendable {
        var id: UUID
        var eventID: UUID
        var text: String
        var votes: Int
        /// The asker's name, for the organizer's people only.
        var askedBy: String?
        /// Asked through the viewer's own registration.
        var mine: Bool
        var votedByYou: Bool
        var answer: String?
        var answeredAt: Date?
        var createdAt: Date
    }

    /// The questions, most votes first, then the oldest first. Anyone who may see the event reads them; the
    /// organizer's people also see who asked.
    static func questions(_ id: UUID?, for viewer: Participant?, on db: any Database) async throws -> [Question] {
        guard let viewer else {
            return try await questions(of: try await visibleEvent(id, for: .anyone, on: db), registration: nil, organizer: false, on: db)
        }
        let (event, registration) = try await participant(viewer, in: id, on: db)
        var organizer = false
        if case .person(let actor) = viewer { organizer = actor.organizationID == event.$organization.id }
        return try await questions(of: event, registration: registration, organizer: organizer, on: db)
    }

    static func questions(of event: LiveEvent, registration: EventRegistration?, organizer: Bool, on db: any Database) async throws
        -> [Question]
    {
        let rows = try await EventQuestion.query(on: db).filter(\.$event.$id == event.id!).with(\.$registration)
            .sort(\.$votes, .descending).sort(\.$createdAt).sort(\.$id).limit(maxQuestionsListed).all()
        var voted: Set<UUID> = []
        if let own = registration?.id, !rows.isEmpty {
            voted = Set(
                try await EventQuestionVote.query(on: db).filter(\.$registration.$id == own).filter(
                    \.$question.$id ~~ rows.compactMap(\.id)
                )
                .all(\.$question.$id))
        }
        return rows.map { q in
            question(
                q, askedBy: organizer ? q.registration.name : nil, mine: registration?.id == q.$registration.id,
                votedByYou: voted.contains(q.id!))
        }
    }

    /// A question from someone registered, before the event ends.
    static func ask(_ id: UUID?, text raw: String, as participant: Participant, at now: Date = Date(), on db: any Database) async throws
        -> Question
    {
        let (event, found) = try await self.participant(participant, in: id, on: db)
        let text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...maxQuestion).contains(text.length) else {
            throw Problem.invalid("text", "A question has 1 to \(maxQuestion) characters.")
        }
        guard let found, found.cancelledAt == nil else { throw Problem(.forbidden, "Register for the event to ask a question.") }
        return try await db.writeTransaction { tx in
            guard let current = try await LiveEvent.find(event.id!, on: tx) else { throw Problem.notFound("event") }
            try requireOpen(current, now: now)
            // Locked: a question and a cancellation of the same registration at once are decided one after the other.
            guard let registration = try await tx.lockedRow(EventRegistration.self, found.id!), registration.cancelledAt == nil else {
                throw Problem(.forbidden, "Register for the event to ask a question.")
            }
            let q = EventQuestion()
            q.$event.id = current.id!
            q.$registration.id = registration.id!
            q.text = text
            q.votes = 0
            q.createdAt = now
            try await q.save(on: tx)
            return question(q, askedBy: nil, mine: true, votedByYou: false)
        }
    }

    /// One upvote per registration and question: a second one is a 409 and counts nothing, so the figure is the
    /// number of people who want it answered.
    static func vote(
        _ id: UUID?, question questionID: UUID?, as participant: Participant, at now: Date = Date(), on db: any Database
    ) async throws -> Question {
        let (event, found) = try await self.participant(participant, in: id, on: db)
        guard let questionID, let asked = try await EventQuestion.find(questionID, on: db), asked.$event.id == event.id else {
            throw Problem.notFound("question")
        }
        guard let found, found.cancelledAt == nil else { throw Problem(.forbidden, "Register for the event to vote for questions.") }
        let registrationID = found.id!
        do {
            return try await db.writeTransaction { tx in
                guard let current = try await LiveEvent.find(event.id!, on: tx) else { throw Problem.notFound("event") }
                try requireOpen(current, now: now)
                // The question row is locked: votes at once are counted one after the other, none lost.
                guard let q = try await tx.lockedRow(EventQuestion.self, questionID) else { throw Problem.notFound("question") }
                let already = try await EventQuestionVote.query(on: tx).filter(\.$question.$id == questionID)
                    .filter(\.$registration.$id == registrationID).count()
                guard already == 0 else { throw alreadyVoted }
                let vote = EventQuestionVote()
                vote.$question.id = questionID
                vote.$registration.id = registrationID
                vote.createdAt = now
                try await vote.save(on: tx)
                q.votes += 1
                try await q.save(on: tx)
                return question(q, askedBy: nil, mine: q.$registration.id == registrationID, votedByYou: true)
            }
        } catch let error as any DatabaseError where error.isConstraintFailure {
            // Two votes of the same registration at once: the unique pair lets one through.
            throw alreadyVoted
        }
    }

    static let alreadyVoted = Problem(.conflict, "You already voted for this question; each person's vote counts once.")

    /// The organizer answers a question, during the event or after it; the answer stays with the question. A
    /// question is answered once (a second answer is a 409), and an asker with an account is told.
    static func answer(
        _ id: UUID?, question questionID: UUID?, answer raw: String, by actor: Actor, at now: Date = Date(), on db: any Database
    ) async throws -> Question {
        let event = try await organized(id, by: actor, on: db)
        let answer = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...maxAnswer).contains(answer.length) else {
            throw Problem.invalid("answer", "An answer has 1 to \(maxAnswer) characters.")
        }
        guard let questionID else { throw Problem.notFound("question") }
        return try await db.writeTransaction { tx in
            guard let q = try await tx.lockedRow(EventQuestion.self, questionID), q.$event.id == event.id else {
                throw Problem.notFound("question")
            }
            guard q.answeredAt == nil else { throw Problem(.conflict, "This question was already answered; the answer is kept as given.") }
            q.answer = answer
            q.answeredAt = now
            q.$answeredBy.id = actor.id
            try await q.save(on: tx)
            let registration = try await EventRegistration.find(q.$registration.id, on: tx)
            // People with a personal link read the answer there; they have no account to notify.
            if let asker = registration?.$user.id {
                try await Notifier.notify(
                    [asker],
                    of: .init(
                        kind: .event, text: "Your question at “\(event.title)” was answered", link: SiteURL.event(event.id),
                        detail: "You asked: \(q.text)\n\nThe answer: \(answer)", about: thread(event),
                        key: "event-answer|\(Access.key(q.id!))"),
                    at: now, on: tx)
            }
            return question(q, askedBy: registration?.name, mine: false, votedByYou: false)
        }
    }

    /// Questions and votes are taken before and during the event, not after its end nor once it is cancelled.
    static func requireOpen(_ event: LiveEvent, now: Date) throws {
        guard event.status == .scheduled else { throw Problem(.conflict, "This event was cancelled.") }
        guard now < event.endsAt else { throw Problem(.conflict, "The event is over: questions and votes were taken until its end.") }
    }

    static func question(_ q: EventQuestion, askedBy: String?, mine: Bool, votedByYou: Bool) -> Question {
        Question(
            id: q.id!, eventID: q.$event.id, text: q.text, votes: q.votes, askedBy: askedBy, mine: mine, votedByYou: votedByYou,
            answer: q.answer, answeredAt: q.answeredAt, createdAt: q.createdAt)
    }
}
