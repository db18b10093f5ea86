import BonafideCore
import Fluent
import Foundation

/// Who hears of a challenge and as whom they take part: the organizations its organization knows in the audience are
/// told when it starts, and an address invited from a list is its account once an account has confirmed it.
extension Challenges {
    /// Tells the people of every organization in the audience that the challenge's organization knows (a partner,
    /// present or past, or one in its circles), each organization as `Access` decides for it and with a line about its
    /// own work with the organizer, as an update is announced; then the accounts invited from the list that were not
    /// told already. In the app and by mail as each person chose for `challengeStarted`, once each.
    static func announce(
        _ challenge: Challenge, from author: Organization, inviting invited: [UUID], at now: Date, on db: any Database
    ) async throws {
        let known = try await Access.knownOrganizations(of: author.id!, on: db)
        var readers: [UUID] = []
        for organization in known.keys.sorted(by: { $0.uuidString < $1.uuidString }) {
            if try await Access.check(.members(of: organization), "reader", object(challenge), on: db).allowed {
                readers.append(organization)
            }
        }
        let lines = try await Updates.personalLines(from: author, to: readers, known: known, on: db)
        var people: [User] = []
        if !readers.isEmpty { people = try await User.query(on: db).filter(\.$organization.$id ~~ readers).all() }
        let peopleOf = Dictionary(grouping: people, by: { $0.$organization.id })
        let verb = challenge.opensAt > now ? "announced" : "started"
        let timeBox = "Entries are open from \(when(challenge.opensAt, challenge)) until \(when(challenge.closesAt, challenge))."
        let prompt = Markdown.plainText(challenge.prompt)
        let excerpt = prompt.count > 1_500 ? String(prompt.prefix(1_499)) + "…" : prompt
        var told = Set<UUID>()
        for reader in readers {
            let ids = peopleOf[reader]?.compactMap(\.id) ?? []
            guard !ids.isEmpty else { continue }
            told.formUnion(ids)
            try await Notifier.notify(
                ids,
                of: started(
                    challenge, text: "\(author.name) \(verb) a challenge: “\(challenge.title)”",
                    detail: "\(lines[reader] ?? "")\n\n\(timeBox)\n\n\(excerpt)"),
                at: now, on: db)
        }
        try await Notifier.notify(
            invited.filter { !told.contains($0) },
            of: started(
                challenge, text: "\(author.name) invites you to its challenge “\(challenge.title)”", detail: "\(timeBox)\n\n\(excerpt)"),
            at: now, on: db)
    }

    /// One key for the audience's and the invitation's notice: nobody is told twice of the same challenge.
    private static func started(_ challenge: Challenge, text: String, detail: String) -> Notifier.Event {
        .init(
            kind: .challengeStarted, text: text, link: SiteURL.challenge(challenge.id), detail: detail, about: thread(challenge),
            key: "challenge-started|\(Access.key(challenge.id!))")
    }

    /// The invitation to the person's address in one challenge, if they have confirmed that address: an unconfirmed one
    /// proves nobody owns it, so it does not let an account into a challenge it was not in the audience of.
    static func invitation(of user: User, to challengeID: UUID, on db: any Database) async throws -> ChallengeMember? {
        guard user.emailVerifiedAt != nil else { return nil }
        return try await ChallengeMember.query(on: db).filter(\.$challenge.$id == challengeID)
            .filter(\.$email == Validation.normalizedEmail(user.email)).first()
    }

    /// The challenges inviting the person's confirmed address.
    static func invitations(of user: User, on db: any Database) async throws -> [UUID] {
        guard user.emailVerifiedAt != nil else { return [] }
        return try await ChallengeMember.query(on: db).filter(\.$email == Validation.normalizedEmail(user.email))
            .limit(listWindow).all(\.$challenge.$id)
    }

    /// A personal link's seat, with the account that has confirmed the address it was mailed to (the address may have
    /// had no account, or an unconfirmed one, when the link went out): that account and the link send one entry.
    static func linkSeat(_ challenge: Challenge, _ member: ChallengeMember, on db: any Database) async throws -> Seat {
        let account = try await User.query(on: db).filter(\.$email == member.email).filter(\.$emailVerifiedAt != nil).first()
        return Seat(challenge: challenge, member: member, actor: nil, account: account?.id)
    }
}
