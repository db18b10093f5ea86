import BonafideCore
import Foundation

extension DemoScale {
    /// One partnership's life, generated as the services would have recorded it: each change a timeline event with the
    /// kind, summary, reason and payload its service writes, commitments moved by `CommitmentLifecycle` itself (so every
    /// state is one the rules allow), missed ones marked as the overdue sweep would (a minute after the due date, with
    /// the record for trust passports), and a message from one side answering the other side's open requests in its
    /// thread, as `Messages.post` does. Nothing lies in the future except due dates.
    struct History: Sendable {
        let id = UUID()
        let pairing: Pairing
        let now: Date
        /// History stops a minute ago, as the demo's does.
        let latest: Date
        var dice: Dice
        var partnership: NewPartnership?
        var members: [NewMember] = []
        var agreements: [NewAgreement] = []
        var commitments: [NewCommitment] = []
        var threads: [NewThread] = []
        var messages: [NewMessage] = []
        var events: [NewEvent] = []
        /// Titles of the commitments so far, for conversations to talk about.
        var titles: [String] = []

        static let day: TimeInterval = 86_400
        static let hour: TimeInterval = 3_600
        /// How Passports and the new-date summary write times.
        static let stamp = Date.ISO8601FormatStyle()

        init(pairing: Pairing, now: Date, seed: UInt64) {
            self.pairing = pairing
            self.now = now
            self.latest = now.addingTimeInterval(-60)
            self.dice = Dice(seed: seed)
        }

        mutating func record(
            _ kind: String, by actor: Person?, _ summary: String, reason: String? = nil, commitment: UUID? = nil,
            extra: [String: String] = [:], at date: Date
        ) {
            events.append(
                NewEvent(
                    partnershipID: id, actorID: actor?.id, kind: kind, summary: summary, reason: reason, commitmentID: commitment,
                    createdAt: date, extra: extra))
        }

        /// Someone of either side.
        mutating func anyone() -> Person {
            let side = dice.chance(0.5) ? pairing.a : pairing.b
            return dice.pick(side.people)
        }

        // MARK: The partnership

        /// Mostly active partnerships, some ended, a few invitations pending or declined (Partnerships.create, accept,
        /// decline, addMember, updateAgreement and end write the same events).
        mutating func generate() {
            let (a, b) = (pairing.a, pairing.b)
            let roll = dice.unit()
            let status: PartnershipStatus = roll < 0.86 ? .active : roll < 0.94 ? .ended : roll < 0.98 ? .invited : .declined
            let opened: Date
            switch status {
            case .invited: opened = now.addingTimeInterval(-dice.double(1, 45) * Self.day)
            case .declined: opened = now.addingTimeInterval(-dice.double(10, 300) * Self.day)
            // Older partnerships are more common than new ones: a year of history, most of it shared.
            case .active, .ended: opened = now.addingTimeInterval(-(20 + 345 * dice.unit().squareRoot()) * Self.day)
            }
            let creator = dice.pick(a.people)
            let invitee = b.people[0]
            let name = dice.pick(DemoScale.trades[a.trade].projects)
            record("partnership.created", by: creator, "\(creator.name) opened the partnership and invited \(invitee.email)", at: opened)
            members.append(NewMember(partnershipID: id, userID: creator.id, organizationID: a.id, createdAt: opened))
            var agreement: String?
            if dice.chance(0.8) {
                let text = """
                    \(a.name) delivers \(DemoScale.trades[a.trade].capabilities[0].lowercased()) for \(b.name) in agreed phases.
                    \(b.name) names a decision-maker who answers within two working days.
                    Each deliverable is accepted against its written criteria.
                    """
                agreement = text
                agreements.append(NewAgreement(partnershipID: id, version: 1, text: text, authorID: creator.id, createdAt: opened))
                record("agreement.updated", by: creator, "\(creator.name) wrote version 1 of the agreement", at: opened)
            }
            var secretHash: String?
            switch status {
            case .invited:
                secretHash = Secrets.digest(Secrets.make(prefix: "inv_"))
            case .declined:
                let at = min(opened.addingTimeInterval(dice.double(2, 96) * Self.hour), latest)
                record("partnership.declined", by: invitee, "\(invitee.name) declined the invitation", at: at)
            case .active, .ended:
                work(ended: status == .ended, opened: opened, creator: creator, agreement: agreement)
            }
            partnership = NewPartnership(
                id: id, name: name, organizationID: a.id, partnerID: status == .active || status == .ended ? b.id : nil, status: status,
                invitedEmail: invitee.email, secretHash: secretHash, createdByID: creator.id, createdAt: opened)
        }

        /// Accepted, everyone added, then months of commitments and conversations; for an ended one, its end.
        mutating func work(ended: Bool, opened: Date, creator: Person, agreement: String?) {
            let (a, b) = (pairing.a, pairing.b)
            let invitee = b.people[0]
            let accepted = min(opened.addingTimeInterval(dice.double(1, 72) * Self.hour), latest)
            members.append(NewMember(partnershipID: id, userID: invitee.id, organizationID: b.id, createdAt: accepted))
            record("partnership.accepted", by: invitee, "\(invitee.name) accepted for \(b.name); the partnership is active", at: accepted)
            // Everyone of both sides works in it; each side adds its colleagues in the first days.
            var ready = accepted
            for (side, adder) in [(a, creator), (b, invitee)] {
                for person in side.people where person.id != adder.id {
                    let at = min(accepted.addingTimeInterval(dice.double(1, 96) * Self.hour), latest)
                    members.append(NewMember(partnershipID: id, userID: person.id, organizationID: side.id, createdAt: at))
                    record("member.added", by: adder, "\(adder.name) added \(person.name)", at: at)
                    ready = max(ready, at)
                }
            }
            let start = ready.addingTimeInterval(Self.hour)
            let share = dice.double(0.45, 0.85)
            let end = ended ? min(latest, start.addingTimeInterval(max(0, latest.timeIntervalSince(start)) * share)) : latest
            if let agreement, end > start, dice.chance(0.25) {
                let at = start.addingTimeInterval(end.timeIntervalSince(start) * dice.double(0.2, 0.7))
                let author = anyone()
                let text = agreement + "\nChange requests after sign-off are estimated separately."
                agreements.append(NewAgreement(partnershipID: id, version: 2, text: text, authorID: author.id, createdAt: at))
                record("agreement.updated", by: author, "\(author.name) wrote version 2 of the agreement", at: at)
            }
            // Work stops an hour before a partnership ends.
            let limit = ended ? end.addingTimeInterval(-Self.hour) : latest
            if limit > start {
                let days = limit.timeIntervalSince(start) / Self.day
                let count = max(3, Int((days * DemoScale.commitmentsPerDay * dice.double(0.75, 1.25)).rounded()))
                for _ in 0..<count { commitment(from: start, to: limit, ended: ended) }
                let talk = Double(count) * DemoScale.messagesPerCommitment * dice.double(0.85, 1.15)
                conversations(from: start, to: limit, count: Int(talk.rounded()))
            }
            if ended {
                let who = anyone()
                let reason = dice.pick(DemoScale.endReasons)
                record("partnership.ended", by: who, "\(who.name) ended the partnership", reason: reason, at: end)
            }
        }

        // MARK: Commitments

        struct Step: Sendable {
            var action: CommitmentAction
            var at: Date
            var reason: String? = nil
            var newDue: Date? = nil
        }

        /// One commitment from its proposal to where its plan got by now: steps planned in the future are not taken, so
        /// recent ones stay proposed, accepted (perhaps at risk or with a new date waiting) or delivered.
        mutating func commitment(from start: Date, to limit: Date, ended: Bool) {
            let ownerIsA = dice.chance(0.5)
            let (ownerSide, recipientSide) = ownerIsA ? (pairing.a, pairing.b) : (pairing.b, pairing.a)
            let owner = dice.pick(ownerSide.people)
            let title = "\(dice.pick(DemoScale.trades[ownerSide.trade].deliverables)): \(dice.pick(DemoScale.topics))"
            let duration = dice.double(3, 30) * Self.day
            let span = limit.timeIntervalSince(start)
            var created = start.addingTimeInterval(dice.unit() * span)
            if ended {
                // In a partnership that ended, the work was done (or missed) well before the end.
                let room = span - 14 * Self.day - duration
                created = start.addingTimeInterval(room > 0 ? dice.unit() * room : 0)
            }
            let due = clearOfNow(Date(timeIntervalSince1970: created.timeIntervalSince1970 + duration))
            let cid = UUID()
            titles.append(title)
            record(
                "commitment.proposed", by: owner, "\(owner.name) proposed “\(title)”, owned by \(owner.name)", commitment: cid,
                at: created)
            var state = CommitmentState(status: .proposed, dueAt: due)
            var flaggedAt: Date?
            // When the due date standing now was agreed (accepted, or a new date accepted).
            var agreedAt: Date?
            for step in plan(created: created, due: due, ended: ended) {
                if step.at > limit { break }
                sweep(&state, commitment: cid, title: title, owner: owner, organization: ownerSide.id, before: step.at)
                let side = step.action.side
                let actor = side == .owner ? (dice.chance(0.8) ? owner : dice.pick(ownerSide.people)) : dice.pick(recipientSide.people)
                let before = state
                // The lifecycle decides, as for a real request: a step it refuses (too late to flag, say) is not taken.
                guard
                    let next = try? CommitmentLifecycle.apply(
                        step.action, to: before, by: side, at: step.at, reason: step.reason, newDueAt: step.newDue)
                else { continue }
                state = next
                if step.action == .accept || step.action == .acceptNewDate { agreedAt = step.at }
                // Early notice is evidence: the first warning before the due date is remembered (Commitments.transition).
                if step.action == .flagAtRisk || step.action == .proposeNewDate, flaggedAt == nil, step.at < before.dueAt {
                    flaggedAt = step.at
                }
                record(
                    "commitment.\(step.action.rawValue)", by: actor,
                    Self.summary(step.action, title: title, who: actor.name, newDue: step.newDue), reason: step.reason, commitment: cid,
                    at: step.at)
                if step.action == .approveDelivery {
                    // Passports.record: the outcome for trust passports, without the commitment's words.
                    let onTime = CommitmentLifecycle.outcome(of: state, flaggedBeforeDue: false, at: step.at) == .onTime
                    record(
                        Passport.commitmentRecord, by: nil,
                        "Recorded for trust passports: a commitment \(onTime ? "completed on time" : "completed late")",
                        extra: [
                            "owner": Access.key(ownerSide.id), "work": Access.key(cid), "due": Self.stamp.format(state.dueAt),
                            "delivered": Self.stamp.format(state.deliveredAt ?? state.completedAt ?? step.at),
                            "onTime": onTime ? "yes" : "no",
                        ], at: step.at)
                }
            }
            sweep(&state, commitment: cid, title: title, owner: owner, organization: ownerSide.id, before: latest)
            // Open work due within two days was announced as due soon when that window began (Notifier.sweepReminders), so
            // the server does not announce a year's worth at its first start.
            var dueSoon: Date?
            if state.status == .accepted, let agreedAt {
                let notice = max(state.dueAt.addingTimeInterval(-48 * Self.hour), agreedAt)
                if notice <= latest { dueSoon = notice }
            }
            let criteria = dice.pick(DemoScale.acceptanceCriteria)
            commitments.append(
                NewCommitment(
                    id: cid, partnershipID: id, title: title, deliverable: "\(title): shared in the project folder.",
                    acceptanceCriteria: criteria, ownerID: owner.id, ownerOrganizationID: ownerSide.id,
                    recipientOrganizationID: recipientSide.id, timeZone: owner.timeZone, state: state, flaggedAt: flaggedAt,
                    dueSoonNotifiedAt: dueSoon, createdAt: created))
        }

        /// What the overdue sweep does within a minute of the due date of an accepted commitment, if that was before
        /// `moment`: mark it missed, on the timeline and in the record for trust passports.
        mutating func sweep(
            _ state: inout CommitmentState, commitment id: UUID, title: String, owner: Person, organization: UUID, before moment: Date
        ) {
            guard state.status == .accepted else { return }
            let at = state.dueAt.addingTimeInterval(dice.double(1, 59))
            guard at < moment else { return }
            state.status = .missed
            record(
                "commitment.missed", by: nil, "“\(title)” (owned by \(owner.name)) passed its due date undelivered and is missed",
                commitment: id, at: at)
            record(
                Passport.missedRecord, by: nil, "Recorded for trust passports: a commitment missed",
                extra: ["owner": Access.key(organization), "work": Access.key(id), "due": Self.stamp.format(state.dueAt)], at: at)
        }

        /// The course a commitment is meant to take, in realistic proportions: mostly delivered on time, some after a
        /// warning or a new date, some late with or without notice, sent back once, missed, declined or withdrawn; a
        /// recent proposal may still wait for its answer.
        mutating func plan(created: Date, due: Date, ended: Bool) -> [Step] {
            let (hour, day) = (Self.hour, Self.day)
            let u = (0..<6).map { _ in dice.unit() }
            let accept = created.addingTimeInterval((0.5 + 29.5 * u[4]) * hour)
            let window = max(due.timeIntervalSince(accept), hour)
            func within(_ fraction: Double) -> Date { accept.addingTimeInterval(window * fraction) }
            // Most deliveries are judged within two days, some wait most of a week.
            let slowJudge = dice.chance(0.3)
            func approval(after delivered: Date) -> Date {
                delivered.addingTimeInterval((slowJudge ? 48 + 120 * u[5] : 1 + 47 * u[5]) * hour)
            }
            let late = due.addingTimeInterval(dice.double(1, 10) * day)
            let newDue = clearOfNow(due.addingTimeInterval(dice.double(3, 14) * day))
            let risk = dice.pick(DemoScale.riskReasons)
            let dateReason = dice.pick(DemoScale.newDateReasons)
            if !ended, created > latest.addingTimeInterval(-21 * day), dice.chance(0.3) { return [] }
            let step: (CommitmentAction, Date, String?, Date?) -> Step = Step.init
            var steps: [Step]
            switch dice.unit() {
            case ..<0.40:
                let delivered = within(0.65 + 0.3 * u[0])
                steps = [step(.accept, accept, nil, nil), step(.deliver, delivered, nil, nil)]
                steps.append(step(.approveDelivery, approval(after: delivered), nil, nil))
            case ..<0.48:
                // Flagged at risk, cleared, delivered on time.
                let delivered = within(0.7 + 0.25 * u[2])
                steps = [
                    step(.accept, accept, nil, nil), step(.flagAtRisk, within(0.2 + 0.2 * u[0]), risk, nil),
                    step(.clearRisk, within(0.45 + 0.15 * u[1]), nil, nil), step(.deliver, delivered, nil, nil),
                    step(.approveDelivery, approval(after: delivered), nil, nil),
                ]
            case ..<0.56:
                // A new date proposed and agreed, delivered by it.
                let proposed = within(0.5 + 0.3 * u[1])
                let delivered = newDue.addingTimeInterval(-(0.1 + 2 * u[3]) * day)
                steps = [
                    step(.accept, accept, nil, nil), step(.proposeNewDate, proposed, dateReason, newDue),
                    step(.acceptNewDate, proposed.addingTimeInterval((2 + 38 * u[2]) * hour), nil, nil),
                    step(.deliver, delivered, nil, nil), step(.approveDelivery, approval(after: delivered), nil, nil),
                ]
            case ..<0.59:
                // A new date refused, delivered late anyway.
                let proposed = within(0.5 + 0.3 * u[1])
                steps = [
                    step(.accept, accept, nil, nil), step(.proposeNewDate, proposed, dateReason, newDue),
                    step(.refuseNewDate, proposed.addingTimeInterval((2 + 38 * u[2]) * hour), nil, nil),
                    step(.deliver, late, nil, nil), step(.approveDelivery, approval(after: late), nil, nil),
                ]
            case ..<0.66:
                // Late after a warning.
                steps = [
                    step(.accept, accept, nil, nil), step(.flagAtRisk, within(0.5 + 0.4 * u[0]), risk, nil),
                    step(.deliver, late, nil, nil), step(.approveDelivery, approval(after: late), nil, nil),
                ]
            case ..<0.73:
                // Late without a word.
                steps = [step(.accept, accept, nil, nil), step(.deliver, late, nil, nil)]
                steps.append(step(.approveDelivery, approval(after: late), nil, nil))
            case ..<0.80:
                // Sent back once, then accepted.
                let first = within(0.35 + 0.2 * u[0])
                let back = first.addingTimeInterval((2 + 22 * u[1]) * hour)
                let second = max(back.addingTimeInterval(4 * hour), within(0.8 + 0.15 * u[2]))
                steps = [
                    step(.accept, accept, nil, nil), step(.deliver, first, nil, nil),
                    step(.sendBack, back, dice.pick(DemoScale.sendBackReasons), nil), step(.deliver, second, nil, nil),
                    step(.approveDelivery, approval(after: second), nil, nil),
                ]
            case ..<0.85:
                // Missed for good, sometimes after a warning.
                steps = [step(.accept, accept, nil, nil)]
                if u[0] < 0.5 { steps.append(step(.flagAtRisk, within(0.6 + 0.3 * u[1]), risk, nil)) }
            case ..<0.94:
                let reason = dice.pick(DemoScale.declineReasons)
                steps = [step(.decline, created.addingTimeInterval((1 + 47 * u[0]) * hour), reason, nil)]
            default:
                let reason = dice.pick(DemoScale.withdrawReasons)
                if u[0] < 0.5 {
                    steps = [step(.accept, accept, nil, nil), step(.withdraw, within(0.2 + 0.4 * u[1]), reason, nil)]
                } else {
                    steps = [step(.withdraw, created.addingTimeInterval((2 + 70 * u[1]) * hour), reason, nil)]
                }
            }
            // One thing after another, never two at the same instant.
            var last = created
            for i in steps.indices {
                if steps[i].at <= last { steps[i].at = last.addingTimeInterval(60) }
                last = steps[i].at
            }
            return steps
        }

        /// A due date at a whole hour, as people pick them, and not within the minutes around `now`: one due just before
        /// it would be left accepted yet overdue (its sweep would fall after `latest`), for the server's sweep to find.
        func clearOfNow(_ date: Date) -> Date {
            let hourly = Date(timeIntervalSince1970: (date.timeIntervalSince1970 / Self.hour).rounded() * Self.hour)
            let fromNow = hourly.timeIntervalSince(now)
            return fromNow > -180 && fromNow <= 60 ? hourly.addingTimeInterval(Self.hour) : hourly
        }

        /// Commitments.transition's summary of each action.
        static func summary(_ action: CommitmentAction, title: String, who: String, newDue: Date?) -> String {
            let what = "“\(title)”"
            switch action {
            case .accept: return "\(who) accepted \(what)"
            case .decline: return "\(who) declined \(what)"
            case .withdraw: return "\(who) withdrew \(what)"
            case .deliver: return "\(who) delivered \(what)"
            case .approveDelivery: return "\(who) accepted the delivery of \(what)"
            case .sendBack: return "\(who) sent \(what) back"
            case .flagAtRisk: return "\(who) flagged \(what) at risk"
            case .clearRisk: return "\(who) cleared the risk on \(what)"
            case .proposeNewDate: return "\(who) proposed a new date for \(what): \(newDue.map { stamp.format($0) } ?? "")"
            case .acceptNewDate: return "\(who) accepted the new date of \(what)"
            case .refuseNewDate: return "\(who) refused the new date of \(what)"
            }
        }

        // MARK: Conversations

        /// Threads of one to eight messages, mostly alternating sides, until `count` messages are written. A request is
        /// usually answered within hours, sometimes after days, and now and then never (the trust model counts each).
        mutating func conversations(from start: Date, to limit: Date, count: Int) {
            let (a, b) = (pairing.a, pairing.b)
            let span = limit.timeIntervalSince(start)
            var written = 0
            while written < count {
                let thread = UUID()
                let opened = start.addingTimeInterval(dice.unit() * span)
                let title = titles.isEmpty ? "the project" : dice.pick(titles)
                let topic = dice.pick(DemoScale.topics)
                let subject = DemoScale.fill(dice.pick(DemoScale.subjects), title: title, topic: topic)
                let length = dice.pick([1, 2, 2, 3, 3, 3, 4, 4, 5, 6, 8])
                var fromA = dice.chance(0.5)
                var at = opened
                var last = opened
                var open: [Int] = []
                var starter: Person?
                var k = 0
                let first = messages.count
                while at <= limit {
                    let side = fromA ? a : b
                    let author = dice.pick(side.people)
                    let asks = dice.chance(k == 0 ? 0.55 : 0.3)
                    // The other side's open requests in this thread are answered by this message (Messages.post).
                    var answered = 0
                    for i in open where messages[i].organizationID != side.id {
                        messages[i].respondedAt = at
                        answered += 1
                    }
                    open.removeAll { messages[$0].respondedAt != nil }
                    let templates = asks ? DemoScale.requests : answered > 0 ? DemoScale.replies : DemoScale.notes
                    let body = DemoScale.fill(dice.pick(templates), title: title, topic: topic)
                    let message = UUID()
                    messages.append(
                        NewMessage(
                            id: message, threadID: thread, partnershipID: id, authorID: author.id, organizationID: side.id, body: body,
                            needsResponse: asks, respondedAt: nil, remindedAt: nil, createdAt: at))
                    if asks { open.append(messages.count - 1) }
                    let ask = asks ? " and asks for a response" : ""
                    let answering = answered == 0 ? "" : ", answering \(answered) open request\(answered == 1 ? "" : "s")"
                    record(
                        asks ? "message.request" : "message.posted", by: author,
                        "\(author.name) wrote in “\(subject)”\(ask)\(answering)",
                        extra: ["message": Access.key(message), "thread": Access.key(thread), "bodySha256": LedgerEntry.sha256Hex(body)],
                        at: at)
                    if starter == nil { starter = author }
                    last = at
                    written += 1
                    k += 1
                    // A thread ends after its length, but a request left at the end is usually answered first.
                    let waiting = !open.isEmpty
                    if k >= length {
                        guard waiting, k < length + 4, dice.chance(0.93) else { break }
                        fromA = messages[open[0]].organizationID != a.id
                    } else if dice.chance(0.8) {
                        fromA.toggle()
                    }
                    let quick = dice.chance(0.8)
                    let delay = waiting ? (quick ? dice.double(0.3, 20) : dice.double(24, 96)) : dice.double(1, 72)
                    at = at.addingTimeInterval(delay * Self.hour)
                }
                // A request still unanswered after two working days was reminded once (Notifier.sweepReminders); four days
                // covers a weekend. Only the newest ones are left for the server to remind.
                for i in first..<messages.count where messages[i].needsResponse {
                    let reminder = messages[i].createdAt.addingTimeInterval(4 * Self.day)
                    if reminder <= latest, (messages[i].respondedAt ?? .distantFuture) > reminder { messages[i].remindedAt = reminder }
                }
                threads.append(
                    NewThread(
                        id: thread, partnershipID: id, subject: subject, createdByID: starter?.id ?? a.people[0].id, createdAt: opened,
                        lastMessageAt: last))
            }
        }
    }
}
