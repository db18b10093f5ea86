import BonafideCore
import Fluent
import Foundation

/// Challenges: an organization's owners and admins put a time-boxed prompt ("Show us your fastest checkout") to an
/// audience chosen like an update's (the people of the organizations it knows in that audience are told), and may
/// invite people from a CSV list, who take part through a personal link without an account (its token is mailed once
/// and kept only as a digest), or as their account when one has confirmed the address. While the challenge is open each
/// person sends one entry (an account and a link to its confirmed address are one person) and may edit it until the
/// close; the organization highlights the entries that stand out with a note saying why, and the entrant is told. Who
/// may read a challenge is `Access`'s question (each challenge its own `.shared` object), so a circle change shows or
/// hides it at once, and a public one is read without an account; to anyone else it does not exist (404), so nothing
/// leaks across tenants.
enum Challenges {
    static let maxTitle = 200
    static let maxPrompt = 10_000
    static let maxEntry = 5_000
    static let maxLink = 500
    static let maxNote = 300
    /// How far ahead a challenge may close: a year, so a time box stays a time box.
    static let horizon: TimeInterval = 366 * 86_400
    /// The shortest time box: shorter than an hour nobody has time to answer.
    static let shortest: TimeInterval = 3_600
    /// A start this far in the past is still "now": a form filled in slowly is not refused.
    static let startGrace: TimeInterval = 3_600
    /// The newest challenges considered for a list; older ones are still found by their address.
    static let listWindow = 500
    /// Entries listed for one challenge.
    static let maxEntriesListed = 500
    /// The personal link's token starts with this, so a panel, event or survey token is never looked up here.
    static let linkPrefix = "ch_"
    /// The invitation mail with the personal link: a secret, blanked once delivered (`InvitationMail.secretKinds`).
    static let invitationKind = "challenge-invitation"
    /// Highlights mailed to people who entered through a personal link.
    static let noticeKind = "challenge-notice"
    /// What an invitation taken up by an account keeps instead of a link's digest: no SHA-256 in hex starts so, so no
    /// token opens it.
    static let noLink = "account:"

    /// Who acts on a challenge: a signed-in person, the holder of a personal link, or a visitor without either, who
    /// reads public challenges and enters none.
    enum Participant: Sendable {
        case person(Actor)
        case link(String)
        case visitor
    }

    struct Draft: Sendable {
        var title: String
        var prompt: String
        var opensAt: Date?
        var closesAt: Date?
        var timeZone: String
        var audience: Audience
        /// "email,name" lines of people to invite with a personal link; empty for none.
        var csv: String = ""
    }

    /// A challenge as it is listed.
    struct Summary: Sendable {
        var id: UUID
        var organizationID: UUID
        var organizationName: String
        var title: String
        var prompt: String
        var opensAt: Date
        var closesAt: Date
        var closedAt: Date?
        var timeZone: String
        var audience: Audience
        var createdAt: Date
        var entries: Int
        var highlights: Int

        func phase(at now: Date) -> ChallengePhase { Challenges.phase(opensAt: opensAt, closesAt: closesAt, closedAt: closedAt, at: now) }
        /// When it stopped, or will stop, taking entries.
        var endsAt: Date { closedAt.map { min($0, closesAt) } ?? closesAt }
    }

    /// One entry as a viewer sees it.
    struct Submission: Sendable {
        var id: UUID
        var challengeID: UUID
        /// "Carla Diaz, Acme Retail" for a person with an account; the invited name for a personal link.
        var author: String
        var body: String
        var link: String?
        /// The viewer's own entry.
        var mine: Bool
        var highlightNote: String?
        var highlightedAt: Date?
        var createdAt: Date
        var updatedAt: Date

        var highlighted: Bool { highlightedAt != nil }
    }

    /// The organizer's figures for one challenge.
    struct Figures: Sendable, Equatable {
        var entries: Int
        /// Organizations with an entry, each person entering through a personal link counted on their own.
        var participants: Int
        var highlights: Int
        /// People invited from a list, with a personal link or as their account.
        var invited: Int
    }

    /// A challenge as one viewer sees it.
    struct View: Sendable {
        var summary: Summary
        var phase: ChallengePhase
        /// The viewer is one of the organization's people.
        var own: Bool
        /// Owners and admins of that organization: they highlight and close.
        var organizer: Bool
        var mine: Submission?
        /// The entries the viewer may see, highlights first, then in the order they came in.
        var entries: [Submission]
        /// Entries sent by others that the viewer may not see yet (see `view`).
        var hiddenEntries: Int
        /// For the organization's people only.
        var figures: Figures?
        /// Someone not signed in, reading a public challenge: they sign in to take part.
        var visitor: Bool = false

        /// The organization's people run the challenge rather than enter it.
        var canEnter: Bool { !own && !visitor && phase == .open }
    }

    struct Created: Sendable {
        var summary: Summary
        /// Everyone invited from the list, with a personal link or as their account.
        var invited: Int
        /// Of those, the ones whose account had confirmed the address: told in the app, no link.
        var withAccount: Int = 0
        var skipped: [FeedbackPanels.Skip]
    }

    /// One person of a CSV list.
    struct Invitee: Sendable {
        var email: String
        var name: String
        /// The account that confirmed the address: it takes part, and no link is mailed.
        var account: UUID? = nil
    }

    struct Saved: Sendable {
        var submission: Submission
        /// A first entry rather than an edit.
        var created: Bool
    }

    /// Where a participant stands with a challenge, once it is known they may see it.
    struct Seat: Sendable {
        var challenge: Challenge
        /// The personal link's invitation, or for a signed-in person the invitation to the address they confirmed.
        var member: ChallengeMember?
        var actor: Actor?
        /// For a personal link: the account that has confirmed the address it was sent to.
        var account: UUID? = nil

        var own: Bool { actor.map { $0.organizationID == challenge.$organization.id } ?? false }
        var visitor: Bool { actor == nil && member == nil }
        /// The accounts the participant enters as; with `member`, one entry among them all.
        var accounts: [UUID] { [actor?.id, account].compactMap { $0 } }
    }

    // MARK: Creating and reading

    /// A new challenge (owners and admins), with the people of the CSV list each mailed a personal link once (an address
    /// an account has confirmed is invited as that account instead), announced to its audience (`announce`). Bad lines
    /// are skipped with the reason; a list that cannot be read, like any invalid field, is refused with nothing written.
    static func create(_ draft: Draft, by actor: Actor, baseURL: String, at now: Date = Date(), on db: any Database) async throws
        -> Created
    {
        try Policy.manageOrganization(actor)
        let d = try validated(draft, now: now)
        var people: [Invitee] = []
        var skipped: [FeedbackPanels.Skip] = []
        if let text = d.csv.trimmingCharacters(in: .whitespacesAndNewlines).nilIfEmpty {
            var seen = Set<String>()
            let parsed = try FeedbackPanels.parseMembers(text)
            skipped = parsed.skipped
            // As on a panel, an address an account has confirmed takes part as that account: the challenge is among its
            // own, it is told in the app, and nobody enters once with the account and again with a link. An unconfirmed
            // address proves nobody owns it, so it gets the mailed link, which only the address's owner can open.
            let accounts = try await FeedbackPanels.accounts(parsed.people.map(\.email), on: db)
            for person in parsed.people {
                guard seen.insert(person.email).inserted else {
                    skipped.append(FeedbackPanels.Skip(email: person.email, reason: "listed twice"))
                    continue
                }
                let user = accounts[person.email]
                if let user, user.$organization.id == actor.organizationID {
                    skipped.append(
                        FeedbackPanels.Skip(email: person.email, reason: "one of your organization's people, who run the challenge"))
                } else if let user, user.emailVerifiedAt != nil {
                    people.append(Invitee(email: person.email, name: user.name, account: user.id))
                } else {
                    people.append(Invitee(email: person.email, name: person.name))
                }
            }
        }
        let organizationID = actor.organizationID
        let invitees = people
        let earlierSkips = skipped
        return try await db.writeTransaction { tx in
            guard let organization = try await Organization.find(organizationID, on: tx) else { throw Problem.notFound("organization") }
            let challenge = Challenge()
            challenge.$organization.id = organizationID
            challenge.title = d.title
            challenge.prompt = d.prompt
            challenge.opensAt = d.opensAt!
            challenge.closesAt = d.closesAt!
            challenge.closedAt = nil
            challenge.timeZone = d.timeZone
            challenge.audience = d.audience
            challenge.$createdBy.id = actor.id
            challenge.createdAt = now
            // Saved before it is announced: the access check and the notifications name it by its id.
            try await challenge.save(on: tx)
            var accounts: [UUID] = []
            for person in invitees {
                let member = ChallengeMember()
                member.$challenge.id = challenge.id!
                member.email = person.email
                member.name = person.name
                member.invitedAt = now
                if let account = person.account {
                    member.tokenDigest = noLink + UUID().uuidString.lowercased()
                    try await member.save(on: tx)
                    accounts.append(account)
                    continue
                }
                let secret = Secrets.make(prefix: linkPrefix)
                member.tokenDigest = Secrets.digest(secret)
                try await member.save(on: tx)
                let body = """
                    Hello \(person.name),

                    \(organization.name) invites you to its challenge “\(challenge.title)”.

                    \(Markdown.plainText(challenge.prompt))

                    Entries are open from \(when(challenge.opensAt, challenge)) until \(when(challenge.closesAt, challenge)).
                    Send yours, and edit it until the challenge closes, through your personal link (no account needed; it
                    is yours alone, so keep it to yourself):
                    \(baseURL + SiteURL.challengeLink(secret))
                    """
                try await mail(
                    to: person.email, about: challenge, kind: invitationKind,
                    subject: "\(organization.name) invites you to “\(challenge.title)”", body: body, at: now, on: tx)
            }
            try await announce(challenge, from: organization, inviting: accounts, at: now, on: tx)
            return Created(
                summary: summary(challenge, organizationName: organization.name, entries: 0, highlights: 0), invited: invitees.count,
                withAccount: accounts.count, skipped: earlierSkips)
        }
    }

    /// The challenges the person may read (their organization's own, those whose audience includes them, and those
    /// inviting the address they confirmed), newest first.
    static func visible(to actor: Actor, on db: any Database) async throws -> [Summary] {
        let candidates = try await Challenge.query(on: db).with(\.$organization).sort(\.$createdAt, .descending).sort(\.$id)
            .limit(listWindow).all()
        let decisions = try await Access.check(.person(actor), "reader", candidates.map(object), on: db)
        var allowed = zip(candidates, decisions).filter { $0.1.allowed }.map { $0.0 }
        let invitedTo = try await invitations(of: actor.user, on: db)
        let missing = Set(invitedTo).subtracting(allowed.compactMap(\.id))
        if !missing.isEmpty {
            let invited = try await Challenge.query(on: db).filter(\.$id ~~ Array(missing)).with(\.$organization).all()
            allowed += invited
            allowed.sort { ($0.createdAt, $0.id!.uuidString) > ($1.createdAt, $1.id!.uuidString) }
        }
        let counts = try await entryCounts(allowed.compactMap(\.id), on: db)
        return allowed.map {
            summary(
                $0, organizationName: $0.organization.name, entries: counts.entries[$0.id!] ?? 0,
                highlights: counts.highlights[$0.id!] ?? 0)
        }
    }

    /// The challenge and the participant's place in it: a person who may read it or whose confirmed address it
    /// invited, the holder of its personal link, or a visitor when it is public. Anything else is not found.
    static func seat(_ participant: Participant, in id: UUID?, on db: any Database) async throws -> Seat {
        switch participant {
        case .person(let actor):
            guard let id, let challenge = try await Challenge.find(id, on: db) else { throw Problem.notFound("challenge") }
            let invitation = try await Self.invitation(of: actor.user, to: id, on: db)
            if invitation == nil {
                guard try await Access.check(.person(actor), "reader", object(challenge), on: db).allowed else {
                    throw Problem.notFound("challenge")
                }
            }
            return Seat(challenge: challenge, member: invitation, actor: actor)
        case .link(let token):
            let (challenge, member) = try await byLink(token, on: db)
            guard let id, challenge.id == id else { throw Problem.notFound("challenge") }
            return try await linkSeat(challenge, member, on: db)
        case .visitor:
            guard let id, let challenge = try await Challenge.find(id, on: db),
                try await Access.check(.anyone, "reader", object(challenge), on: db).allowed
            else { throw Problem.notFound("challenge") }
            return Seat(challenge: challenge, member: nil, actor: nil)
        }
    }

    static func byLink(_ token: String, on db: any Database) async throws -> (Challenge, ChallengeMember) {
        guard token.hasPrefix(linkPrefix), token.utf8.count <= 200,
            let member = try await ChallengeMember.query(on: db).filter(\.$tokenDigest == Secrets.digest(token)).first(),
            let challenge = try await Challenge.find(member.$challenge.id, on: db)
        else { throw Problem(.notFound, "This challenge link is not valid. Check that the whole link was copied.") }
        return (challenge, member)
    }

    /// A challenge of the actor's organization, for its owners and admins; anyone else's is not found.
    static func organized(_ id: UUID?, by actor: Actor, on db: any Database) async throws -> Challenge {
        guard let id, let challenge = try await Challenge.find(id, on: db), challenge.$organization.id == actor.organizationID else {
            throw Problem.notFound("challenge")
        }
        try Policy.manageOrganization(actor)
        return challenge
    }

    static func view(_ id: UUID?, as participant: Participant, at now: Date = Date(), on db: any Database) async throws -> View {
        try await view(try await seat(participant, in: id, on: db), at: now, on: db)
    }

    static func view(link token: String, at now: Date = Date(), on db: any Database) async throws -> View {
        let (challenge, member) = try await byLink(token, on: db)
        return try await view(try await linkSeat(challenge, member, on: db), at: now, on: db)
    }

    /// The challenge as the participant sees it. The organization's people see every entry at once. Anyone else sees
    /// the others' entries once they have sent their own, or once the challenge is closed: answering before reading
    /// keeps the entries each person's own (nobody polishes a copy of the best one), and seeing the others is what
    /// taking part earns; after the close the entries, highlights first, are the challenge's showcase for its whole
    /// audience. A visitor reading a public challenge is one of that audience who has not entered: before the close
    /// they see how many entries and highlights there are, not what they say (signing up to copy the best one is no
    /// way round the rule), and after it all of them. Entries carry their author's name, which the entry form says.
    static func view(_ seat: Seat, at now: Date = Date(), on db: any Database) async throws -> View {
        let challenge = seat.challenge
        let challengeID = challenge.id!
        let organizationName = try await Organization.find(challenge.$organization.id, on: db)?.name ?? ""
        let rows = try await ChallengeEntry.query(on: db).filter(\.$challenge.$id == challengeID).with(\.$user).with(\.$member)
            .with(\.$organization).sort(\.$createdAt).sort(\.$id).limit(maxEntriesListed).all()
        let figures = try await Self.figures(challengeID, on: db)
        let mineRow = try await ownEntry(in: challengeID, seat: seat, on: db)
        let mine = mineRow.map { submission($0, author: author(of: $0), mine: true) }
        let phase = Self.phase(opensAt: challenge.opensAt, closesAt: challenge.closesAt, closedAt: challenge.closedAt, at: now)
        let showAll = seat.own || phase == .closed || mine != nil
        var entries: [Submission] = []
        if showAll {
            entries = rows.map { submission($0, author: author(of: $0), mine: $0.id == mineRow?.id) }
            // Highlights first, each group in the order the entries came in.
            entries = entries.filter(\.highlighted) + entries.filter { !$0.highlighted }
        } else if let mine {
            entries = [mine]
        }
        let hidden = showAll ? 0 : figures.entries - (mine == nil ? 0 : 1)
        return View(
            summary: summary(challenge, organizationName: organizationName, entries: figures.entries, highlights: figures.highlights),
            phase: phase, own: seat.own, organizer: seat.own && seat.actor.map { Policy.canManage($0) } == true, mine: mine,
            entries: entries, hiddenEntries: hidden, figures: seat.own ? figures : nil, visitor: seat.visitor)
    }

    /// Entries, participants, highlights and invitations of one challenge.
    static func figures(_ id: UUID, on db: any Database) async throws -> Figures {
        let organizations = try await ChallengeEntry.query(on: db).filter(\.$challenge.$id == id).all(\.$organization.$id)
        let highlights = try await ChallengeEntry.query(on: db).filter(\.$challenge.$id == id).filter(\.$highlightedAt != nil).count()
        let invited = try await ChallengeMember.query(on: db).filter(\.$challenge.$id == id).count()
        let guests = organizations.filter { $0 == nil }.count
        return Figures(
            entries: organizations.count, participants: Set(organizations.compactMap { $0 }).count + guests, highlights: highlights,
            invited: invited)
    }

    // MARK: Entries

    /// The participant's entry while the challenge is open: the first one is created, a later one replaces its text and
    /// link (one entry each, editable until the close). Before the start and after the close it is a 409 saying when.
    static func submit(
        _ id: UUID?, body rawBody: String, link rawLink: String, as participant: Participant, at now: Date = Date(),
        on db: any Database
    ) async throws -> Saved {
        let seat = try await Self.seat(participant, in: id, on: db)
        guard !seat.visitor else { throw Problem.unauthorized }
        guard !seat.own else {
            throw Problem(.forbidden, "Your organization runs this challenge: the entries come from its audience.")
        }
        let body = rawBody.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...maxEntry).contains(body.length) else {
            throw Problem.invalid("body", "An entry has 1 to \(maxEntry) characters (Markdown); this one has \(body.length).")
        }
        let link = try entryLink(rawLink)
        let challengeID = seat.challenge.id!
        let userID = seat.actor?.id
        let organizationID = seat.actor?.organizationID
        // With an account, the invitation to its confirmed address too: two first entries at once, one through the
        // account and one through the link, then meet on the unique (challenge, member) pair.
        let memberID = seat.member?.id
        do {
            return try await db.writeTransaction { tx in
                // Locked: an entry and the early close at once are decided one after the other.
                guard let challenge = try await tx.lockedRow(Challenge.self, challengeID) else { throw Problem.notFound("challenge") }
                try requireOpen(challenge, at: now)
                // The person's one entry, whichever of their account and link sent it.
                let existing = try await ownEntry(in: challengeID, seat: seat, on: tx)
                let entry = existing ?? ChallengeEntry()
                if existing == nil {
                    entry.$challenge.id = challengeID
                    entry.$user.id = userID
                    entry.$member.id = memberID
                    entry.$organization.id = organizationID
                    entry.createdAt = now
                    entry.highlightNote = nil
                    entry.highlightedAt = nil
                    entry.$highlightedBy.id = nil
                }
                entry.body = body
                entry.link = link
                entry.updatedAt = now
                try await entry.save(on: tx)
                try await loadRelations(entry, on: tx)
                return Saved(submission: submission(entry, author: author(of: entry), mine: true), created: existing == nil)
            }
        } catch let error as any DatabaseError where error.isConstraintFailure {
            // Two first entries of the same person at once: the unique pair lets one through.
            throw Problem(.conflict, "Your entry was sent twice at the same moment; the first one counts. Reload the challenge to edit it.")
        }
    }

    /// The entries the participant may see (`view` says which), highlights first.
    static func entries(_ id: UUID?, as participant: Participant, at now: Date = Date(), on db: any Database) async throws
        -> [Submission]
    {
        try await view(id, as: participant, at: now, on: db).entries
    }

    // MARK: Highlights and closing

    /// Owners and admins highlight an entry with a short note saying why, at any time after it was sent. The entrant is
    /// told the first time (in the app and by mail, or by mail through their personal link); highlighting again
    /// rewords the note without telling anyone twice.
    static func highlight(
        _ id: UUID?, entry entryID: UUID?, note rawNote: String, by actor: Actor, baseURL: String, at now: Date = Date(),
        on db: any Database
    ) async throws -> Submission {
        let challenge = try await organized(id, by: actor, on: db)
        let note = rawNote.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...maxNote).contains(note.length) else {
            throw Problem.invalid("note", "Say why this entry stands out in 1 to \(maxNote) characters: the entrant reads it.")
        }
        guard let entryID else { throw Problem.notFound("entry") }
        let challengeID = challenge.id!
        return try await db.writeTransaction { tx in
            // Locked: two managers highlighting at once tell the entrant once.
            guard let entry = try await tx.lockedRow(ChallengeEntry.self, entryID), entry.$challenge.id == challengeID else {
                throw Problem.notFound("entry")
            }
            let first = entry.highlightedAt == nil
            entry.highlightNote = note
            if first { entry.highlightedAt = now }
            entry.$highlightedBy.id = actor.id
            try await entry.save(on: tx)
            try await loadRelations(entry, on: tx)
            if first { try await tellEntrant(entry, challenge: challenge, note: note, baseURL: baseURL, at: now, on: tx) }
            return submission(entry, author: author(of: entry), mine: false)
        }
    }

    /// Closes the challenge before its end (owners and admins): it takes no more entries or edits (409); highlights may
    /// still be given. A challenge closed already, early or at its end, is a 409.
    static func close(_ id: UUID?, by actor: Actor, at now: Date = Date(), on db: any Database) async throws -> Summary {
        let challenge = try await organized(id, by: actor, on: db)
        let challengeID = challenge.id!
        return try await db.writeTransaction { tx in
            guard let current = try await tx.lockedRow(Challenge.self, challengeID) else { throw Problem.notFound("challenge") }
            guard current.closedAt == nil else { throw Problem(.conflict, "This challenge is already closed.") }
            guard now < current.closesAt else {
                throw Problem(.conflict, "This challenge already closed at its end, \(when(current.closesAt, current)).")
            }
            current.closedAt = now
            try await current.save(on: tx)
            let name = try await Organization.find(current.$organization.id, on: tx)?.name ?? ""
            let figures = try await Self.figures(challengeID, on: tx)
            return summary(current, organizationName: name, entries: figures.entries, highlights: figures.highlights)
        }
    }

    /// Tells the entrant their entry was highlighted: a person with an account through `Notifier`, a link holder by a
    /// plain mail (the link itself is not stored, so the mail points to the invitation).
    static func tellEntrant(
        _ entry: ChallengeEntry, challenge: Challenge, note: String, baseURL: String, at now: Date, on tx: any Database
    ) async throws {
        let organizer = try await Organization.find(challenge.$organization.id, on: tx)?.name ?? ""
        let text = "\(organizer) highlighted your entry to “\(challenge.title)”"
        let detail = "Why it stands out: \(note)"
        if let userID = entry.$user.id {
            try await Notifier.notify(
                [userID],
                of: .init(
                    kind: .challenge, text: text, link: SiteURL.challenge(challenge.id), detail: detail, about: thread(challenge),
                    key: "challenge-highlight|\(Access.key(entry.id!))"),
                at: now, on: tx)
        } else if let member = entry.member {
            let body = """
                Hello \(member.name),

                \(text).

                \(detail)

                See it among the highlights through your personal link, in the invitation mail.
                """
            try await mail(to: member.email, about: challenge, kind: noticeKind, subject: text, body: body, at: now, on: tx)
        }
    }

    // MARK: Helpers

    static func validated(_ draft: Draft, now: Date) throws -> Draft {
        var d = draft
        d.title = draft.title.trimmingCharacters(in: .whitespacesAndNewlines)
        d.prompt = draft.prompt.trimmingCharacters(in: .whitespacesAndNewlines)
        d.timeZone = draft.timeZone.trimmingCharacters(in: .whitespaces)
        guard (1...maxTitle).contains(d.title.length) else {
            throw Problem.invalid("title", "A challenge needs a title of 1 to \(maxTitle) characters.")
        }
        guard (1...maxPrompt).contains(d.prompt.length) else {
            throw Problem.invalid(
                "prompt", "A challenge needs a prompt of 1 to \(maxPrompt) characters (Markdown); this one has \(d.prompt.length).")
        }
        guard Validation.isTimeZone(d.timeZone) else {
            throw Problem.invalid("timeZone", "Give the time zone as an IANA name, such as Europe/Berlin or America/New_York.")
        }
        guard let opens = d.opensAt else { throw Problem.invalid("opensAt", "Give the date and time the challenge opens.") }
        guard let closes = d.closesAt else { throw Problem.invalid("closesAt", "Give the date and time the challenge closes.") }
        guard opens >= now.addingTimeInterval(-startGrace) else {
            throw Problem.invalid("opensAt", "A challenge opens now or later: give a start that has not passed.")
        }
        guard closes >= opens.addingTimeInterval(shortest) else {
            throw Problem.invalid("closesAt", "A challenge closes after it opens, and stays open at least an hour.")
        }
        guard closes <= now.addingTimeInterval(horizon) else {
            throw Problem.invalid("closesAt", "A challenge closes within a year from now.")
        }
        return d
    }

    /// An optional http(s) address with a host: it is shown as a link to everyone who sees the entry.
    static func entryLink(_ raw: String) throws -> String? {
        let link = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !link.isEmpty else { return nil }
        guard link.utf8.count <= maxLink, let url = URL(string: link), ["http", "https"].contains(url.scheme?.lowercased() ?? ""),
            url.host?.isEmpty == false, !link.contains(where: { $0.isWhitespace })
        else {
            throw Problem.invalid(
                "link", "The link must be an http(s) address of at most \(maxLink) characters, such as https://example.com/demo.")
        }
        return link
    }

    static func phase(opensAt: Date, closesAt: Date, closedAt: Date?, at now: Date) -> ChallengePhase {
        if closedAt != nil || now >= closesAt { return .closed }
        return now < opensAt ? .upcoming : .open
    }

    static func requireOpen(_ challenge: Challenge, at now: Date) throws {
        if let closedAt = challenge.closedAt {
            throw Problem(.conflict, "This challenge was closed early, \(when(closedAt, challenge)): it takes no more entries.")
        }
        guard now < challenge.closesAt else {
            throw Problem(.conflict, "This challenge closed \(when(challenge.closesAt, challenge)): it takes no more entries.")
        }
        guard now >= challenge.opensAt else {
            throw Problem(
                .conflict, "This challenge opens \(when(challenge.opensAt, challenge)): entries are taken from then until it closes.")
        }
    }

    /// "Tue 17 Nov 2026, 18:00 CET (Europe/Berlin)": as the organizer speaks of it.
    static func when(_ date: Date, _ challenge: Challenge) -> String {
        "\(Clock(challenge.timeZone).format(date)) (\(challenge.timeZone))"
    }

    /// Each challenge is its own object: checked in one batch, challenges sharing a name would pool their audiences.
    static func object(_ challenge: Challenge) -> Access.Object {
        .shared(organization: challenge.$organization.id, name: "challenge-\(Access.key(challenge.id!))", audience: challenge.audience)
    }

    static func thread(_ challenge: Challenge) -> String { "challenge:\(Access.key(challenge.id!))" }

    /// A mail to an address without an account, from the challenge's organization, through the outbox.
    static func mail(
        to email: String, about challenge: Challenge, kind: String, subject: String, body: String, at now: Date, on db: any Database
    ) async throws {
        let m = OutboxMessage()
        m.$organization.id = challenge.$organization.id
        m.toEmail = email
        m.subject = String(subject.prefix(200))
        m.body = body
        m.kind = kind
        m.createdAt = now
        m.threadKey = thread(challenge)
        try await m.save(on: db)
    }

    /// The participant's entry, sent through their account or their link (the first one if an address was confirmed
    /// only after each had sent one).
    static func ownEntry(in challengeID: UUID, seat: Seat, on db: any Database) async throws -> ChallengeEntry? {
        let accounts = seat.accounts
        let member = seat.member?.id
        guard !accounts.isEmpty || member != nil else { return nil }
        return try await ChallengeEntry.query(on: db).filter(\.$challenge.$id == challengeID)
            .group(.or) { either in
                if !accounts.isEmpty { either.filter(\.$user.$id ~~ accounts) }
                if let member { either.filter(\.$member.$id == member) }
            }
            .with(\.$user).with(\.$member).with(\.$organization).sort(\.$createdAt).sort(\.$id).first()
    }

    /// The entrant's person, personal link and organization, for `author(of:)`.
    static func loadRelations(_ entry: ChallengeEntry, on db: any Database) async throws {
        try await entry.$user.load(on: db)
        try await entry.$member.load(on: db)
        try await entry.$organization.load(on: db)
    }

    /// The entrant as others read them; the relations must be loaded.
    static func author(of entry: ChallengeEntry) -> String {
        if let user = entry.user {
            let organization = entry.organization?.name ?? ""
            return organization.isEmpty ? user.name : "\(user.name), \(organization)"
        }
        if let member = entry.member { return "\(member.name) (invited)" }
        return "A former participant"
    }

    static func entryCounts(_ ids: [UUID], on db: any Database) async throws -> (entries: [UUID: Int], highlights: [UUID: Int]) {
        guard !ids.isEmpty else { return ([:], [:]) }
        let all = try await ChallengeEntry.query(on: db).filter(\.$challenge.$id ~~ ids).all(\.$challenge.$id)
        let highlighted = try await ChallengeEntry.query(on: db).filter(\.$challenge.$id ~~ ids).filter(\.$highlightedAt != nil)
            .all(\.$challenge.$id)
        return (
            all.reduce(into: [UUID: Int]()) { $0[$1, default: 0] += 1 },
            highlighted.reduce(into: [UUID: Int]()) { $0[$1, default: 0] += 1 }
        )
    }

    static func summary(_ c: Challenge, organizationName: String, entries: Int, highlights: Int) -> Summary {
        Summary(
            id: c.id!, organizationID: c.$organization.id, organizationName: organizationName, title: c.title, prompt: c.prompt,
            opensAt: c.opensAt, closesAt: c.closesAt, closedAt: c.closedAt, timeZone: c.timeZone, audience: c.audience,
            createdAt: c.createdAt, entries: entries, highlights: highlights)
    }

    static func submission(_ e: ChallengeEntry, author: String, mine: Bool) -> Submission {
        Submission(
            id: e.id!, challengeID: e.$challenge.id, author: author, body: e.body, link: e.link, mine: mine, highlightNote: e.highlightNote,
            highlightedAt: e.highlightedAt, createdAt: e.createdAt, updatedAt: e.updatedAt)
    }
}
