import BonafideCore
import Fluent
import Foundation
import Vapor

extension WebPages {
    static func newCommitment(_ req: Request) async throws -> HTML {
        try await commitmentForm(req, values: [:], problem: nil)
    }

    /// The form to propose a commitment: empty, or as it was sent with the refusal next to its field, so nothing
    /// typed is lost.
    static func commitmentForm(_ req: Request, values: [String: String], problem: Problem?) async throws -> HTML {
        let (actor, p) = try await partnershipOf(req)
        try Policy.requireActive(p)
        let colleagues = try await User.query(on: req.db).filter(\.$organization.$id == actor.organizationID).sort(\.$name).all()
        let clock = Clock(actor.user.timeZone)
        let suggested = Date().addingTimeInterval(7 * 86_400)
        let fields = ["title", "ownerId", "deliverable", "acceptanceCriteria", "dueAt", "timeZone"]
        let errors = FieldErrors(problem: problem, fields: fields)
        func error(_ name: String) -> HTML { errors.message(name) }
        func invalid(_ name: String) -> HTML { errors.invalid(name) }
        let general = errors.general
        let owner = values["ownerId"].flatMap(UUID.init(uuidString:)) ?? actor.id
        let zone = values["timeZone"] ?? actor.user.timeZone
        return try await page(
            req, "New commitment",
            """
            <div class="card" style="max-width:720px"><h1>New commitment in <a href="\(SiteURL.partnership(p.id))">\(p.name)</a></h1>
            <p class="muted">Your side promises it; the other side accepts or declines.</p>\(general)
            <form method="post" action="\(SiteURL.commitments(p.id))">\(csrf(req))
            <label for="title">What is promised</label><input id="title" name="title" required maxlength="200" value="\(values["title"] ?? "")"\(invalid("title"))>\(error("title"))
            <label for="owner">Owner</label><select id="owner" name="ownerId"\(invalid("ownerId"))>\(colleagues.map { c in HTML("<option value=\"\(c.id)\"\(HTML(raw: c.id == owner ? " selected" : ""))>\(c.name)</option>") })</select>\(error("ownerId"))
            <label for="deliverable">Deliverable</label><textarea id="deliverable" name="deliverable" maxlength="4000"\(invalid("deliverable"))>\(values["deliverable"] ?? "")</textarea>\(error("deliverable"))
            <label for="criteria">Acceptance criteria</label><textarea id="criteria" name="acceptanceCriteria" maxlength="4000"\(invalid("acceptanceCriteria"))>\(values["acceptanceCriteria"] ?? "")</textarea>\(error("acceptanceCriteria"))
            <div class="grid"><div><label for="due">Due</label><input id="due" name="dueAt" type="datetime-local" required value="\(values["dueAt"] ?? clock.inputValue(suggested))"\(invalid("dueAt"))>\(error("dueAt"))</div>
            <div><label for="tz">Time zone of the due date</label><select id="tz" name="timeZone"\(invalid("timeZone"))>\(zoneOptions(selected: zone))</select>\(error("timeZone"))</div></div>
            <button>Propose commitment</button></form></div>
            """)
    }

    static func createCommitment(_ req: Request) async throws -> Response {
        let (actor, p) = try await partnershipOf(req)
        let values = Dictionary(
            uniqueKeysWithValues: ["title", "ownerId", "deliverable", "acceptanceCriteria", "dueAt", "timeZone"].map {
                ($0, field(req, $0))
            })
        do {
            guard let due = Clock.parseLocal(values["dueAt"]!, zone: values["timeZone"]!) else {
                throw Problem.invalid("dueAt", "Enter the due date and time, and pick a time zone.")
            }
            let c = try await Commitments.create(
                .init(
                    title: values["title"]!, deliverable: values["deliverable"]!, acceptanceCriteria: values["acceptanceCriteria"]!,
                    dueAt: due, timeZone: values["timeZone"]!, ownerID: UUID(uuidString: values["ownerId"]!)), in: p, by: actor, on: req.db)
            req.flash("Proposed. The other side has been notified.")
            return req.safeRedirect(to: SiteURL.commitment(p.id, c.id))
        } catch let problem as Problem where problem.status == .unprocessableEntity {
            // Shown again as typed, with the refusal next to its field.
            return try await commitmentForm(req, values: values, problem: problem).encodeResponse(status: problem.status, for: req)
        } catch let problem as Problem {
            req.flash(problem.detail, error: true)
            return req.safeRedirect(to: SiteURL.newCommitment(p.id))
        }
    }

    static func commitment(_ req: Request) async throws -> HTML {
        let (actor, p) = try await partnershipOf(req)
        let c = try await Policy.commitment(uuid(req, "cid"), in: p, on: req.db)
        let clock = Clock(actor.user.timeZone)
        let ownClock = Clock(c.timeZone)
        let side = Policy.side(of: actor, in: c)
        let history = try await Timeline.events(of: p, commitment: c.id, on: req.db)
        let recipient = try await Organization.find(c.$recipientOrganization.id, on: req.db)
        let now = Date()
        // Exactly the actions the lifecycle accepts from this side now, in its order: ending the work comes last.
        let possible = CommitmentLifecycle.allowedActions(in: c.state, by: side, at: now)
        let url = SiteURL.commitmentTransitions(p.id, c.id)
        let forms = HTML.join(
            possible.map { action in
                let needsDate = action == .proposeNewDate
                let reason: HTML =
                    action.requiresReason || [.deliver, .approveDelivery, .clearRisk].contains(action)
                    ? "<input name=\"reason\" aria-label=\"Reason for: \(action.label)\" placeholder=\"\(action.requiresReason ? "Reason (required)" : "Note (optional)")\"\(HTML(raw: action.requiresReason ? " required" : ""))>"
                    : ""
                let date: HTML =
                    needsDate
                    ? "<input type=\"datetime-local\" name=\"dueAt\" aria-label=\"New due date\" required value=\"\(ownClock.inputValue(c.dueAt.addingTimeInterval(7 * 86_400)))\"><input type=\"hidden\" name=\"timeZone\" value=\"\(c.timeZone)\">"
                    : ""
                let title = action.label.prefix(1).uppercased() + action.label.dropFirst()
                // Ending the work is asked twice: opened, then confirmed (no script needed).
                if [.decline, .withdraw].contains(action) {
                    return """
                        <details class="card confirm" style="margin:0"><summary>\(title)…</summary>
                        <form method="post" action="\(url)">\(csrf(req))<input type="hidden" name="action" value="\(action.rawValue)">
                        <p class="small">This ends the commitment for both sides and cannot be undone.</p>\(reason)<button class="danger">Yes, \(action.label)</button></form></details>
                        """
                }
                return """
                    <form method="post" action="\(url)" class="card" style="margin:0">\(csrf(req))<input type="hidden" name="action" value="\(action.rawValue)">
                    \(date)\(reason)<button class="\(action == .sendBack ? "secondary" : "")">\(title)</button></form>
                    """
            })
        let pending: HTML =
            c.proposedDueAt.map { d in
                "<p class=\"risk\">New date proposed: \(clock.format(d))\(c.proposedDueReason.map { HTML(" (\($0))") } ?? "")</p>"
            } ?? ""
        let risk: HTML = c.atRisk ? "<p class=\"risk\">At risk: \(c.atRiskReason ?? "")</p>" : ""
        let editing: HTML =
            switch CommitmentEditing.mode(status: c.status, side: side, changePending: c.pendingChangeSide != nil) {
            case .direct?: "<p><a href=\"\(SiteURL.commitmentEdit(p.id, c.id))\">Edit the proposal</a></p>"
            case .byAgreement?: "<p><a href=\"\(SiteURL.commitmentEdit(p.id, c.id))\">Propose new wording</a></p>"
            case nil: ""
            }
        var change: HTML = ""
        if let proposed = c.pendingWording, let by = c.pendingChangeSide {
            func row(_ label: String, _ old: String, _ new: String) -> HTML {
                old == new
                    ? ""
                    : "<tr><th scope=\"row\">\(label)</th><td><del>\(old.isEmpty ? "—" : old)</del></td><td><ins>\(new.isEmpty ? "—" : new)</ins></td></tr>"
            }
            let decide: HTML =
                CommitmentEditing.mayDecide(status: c.status, side: side, proposedBy: by)
                ? """
                <div class="actions"><form method="post" action="\(SiteURL.commitmentChangeDecision(p.id, c.id))">\(csrf(req))<input type="hidden" name="decision" value="accept"><button>Agree to the new wording</button></form>
                <form method="post" action="\(SiteURL.commitmentChangeDecision(p.id, c.id))">\(csrf(req))<input type="hidden" name="decision" value="refuse"><button class="secondary">Keep the current wording</button></form></div>
                """
                : "<p class=\"muted\">Waiting for the other side to agree.</p>"
            change = """
                <section class="card" id="pending-change"><h2>New wording proposed</h2>
                <table><thead><tr><th></th><th>Now</th><th>Proposed</th></tr></thead><tbody>\
                \(row("What is promised", c.title, proposed.title))\(row("Deliverable", c.deliverable, proposed.deliverable))\
                \(row("Acceptance criteria", c.acceptanceCriteria, proposed.acceptanceCriteria))</tbody></table>\(decide)</section>
                """
        }
        return try await page(
            req, c.title,
            """
            <p><a href="\(SiteURL.partnership(p.id))">← \(p.name)</a></p>
            <h1>\(c.title) \(statusBadge(c.status.rawValue))</h1>\(risk)\(pending)\(change)
            <div class="grid"><section class="card"><h2>Promise</h2>
            <p><strong>\(c.owner.name)</strong> promises this to <strong>\(recipient?.name ?? "")</strong>.</p>
            <p>Due <strong>\(clock.format(c.dueAt))</strong> (\(Clock.relative(c.dueAt)))\(c.timeZone != clock.zone.identifier ? HTML("<br><span class=\"small muted\">set as \(ownClock.format(c.dueAt))</span>") : "")</p>
            \(c.deliveredAt.map { HTML("<p>Delivered \(clock.format($0))</p>") } ?? "")\(c.completedAt.map { HTML("<p>Accepted \(clock.format($0))</p>") } ?? "")
            </section><section class="card"><h2>Deliverable</h2><p>\(c.deliverable.isEmpty ? "—" : c.deliverable)</p>
            <h2>Acceptance criteria</h2><p>\(c.acceptanceCriteria.isEmpty ? "—" : c.acceptanceCriteria)</p>\(editing)</section></div>
            <section><h2>What you can do</h2>\(possible.isEmpty ? HTML("<p class=\"muted\">Nothing for your side right now.</p>") : HTML("<div class=\"grid\">\(forms)</div>"))</section>
            <section class="card"><h2>History</h2><ol class="timeline">\(history.map { e in HTML("<li>\(e.summary)\(e.reason.map { HTML(": <em>\($0)</em>") } ?? "")<div class=\"small muted\">\(clock.format(e.createdAt))</div></li>") })</ol></section>
            """)
    }

    static func transition(_ req: Request) async throws -> Response {
        let (actor, p) = try await partnershipOf(req)
        let c = try await Policy.commitment(uuid(req, "cid"), in: p, on: req.db)
        let back = SiteURL.commitment(p.id, c.id)
        return try await act(req, back: back) {
            guard let action = CommitmentAction(rawValue: field(req, "action")) else { throw Problem.invalid("action", "Unknown action.") }
            var due: Date?
            if action == .proposeNewDate {
                guard let d = Clock.parseLocal(field(req, "dueAt"), zone: field(req, "timeZone")) else {
                    throw Problem.invalid("dueAt", "Enter the new due date and time.")
                }
                due = d
            }
            let reason = field(req, "reason")
            _ = try await Commitments.transition(
                c, in: p, action: action, reason: reason.isEmpty ? nil : reason,
                newDueAt: due, by: actor, on: req.db)
            req.flash(
                action == .proposeNewDate
                    ? "A new date for “\(c.title)” was proposed. The other side has been notified."
                    : "“\(c.title)” \(action.pastParticiple). The other side has been notified.")
            return field(req, "back") == SiteURL.dashboard() ? SiteURL.dashboard() : back
        }
    }

    static func thread(_ req: Request) async throws -> HTML {
        let (actor, p) = try await partnershipOf(req)
        guard let tid = uuid(req, "tid"),
            let thread = try await MessageThread.query(on: req.db)
                .filter(\.$id == tid).filter(\.$partnership.$id == p.id!).first()
        else { throw Problem.notFound("thread") }
        let messages = try await Messages.messages(of: p, thread: tid, on: req.db)
        let clock = Clock(actor.user.timeZone)
        let showTone = try await MessageTone.isShown(to: actor, on: req.db)
        let list = HTML.join(
            messages.map { m in
                let request: HTML =
                    m.needsResponse
                    ? (m.respondedAt.map {
                        " <span class=\"small muted\">· answered after \(Clock.duration($0.timeIntervalSince(m.createdAt)))</span>"
                    }
                        ?? " <span class=\"risk small\">· waiting for a response</span>") : ""
                let tone: HTML =
                    showTone
                    ? (m.sentiment.map { s in
                        let drivers = StoredDrivers.quoted(StoredDrivers.decode(m.sentimentDriversJSON))
                        return
                            " <span class=\"small message-tone \(s <= -0.05 ? "risk" : "muted")\">· tone \(String(format: "%+.2f", s))\(drivers.isEmpty ? "" : " (\(drivers))")</span>"
                    } ?? "") : ""
                return """
                    <div class="message\(m.needsResponse ? " request" : "")"><strong>\(m.author.name)</strong> <span class="small muted">\(clock.format(m.createdAt))</span>\(request)\(tone)
                    <p style="white-space:pre-wrap;margin:.3rem 0">\(m.body)</p></div>
                    """
            })
        let reply: HTML =
            p.status == .active
            ? """
            <form method="post" action="\(SiteURL.messages(p.id))" class="card">\(csrf(req))<input type="hidden" name="threadId" value="\(thread.id)">
            <label for="body">Reply</label><textarea id="body" name="body" required maxlength="10000"></textarea>
            <label><input type="checkbox" name="needsResponse" value="true"> Ask for a response</label><button>Send</button></form>
            """ : ""
        return try await page(
            req, thread.subject,
            """
            <p><a href="\(SiteURL.partnership(p.id))">← \(p.name)</a></p><h1>\(thread.subject)</h1>
            <section class="card">\(list)</section>\(reply)
            """)
    }

    static func postMessage(_ req: Request) async throws -> Response {
        let (actor, p) = try await partnershipOf(req)
        let threadID = UUID(uuidString: field(req, "threadId"))
        let back = threadID.map { SiteURL.thread(p.id, $0) } ?? SiteURL.partnership(p.id)
        return try await act(req, back: back) {
            let subject = field(req, "subject")
            let m = try await Messages.post(
                .init(
                    body: field(req, "body"), needsResponse: field(req, "needsResponse") == "true",
                    threadID: threadID, subject: subject.isEmpty ? nil : subject), in: p, by: actor, on: req.db)
            return SiteURL.thread(p.id, m.$thread.id)
        }
    }
}
