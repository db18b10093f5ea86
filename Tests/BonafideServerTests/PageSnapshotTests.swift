import BonafideCore
import Foundation
import SnapshotTesting
import Testing

@testable import BonafideServer

/// Pages rendered from model values alone (no database, no server), compared with the HTML kept in `__Snapshots__`:
/// a change to what a page shows is a reviewed diff. A missing snapshot is recorded and the test fails, so a new page
/// cannot pass before its HTML has been looked at; `SNAPSHOT_TESTING_RECORD=all` re-records after a deliberate change.
@Suite("Page snapshots")
struct PageSnapshotTests {
    static let commitment = CommitmentPage(
        partnershipName: "Relaunch", partnershipLink: "/partnerships/p", title: "Style guide", status: "accepted",
        atRiskReason: "Fonts licence <pending>", newDate: (date: "Tue 15 Dec 2026, 14:00", reason: "Waiting for the printer"),
        ownerName: "Carla", recipientName: "Acme", due: "Tue 8 Dec 2026, 17:00", dueRelative: "in 3 days",
        dueAsSet: "Tue 8 Dec 2026, 11:00 (America/New_York)", delivered: nil, accepted: nil, deliverable: "A PDF & the source files",
        acceptanceCriteria: "", editing: .byAgreement, editLink: "/partnerships/p/commitments/c/edit",
        change: .init(rows: [.init(label: "Deliverable", now: "A PDF", proposed: "A PDF & the source files")], mayDecide: true),
        decisionURL: "/partnerships/p/commitments/c/change", actions: [.deliver, .flagAtRisk, .proposeNewDate, .withdraw],
        transitionsURL: "/partnerships/p/commitments/c/transitions", suggestedNewDate: "2026-12-15T17:00",
        timeZone: "America/New_York",
        history: [.init(summary: "Carla proposed “Style guide”", reason: nil, at: "Mon 30 Nov 2026, 09:12")], csrf: "token")

    @Test func commitmentPage() {
        let html = Self.commitment.render().text
        assertSnapshot(of: html, as: .lines)
        // User text is escaped, and ending the work is the last action, behind a confirmation.
        #expect(html.contains("Fonts licence &lt;pending&gt;"))
        let deliver = html.range(of: ">Mark it delivered</button>")?.lowerBound
        let confirm = html.range(of: "<details class=\"card confirm\"")?.lowerBound
        #expect(deliver != nil && confirm != nil && deliver! < confirm!)
        #expect(html[(confirm ?? html.startIndex)...].contains("Yes, withdraw the commitment</button></form></details></div></section>"))
    }

    @Test func commitmentPageWithNothingToDo() {
        var page = Self.commitment
        (page.atRiskReason, page.newDate, page.change, page.editing, page.actions) = (nil, nil, nil, nil, [])
        (page.status, page.delivered, page.accepted, page.dueAsSet) = ("completed", "Fri 4 Dec 2026, 10:00", "Fri 4 Dec 2026, 16:30", nil)
        let html = page.render().text
        assertSnapshot(of: html, as: .lines)
        #expect(html.contains("Nothing for your side right now.") && !html.contains("<form"))
    }

    @Test func threadPageWithARefusedReply() {
        let page = ThreadPage(
            partnershipName: "Relaunch", partnershipLink: "/partnerships/p", subject: "Kick-off",
            entries: [
                .init(
                    author: "Alice", at: "Mon 30 Nov 2026, 09:00", body: "Can you send the brief?\nThanks", needsResponse: true,
                    answeredAfter: "2 hours", tone: 0.44, toneDrivers: "“Thanks”"),
                .init(
                    author: "Bob", at: "Mon 30 Nov 2026, 11:00", body: "Here it is <b>today</b>.", needsResponse: true,
                    answeredAfter: nil, tone: -0.3, toneDrivers: ""),
            ],
            reply: .init(
                action: "/partnerships/p/messages", threadID: "t", values: ["body": "My draft reply", "needsResponse": "true"],
                problem: .invalid("body", "A message must have 1 to 10000 characters."), csrf: "token"))
        let html = page.render().text
        assertSnapshot(of: html, as: .lines)
        #expect(html.contains(">My draft reply</textarea>") && html.contains("id=\"body-error\" role=\"alert\""))
        #expect(html.contains("Here it is &lt;b&gt;today&lt;/b&gt;."))
    }

    @Test func newConversationForm() {
        let form = MessageForm(
            action: "/partnerships/p/messages", values: ["subject": "", "body": "Hello"],
            problem: .invalid("subject", "The subject must have 1 to 200 characters."), csrf: "token")
        assertSnapshot(of: form.render().text, as: .lines)
    }

    @Test func incidentPageWithARefusedResolution() {
        let page = IncidentPage(
            partnershipName: "Relaunch", partnershipLink: "/partnerships/p", title: "Invoice sent to the wrong client",
            status: .acknowledged, severity: "major", handling: .pending, responsibleName: "Acme", affectedName: "Northwind",
            raisedByName: "Alice", selfReported: false, raisedRelative: "2 days ago", description: "The March invoice went elsewhere.",
            happened: "Tue 1 Dec 2026, 10:00", raised: "Wed 2 Dec 2026, 09:00",
            milestones: [.init(label: "Acknowledged", at: "Wed 2 Dec 2026, 15:00", afterRaising: "6 hours")], reopenCount: 1,
            rootCause: nil, improvementPlan: nil, actions: [.update, .resolve], transitionsURL: "/partnerships/p/incidents/i/transitions",
            publication: nil,
            history: [.init(summary: "Alice raised “Invoice sent to the wrong client”", reason: nil, at: "Wed 2 Dec 2026, 09:00")],
            refused: (
                .resolve, ["rootCause": "Busy", "improvementPlan": "Two people check"], .invalid("rootCause", "Explain the root cause.")
            ),
            csrf: "token")
        let html = page.render().text
        assertSnapshot(of: html, as: .lines)
        #expect(html.contains("Waiting for") == false, "acknowledged: nothing is waiting")
        #expect(html.contains(">Busy</textarea>") && !html.contains("value=\"Busy\""), "typed text only in the refused step's form")
    }

    @Test func resolvedIncidentOnTheResponsibleSide() {
        let page = IncidentPage(
            partnershipName: "Relaunch", partnershipLink: "/partnerships/p", title: "Outage", status: .closed, severity: "critical",
            handling: .handledOpenly(at: Date(timeIntervalSince1970: 0), why: "acknowledged within a day and resolved with a plan"),
            responsibleName: "Acme", affectedName: "Northwind", raisedByName: "Bob", selfReported: true, raisedRelative: "a week ago",
            description: "Down 3 hours.", happened: "Mon 30 Nov 2026, 08:00", raised: "Mon 30 Nov 2026, 09:00", milestones: [],
            reopenCount: 0, rootCause: "An expired certificate.", improvementPlan: "Renewal alerts 30 days ahead.", actions: [],
            transitionsURL: "/t", publication: .init(publishedAt: "Fri 4 Dec 2026, 12:00", url: "/partnerships/p/incidents/i/publication"),
            history: [], refused: nil, csrf: "token")
        let html = page.render().text
        assertSnapshot(of: html, as: .lines)
        #expect(html.contains("<span class=\"status s-handled-openly\">handled openly</span> Acme acknowledged within a day"))
        #expect(html.contains(">Take it off our profile</button>"))
    }

    static func partnership(_ status: PartnershipStatus) -> PartnershipPage {
        let id = UUID(uuidString: "00000000-0000-4000-8000-00000000000a")!
        let ours = UUID(uuidString: "00000000-0000-4000-8000-00000000000b")!
        return PartnershipPage(
            id: id, name: "Relaunch", status: status, ours: .init(name: "Northwind", link: "/organizations/n"),
            theirs: status == .invited ? nil : .init(name: "Acme & Sons", link: "/organizations/a"), invitedEmail: "bob@acme.example",
            invitation: status == .invited
                ? .init(link: "https://bonafide.example/invitations/secret", invitedEmail: "bob@acme.example", renewURL: "/renew") : nil,
            members: [.init(name: "Alice", organization: "Northwind")], colleagues: [.init(id: ours, name: "Mia")], zone: "Europe/Berlin",
            overlap: status == .invited ? nil : [("Mon 7 Dec, 15:00", "17:00", 120)], openRequests: 1,
            responseTimes: [.init(side: "Acme & Sons", median: "3 hours", answered: 4, open: 1)],
            tone: .init(mean: "+0.21", messages: 5, change: "no clear change from the 30 days before"), trust: nil,
            agreement: .init(text: "Weekly reports <by Friday>.", version: 2, author: "Alice", at: "Tue 1 Dec 2026, 10:00"),
            commitments: status == .invited
                ? []
                : [
                    .init(
                        title: "Style guide", link: "/c/1", owner: "Carla", recipient: "Acme & Sons", due: "8 Dec 2026, 17:00",
                        status: .accepted, atRisk: true, newDateProposed: false),
                    .init(
                        title: "Audit", link: "/c/2", owner: "Bob", recipient: "Northwind", due: "1 Dec 2026, 12:00", status: .delivered,
                        atRisk: false, newDateProposed: true),
                ],
            byStatus: status == .invited ? [] : [(.accepted, 1), (.delivered, 1), (.completed, 2)],
            commitmentCount: status == .invited ? 0 : 4, openCommitments: status == .invited ? 0 : 2, overdue: 0,
            atRiskOrRescheduling: status == .invited ? 0 : 2, filter: CommitmentFilter(),
            threads: [.init(subject: "Kick-off", link: "/t/1", lastActivity: "2 hours ago")],
            incidents: status == .invited
                ? []
                : [
                    .init(
                        title: "Late invoice", link: "/i/1", ours: true, selfReported: true, severity: "minor", status: "closed",
                        handling: .handledOpenly(at: Date(timeIntervalSince1970: 0), why: "disclosed it"), raised: "2 Dec 2026")
                ],
            openIncidents: 0, mayRaiseIncident: status == .active,
            checkIns: CheckInsCard(partnershipID: id, active: status == .active, suggestion: nil, checkIns: []),
            documents: DocumentsCard(partnershipID: id, organizationID: ours, active: status == .active, rows: [], log: []),
            record: .init(
                size: 14, rootPrefix: "UYwbM5kEabcdefgh", signer: "bonafide.example", witnessedSize: status == .active ? 12 : nil,
                conflict: false, latest: ["<li>Carla accepted “Style guide”<div class=\"small muted\">Carla · Tue 1 Dec, 14:02</div></li>"]),
            witness: nil, clock: Clock("Europe/Berlin"), csrf: "token")
    }

    @Test func partnershipPageWhileTheInvitationIsOpen() {
        let html = Self.partnership(.invited).render().text
        assertSnapshot(of: html, as: .lines)
        #expect(
            html.contains("bob@acme.example (invited)")
                && html.contains("id=\"invitation-link\">https://bonafide.example/invitations/secret"))
        #expect(html.contains("No commitments yet.") && !html.contains("New commitment</a>") && !html.contains("End the partnership"))
    }

    @Test func activePartnershipPage() {
        let html = Self.partnership(.active).render().text
        assertSnapshot(of: html, as: .lines)
        #expect(html.contains("<strong class=\"risk\">2</strong> at risk or rescheduling"))
        #expect(html.contains("Weekly reports &lt;by Friday&gt;.") && html.contains("Acme &amp; Sons"))
        #expect(html.contains("<span class=\"status s-verified\">witnessed</span> every partner cosigned the first 12 entries"))
        #expect(html.contains("<span class=\"risk\">at risk</span>") && html.contains("<span class=\"risk\">new date proposed</span>"))
    }

    @Test func surveyAnswerPageWithARefusedAnswer() {
        let page = SurveyAnswerPage(
            state: .open, organizationName: "Northwind", title: "Q4 check-in", question: "How likely are you to recommend us?", kind: .nps,
            questions: [
                .init(id: "team", kind: .choice, prompt: "Which team?", options: ["Design", "Build"]),
                .init(id: "more", kind: .text, prompt: "Anything else?"),
            ], action: "/s/token", optOutAction: "/s/token/opt-out",
            values: ["score": "9", "reason": "Quick & kind", "a_team": "Design", "a_more": "No"],
            problem: .invalid("reason", "The answer to “why?” must have at most 2,000 characters."), csrf: "token")
        let html = page.render().text
        assertSnapshot(of: html, as: .lines)
        #expect(html.contains(#"id="score-9" checked"#) && html.contains("Quick &amp; kind</textarea>"))
    }

    @Test func newSurveyFormPreview() {
        let form = NewSurveyForm(
            action: "/surveys", values: ["title": "Q4", "kind": "csat", "questions": "scale: How quick?"],
            preview: [.init(id: "q1", kind: .scale, prompt: "How quick?")], csrf: "token")
        assertSnapshot(of: form.render().text, as: .lines)
    }

    @Test func recordPageWithARewrittenHistory() {
        let page = RecordPage(
            partnershipName: "Relaunch", partnershipLink: "/partnerships/p", partnershipID: "p", size: 3, root: "UYwbM5kE…=",
            signer: "bonafide.example+0a1b2c3d+AQ…", signatureVerifies: true, rebuiltMatches: false, witnessedSize: nil,
            witnesses: [
                .init(
                    name: "Northwind", keyName: "northwind-web",
                    latest: (size: 3, at: "Fri 4 Dec 2026, 10:00", keyName: "northwind-web", matchesLog: false)),
                .init(name: "Acme", keyName: nil, latest: nil),
            ],
            checkpoints: [.init(size: 3, state: .conflict, cosigners: "Northwind (key northwind-web, Fri 4 Dec 2026, 10:00)")],
            conflicts: 1,
            entries: [
                .init(
                    index: 2, summary: "Carla accepted “Style guide”", reason: "Looks <good>", at: "Thu 3 Dec 2026, 14:02", who: "Carla",
                    type: "commitment.accept", witnessed: false)
            ], olderLink: "/partnerships/p/record?before=2")
        let html = page.render().text
        assertSnapshot(of: html, as: .lines)
        #expect(html.contains("<strong>History conflict.</strong> 1 cosigned checkpoint no longer matches this log"))
        #expect(html.contains(#"<span class="status s-conflict" id="rebuild-state">DOES NOT MATCH</span>"#))
        #expect(html.contains(": <em>Looks &lt;good&gt;</em>"))
    }
}
