import BonafideCore
import Fluent
import Foundation

/// Feedback panels ("feedback committees"): an organization invites customers and partners to a standing panel,
/// from one of its circles (people with an account) or from a CSV list (addresses, who act through a personal link
/// whose token is mailed once and kept only as a digest, unless an account has confirmed the address). Members
/// propose ideas, vote once per idea, comment, and may leave; the organization's owners and admins mark an idea
/// planned, done or declined with what was done (or why not), and everyone who proposed, voted or commented is told,
/// so members see their feedback acted on. Only the members and the organization's people see a panel: to anyone
/// else it does not exist (404), so nothing leaks across tenants.
enum FeedbackPanels {
    static let maxTitle = 200
    static let maxPurpose = 2_000
    static let maxIdeaTitle = 200
    static let maxDetails = 2_000
    static let maxComment = 2_000
    static let maxOutcome = 2_000
    static let maxName = 100
    /// People invited in one go; more is a mailing, not a panel.
    static let maxInvites = 1_000
    /// Ideas listed for one panel; the newest past this are still counted in the vote order's tail.
    static let maxIdeasListed = 500
    /// The newest panels considered for a list.
    static let listWindow = 200
    /// The personal link's token starts with this, so an event or survey token is never looked up here.
    static let linkPrefix = "pn_"
    /// The invitation mail with the personal link: a secret, blanked once delivered (`InvitationMail.secretKinds`).
    static let invitationKind = "panel-invitation"
    /// Decisions mailed to members without an account.
    static let noticeKind = "panel-notice"

    /// Who acts on a panel: a signed-in person, or the holder of a personal link.
    enum Participant: Sendable {
        case person(Actor)
        case link(String)
    }

    struct Entry: Sendable {
        var id: UUID
        var organizationID: UUID
        var organizationName: String
        var title: String
        var purpose: String
        var status: PanelStatus
        var members: Int
        var createdAt: Date
    }

    struct Comment: Sendable {
        var id: UUID
        var author: String
        var body: String
        var createdAt: Date
    }

    struct Idea: Sendable {
        var id: UUID
        var panelID: UUID
        var title: String
        var details: String
        var status: PanelIdeaStatus
        var outcome: String?
        var votes: Int
        /// Who proposed it: the member's name for the organization's people, "the organization" or nil otherwise.
        var proposedBy: String?
        /// Proposed through the viewer's own membership.
        var mine: Bool
        var votedByYou: Bool
        var createdAt: Date
        var decidedAt: Date?
        var comments: [Comment]
    }

    struct Member: Sendable {
        var id: UUID
        var name: String
        var email: String
        var withAccount: Bool
        var invitedAt: Date
    }

    /// A panel as one viewer sees it.
    struct View: Sendable {
        var entry: Entry
        /// The viewer is one of the organization's people.
        var own: Bool
        /// Owners and admins of that organization: they invite, decide and close.
        var organizer: Bool
        /// The viewer's membership (nil for the organization's people who are not members).
        var memberID: UUID?
        var ideas: [Idea]
        /// The members, for the organization's people only.
        var members: [Member]

        /// "What we did with your feedback": the ideas done, with what was done.
        var actedOn: [Idea] {
            ideas.filter { $0.status == .done }.sorted { ($0.decidedAt ?? $0.createdAt) > ($1.decidedAt ?? $1.createdAt) }
        }
        var isOpen: Bool { entry.status == .open }
    }

    /// One person who could not be invited, and why.
    struct Skip: Sendable, Equatable {
        var email: String
        var reason: String
    }

    struct Invited: Sendable {
        var invited: Int
        var skipped: [Skip]
    }

    /// Where a participant stands with a panel, once it is known they may see it.
    struct Seat: Sendable {
        var panel: FeedbackPanel
        var member: PanelMember?
        var actor: Actor?

        var own: Bool { actor.map { $0.organizationID == panel.$organization.id } ?? false }
    }

    // MARK: Creating and reading

    static func create(title rawTitle: String, purpose rawPurpose: String, by actor: Actor, at now: Date = Date(), on db: any Database)
        async throws -> Entry
    {
        try Policy.manageOrganization(actor)
        let title = rawTitle.trimmingCharacters(in: .whitespacesAndNewlines)
        let purpose = rawPurpose.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...maxTitle).contains(title.length) else {
            throw Problem.invalid("title", "A panel needs a title of 1 to \(maxTitle) characters.")
        }
        guard purpose.length <= maxPurpose else {
            throw Problem.invalid("purpose", "The purpose has at most \(maxPurpose) characters.")
        }
        let organizationID = actor.organizationID
        return try await db.writeTransaction { tx in
            guard let organization = try await Organization.find(organizationID, on: tx) else { throw Problem.notFound("organization") }
            let panel = FeedbackPanel()
            panel.$organization.id = organizationID
            panel.title = title
            panel.purpose = purpose
            panel.status = .open
            panel.$createdBy.id = actor.id
            panel.createdAt = now
            try await panel.save(on: tx)
            return entry(panel, organizationName: organization.name, members: 0)
        }
    }

    /// The organization's own panels and the panels the person is a member of, newest first.
    static func visible(to actor: Actor, on db: any Database) async throws -> [Entry] {
        let memberOf = try await PanelMember.query(on: db).filter(\.$user.$id == actor.id).filter(\.$leftAt == nil).all(\.$panel.$id)
        let own = try await FeedbackPanel.query(on: db).filter(\.$organization.$id == actor.organizationID)
            .sort(\.$createdAt, .descending).limit(listWindow).all()
        var others: [FeedbackPanel] = []
        if !memberOf.isEmpty {
            others = try await FeedbackPanel.query(on: db).filter(\.$id ~~ memberOf).sort(\.$createdAt, .descending).limit(listWindow).all()
        }
        var seen = Set<UUID>()
        let panels = (own + others).filter { seen.insert($0.id!).inserted }.sorted { $0.createdAt > $1.createdAt }
        let names = try await organizationNames(Set(panels.map { $0.$organization.id }), on: db)
        let counts = try await memberCounts(panels.compactMap(\.id), on: db)
        return panels.map { entry($0, organizationName: names[$0.$organization.id] ?? "", members: counts[$0.id!] ?? 0) }
    }

    /// The panel and the participant's place in it. The organization's people see their panels; a person elsewhere
    /// only the panels they are a member of; a link holder only the panel of their link. Anything else is not found.
    static func seat(_ participant: Participant, in id: UUID?, on db: any Database) async throws -> Seat {
        switch participant {
        case .person(let actor):
            guard let id, let panel = try await FeedbackPanel.find(id, on: db) else { throw Problem.notFound("panel") }
            let member = try await PanelMember.query(on: db).filter(\.$panel.$id == id).filter(\.$user.$id == actor.id)
                .filter(\.$leftAt == nil).first()
            guard member != nil || panel.$organization.id == actor.organizationID else { throw Problem.notFound("panel") }
            return Seat(panel: panel, member: member, actor: actor)
        case .link(let token):
            let (panel, member) = try await byLink(token, on: db)
            guard let id, panel.id == id else { throw Problem.notFound("panel") }
            return Seat(panel: panel, member: member, actor: nil)
        }
    }

    static func byLink(_ token: String, on db: any Database) async throws -> (FeedbackPanel, PanelMember) {
        guard token.hasPrefix(linkPrefix), token.utf8.count <= 200,
            let member = try await PanelMember.query(on: db).filter(\.$tokenDigest == Secrets.digest(token)).first(),
            member.leftAt == nil,
            let panel = try await FeedbackPanel.find(member.$panel.id, on: db)
        else { throw Problem(.notFound, "This panel link is not valid. Check that the whole link was copied.") }
        return (panel, member)
    }

    /// A panel of the actor's organization, for its owners and admins; anyone else's is not found.
    static func organized(_ id: UUID?, by actor: Actor, on db: any Database) async throws -> FeedbackPanel {
        guard let id, let panel = try await FeedbackPanel.find(id, on: db), panel.$organization.id == actor.organizationID else {
            throw Problem.notFound("panel")
        }
        try Policy.manageOrganization(actor)
        return panel
    }

    /// The panel as the participant sees it: its ideas (most votes first) with their comments.
    static func view(_ id: UUID?, as participant: Participant, on db: any Database) async throws -> View {
        let seat = try await Self.seat(participant, in: id, on: db)
        return try await view(seat, on: db)
    }

    static func view(link token: String, on db: any Database) async throws -> View {
        let (panel, member) = try await byLink(token, on: db)
        return try await view(Seat(panel: panel, member: member, actor: nil), on: db)
    }

    static func view(_ seat: Seat, on db: any Database) async throws -> View {
        let panel = seat.panel
        let panelID = panel.id!
        let organizationName = try await Organization.find(panel.$organization.id, on: db)?.name ?? ""
        let memberRows = try await PanelMember.query(on: db).filter(\.$panel.$id == panelID).filter(\.$leftAt == nil)
            .sort(\.$invitedAt).sort(\.$id).all()
        let names = Dictionary(memberRows.map { ($0.id!, $0.name) }, uniquingKeysWith: { a, _ in a })
        let rows = try await PanelIdea.query(on: db).filter(\.$panel.$id == panelID)
            .sort(\.$votes, .descending).sort(\.$createdAt).sort(\.$id).limit(maxIdeasListed).all()
        let ids = rows.compactMap(\.id)
        var voted: Set<UUID> = []
        if let own = seat.member?.id, !ids.isEmpty {
            voted = Set(try await PanelVote.query(on: db).filter(\.$member.$id == own).filter(\.$idea.$id ~~ ids).all(\.$idea.$id))
        }
        var comments: [UUID: [Comment]] = [:]
        if !ids.isEmpty {
            let commentRows = try await PanelComment.query(on: db).filter(\.$idea.$id ~~ ids).with(\.$author)
                .sort(\.$createdAt).sort(\.$id).all()
            for c in commentRows {
                let author: String
                if let writer = c.author {
                    author = "\(writer.name), \(organizationName)"
                } else if let memberID = c.$member.id {
                    // Members' names are for the organization; to other members a comment is a member's, or yours.
                    author = seat.own ? (names[memberID] ?? "A former member") : memberID == seat.member?.id ? "You" : "A member"
                } else {
                    author = "A former member"
                }
                comments[c.$idea.id, default: []].append(Comment(id: c.id!, author: author, body: c.body, createdAt: c.createdAt))
            }
        }
        let ideas = rows.map { row -> Idea in
            // A member's idea names them to the organization only; the organization's own ideas carry its name.
            var proposedBy: String? = organizationName
            if let proposer = row.$member.id { proposedBy = seat.own ? (names[proposer] ?? "A former member") : nil }
            return idea(
                row, proposedBy: proposedBy, mine: row.$member.id != nil && row.$member.id == seat.member?.id,
                votedByYou: voted.contains(row.id!), comments: comments[row.id!] ?? [])
        }
        let members =
            seat.own
            ? memberRows.map {
                Member(id: $0.id!, name: $0.name, email: $0.email, withAccount: $0.$user.id != nil, invitedAt: $0.invitedAt)
            } : []
        let organizer = seat.own && seat.actor.map { Policy.canManage($0) } == true
        return View(
            entry: entry(panel, organizationName: organizationName, members: memberRows.count), own: seat.own, organizer: organizer,
            memberID: seat.member?.id, ideas: ideas, members: members)
    }

    // MARK: Inviting

    /// Invites the people of every organization in one of the actor's organization's circles (each with their
    /// account, told in the app and by mail), or the people of a CSV list of "email,name" lines (each mailed a
    /// personal link once, unless the address is an account's confirmed one: then as that account). Addresses
    /// already on the panel (or that left it), the organization's own people and bad lines are skipped with the
    /// reason; a list that cannot be read at all is refused with nothing written.
    static func invite(
        _ id: UUID?, circle: String?, csv: String?, by actor: Actor, baseURL: String, at now: Date = Date(), on db: any Database
    ) async throws -> Invited {
        let panel = try await organized(id, by: actor, on: db)
        struct Candidate: Sendable {
            var email: String
            var name: String
            var userID: UUID?
        }
        var candidates: [Candidate] = []
        var skipped: [Skip] = []
        switch (circle?.trimmingCharacters(in: .whitespaces).nilIfEmpty, csv?.trimmingCharacters(in: .whitespacesAndNewlines).nilIfEmpty) {
        case (let name?, nil):
            guard let chosen = Circle(rawValue: name) else {
                throw Problem.invalid("circle", "Choose a circle: follow, connected, collaborator or trusted-referral.")
            }
            let organizations = try await Circles.members(of: actor.organizationID, in: chosen, on: db).map(\.organizationID)
            if !organizations.isEmpty {
                let people = try await User.query(on: db).filter(\.$organization.$id ~~ organizations).sort(\.$name).sort(\.$id).all()
                candidates = people.map { Candidate(email: Validation.normalizedEmail($0.email), name: $0.name, userID: $0.id) }
            }
            guard candidates.count <= maxInvites else {
                throw Problem.invalid("circle", "This circle holds more than \(maxInvites) people; invite from a list instead.")
            }
        case (nil, let text?):
            let (people, bad) = try parseMembers(text)
            skipped = bad
            // An address whose account has confirmed it joins as that account: the person finds the panel among
            // their own (/panels), is told in the app, and acts with the account rather than with a second
            // credential for the same seat. An unconfirmed address proves nobody owns it, so it gets the mailed
            // link, which only the address's owner can open; taking the account then would let whoever signed up
            // with someone else's address into the panel.
            let byEmail = try await Self.accounts(people.map(\.email), on: db)
            for person in people {
                let user = byEmail[person.email]
                if let user, user.$organization.id == actor.organizationID {
                    skipped.append(Skip(email: person.email, reason: "one of your organization's people, who see the panel already"))
                } else if let user, user.emailVerifiedAt != nil {
                    candidates.append(Candidate(email: person.email, name: user.name, userID: user.id))
                } else {
                    candidates.append(Candidate(email: person.email, name: person.name, userID: nil))
                }
            }
        default:
            throw Problem.invalid("members", "Give either a circle or a CSV list of email,name lines, not both.")
        }
        let panelID = panel.id!
        let wanted = candidates
        let earlierSkips = skipped
        do {
            return try await db.writeTransaction { tx in
                // Locked: two invitations at once see each other's members, so nobody is invited twice.
                guard let current = try await tx.lockedRow(FeedbackPanel.self, panelID) else { throw Problem.notFound("panel") }
                guard current.status == .open else { throw Problem(.conflict, "This panel is closed; it takes no new members.") }
                let earlier = try await PanelMember.query(on: tx).filter(\.$panel.$id == panelID).all()
                var taken = Set(earlier.map(\.email))
                // Someone who left chose to: inviting them again does not bring them back.
                let left = Set(earlier.filter { $0.leftAt != nil }.map(\.email))
                let organizer = try await Organization.find(current.$organization.id, on: tx)?.name ?? ""
                var skips = earlierSkips
                var invited = 0
                var withAccount: [UUID] = []
                for c in wanted {
                    guard taken.insert(c.email).inserted else {
                        skips.append(Skip(email: c.email, reason: left.contains(c.email) ? "left the panel" : "already a member"))
                        continue
                    }
                    let member = PanelMember()
                    member.$panel.id = panelID
                    member.$user.id = c.userID
                    member.email = c.email
                    member.name = c.name
                    member.invitedAt = now
                    member.leftAt = nil
                    var token: String?
                    if c.userID == nil {
                        let secret = Secrets.make(prefix: linkPrefix)
                        member.tokenDigest = Secrets.digest(secret)
                        token = secret
                    }
                    try await member.save(on: tx)
                    invited += 1
                    if let userID = c.userID {
                        withAccount.append(userID)
                    } else if let token {
                        let body = """
                            Hello \(c.name),

                            \(organizer) invites you to its feedback panel “\(current.title)”.
                            \(current.purpose.isEmpty ? "" : "\n\(current.purpose)\n")
                            Propose ideas, vote for the ones you want and comment; you will see what was done with your feedback.

                            Your personal link (no account needed; it is yours alone, so keep it to yourself):
                            \(baseURL + SiteURL.panelLink(token))
                            """
                        try await mail(
                            to: c.email, about: current, kind: invitationKind, subject: "\(organizer) invites you to “\(current.title)”",
                            body: body, at: now, on: tx)
                    }
                }
                try await Notifier.notify(
                    withAccount,
                    of: .init(
                        kind: .panel, text: "\(organizer) invites you to its feedback panel “\(current.title)”",
                        link: SiteURL.panel(panelID), detail: current.purpose, about: thread(current),
                        key: "panel-invited|\(Access.key(panelID))"),
                    at: now, on: tx)
                return Invited(invited: invited, skipped: skips)
            }
        } catch let error as any DatabaseError where error.isConstraintFailure {
            // The same address invited twice at once: the unique (panel, email) lets one of them through.
            throw Problem(.conflict, "Someone on this list was invited at the same moment; try again.")
        }
    }

    /// The accounts of these (normalized) addresses, by address.
    static func accounts(_ emails: [String], on db: any Database) async throws -> [String: User] {
        guard !emails.isEmpty else { return [:] }
        let users = try await User.query(on: db).filter(\.$email ~~ Array(Set(emails))).all()
        return Dictionary(users.map { (Validation.normalizedEmail($0.email), $0) }, uniquingKeysWith: { a, _ in a })
    }

    // MARK: Leaving

    /// A member leaves: the panel leaves their list, a personal link stops opening it, and what they proposed,
    /// voted and commented stays, as a former member's. Decided on the locked member row, so leaving twice at once
    /// is one leave and one 409.
    static func leave(_ id: UUID?, as participant: Participant, at now: Date = Date(), on db: any Database) async throws -> Entry {
        let seat = try await Self.seat(participant, in: id, on: db)
        guard let memberID = seat.member?.id else {
            throw Problem(.forbidden, "Only members leave a panel; your organization runs this one.")
        }
        let panelID = seat.panel.id!
        return try await db.writeTransaction { tx in
            guard let member = try await tx.lockedRow(PanelMember.self, memberID) else { throw Problem.notFound("panel") }
            guard member.leftAt == nil else { throw Problem(.conflict, "You already left this panel.") }
            member.leftAt = now
            try await member.save(on: tx)
            guard let panel = try await FeedbackPanel.find(panelID, on: tx) else { throw Problem.notFound("panel") }
            let name = try await Organization.find(panel.$organization.id, on: tx)?.name ?? ""
            return entry(panel, organizationName: name, members: try await memberCounts([panelID], on: tx)[panelID] ?? 0)
        }
    }

    /// "email,name" lines, with an optional header row. A line without a valid address or with a name that is too long
    /// is skipped with its reason; a file that cannot be read, is empty or is too long is refused.
    static func parseMembers(_ text: String) throws -> (people: [(email: String, name: String)], skipped: [Skip]) {
        let records: [CSV.Record]
        do { records = try CSV.records(text) } catch { throw Problem.invalid("csv", error.message) }
        var rows = records[...]
        if let first = rows.first, first.field(0).lowercased() == "email" { rows = rows.dropFirst() }
        guard !rows.isEmpty else { throw Problem.invalid("csv", "The list is empty: give one person a line, as email,name.") }
        guard rows.count <= maxInvites else { throw Problem.invalid("csv", "At most \(maxInvites) people at a time; split the list.") }
        var people: [(email: String, name: String)] = []
        var skipped: [Skip] = []
        for record in rows {
            let raw = record.field(0)
            let email = Validation.normalizedEmail(raw)
            guard Validation.isEmail(email) else {
                skipped.append(Skip(email: String(raw.prefix(80)), reason: "line \(record.line): not an email address"))
                continue
            }
            var name = record.field(1).trimmingCharacters(in: .whitespacesAndNewlines)
            guard name.length <= maxName else {
                skipped.append(Skip(email: email, reason: "line \(record.line): the name has more than \(maxName) characters"))
                continue
            }
            if name.isEmpty { name = String(email.prefix { $0 != "@" }) }
            people.append((email: email, name: name))
        }
        return (people, skipped)
    }

    // MARK: Ideas, votes, comments

    /// An idea from a member or from the organization's people, while the panel is open.
    static func propose(
        _ id: UUID?, title rawTitle: String, details rawDetails: String, as participant: Participant, at now: Date = Date(),
        on db: any Database
    ) async throws -> Idea {
        let seat = try await Self.seat(participant, in: id, on: db)
        let title = rawTitle.trimmingCharacters(in: .whitespacesAndNewlines)
        let details = rawDetails.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...maxIdeaTitle).contains(title.length) else {
            throw Problem.invalid("title", "An idea needs a title of 1 to \(maxIdeaTitle) characters.")
        }
        guard details.length <= maxDetails else { throw Problem.invalid("details", "The details have at most \(maxDetails) characters.") }
        let panelID = seat.panel.id!
        let memberID = seat.member?.id
        let own = seat.own
        return try await db.writeTransaction { tx in
            guard let panel = try await tx.lockedRow(FeedbackPanel.self, panelID) else { throw Problem.notFound("panel") }
            try requireOpen(panel)
            if let memberID {
                guard let member = try await tx.lockedRow(PanelMember.self, memberID), member.leftAt == nil else {
                    throw Problem.notFound("panel")
                }
            }
            let idea = PanelIdea()
            idea.$panel.id = panelID
            // The organization's people propose as the organization, even when they are also members.
            idea.$member.id = own ? nil : memberID
            idea.title = title
            idea.details = details
            idea.status = .proposed
            idea.outcome = nil
            idea.votes = 0
            idea.createdAt = now
            idea.decidedAt = nil
            try await idea.save(on: tx)
            return Self.idea(idea, proposedBy: nil, mine: !own, votedByYou: false, comments: [])
        }
    }

    /// One vote per member and idea: a second one is a 409 and counts nothing. The organization's people decide
    /// rather than vote, so only members vote.
    static func vote(_ id: UUID?, idea ideaID: UUID?, as participant: Participant, at now: Date = Date(), on db: any Database)
        async throws -> Idea
    {
        let seat = try await Self.seat(participant, in: id, on: db)
        let panelID = seat.panel.id!
        guard let ideaID, let found = try await PanelIdea.find(ideaID, on: db), found.$panel.id == panelID else {
            throw Problem.notFound("idea")
        }
        guard let memberID = seat.member?.id else {
            throw Problem(.forbidden, "Only the panel's members vote; your organization decides on the ideas.")
        }
        do {
            return try await db.writeTransaction { tx in
                guard let panel = try await tx.lockedRow(FeedbackPanel.self, panelID) else { throw Problem.notFound("panel") }
                try requireOpen(panel)
                // The idea row is locked: votes at once are counted one after the other, none lost.
                guard let idea = try await tx.lockedRow(PanelIdea.self, ideaID) else { throw Problem.notFound("idea") }
                let already = try await PanelVote.query(on: tx).filter(\.$idea.$id == ideaID).filter(\.$member.$id == memberID).count()
                guard already == 0 else { throw alreadyVoted }
                let vote = PanelVote()
                vote.$idea.id = ideaID
                vote.$member.id = memberID
                vote.createdAt = now
                try await vote.save(on: tx)
                idea.votes += 1
                try await idea.save(on: tx)
                return Self.idea(idea, proposedBy: nil, mine: idea.$member.id == memberID, votedByYou: true, comments: [])
            }
        } catch let error as any DatabaseError where error.isConstraintFailure {
            // Two votes of the same member at once: the unique pair lets one through.
            throw alreadyVoted
        }
    }

    static let alreadyVoted = Problem(.conflict, "You already voted for this idea; each member's vote counts once.")

    /// A comment by a member or one of the organization's people, while the panel is open.
    static func comment(
        _ id: UUID?, idea ideaID: UUID?, body rawBody: String, as participant: Participant, at now: Date = Date(), on db: any Database
    ) async throws -> Comment {
        let seat = try await Self.seat(participant, in: id, on: db)
        let panelID = seat.panel.id!
        guard let ideaID, let found = try await PanelIdea.find(ideaID, on: db), found.$panel.id == panelID else {
            throw Problem.notFound("idea")
        }
        let body = rawBody.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...maxComment).contains(body.length) else { throw Problem.invalid("body", "A comment has 1 to \(maxComment) characters.") }
        let own = seat.own
        let memberID = seat.member?.id
        let authorID = seat.actor?.id
        let authorName = seat.actor.map(\.user.name)
        return try await db.writeTransaction { tx in
            guard let panel = try await tx.lockedRow(FeedbackPanel.self, panelID) else { throw Problem.notFound("panel") }
            try requireOpen(panel)
            guard try await PanelIdea.find(ideaID, on: tx) != nil else { throw Problem.notFound("idea") }
            let c = PanelComment()
            c.$idea.id = ideaID
            // The organization's people answer as themselves; members as members.
            c.$member.id = own ? nil : memberID
            c.$author.id = own ? authorID : nil
            c.body = body
            c.createdAt = now
            try await c.save(on: tx)
            return Comment(id: c.id!, author: own ? (authorName ?? "") : "You", body: body, createdAt: now)
        }
    }

    // MARK: Closing the loop

    /// The organization's owners and admins mark an idea planned, done or declined with what was done (or why not).
    /// Every member who proposed, voted for or commented on it is told; a decision repeated with the same status
    /// updates the outcome without telling anyone again.
    static func decide(
        _ id: UUID?, idea ideaID: UUID?, status rawStatus: String, outcome rawOutcome: String, by actor: Actor, baseURL: String,
        at now: Date = Date(), on db: any Database
    ) async throws -> Idea {
        let panel = try await organized(id, by: actor, on: db)
        guard let status = PanelIdeaStatus(rawValue: rawStatus), status != .proposed else {
            throw Problem.invalid("status", "The decision is planned, done or declined.")
        }
        let outcome = rawOutcome.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...maxOutcome).contains(outcome.length) else {
            throw Problem.invalid(
                "outcome", "Say what was done, or why not, in 1 to \(maxOutcome) characters: it is what the members read.")
        }
        guard let ideaID else { throw Problem.notFound("idea") }
        let panelID = panel.id!
        return try await db.writeTransaction { tx in
            guard let idea = try await tx.lockedRow(PanelIdea.self, ideaID), idea.$panel.id == panelID else {
                throw Problem.notFound("idea")
            }
            let changed = idea.status != status
            idea.status = status
            idea.outcome = outcome
            idea.decidedAt = now
            try await idea.save(on: tx)
            if changed { try await tellContributors(idea, panel: panel, baseURL: baseURL, at: now, on: tx) }
            return Self.idea(idea, proposedBy: nil, mine: false, votedByYou: false, comments: [])
        }
    }

    /// Closes the panel: no more ideas, votes, comments or members (409); decisions may still be recorded.
    static func close(_ id: UUID?, by actor: Actor, on db: any Database) async throws -> Entry {
        let panel = try await organized(id, by: actor, on: db)
        let panelID = panel.id!
        return try await db.writeTransaction { tx in
            guard let current = try await tx.lockedRow(FeedbackPanel.self, panelID) else { throw Problem.notFound("panel") }
            guard current.status == .open else { throw Problem(.conflict, "This panel is already closed.") }
            current.status = .closed
            try await current.save(on: tx)
            let name = try await Organization.find(current.$organization.id, on: tx)?.name ?? ""
            return entry(current, organizationName: name, members: try await memberCounts([panelID], on: tx)[panelID] ?? 0)
        }
    }

    /// Tells the members who proposed, voted for or commented on the idea: people with an account through
    /// `Notifier`, people with a personal link by a plain mail (there is no account to notify, and the link
    /// itself is not stored, so the mail points to the invitation).
    static func tellContributors(_ idea: PanelIdea, panel: FeedbackPanel, baseURL: String, at now: Date, on tx: any Database)
        async throws
    {
        let ideaID = idea.id!
        var memberIDs = Set(try await PanelVote.query(on: tx).filter(\.$idea.$id == ideaID).all(\.$member.$id))
        memberIDs.formUnion(try await PanelComment.query(on: tx).filter(\.$idea.$id == ideaID).all(\.$member.$id).compactMap { $0 })
        if let proposer = idea.$member.id { memberIDs.insert(proposer) }
        guard !memberIDs.isEmpty else { return }
        let members = try await PanelMember.query(on: tx).filter(\.$id ~~ Array(memberIDs)).filter(\.$leftAt == nil).sort(\.$invitedAt)
            .all()
        let text = "Your feedback was acted on: “\(idea.title)” is \(idea.status.label.lowercased())"
        let detail = "\(panel.title)\n\n\(idea.outcome ?? "")"
        try await Notifier.notify(
            members.compactMap { $0.$user.id },
            of: .init(
                kind: .panel, text: text, link: SiteURL.panel(panel.id), detail: detail, about: thread(panel),
                key: "panel-decision|\(Access.key(ideaID))|\(idea.status.rawValue)"),
            at: now, on: tx)
        for m in members where m.$user.id == nil {
            let body = """
                Hello \(m.name),

                \(text).

                \(detail)

                See what was done with the panel's feedback through your personal link, in the invitation mail.
                """
            try await mail(to: m.email, about: panel, kind: noticeKind, subject: text, body: body, at: now, on: tx)
        }
    }

    // MARK: Helpers

    static func requireOpen(_ panel: FeedbackPanel) throws {
        guard panel.status == .open else { throw Problem(.conflict, "This panel is closed: it takes no new ideas, votes or comments.") }
    }

    /// A mail to an address without an account, from the panel's organization, through the outbox.
    static func mail(
        to email: String, about panel: FeedbackPanel, kind: String, subject: String, body: String, at now: Date, on db: any Database
    ) async throws {
        let m = OutboxMessage()
        m.$organization.id = panel.$organization.id
        m.toEmail = email
        m.subject = String(subject.prefix(200))
        m.body = body
        m.kind = kind
        m.createdAt = now
        m.threadKey = thread(panel)
        try await m.save(on: db)
    }

    static func thread(_ panel: FeedbackPanel) -> String { "panel:\(Access.key(panel.id!))" }

    static func memberCounts(_ ids: [UUID], on db: any Database) async throws -> [UUID: Int] {
        guard !ids.isEmpty else { return [:] }
        let rows = try await PanelMember.query(on: db).filter(\.$panel.$id ~~ ids).filter(\.$leftAt == nil).all(\.$panel.$id)
        return rows.reduce(into: [UUID: Int]()) { $0[$1, default: 0] += 1 }
    }

    static func organizationNames(_ ids: Set<UUID>, on db: any Database) async throws -> [UUID: String] {
        guard !ids.isEmpty else { return [:] }
        let rows = try await Organization.query(on: db).filter(\.$id ~~ Array(ids)).all()
        return Dictionary(rows.map { ($0.id!, $0.name) }, uniquingKeysWith: { a, _ in a })
    }

    static func entry(_ p: FeedbackPanel, organizationName: String, members: Int) -> Entry {
        Entry(
            id: p.id!, organizationID: p.$organization.id, organizationName: organizationName, title: p.title, purpose: p.purpose,
            status: p.status, members: members, createdAt: p.createdAt)
    }

    static func idea(_ i: PanelIdea, proposedBy: String?, mine: Bool, votedByYou: Bool, comments: [Comment]) -> Idea {
        Idea(
            id: i.id!, panelID: i.$panel.id, title: i.title, details: i.details, status: i.status, outcome: i.outcome, votes: i.votes,
            proposedBy: proposedBy, mine: mine, votedByYou: votedByYou, createdAt: i.createdAt, decidedAt: i.decidedAt,
            comments: comments)
    }
}
