import BonafideCore
import Crypto
import Fluent
import Foundation
import SQLKit

/// NPS and CSAT surveys: creating them, choosing recipients, personal signed links, answers, reminders, opt-outs.
enum Surveys {
    static let maxQuestions = 10
    static let maxRecipientsPerAdd = 5_000
    static let maxReminders = 3
    /// A recipient is reminded at most once a day.
    static let reminderGap: TimeInterval = 86_400

    // MARK: Creating

    struct Draft: Sendable {
        var title: String
        var kind: String
        var question: String?
        var campaign: String?
        var questions: [SurveyQuestion] = []
    }

    static func create(_ draft: Draft, by actor: Actor, at now: Date = Date(), on db: any Database) async throws -> Survey {
        try Policy.manageOrganization(actor)
        let title = draft.title.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...200).contains(title.length) else { throw Problem.invalid("title", "The title must have 1 to 200 characters.") }
        guard let kind = SurveyKind(rawValue: draft.kind) else {
            throw Problem.invalid("kind", "The kind must be nps (0-10, would you recommend us) or csat (1-5, how satisfied).")
        }
        let question = (draft.question ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard question.length <= 300 else { throw Problem.invalid("question", "The question must have at most 300 characters.") }
        let campaign = (draft.campaign ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard campaign.length <= 100 else { throw Problem.invalid("campaign", "The campaign must have at most 100 characters.") }
        let questions = try validate(draft.questions)
        let survey = Survey()
        survey.$organization.id = actor.organizationID
        survey.title = title
        survey.kind = kind
        survey.question = question.isEmpty ? kind.defaultQuestion : question
        survey.campaign = campaign
        survey.questions = questions
        survey.status = .open
        survey.$createdBy.id = actor.id
        survey.createdAt = now
        try await survey.save(on: db)
        return survey
    }

    static func validate(_ questions: [SurveyQuestion]) throws -> [SurveyQuestion] {
        guard questions.count <= maxQuestions else {
            throw Problem.invalid("questions", "A survey can have at most \(maxQuestions) extra questions.")
        }
        var seen: Set<String> = []
        return try questions.enumerated().map { index, q in
            var q = q
            let field = "questions[\(index)]"
            q.prompt = q.prompt.trimmingCharacters(in: .whitespacesAndNewlines)
            guard (1...300).contains(q.prompt.length) else {
                throw Problem.invalid(field, "Question \(index + 1) needs a prompt of 1 to 300 characters.")
            }
            if q.id.isEmpty { q.id = "q\(index + 1)" }
            guard q.id.length <= 40, q.id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }) else {
                throw Problem.invalid(field, "Question ids are up to 40 letters, digits, - or _.")
            }
            guard seen.insert(q.id).inserted else { throw Problem.invalid(field, "Two questions have the id \(q.id).") }
            switch q.kind {
            case .scale:
                let low = q.min ?? 1
                let high = q.max ?? 5
                guard low < high, high - low <= 10, low >= 0 else {
                    throw Problem.invalid(field, "Question \(index + 1): a scale runs from min to max, 0 to 10 at most, e.g. 1 to 5.")
                }
                q.min = low
                q.max = high
                q.options = nil
            case .choice:
                let options = (q.options ?? []).map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
                guard (2...10).contains(options.count), options.allSatisfy({ $0.count <= 100 }), Set(options).count == options.count else {
                    throw Problem.invalid(
                        field, "Question \(index + 1): a choice needs 2 to 10 different options of at most 100 characters.")
                }
                q.options = options
                q.min = nil
                q.max = nil
            case .text:
                q.options = nil
                q.min = nil
                q.max = nil
            }
            return q
        }
    }

    /// Parses the web form's extra questions, one a line: `scale: prompt`, `choice: prompt | option | option`,
    /// `text: prompt`.
    static func parseQuestionLines(_ text: String) throws -> [SurveyQuestion] {
        var questions: [SurveyQuestion] = []
        for (number, raw) in text.split(whereSeparator: \.isNewline).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            guard let colon = line.firstIndex(of: ":"), let kind = SurveyQuestion.Kind(rawValue: line[..<colon].lowercased()) else {
                throw Problem.invalid(
                    "questions",
                    "Extra question line \(number + 1) must start with scale:, choice: or text:, e.g. “choice: Which service? | Design | Build”."
                )
            }
            let parts = line[line.index(after: colon)...].split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            questions.append(
                .init(
                    id: "q\(questions.count + 1)", kind: kind, prompt: parts.first ?? "",
                    options: kind == .choice ? Array(parts.dropFirst()) : nil))
        }
        return questions
    }

    static func list(for actor: Actor, on db: any Database) async throws -> [Survey] {
        try await Survey.query(on: db).filter(\.$organization.$id == actor.organizationID).sort(\.$createdAt, .descending).all()
    }

    static func close(_ survey: Survey, by actor: Actor, at now: Date = Date(), on db: any Database) async throws {
        try Policy.manageOrganization(actor)
        guard survey.status == .open else { return }
        let responses = try await SurveyRecipient.query(on: db).filter(\.$survey.$id == survey.id!).filter(\.$respondedAt != nil).count()
        let managers = try await User.query(on: db).filter(\.$organization.$id == survey.$organization.id)
            .filter(\.$role ~~ [.owner, .admin]).all(\.$id).compactMap { $0 }.filter { $0 != actor.id }
        try await db.writeTransaction { tx in
            // Decided on the row as it is now, locked: of two closes at once, the second finds it closed.
            guard let current = try await tx.lockedRow(Survey.self, survey.id!), current.status == .open else { return }
            current.status = .closed
            current.closedAt = now
            try await current.save(on: tx)
            survey.status = .closed
            survey.closedAt = now
            try await Notifier.notify(
                managers,
                of: .init(
                    kind: .surveyResults,
                    text:
                        "\(actor.user.name) closed “\(survey.title)”: the results of \(responses) answer\(responses == 1 ? "" : "s") are ready",
                    link: SiteURL.survey(survey.id), key: "survey-closed|\(survey.id!.uuidString.lowercased())"),
                at: now, on: tx)
        }
    }

    // MARK: Recipients

    struct RecipientInput: Sendable, Equatable {
        var email: String
        var name: String
        var segment: String
    }

    struct AddResult: Sendable, Equatable {
        var added = 0
        var alreadyThere = 0
        var optedOut = 0
    }

    /// A customer list: a header row naming `email` and optionally `name` and `segment`, then one person a line.
    /// Errors name the line, and nothing is added when any line is wrong.
    static func parseCSV(_ text: String) throws -> [RecipientInput] {
        let records: [CSV.Record]
        do { records = try CSV.records(text) } catch { throw Problem.invalid("csv", error.message) }
        guard let header = records.first else {
            throw Problem.invalid("csv", "The CSV is empty: give a header row with email, then one person a line.")
        }
        let columns = header.fields.map { $0.lowercased() }
        guard let emailColumn = columns.firstIndex(of: "email") else {
            throw Problem.invalid(
                "csv", "Line \(header.line): the header row must name an email column (and optionally name and segment).")
        }
        let nameColumn = columns.firstIndex(of: "name")
        let segmentColumn = columns.firstIndex(of: "segment")
        guard records.count - 1 <= maxRecipientsPerAdd else {
            throw Problem.invalid("csv", "At most \(maxRecipientsPerAdd) people at a time; split the file.")
        }
        return try records.dropFirst().map { record in
            let field = record.field
            let email = Validation.normalizedEmail(field(emailColumn))
            guard Validation.isEmail(email) else {
                throw Problem.invalid("csv", "Line \(record.line): \"\(field(emailColumn).prefix(80))\" is not an email address.")
            }
            let name = field(nameColumn)
            let segment = field(segmentColumn)
            guard name.length <= 100, segment.length <= 100 else {
                throw Problem.invalid("csv", "Line \(record.line): names and segments have at most 100 characters.")
            }
            return RecipientInput(email: email, name: name, segment: segment)
        }
    }

    /// Adds people (and, with `partners`, the people of every active partner organization, segmented by partner).
    /// Addresses that opted out of this organization's surveys are not added.
    static func addRecipients(
        _ inputs: [RecipientInput], partners: Bool, circle: Circle? = nil, to survey: Survey, by actor: Actor, at now: Date = Date(),
        on db: any Database
    ) async throws -> AddResult {
        try Policy.manageOrganization(actor)
        guard survey.status == .open else { throw Problem(.conflict, "This survey is closed; open a new one.") }
        guard inputs.count <= maxRecipientsPerAdd else {
            throw Problem.invalid("recipients", "At most \(maxRecipientsPerAdd) people at a time.")
        }
        var wanted: [(RecipientInput, UUID?)] = []
        for input in inputs {
            let email = Validation.normalizedEmail(input.email)
            guard Validation.isEmail(email) else {
                throw Problem.invalid("recipients", "\"\(input.email.prefix(80))\" is not an email address.")
            }
            guard input.name.length <= 100, input.segment.length <= 100 else {
                throw Problem.invalid("recipients", "Names and segments have at most 100 characters.")
            }
            wanted.append((RecipientInput(email: email, name: input.name, segment: input.segment), nil))
        }
        if partners {
            wanted += try await partnerContacts(of: actor.organizationID, on: db)
        }
        if let circle {
            wanted += try await circleContacts(of: actor.organizationID, in: circle, on: db)
        }
        let optedOut = try await optedOutEmails(of: actor.organizationID, on: db)
        var existing = Set(try await SurveyRecipient.query(on: db).filter(\.$survey.$id == survey.id!).all().map(\.email))
        var result = AddResult()
        var records: [SurveyRecipient] = []
        for (input, partner) in wanted {
            if optedOut.contains(input.email) {
                result.optedOut += 1
                continue
            }
            guard existing.insert(input.email).inserted else {
                result.alreadyThere += 1
                continue
            }
            let r = SurveyRecipient()
            r.$survey.id = survey.id!
            r.email = input.email
            r.name = input.name
            r.segment = input.segment
            r.$partner.id = partner
            r.createdAt = now
            r.reminders = 0
            records.append(r)
        }
        result.added = records.count
        let batch = records
        try await db.writeTransaction { tx in
            for r in batch { try await r.save(on: tx) }
        }
        return result
    }

    /// People at each active partner organization, with the partner's name as their segment.
    static func partnerContacts(of organization: UUID, on db: any Database) async throws -> [(RecipientInput, UUID?)] {
        try await people(of: try await Partnerships.activePartnerIDs(of: organization, on: db), on: db)
    }

    /// The people of the organizations kept in one circle (segment = their organization) that this one works or
    /// worked with. Anyone can place anyone in a circle, so a circle alone must not hand out strangers' addresses.
    static func circleContacts(of organization: UUID, in circle: Circle, on db: any Database) async throws -> [(RecipientInput, UUID?)] {
        let partners = Set(try await Partnerships.partnerIDs(of: organization, statuses: [.active, .ended], on: db))
        let members = try await Circles.members(of: organization, in: circle, on: db).map(\.organizationID)
        return try await people(of: members.filter(partners.contains), on: db)
    }

    private static func people(of partnerIDs: [UUID], on db: any Database) async throws -> [(RecipientInput, UUID?)] {
        guard !partnerIDs.isEmpty else { return [] }
        let names = Dictionary(
            try await Organization.query(on: db).filter(\.$id ~~ partnerIDs).all().map { ($0.id!, $0.name) },
            uniquingKeysWith: { a, _ in a })
        let users = try await User.query(on: db).filter(\.$organization.$id ~~ partnerIDs).sort(\.$email).all()
        return users.map { u in
            (RecipientInput(email: u.email, name: u.name, segment: names[u.$organization.id] ?? ""), u.$organization.id)
        }
    }

    // MARK: Sending

    /// Writes an invitation with the personal link for everyone not yet invited who has not opted out since being
    /// added, and returns how many.
    static func send(_ survey: Survey, by actor: Actor, baseURL: String, at now: Date = Date(), on db: any Database) async throws -> Int {
        try Policy.manageOrganization(actor)
        guard survey.status == .open else { throw Problem(.conflict, "This survey is closed; open a new one.") }
        let organization = try await survey.$organization.get(on: db)
        let optedOut = try await optedOutEmails(of: survey.$organization.id, on: db)
        let pending = try await SurveyRecipient.query(on: db).filter(\.$survey.$id == survey.id!).filter(\.$invitedAt == nil).all()
            .filter { !optedOut.contains($0.email) }
        try await mail(
            pending, of: survey, kind: "survey-invitation", subject: "\(organization.name) asks: \(survey.title)", baseURL: baseURL,
            at: now, on: db
        ) {
            r, link in
            r.invitedAt = now
            return """
                Hello\(r.name.isEmpty ? "" : " \(r.name)"),

                \(organization.name) would value your answer to one question: \(survey.question)

                Answer here (about a minute, no account needed): \(link)

                This link is yours alone. To stop receiving surveys from \(organization.name), open it and choose \
                "stop sending me surveys".
                """
        }
        return pending.count
    }

    /// Reminds those invited who have not answered, have not opted out, were last written to a day ago or more,
    /// and have had fewer than three reminders.
    static func remind(_ survey: Survey, by actor: Actor, baseURL: String, at now: Date = Date(), on db: any Database) async throws -> Int {
        try Policy.manageOrganization(actor)
        guard survey.status == .open else { throw Problem(.conflict, "This survey is closed; there is nothing to remind about.") }
        let organization = try await survey.$organization.get(on: db)
        let optedOut = try await optedOutEmails(of: survey.$organization.id, on: db)
        let due = try await SurveyRecipient.query(on: db).filter(\.$survey.$id == survey.id!)
            .filter(\.$invitedAt != nil).filter(\.$respondedAt == nil).filter(\.$reminders < maxReminders).all()
            .filter { r in
                let last = r.remindedAt ?? r.invitedAt ?? now
                return !optedOut.contains(r.email) && now.timeIntervalSince(last) >= reminderGap
            }
        try await mail(due, of: survey, kind: "survey-reminder", subject: "Reminder: \(survey.title)", baseURL: baseURL, at: now, on: db) {
            r, link in
            r.remindedAt = now
            r.reminders += 1
            return """
                Hello\(r.name.isEmpty ? "" : " \(r.name)"),

                A gentle reminder from \(organization.name): \(survey.question)

                Answer here: \(link)

                Not interested? Open the link and choose "stop sending me surveys"; we will not ask again.
                """
        }
        return due.count
    }

    /// Writes each recipient a message with their personal link to the outbox and saves what `write` noted on the
    /// recipient (invited, reminded), all in one transaction.
    static func mail(
        _ recipients: [SurveyRecipient], of survey: Survey, kind: String, subject: String, baseURL: String, at now: Date,
        on db: any Database, write: (SurveyRecipient, String) -> String
    ) async throws {
        let key = try await SurveyLinks.key(on: db)
        let messages = recipients.map { r in
            let m = OutboxMessage()
            m.$organization.id = survey.$organization.id
            m.toEmail = r.email
            m.subject = subject
            m.body = write(r, SurveyLinks.url(for: r.id!, key: key, baseURL: baseURL))
            m.kind = kind
            m.createdAt = now
            return m
        }
        try await db.writeTransaction { tx in
            for (r, m) in zip(recipients, messages) {
                try await m.save(on: tx)
                try await r.save(on: tx)
            }
        }
    }

    /// The addresses that asked this organization to stop sending them surveys.
    static func optedOutEmails(of organization: UUID, on db: any Database) async throws -> Set<String> {
        Set(try await SurveyOptOut.query(on: db).filter(\.$organization.$id == organization).all().map(\.email))
    }

    // MARK: Answering (no account: the signed link is the credential)

    struct Invitation: Sendable {
        let survey: Survey
        let recipient: SurveyRecipient
        let organizationName: String
    }

    /// The survey behind a personal link. A forged or unknown link is not found, whatever is wrong with it.
    static func invitation(token: String, on db: any Database) async throws -> Invitation {
        let key = try await SurveyLinks.key(on: db)
        guard let id = SurveyLinks.recipient(in: token, key: key),
            let recipient = try await SurveyRecipient.query(on: db).filter(\.$id == id).with(\.$survey).first()
        else { throw Problem(.notFound, "This survey link is not valid. Check that the whole link was copied.") }
        let organization = try await Organization.find(recipient.survey.$organization.id, on: db)
        return Invitation(survey: recipient.survey, recipient: recipient, organizationName: organization?.name ?? "")
    }

    struct Answer: Sendable {
        var score: Int?
        var reason: String
        var answers: [String: SurveyAnswer]
    }

    static func respond(token: String, _ answer: Answer, at now: Date = Date(), on db: any Database) async throws -> SurveyResponse {
        try await respond(to: try await invitation(token: token, on: db), answer, at: now, on: db)
    }

    static func respond(to invitation: Invitation, _ answer: Answer, at now: Date = Date(), on db: any Database) async throws
        -> SurveyResponse
    {
        let survey = invitation.survey
        let recipient = invitation.recipient
        guard recipient.respondedAt == nil else {
            throw Problem(.conflict, "This link has already been used to answer; each person answers once. Thank you!")
        }
        guard survey.status == .open else { throw Problem(.conflict, "This survey has closed; answers are no longer collected.") }
        if let score = answer.score, !survey.kind.scale.contains(score) {
            throw Problem.invalid(
                "score",
                "The score must be a whole number from \(survey.kind.scale.lowerBound) to \(survey.kind.scale.upperBound), or left out.")
        }
        let reason = answer.reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard reason.length <= 2000 else { throw Problem.invalid("reason", "The answer to “why?” must have at most 2,000 characters.") }
        let answers = try validate(answer.answers, for: survey.questions)
        let sentiment = reason.isEmpty ? nil : SentimentAnalyzer.shared.analyze(reason)
        let response = SurveyResponse()
        response.$survey.id = survey.id!
        response.$recipient.id = recipient.id!
        response.score = answer.score
        response.reason = reason
        response.answersJSON = String(decoding: try JSONEncoder().encode(answers), as: UTF8.self)
        response.sentiment = sentiment?.score
        response.driversJSON = StoredDrivers.json(sentiment?.drivers ?? [])
        response.submittedAt = now
        do {
            try await db.writeTransaction { tx in
                // The unique recipient_id makes a second, concurrent submission fail here rather than count twice.
                try await response.save(on: tx)
                recipient.respondedAt = now
                try await recipient.save(on: tx)
                if let partner = recipient.$partner.id, answer.score != nil {
                    try await TrustService.enqueue(viewer: partner, subject: survey.$organization.id, at: now, on: tx)
                }
            }
        } catch let error as any DatabaseError where error.isConstraintFailure {
            throw Problem(.conflict, "This link has already been used to answer; each person answers once. Thank you!")
        }
        return response
    }

    static func validate(_ answers: [String: SurveyAnswer], for questions: [SurveyQuestion]) throws -> [String: SurveyAnswer] {
        var valid: [String: SurveyAnswer] = [:]
        for (id, answer) in answers {
            guard let q = questions.first(where: { $0.id == id }) else {
                throw Problem.invalid("answers", "This survey has no question \(id.prefix(40)).")
            }
            switch (q.kind, answer) {
            case (.scale, .number(let n)):
                guard (q.min ?? 1)...(q.max ?? 5) ~= n else {
                    throw Problem.invalid("answers", "“\(q.prompt)” takes a number from \(q.min ?? 1) to \(q.max ?? 5).")
                }
            case (.choice, .text(let t)):
                guard q.options?.contains(t) == true else {
                    throw Problem.invalid("answers", "“\(q.prompt)” takes one of: \((q.options ?? []).joined(separator: ", ")).")
                }
            case (.text, .text(let t)):
                guard t.length <= 2000 else { throw Problem.invalid("answers", "Text answers have at most 2,000 characters.") }
                if t.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { continue }
            default:
                throw Problem.invalid("answers", "“\(q.prompt)” takes \(q.kind == .scale ? "a number" : "text").")
            }
            valid[id] = answer
        }
        return valid
    }

    /// Stops every survey of this organization to this address, now and later.
    static func optOut(token: String, at now: Date = Date(), on db: any Database) async throws -> Invitation {
        let invitation = try await invitation(token: token, on: db)
        guard let sql = db as? any SQLDatabase else { return invitation }
        try await sql.insert(into: SurveyOptOut.schema)
            .columns("id", "organization_id", "email", "created_at")
            .values(SQLBind(UUID()), SQLBind(invitation.survey.$organization.id), SQLBind(invitation.recipient.email), SQLBind(now))
            .ignoringConflicts()
            .run()
        return invitation
    }

    static func isOptedOut(_ invitation: Invitation, on db: any Database) async throws -> Bool {
        try await SurveyOptOut.query(on: db).filter(\.$organization.$id == invitation.survey.$organization.id)
            .filter(\.$email == invitation.recipient.email).first() != nil
    }

    // MARK: Access

    /// A survey of the actor's organization; any other is not found.
    static func survey(_ id: UUID?, for actor: Actor, on db: any Database) async throws -> Survey {
        guard let id, let survey = try await Survey.find(id, on: db), survey.$organization.id == actor.organizationID else {
            throw Problem.notFound("survey")
        }
        return survey
    }
}

/// Personal survey links: the recipient's id and an HMAC-SHA256 of it under a server key, base64url. Nothing per
/// link is stored, a changed character fails the HMAC, and links outlive restarts because the key is in the database.
enum SurveyLinks {
    static let keyName = "survey-links"

    static func path(_ token: String) -> String { SiteURL.surveyAnswer(token) }

    /// The link a recipient answers at.
    static func url(for recipient: UUID, key: SymmetricKey, baseURL: String) -> String { baseURL + path(token(for: recipient, key: key)) }

    static func key(on db: any Database) async throws -> SymmetricKey {
        if let stored = try await ServerKey.query(on: db).filter(\.$name == keyName).first(), let data = Base64URL.decode(stored.secret) {
            return SymmetricKey(data: data)
        }
        if let sql = db as? any SQLDatabase {
            let secret = Base64URL.encode(SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) })
            // Insert-or-ignore: two servers creating the key at once agree on whichever landed first.
            try await sql.insert(into: ServerKey.schema).columns("id", "name", "secret", "created_at")
                .values(SQLBind(UUID()), SQLBind(keyName), SQLBind(secret), SQLBind(Date())).ignoringConflicts().run()
        }
        guard let stored = try await ServerKey.query(on: db).filter(\.$name == keyName).first(), let data = Base64URL.decode(stored.secret)
        else { throw Problem(.internalServerError, "The survey link key could not be created.") }
        return SymmetricKey(data: data)
    }

    static func message(_ id: UUID) -> Data {
        var data = Data("bonafide survey link v1\n".utf8)
        withUnsafeBytes(of: id.uuid) { data.append(contentsOf: $0) }
        return data
    }

    static func token(for id: UUID, key: SymmetricKey) -> String {
        var data = withUnsafeBytes(of: id.uuid) { Data($0) }
        data.append(contentsOf: HMAC<SHA256>.authenticationCode(for: message(id), using: key))
        return Base64URL.encode(data)
    }

    /// The recipient a token names, if its signature holds (compared in constant time).
    static func recipient(in token: String, key: SymmetricKey) -> UUID? {
        guard token.count <= 100, let data = Base64URL.decode(token), data.count == 48 else { return nil }
        let bytes = [UInt8](data)
        let id = UUID(
            uuid: (
                bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8], bytes[9], bytes[10],
                bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
            ))
        guard HMAC<SHA256>.isValidAuthenticationCode(Data(bytes[16...]), authenticating: message(id), using: key) else { return nil }
        return id
    }
}
