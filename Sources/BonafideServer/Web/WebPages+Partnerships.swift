import BonafideCore
import Fluent
import Foundation
import Vapor

extension WebPages {
    static func partnershipOf(_ req: Request) async throws -> (Actor, Partnership) {
        let actor = try req.requireActor()
        return (actor, try await Policy.partnership(uuid(req, "pid"), for: actor, on: req.db))
    }

    static func newPartnership(_ req: Request) async throws -> HTML {
        try await page(req, "New partnership", NewPartnershipPage(csrf: req.csrfToken).render())
    }

    static func createPartnership(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        let values = Dictionary(uniqueKeysWithValues: NewPartnershipPage.fields.map { ($0, field(req, $0)) })
        do {
            let (p, secret) = try await Partnerships.create(
                name: values["name"]!, partnerEmail: values["partnerEmail"]!, agreement: values["agreement"]!, by: actor,
                mailingFrom: req.application.bonafide.baseURL, on: req.db)
            req.setSessionValue("new_invite", "\(req.application.bonafide.baseURL)\(SiteURL.invitation(secret))")
            return req.safeRedirect(to: SiteURL.partnership(p.id))
        } catch let problem as Problem where problem.status == .unprocessableEntity {
            let form = NewPartnershipPage(values: values, problem: problem, csrf: req.csrfToken)
            return try await page(req, "New partnership", form.render()).encodeResponse(status: problem.status, for: req)
        } catch let problem as Problem {
            req.flash(problem.detail, error: true)
            return req.safeRedirect(to: SiteURL.newPartnership())
        }
    }

    static func partnership(_ req: Request) async throws -> HTML {
        let (actor, p) = try await partnershipOf(req)
        let db = req.db
        let clock = Clock(actor.user.timeZone)
        let ours = try await Organization.find(p.$organization.id, on: db)
        let theirs = try await p.$partner.id.asyncFlatMap { try await Organization.find($0, on: db) }
        let members = try await Partnerships.members(of: p, on: db)
        let versions = try await Partnerships.agreementVersions(of: p, on: db)
        let commitments = try await Commitments.list(in: p, on: db)
        let threads = try await Messages.threads(of: p, on: db)
        let open = try await Messages.openRequests(of: [p.id!], on: db)
        let times = try await Messages.responseTimes(of: p, on: db)
        var toneHTML: HTML = ""
        if try await MessageTone.isShown(to: actor, on: db) {
            let tone = try await MessageTone.partnerTone(in: p, for: actor, on: db)
            let change: String =
                switch tone.recent.change(since: tone.before, minimum: Mentions.minimumDrop) {
                case .up: "warmer than the 30 days before"
                case .down: "cooler than the 30 days before"
                case .noClearChange: "no clear change from the 30 days before"
                case .notEnoughData: "too few messages to compare with the 30 days before"
                }
            toneHTML =
                "<p class=\"small\" id=\"partner-tone\">Tone of the other side's messages, last 30 days: \(tone.recent.mean.map { String(format: "%+.2f", $0) } ?? "–") over \(tone.recent.n) message\(tone.recent.n == 1 ? "" : "s") · \(change)</p>"
        }
        let overlap = try await Partnerships.overlap(of: p, on: db)
        let logEntries = try await Ledger.newestEntries(of: p.id!, limit: timelineLength, on: db)
        let names = try await actorNames(logEntries, on: db)
        let witnessing = try await Witnessing.status(of: p, app: req.application, on: db)
        let head = witnessing.head
        let colleagues = try await User.query(on: db).filter(\.$organization.$id == actor.organizationID).sort(\.$name).all()
            .filter { c in !members.contains { $0.$user.id == c.id } }
        let active = p.status == .active
        let trust: HTML =
            try await p.otherSide(of: actor.organizationID).asyncFlatMap {
                try await trustPanel(req, subject: $0, clock: clock, back: SiteURL.partnership(p.id))
            } ?? ""

        var invite: HTML = ""
        if p.status == .invited {
            let link = req.sessionValue("new_invite")
            req.setSessionValue("new_invite", nil)
            let shown: HTML =
                link.map {
                    "<p>Send this link\(p.invitedEmail.map { " to \($0)" } ?? ""); it is shown only now and works once:</p><p class=\"copy\" id=\"invitation-link\">\($0)</p>"
                }
                ?? "<p class=\"muted\">Waiting for \(p.invitedEmail ?? "the partner") to accept. Lost the link? Issue a new one; the old one stops working.</p>"
            let renew: HTML =
                p.$organization.id == actor.organizationID
                ? "<form method=\"post\" action=\"\(SiteURL.renewInvitation(p.id))\">\(csrf(req))<button class=\"secondary\">New invitation link</button></form>"
                : ""
            invite = "<section class=\"card\"><h2>Invitation</h2>\(shown)\(renew)</section>"
        }
        let agreement: HTML =
            versions.first.map { v in
                "<pre class=\"agreement\" id=\"agreement-text\">\(v.text)</pre><p class=\"small muted\">Version \(v.version) by \(v.author.name), \(clock.format(v.createdAt)). <a href=\"\(SiteURL.agreement(p.id))\">All versions</a></p>"
            } ?? "<p class=\"muted\">No agreement written yet.</p>"
        let editAgreement: HTML =
            (active || p.status == .invited)
            ? """
            <details><summary>Edit the agreement</summary><form method="post" action="\(SiteURL.agreement(p.id))">\(csrf(req))
            <label for="agreement">Agreement text</label><textarea id="agreement" name="text" rows="10">\(versions.first?.text ?? "")</textarea>
            <button>Save as a new version</button></form></details>
            """ : ""
        let orgNames = [ours, theirs].compactMap { $0 }.reduce(into: [UUID: String]()) { $0[$1.id!] = $1.name }
        let memberList = HTML.join(
            members.map { m in "<li>\(m.user.name) <span class=\"muted small\">\(orgNames[m.$organization.id] ?? "")</span></li>" })
        let addMember: HTML =
            colleagues.isEmpty || !(active || p.status == .invited)
            ? ""
            : """
            <form method="post" action="\(SiteURL.members(p.id))" class="actions">\(csrf(req))
            <div><label for="member">Add a colleague</label><select id="member" name="userId">\(colleagues.map { c in HTML("<option value=\"\(c.id)\">\(c.name)</option>") })</select></div>
            <button class="secondary">Add</button></form>
            """
        let overlapHTML: HTML =
            theirs == nil
            ? "<p class=\"muted\">Known once the partner joins.</p>"
            : overlap.isEmpty
                ? "<p class=\"risk\">The two sides' working hours never overlap: agree on asynchronous check-ins.</p>"
                : HTML(
                    "<p>Next shared working time, in your time zone (\(clock.zone.identifier)):</p><ul>\(overlap.map { w in HTML("<li>\(clock.format(w.start, "EEE d MMM, HH:mm"))–\(clock.time(w.end)) (\(Int(w.duration / 60)) min)</li>") })</ul>"
                )
        let timesHTML = HTML.join(
            times.map { t in
                "<tr><td>\(t.organization.name)</td><td>\(t.medianSeconds.map { Clock.duration($0) } ?? "–")</td><td>\(t.answered)</td><td>\(t.open)</td></tr>"
            })
        let now = Date()
        let filter = CommitmentFilter(query: { req.query[String.self, at: $0] })
        let shown = commitments.filter { filter.matches($0, ourSide: actor.organizationID, at: now) }
        let commitmentRows = HTML.join(
            shown.map { c in
                let notice: HTML =
                    c.atRisk
                    ? " <span class=\"risk\">at risk</span>"
                    : c.proposedDueAt != nil ? " <span class=\"risk\">new date proposed</span>" : ""
                return """
                    <tr><td><a href="\(SiteURL.commitment(p.id, c.id))">\(c.title)</a><div class="small muted">\(c.owner.name) for \(orgNames[c.$recipientOrganization.id] ?? "")</div></td>
                    <td>\(clock.format(c.dueAt, "d MMM yyyy, HH:mm"))</td><td>\(statusBadge(c.status.rawValue))\(notice)</td></tr>
                    """
            })
        let threadList: HTML =
            threads.isEmpty
            ? "<p class=\"muted\">No conversations yet.</p>"
            : HTML(
                "<ul>\(threads.map { t in HTML("<li><a href=\"\(SiteURL.thread(p.id, t.id))\">\(t.subject)</a> <span class=\"small muted\">\(Clock.relative(t.lastMessageAt))</span></li>") })</ul>"
            )
        let newThread: HTML =
            active
            ? """
            <details><summary>Start a conversation</summary>\(MessageForm(action: SiteURL.messages(p.id), csrf: req.csrfToken).render())</details>
            """ : ""
        let timeline = HTML.join(logEntries.map { plainLine($0.entry, names: names, clock: clock) })
        // Until partners cosign, the record is still signed by the server: a neutral state, not a warning.
        let witnessedSummary: HTML =
            witnessing.witnessed.map { w in
                HTML(
                    "<span class=\"status s-verified\">witnessed</span> every partner cosigned the first \(String(w.checkpoint.size)) entries"
                )
            }
            ?? "<span class=\"status\">signed by Bonafide</span> no partner has cosigned a checkpoint yet; any organization with a witness key can"
        let openCommitments = commitments.filter { [.proposed, .accepted, .delivered].contains($0.status) }
        let overdue = openCommitments.filter { $0.dueAt < now && $0.status != .delivered }.count
        let atRisk = openCommitments.filter { $0.atRisk || $0.proposedDueAt != nil }.count
        let incidents = try await Incidents.list(in: p, on: db)
        let openIncidents = incidents.filter { [.open, .acknowledged, .resolved].contains($0.status) }.count
        func figure(_ n: Int, _ label: String, _ anchor: String, warn: Bool = false) -> HTML {
            "<li><a href=\"#\(anchor)\"><strong class=\"\(warn && n > 0 ? "risk" : "")\">\(n)</strong> \(label)</a></li>"
        }
        let overview: HTML = """
            <section class="card" id="overview" aria-label="Overview"><ul class="figures">\
            \(figure(openCommitments.count, openCommitments.count == 1 ? "open commitment" : "open commitments", "commitments"))\
            \(figure(overdue, "overdue", "commitments", warn: true))\(figure(atRisk, "at risk or rescheduling", "commitments", warn: true))\
            \(figure(open.count, open.count == 1 ? "open request" : "open requests", "conversations", warn: true))\
            \(figure(openIncidents, openIncidents == 1 ? "open incident" : "open incidents", "incidents", warn: true))\
            <li><a href="#record"><strong>\(String(head.size))</strong> entries on the record</a></li></ul></section>
            """
        let jump: HTML = """
            <nav class="jump" aria-label="On this page"><a href="#overview">Overview</a><a href="#commitments">Commitments</a>\
            <a href="#conversations">Conversations</a><a href="#incidents">Incidents</a><a href="#check-ins">Check-ins</a>\
            <a href="#documents">Documents</a><a href="#record">Record</a></nav>
            """
        let conflict: HTML =
            witnessing.conflicts.isEmpty
            ? "" : "<p class=\"error-text\">History conflict: the log no longer matches what partners cosigned.</p>"
        let endForm: HTML =
            active
            ? """
            <details><summary>End the partnership</summary><form method="post" action="\(SiteURL.endPartnership(p.id))">\(csrf(req))
            <label for="end-reason">Why it ends (both sides see this)</label><textarea id="end-reason" name="reason" required></textarea>
            <button class="danger">End partnership</button></form></details>
            """ : ""
        return try await page(
            req, p.name,
            """
            <h1>\(p.name) \(statusBadge(p.status.rawValue))</h1>\(jump)
            <p class="muted">\(ours.map { HTML("<a href=\"\(SiteURL.organization($0.id))\">\($0.name)</a>") } ?? "") and \(theirs.map { HTML("<a href=\"\(SiteURL.organization($0.id))\">\($0.name)</a>") } ?? HTML("\(p.invitedEmail.map { "\($0) (invited)" } ?? "a partner to be invited")"))</p>
            \(invite)\(overview)
            <div class="grid">
            <section class="card"><h2>Members</h2><ul>\(memberList)</ul>\(addMember)</section>
            <section class="card"><h2>Working hours overlap</h2>\(overlapHTML)</section>
            <section class="card"><h2>Responsiveness</h2><p><strong id="open-requests">\(open.count)</strong> open request\(open.count == 1 ? "" : "s")</p>
            <table><thead><tr><th>Side</th><th>Median answer</th><th>Answered</th><th>Open</th></tr></thead><tbody>\(timesHTML)</tbody></table>\(toneHTML)</section>
            </div>
            \(trust)
            <section class="card"><h2>Agreement</h2>\(agreement)\(editAgreement)</section>
            <section class="card" id="commitments"><h2>Commitments</h2>\(statusChart(commitments))
            \(commitments.isEmpty ? HTML("<p class=\"muted\">No commitments yet.</p>") : filter.form(action: SiteURL.partnership(p.id) + "#commitments"))
            \(!filter.isEverything ? HTML("<p class=\"small muted\" id=\"commitments-shown\">\(shown.count) of \(commitments.count) shown.</p>") : "")
            \(shown.isEmpty ? (commitments.isEmpty ? "" : HTML("<p class=\"muted\">None match these filters.</p>")) : HTML("<table><thead><tr><th>What</th><th>Due (your time)</th><th>State</th></tr></thead><tbody>\(commitmentRows)</tbody></table>"))
            \(active ? HTML("<a class=\"button\" href=\"\(SiteURL.newCommitment(p.id))\">New commitment</a>") : "")</section>
            <section class="card" id="conversations"><h2>Conversations</h2>\(threadList)\(newThread)</section>
            \(incidentsCard(incidents, in: p, actor: actor, clock: clock))
            \(try await CheckInsCard.load(req, p).render(csrf: req.csrfToken, clock: clock))
            \(try await DocumentsCard.load(req, p, for: actor).render(csrf: req.csrfToken, clock: clock))
            <section class="card" id="record"><h2>Record</h2><p>Every change is an entry in this partnership's append-only log: \
            <strong id="log-size">\(Int(head.size))</strong> entries, root <code>\(String(Data(head.root).base64EncodedString().prefix(16)))…</code>, \
            checkpoint signed by <code>\(req.application.ledgerSigner.name)</code>.</p><p id="witness-summary">\(witnessedSummary).</p>\(conflict)
            \(p.status == .active ? BrowserWitness(partnershipID: p.id!, organizationID: actor.organizationID, organizationName: (p.$organization.id == actor.organizationID ? ours : theirs)?.name ?? "", canManage: Policy.canManage(actor), csrf: req.csrfToken).render() : "")
            <a class="button secondary" href="\(SiteURL.record(p.id))">Open the record</a></section>
            <section class="card" id="timeline"><h2>Latest on the record</h2><ol class="timeline">\(timeline)</ol>
            \(head.size > UInt64(logEntries.count) ? HTML("<p><a href=\"\(SiteURL.record(p.id))\">All \(String(head.size)) entries</a></p>") : "")</section>
            \(endForm)
            """)
    }

    /// A stacked bar of commitment states, drawn as inline SVG.
    static func statusChart(_ commitments: [Commitment]) -> HTML {
        guard !commitments.isEmpty else { return "" }
        let colors: [CommitmentStatus: String] = [
            .proposed: "#e8a33d", .accepted: "#2355d8", .delivered: "#4aa3df",
            .completed: "#1f7a4d", .declined: "#b42318", .withdrawn: "#9aa3b2", .missed: "#e5484d",
        ]
        var x = 0.0
        var parts: [HTML] = []
        var legend: [HTML] = []
        for status in CommitmentStatus.allCases {
            let n = commitments.filter { $0.status == status }.count
            guard n > 0 else { continue }
            let w = Double(n) / Double(commitments.count) * 100
            parts.append(
                "<rect x=\"\(HTML(raw: String(format: "%.2f", x)))%\" y=\"0\" width=\"\(HTML(raw: String(format: "%.2f", w)))%\" height=\"14\" fill=\"\(colors[status]!)\"><title>\(status.rawValue): \(n)</title></rect>"
            )
            legend.append(
                "<span class=\"small\" style=\"margin-right:.8rem\"><span style=\"color:\(colors[status]!)\">■</span> \(status.rawValue) \(n)</span>"
            )
            x += w
        }
        return
            "<svg role=\"img\" aria-label=\"Commitments by state\" width=\"100%\" height=\"14\" style=\"border-radius:4px\">\(parts)</svg><p>\(legend)</p>"
    }

    static func agreementHistory(_ req: Request) async throws -> HTML {
        let (actor, p) = try await partnershipOf(req)
        let clock = Clock(actor.user.timeZone)
        let versions = try await Partnerships.agreementVersions(of: p, on: req.db)
        return try await page(
            req, "Agreement of \(p.name)",
            """
            <h1>Agreement of <a href="\(SiteURL.partnership(p.id))">\(p.name)</a></h1>
            \(versions.map { v in HTML("<section class=\"card\"><h2>Version \(v.version)</h2><p class=\"small muted\">by \(v.author.name), \(clock.format(v.createdAt))</p><pre class=\"agreement\">\(v.text)</pre></section>") })
            """)
    }

    static func updateAgreement(_ req: Request) async throws -> Response {
        let (actor, p) = try await partnershipOf(req)
        return try await act(req, back: SiteURL.partnership(p.id)) {
            let v = try await Partnerships.updateAgreement(p, text: field(req, "text"), by: actor, on: req.db)
            req.flash("Saved as version \(v.version).")
            return SiteURL.partnership(p.id)
        }
    }

    static func addMember(_ req: Request) async throws -> Response {
        let (actor, p) = try await partnershipOf(req)
        return try await act(req, back: SiteURL.partnership(p.id)) {
            try await Partnerships.addMember(p, userID: UUID(uuidString: field(req, "userId")), by: actor, on: req.db)
            return SiteURL.partnership(p.id)
        }
    }

    static func renewInvitation(_ req: Request) async throws -> Response {
        let (actor, p) = try await partnershipOf(req)
        return try await act(req, back: SiteURL.partnership(p.id)) {
            let secret = try await Partnerships.renewInvitation(p, by: actor, mailingFrom: req.application.bonafide.baseURL, on: req.db)
            req.setSessionValue("new_invite", "\(req.application.bonafide.baseURL)\(SiteURL.invitation(secret))")
            return SiteURL.partnership(p.id)
        }
    }

    static func endPartnership(_ req: Request) async throws -> Response {
        let (actor, p) = try await partnershipOf(req)
        return try await act(req, back: SiteURL.partnership(p.id)) {
            try await Partnerships.end(p, reason: field(req, "reason"), by: actor, on: req.db)
            return SiteURL.partnership(p.id)
        }
    }

    // MARK: Invitations

    static func invitation(_ req: Request) async throws -> Response {
        let secret = req.parameters.get("secret") ?? ""
        let p = try await Partnerships.invitation(secret: secret, for: req.actor, on: req.db)
        let versions = try await Partnerships.agreementVersions(of: p, on: req.db)
        let respond: HTML
        if req.actor == nil {
            respond = """
                <p>Sign in or create an account for your organization to answer.</p>
                <p><a class="button" href="\(SiteURL.signup(email: p.invitedEmail ?? ""))">Sign up</a> <a class="button" href="\(SiteURL.login(next: SiteURL.invitation(secret)))">Sign in</a></p>
                """
        } else {
            respond = """
                <div class="actions"><form method="post" action="\(SiteURL.invitationAccept(secret))">\(csrf(req))<button>Accept</button></form>
                <form method="post" action="\(SiteURL.invitationDecline(secret))">\(csrf(req))<button class="secondary">Decline</button></form></div>
                """
        }
        return try await page(
            req, "Invitation",
            """
            <div class="card"><h1>\(p.createdBy.name) of \(p.organization.name) invites you to “\(p.name)”</h1>
            \(versions.first.map { HTML("<h2>Proposed agreement</h2><pre class=\"agreement\">\($0.text)</pre>") } ?? "")
            \(respond)</div>
            """
        ).encodeResponse(for: req)
    }

    static func acceptInvitation(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        let p = try await Partnerships.accept(
            secret: req.parameters.get("secret") ?? "", by: actor,
            requireVerifiedEmail: req.application.bonafide.requiresEmailVerification, on: req.db)
        req.flash("You joined \(p.name).")
        return req.redirect(to: SiteURL.partnership(p.id))
    }

    static func declineInvitation(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        try await Partnerships.decline(secret: req.parameters.get("secret") ?? "", by: actor, on: req.db)
        req.flash("You declined the invitation.")
        return req.redirect(to: SiteURL.dashboard())
    }
}

extension Optional {
    func asyncFlatMap<U>(_ transform: (Wrapped) async throws -> U?) async rethrows -> U? {
        guard let self else { return nil }
        return try await transform(self)
    }
}
