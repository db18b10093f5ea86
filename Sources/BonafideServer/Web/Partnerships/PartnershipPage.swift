import BonafideCore
import Fluent
import Foundation
import SQLKit

/// A partnership at a glance: who is in it, an overview of what needs attention, the viewer's trust in the partner, the
/// agreement, commitments (filtered), conversations, incidents, check-ins, documents and the record, each a section the
/// jump links reach. Loaded through the services and the policy layer; `render()` only writes markup.
struct PartnershipPage: Sendable {
    struct Party: Sendable {
        var name: String
        var link: String
    }

    struct Member: Sendable {
        var name: String
        var organization: String
    }

    struct Colleague: Sendable {
        var id: UUID
        var name: String
    }

    struct Invitation: Sendable {
        /// The link, shown once right after it was made.
        var link: String?
        var invitedEmail: String?
        /// Only the inviting side issues a new link.
        var renewURL: String?
    }

    struct Agreement: Sendable {
        var text: String
        var version: Int
        var author: String
        var at: String
    }

    struct ResponseTime: Sendable {
        var side: String
        var median: String
        var answered: Int
        var open: Int
    }

    struct Tone: Sendable {
        var mean: String
        var messages: Int
        var change: String
    }

    struct CommitmentRow: Sendable {
        var title: String
        var link: String
        var owner: String
        var recipient: String
        var due: String
        var status: CommitmentStatus
        var atRisk: Bool
        var newDateProposed: Bool
    }

    struct ThreadRow: Sendable {
        var subject: String
        var link: String
        var lastActivity: String
    }

    struct IncidentRow: Sendable {
        var title: String
        var link: String
        var ours: Bool
        var selfReported: Bool
        var severity: String
        var status: String
        var handling: IncidentLifecycle.Handling
        var raised: String
    }

    struct Record: Sendable {
        var size: UInt64
        var rootPrefix: String
        var signer: String
        /// Every partner cosigned this many entries.
        var witnessedSize: UInt64?
        var conflict: Bool
        /// The newest entries in plain words.
        var latest: [HTML]
    }

    var id: UUID
    var name: String
    var status: PartnershipStatus
    var ours: Party?
    var theirs: Party?
    var invitedEmail: String?
    var invitation: Invitation?
    var members: [Member]
    /// Colleagues of the viewer who are not members yet.
    var colleagues: [Colleague]
    var zone: String
    /// Shared working time ahead, in the viewer's zone; nil until the partner joins.
    var overlap: [(start: String, end: String, minutes: Int)]?
    var openRequests: Int
    var responseTimes: [ResponseTime]
    var tone: Tone?
    var trust: TrustPanel?
    var agreement: Agreement?
    var commitments: [CommitmentRow]
    /// How many commitments there are in each state, over all of them (not only those the filter shows).
    var byStatus: [(CommitmentStatus, Int)]
    var commitmentCount: Int
    var openCommitments: Int
    var overdue: Int
    var atRiskOrRescheduling: Int
    var filter: CommitmentFilter
    var threads: [ThreadRow]
    var incidents: [IncidentRow]
    var openIncidents: Int
    var mayRaiseIncident: Bool
    var checkIns: CheckInsCard
    var documents: DocumentsCard
    var record: Record
    var witness: BrowserWitness?
    var clock: Clock
    var csrf: String

    var active: Bool { status == .active }

    /// Every part reads only what it shows, as plain rows, and what several parts need is read once and handed on:
    /// the sides (names, working hours, settings), the members (their names also name most of who acted on the
    /// record), the requests (the open count and the response times).
    static func load(
        _ p: Partnership, for actor: Actor, filter: CommitmentFilter, newInvitationLink: String?, signer: String,
        witnessing: WitnessSummary, checkIns: CheckInsCard, documents: DocumentsCard, sides known: [UUID: Organization]? = nil,
        csrf: String, at now: Date = Date(), on db: any Database
    ) async throws -> Self {
        let id = try p.requireID()
        let clock = Clock(actor.user.timeZone)
        let sides = try await Partnerships.sides(of: p, given: known, on: db)
        let orgNames = sides.mapValues(\.name)
        func party(_ id: UUID?) -> Party? { id.flatMap { id in orgNames[id].map { Party(name: $0, link: SiteURL.organization(id)) } } }
        let people = try await PartnershipPerson.people(of: id, colleaguesOf: actor.organizationID, on: db)
        let members = people.filter(\.isMember)
        let commitments = try await CommitmentSummary.all(in: id, on: db)
        let open = commitments.filter { [.proposed, .accepted, .delivered].contains($0.status) }
        let incidents = try await IncidentSummary.all(in: id, on: db)
        let requests = try await RequestTiming.all(in: id, on: db)
        let entries = try await LedgerLine.newest(of: id, limit: WebPages.timelineLength, on: db.sql())
        // Keyed as `WebPages.actorNames` keys them; only actors who are not members are looked up.
        var names = Dictionary(members.map { ($0.userId.uuidString.lowercased(), $0.name) }, uniquingKeysWith: { a, _ in a })
        let unnamed = entries.filter { e in e.actor.map { names[$0] == nil } ?? false }
        let others = try await WebPages.actorNames(of: unnamed.map(\.actor), on: db)
        names.merge(others) { known, _ in known }
        var tone: Tone?
        // Whoever sees the page belongs to one of the sides, so its setting is already at hand.
        let showsTone: Bool
        if let ours = sides[actor.organizationID] {
            showsTone = ours.messageSentiment
        } else {
            showsTone = try await MessageTone.isShown(to: actor, on: db)
        }
        if showsTone {
            let t = try await MessageTone.partnerTone(in: p, for: actor, on: db)
            let change =
                switch t.recent.change(since: t.before, minimum: Mentions.minimumDrop) {
                case .up: "warmer than the 30 days before"
                case .down: "cooler than the 30 days before"
                case .noClearChange: "no clear change from the 30 days before"
                case .notEnoughData: "too few messages to compare with the 30 days before"
                }
            tone = Tone(mean: t.recent.mean.map { $0.fixed(2, sign: true) } ?? "–", messages: t.recent.n, change: change)
        }
        let inviting = p.$organization.id == actor.organizationID
        return PartnershipPage(
            id: id, name: p.name, status: p.status, ours: party(p.$organization.id), theirs: party(p.$partner.id),
            invitedEmail: p.invitedEmail,
            invitation: p.status == .invited
                ? Invitation(
                    link: newInvitationLink, invitedEmail: p.invitedEmail, renewURL: inviting ? SiteURL.renewInvitation(p.id) : nil) : nil,
            members: members.map { Member(name: $0.name, organization: orgNames[$0.organizationId] ?? "") },
            colleagues: people.filter { !$0.isMember }.map { Colleague(id: $0.userId, name: $0.name) }, zone: clock.zone.identifier,
            overlap: p.$partner.id == nil
                ? nil
                : try await Partnerships.overlap(of: p, sides: sides, on: db).map {
                    (clock.format($0.start, "EEE d MMM, HH:mm"), clock.time($0.end), Int($0.duration / 60))
                },
            openRequests: requests.filter { $0.respondedAt == nil }.count,
            responseTimes: RequestTiming.responseTimes(of: p, sides: sides, requests: requests).map {
                ResponseTime(
                    side: $0.organization.name, median: $0.medianSeconds.map { Clock.duration($0) } ?? "–", answered: $0.answered,
                    open: $0.open)
            },
            tone: tone,
            trust: try await p.otherSide(of: actor.organizationID).asyncFlatMap {
                try await TrustPanel.load(for: actor, subject: $0, back: SiteURL.partnership(p.id), csrf: csrf, on: db)
            },
            agreement: try await AgreementSummary.latest(in: id, on: db).map {
                Agreement(text: $0.text, version: $0.version, author: $0.authorName, at: clock.format($0.createdAt))
            },
            commitments: commitments.filter { filter.matches($0, ourSide: actor.organizationID, at: now) }.map { c in
                CommitmentRow(
                    title: c.title, link: SiteURL.commitment(p.id, c.id), owner: c.ownerName,
                    recipient: orgNames[c.recipientOrganizationId] ?? "", due: clock.format(c.dueAt, "d MMM yyyy, HH:mm"),
                    status: c.status,
                    atRisk: c.atRisk, newDateProposed: c.proposedDueAt != nil)
            },
            byStatus: CommitmentStatus.allCases.map { s in (s, commitments.filter { $0.status == s }.count) }.filter { $0.1 > 0 },
            commitmentCount: commitments.count, openCommitments: open.count,
            overdue: open.filter { $0.dueAt < now && $0.status != .delivered }.count,
            atRiskOrRescheduling: open.filter { $0.atRisk || $0.proposedDueAt != nil }.count, filter: filter,
            threads: try await ThreadSummary.all(in: id, on: db).map {
                ThreadRow(subject: $0.subject, link: SiteURL.thread(p.id, $0.id), lastActivity: Clock.relative($0.lastMessageAt))
            },
            incidents: incidents.map { i in
                IncidentRow(
                    title: i.title, link: SiteURL.incident(p.id, i.id), ours: i.responsibleOrganizationId == actor.organizationID,
                    selfReported: i.selfReported, severity: i.severity.rawValue, status: i.status.rawValue,
                    handling: IncidentLifecycle.handling(of: i.state, at: now), raised: clock.format(i.raisedAt, "d MMM yyyy"))
            },
            openIncidents: incidents.filter { [.open, .acknowledged, .resolved].contains($0.status) }.count,
            mayRaiseIncident: (try? Incidents.requireOpenToIncidents(p)) != nil, checkIns: checkIns, documents: documents,
            record: Record(
                size: witnessing.head.size, rootPrefix: String(Data(witnessing.head.root).base64EncodedString().prefix(16)), signer: signer,
                witnessedSize: witnessing.witnessedSize, conflict: witnessing.conflict,
                latest: entries.map { WebPages.plainLine($0, names: names, clock: clock) }),
            witness: p.status == .active
                ? BrowserWitness(
                    partnershipID: id, organizationID: actor.organizationID, organizationName: orgNames[actor.organizationID] ?? "",
                    canManage: Policy.canManage(actor), csrf: csrf) : nil,
            clock: clock, csrf: csrf)
    }

    func render() -> HTML {
        let parties: HTML =
            "\(link(ours)) and \(theirs.map(link) ?? HTML("\(invitedEmail.map { "\($0) (invited)" } ?? "a partner to be invited")"))"
        let tabs = PageTabs(parts: [
            .init(
                anchor: "overview", title: "Overview",
                content: """
                    \(invitationCard())\(overview())
                    <div class="grid">
                    <section class="card"><h2>Members</h2><ul>\(HTML.join(members.map { m in "<li>\(m.name) <span class=\"muted small\">\(m.organization)</span></li>" }))</ul>\(addMemberForm())</section>
                    <section class="card"><h2>Working hours overlap</h2>\(overlapText())</section>
                    \(responsiveness())
                    </div>
                    \(trust?.render() ?? "")
                    <section class="card"><h2>Agreement</h2>\(agreementText())</section>
                    """),
            .init(anchor: "commitments", title: "Commitments", content: commitmentsCard()),
            .init(anchor: "conversations", title: "Conversations", content: conversationsCard()),
            .init(anchor: "incidents", title: "Incidents", content: incidentsCard()),
            .init(anchor: "check-ins", title: "Check-ins", content: checkIns.render(csrf: csrf, clock: clock)),
            .init(anchor: "documents", title: "Documents", content: documents.render(csrf: csrf, clock: clock)),
            .init(anchor: "record", title: "Record", content: "\(recordCard())\n\(endForm())"),
        ])
        return """
            <h1>\(name) \(statusBadge(status.rawValue))</h1>\(tabs.nav)
            <p class="muted">\(parties)</p>
            \(tabs.panels)
            """
    }

    private func link(_ party: Party?) -> HTML { party.map { "<a href=\"\($0.link)\">\($0.name)</a>" } ?? "" }

    private func invitationCard() -> HTML {
        guard let invitation else { return "" }
        let shown: HTML =
            invitation.link.map {
                "<p>Send this link\(invitation.invitedEmail.map { " to \($0)" } ?? ""); it is shown only now and works once:</p><p class=\"copy\" id=\"invitation-link\">\($0)</p>"
            }
            ?? "<p class=\"muted\">Waiting for \(invitation.invitedEmail ?? "the partner") to accept. Lost the link? Issue a new one; the old one stops working.</p>"
        let renew: HTML =
            invitation.renewURL.map {
                "<form method=\"post\" action=\"\($0)\">\(csrfField(csrf))<button class=\"secondary\">New invitation link</button></form>"
            } ?? ""
        return "<section class=\"card\"><h2>Invitation</h2>\(shown)\(renew)</section>"
    }

    private func overview() -> HTML {
        func figure(_ n: Int, _ label: String, _ anchor: String, warn: Bool = false) -> HTML {
            "<li><a href=\"#\(anchor)\"><strong class=\"\(warn && n > 0 ? "risk" : "")\">\(n)</strong> \(label)</a></li>"
        }
        return """
            <section class="card" id="overview" aria-label="Overview"><ul class="figures">\
            \(figure(openCommitments, openCommitments == 1 ? "open commitment" : "open commitments", "commitments"))\
            \(figure(overdue, "overdue", "commitments", warn: true))\(figure(atRiskOrRescheduling, "at risk or rescheduling", "commitments", warn: true))\
            \(figure(openRequests, openRequests == 1 ? "open request" : "open requests", "conversations", warn: true))\
            \(figure(openIncidents, openIncidents == 1 ? "open incident" : "open incidents", "incidents", warn: true))\
            <li><a href="#record"><strong>\(String(record.size))</strong> entries on the record</a></li></ul></section>
            """
    }

    private func addMemberForm() -> HTML {
        guard !colleagues.isEmpty, active || status == .invited else { return "" }
        return """
            <form method="post" action="\(SiteURL.members(id))" class="actions">\(csrfField(csrf))
            <div><label for="member">Add a colleague</label><select id="member" name="userId">\(colleagues.map { c in HTML("<option value=\"\(c.id)\">\(c.name)</option>") })</select></div>
            <button class="secondary">Add</button></form>
            """
    }

    private func overlapText() -> HTML {
        guard let overlap else { return "<p class=\"muted\">Known once the partner joins.</p>" }
        guard !overlap.isEmpty else {
            return "<p class=\"risk\">The two sides' working hours never overlap: agree on asynchronous check-ins.</p>"
        }
        let windows = overlap.map { w in HTML("<li>\(w.start)–\(w.end) (\(w.minutes) min)</li>") }
        return "<p>Next shared working time, in your time zone (\(zone)):</p><ul>\(windows)</ul>"
    }

    private func responsiveness() -> HTML {
        let rows = responseTimes.map { t in
            HTML("<tr><td>\(t.side)</td><td>\(t.median)</td><td>\(t.answered)</td><td>\(t.open)</td></tr>")
        }
        let toneLine: HTML =
            tone.map { t in
                "<p class=\"small\" id=\"partner-tone\">Tone of the other side's messages, last 30 days: \(t.mean) over \(t.messages) message\(t.messages == 1 ? "" : "s") · \(t.change)</p>"
            } ?? ""
        return """
            <section class="card"><h2>Responsiveness</h2><p><strong id="open-requests">\(openRequests)</strong> open request\(openRequests == 1 ? "" : "s")</p>
            <table><thead><tr><th>Side</th><th>Median answer</th><th>Answered</th><th>Open</th></tr></thead><tbody>\(HTML.join(rows))</tbody></table>\(toneLine)</section>
            """
    }

    private func agreementText() -> HTML {
        let current: HTML =
            agreement.map { v in
                "<pre class=\"agreement\" id=\"agreement-text\">\(v.text)</pre><p class=\"small muted\">Version \(v.version) by \(v.author), \(v.at). <a href=\"\(SiteURL.agreement(id))\">All versions</a></p>"
            } ?? "<p class=\"muted\">No agreement written yet.</p>"
        guard active || status == .invited else { return current }
        return """
            \(current)<details><summary>Edit the agreement</summary><form method="post" action="\(SiteURL.agreement(id))">\(csrfField(csrf))
            <label for="agreement">Agreement text</label><textarea id="agreement" name="text" rows="10">\(agreement?.text ?? "")</textarea>
            <button class="secondary">Save as a new version</button></form></details>
            """
    }

    /// A stacked bar of commitment states, drawn as inline SVG.
    private func statusChart() -> HTML {
        guard commitmentCount > 0 else { return "" }
        let colors: [CommitmentStatus: String] = [
            .proposed: "#e8a33d", .accepted: "#2355d8", .delivered: "#4aa3df",
            .completed: "#1f7a4d", .declined: "#b42318", .withdrawn: "#9aa3b2", .missed: "#e5484d",
        ]
        var x = 0.0
        var parts: [HTML] = []
        var legend: [HTML] = []
        for (status, n) in byStatus {
            let w = Double(n) / Double(commitmentCount) * 100
            parts.append(
                "<rect x=\"\(HTML(raw: x.fixed(2)))%\" y=\"0\" width=\"\(HTML(raw: w.fixed(2)))%\" height=\"14\" fill=\"\(colors[status]!)\"><title>\(status.rawValue): \(n)</title></rect>"
            )
            legend.append(
                "<span class=\"small\" style=\"margin-right:.8rem\"><span style=\"color:\(colors[status]!)\">■</span> \(status.rawValue) \(n)</span>"
            )
            x += w
        }
        return
            "<svg role=\"img\" aria-label=\"Commitments by state\" width=\"100%\" height=\"14\" style=\"border-radius:4px\">\(parts)</svg><p>\(legend)</p>"
    }

    private func commitmentsCard() -> HTML {
        let rows = commitments.map { c in
            let notice: HTML =
                c.atRisk
                ? " <span class=\"risk\">at risk</span>" : c.newDateProposed ? " <span class=\"risk\">new date proposed</span>" : ""
            return HTML(
                """
                <tr><td><a href="\(c.link)">\(c.title)</a><div class="small muted">\(c.owner) for \(c.recipient)</div></td>
                <td>\(c.due)</td><td>\(statusBadge(c.status.rawValue))\(notice)</td></tr>
                """)
        }
        let list: HTML =
            commitments.isEmpty
            ? (commitmentCount == 0 ? "" : "<p class=\"muted\">None match these filters.</p>")
            : "<table><thead><tr><th>What</th><th>Due (your time)</th><th>State</th></tr></thead><tbody>\(HTML.join(rows))</tbody></table>"
        return """
            <section class="card" id="commitments"><h2>Commitments</h2>\(statusChart())
            \(commitmentCount == 0 ? HTML("<p class=\"muted\">No commitments yet.</p>") : filter.form(action: SiteURL.partnership(id) + "#commitments"))
            \(!filter.isEverything ? HTML("<p class=\"small muted\" id=\"commitments-shown\">\(commitments.count) of \(commitmentCount) shown.</p>") : "")
            \(list)
            \(active ? HTML("<a class=\"button\" href=\"\(SiteURL.newCommitment(id))\">New commitment</a>") : "")</section>
            """
    }

    private func conversationsCard() -> HTML {
        let list: HTML =
            threads.isEmpty
            ? EmptyState(
                icon: .conversation, title: "No conversations yet.",
                text: "Ask, answer and decide here: a message marked as needing an answer counts towards how responsive each side is."
            ).render()
            : "<ul>\(threads.map { t in HTML("<li><a href=\"\(t.link)\">\(t.subject)</a> <span class=\"small muted\">\(t.lastActivity)</span></li>") })</ul>"
        let start: HTML =
            active
            ? "<details><summary>Start a conversation</summary>\(MessageForm(action: SiteURL.messages(id), csrf: csrf).render())</details>"
            : ""
        return "<section class=\"card\" id=\"conversations\"><h2>Conversations</h2>\(list)\(start)</section>"
    }

    private func incidentsCard() -> HTML {
        let rows = incidents.map { i in
            HTML(
                """
                <tr><td><a href="\(i.link)">\(i.title)</a><div class="small muted">\(i.ours ? "your side" : "the other side")\(i.selfReported ? " · disclosed" : "")</div></td>
                <td>\(statusBadge(i.severity))</td><td>\(statusBadge(i.status)) \(IncidentPage.badge(i.handling))</td>
                <td class="small">\(i.raised)</td></tr>
                """)
        }
        return """
            <section class="card" id="incidents"><h2>Incidents</h2>
            \(incidents.isEmpty ? HTML("<p class=\"muted\">No incidents. When something goes wrong, raise it here: the other side acknowledges it, explains the root cause and commits to an improvement plan, on the record.</p>") : HTML("<table><thead><tr><th>What</th><th>Severity</th><th>State</th><th>Raised</th></tr></thead><tbody>\(HTML.join(rows))</tbody></table>"))
            \(mayRaiseIncident ? HTML("<a class=\"button secondary\" href=\"\(SiteURL.newIncident(id))\">Raise or disclose an incident</a>") : "")</section>
            """
    }

    private func recordCard() -> HTML {
        // Until partners cosign, the record is still signed by the server: a neutral state, not a warning.
        let witnessed: HTML =
            record.witnessedSize.map {
                "<span class=\"status s-verified\">witnessed</span> every partner cosigned the first \(String($0)) entries"
            }
            ?? "<span class=\"status\">signed by Bonafide</span> no partner has cosigned a checkpoint yet; any organization with a witness key can"
        let conflict: HTML =
            record.conflict ? "<p class=\"error-text\">History conflict: the log no longer matches what partners cosigned.</p>" : ""
        let more: HTML =
            record.size > UInt64(record.latest.count)
            ? "<p><a href=\"\(SiteURL.record(id))\">All \(String(record.size)) entries</a></p>" : ""
        return """
            <section class="card" id="record"><h2>Record</h2><p>Every change is an entry in this partnership's append-only log: \
            <strong id="log-size">\(String(record.size))</strong> entries, root <code>\(record.rootPrefix)…</code>, \
            checkpoint signed by <code>\(record.signer)</code>.</p><p id="witness-summary">\(witnessed).</p>\(conflict)
            \(witness?.render() ?? "")
            <a class="button secondary" href="\(SiteURL.record(id))">Open the record</a></section>
            <section class="card" id="timeline"><h2>Latest on the record</h2><ol class="timeline">\(HTML.join(record.latest))</ol>
            \(more)</section>
            """
    }

    private func endForm() -> HTML {
        guard active else { return "" }
        return """
            <details><summary>End the partnership</summary><form method="post" action="\(SiteURL.endPartnership(id))">\(csrfField(csrf))
            <label for="end-reason">Why it ends (both sides see this)</label><textarea id="end-reason" name="reason" required></textarea>
            <button class="danger">End partnership</button></form></details>
            """
    }
}
