import BonafideCore
import Foundation
import Testing

@Suite("Incident lifecycle")
struct IncidentLifecycleTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    let day: TimeInterval = 86_400
    let cause = "A deploy script ran against production instead of staging."
    let plan = "Separate credentials per environment and a confirmation step, by March."

    @Test func handledOpenlyWhenAcknowledgedPromptlyFixedAndAccepted() throws {
        var s = IncidentState(severity: .major, raisedAt: t0)
        s = try IncidentLifecycle.apply(.acknowledge, to: s, by: .responsible, at: t0.addingTimeInterval(3 * 3_600))
        #expect(IncidentLifecycle.handling(of: s, at: t0.addingTimeInterval(day)) == .pending)
        s = try IncidentLifecycle.apply(.update, to: s, by: .affected, at: t0.addingTimeInterval(day), note: "Any news?")
        s = try IncidentLifecycle.apply(
            .resolve, to: s, by: .responsible, at: t0.addingTimeInterval(3 * day), rootCause: cause, improvementPlan: plan)
        #expect(s.status == .resolved && s.rootCause == cause && s.improvementPlan == plan)
        s = try IncidentLifecycle.apply(.close, to: s, by: .affected, at: t0.addingTimeInterval(4 * day))
        #expect(
            IncidentLifecycle.handling(of: s, at: t0.addingTimeInterval(5 * day))
                == .handledOpenly(
                    at: t0.addingTimeInterval(4 * day),
                    why: "acknowledged it within 3 hours, explained the root cause, and the improvement plan was accepted"))
    }

    @Test func onlyTheRightSideActsAndExplanationsAreRequired() {
        let open = IncidentState(severity: .minor, raisedAt: t0)
        #expect(throws: IncidentError.wrongSide(.acknowledge, needed: .responsible)) {
            try IncidentLifecycle.apply(.acknowledge, to: open, by: .affected, at: t0)
        }
        #expect(throws: IncidentError.wrongSide(.withdraw, needed: .affected)) {
            try IncidentLifecycle.apply(.withdraw, to: open, by: .responsible, at: t0, note: "not us")
        }
        #expect(throws: IncidentError.rootCauseRequired) {
            try IncidentLifecycle.apply(.resolve, to: open, by: .responsible, at: t0, rootCause: "oops", improvementPlan: plan)
        }
        #expect(throws: IncidentError.improvementPlanRequired) {
            try IncidentLifecycle.apply(.resolve, to: open, by: .responsible, at: t0, rootCause: cause, improvementPlan: "  ")
        }
        #expect(throws: IncidentError.noteRequired(.update)) { try IncidentLifecycle.apply(.update, to: open, by: .affected, at: t0) }
        #expect(throws: IncidentError.notAllowed(.close, from: .open)) {
            try IncidentLifecycle.apply(.close, to: open, by: .affected, at: t0)
        }
    }

    @Test func mishandledWhenIgnoredLateUnresolvedOrSentBackTwice() throws {
        let open = IncidentState(severity: .critical, raisedAt: t0)
        #expect(IncidentLifecycle.handling(of: open, at: t0.addingTimeInterval(6 * day)) == .pending)
        #expect(
            IncidentLifecycle.handling(of: open, at: t0.addingTimeInterval(9 * day))
                == .mishandled(at: t0.addingTimeInterval(7 * day), why: "not acknowledged for 9 days"))
        // A late acknowledgement stays on the record even after a fix the partner accepted.
        var late = try IncidentLifecycle.apply(.acknowledge, to: open, by: .responsible, at: t0.addingTimeInterval(8 * day))
        late = try IncidentLifecycle.apply(
            .resolve, to: late, by: .responsible, at: t0.addingTimeInterval(9 * day), rootCause: cause, improvementPlan: plan)
        late = try IncidentLifecycle.apply(.close, to: late, by: .affected, at: t0.addingTimeInterval(10 * day))
        #expect(
            IncidentLifecycle.handling(of: late, at: t0.addingTimeInterval(11 * day))
                == .mishandled(at: t0.addingTimeInterval(7 * day), why: "acknowledged only after 8 days"))
        // Acknowledged at once but never resolved.
        let stalled = try IncidentLifecycle.apply(.acknowledge, to: open, by: .responsible, at: t0.addingTimeInterval(3_600))
        #expect(IncidentLifecycle.handling(of: stalled, at: t0.addingTimeInterval(29 * day)) == .pending)
        #expect(
            IncidentLifecycle.handling(of: stalled, at: t0.addingTimeInterval(31 * day))
                == .mishandled(at: t0.addingTimeInterval(30 * day), why: "still unresolved 31 days after it was raised"))
        // Resolved late: it stays mishandled even once accepted.
        var slow = try IncidentLifecycle.apply(
            .resolve, to: stalled, by: .responsible, at: t0.addingTimeInterval(40 * day), rootCause: cause, improvementPlan: plan)
        slow = try IncidentLifecycle.apply(.close, to: slow, by: .affected, at: t0.addingTimeInterval(41 * day))
        #expect(
            IncidentLifecycle.handling(of: slow, at: t0.addingTimeInterval(50 * day))
                == .mishandled(at: t0.addingTimeInterval(30 * day), why: "resolved only 40 days after it was raised"))
    }

    @Test func reopeningIsBoundedAndRestartsTheClock() throws {
        var s = try IncidentLifecycle.apply(
            .resolve, to: IncidentState(severity: .major, raisedAt: t0), by: .responsible, at: t0.addingTimeInterval(3_600),
            rootCause: cause, improvementPlan: plan)
        // An old fix cannot be reopened to make it look late.
        #expect(throws: IncidentError.reopenWindowClosed) {
            try IncidentLifecycle.apply(.reopen, to: s, by: .affected, at: t0.addingTimeInterval(20 * day), note: "Broken again")
        }
        // Sent back twice in time: each time the responsible side has 30 days from the reopening, and a fix in time is open.
        for round in 1...2 {
            s = try IncidentLifecycle.apply(
                .reopen, to: s, by: .affected, at: t0.addingTimeInterval(Double(round) * day), note: "Still broken")
            #expect(s.status == .acknowledged && s.reopenCount == round && s.resolvedAt == nil)
            #expect(IncidentLifecycle.handling(of: s, at: t0.addingTimeInterval(Double(round) * day + 29 * day)) == .pending)
            s = try IncidentLifecycle.apply(
                .resolve, to: s, by: .responsible, at: t0.addingTimeInterval(Double(round) * day + 3_600), rootCause: cause,
                improvementPlan: plan)
        }
        let reopened = try IncidentLifecycle.apply(.reopen, to: s, by: .affected, at: t0.addingTimeInterval(3 * day), note: "No")
        #expect(
            IncidentLifecycle.handling(of: reopened, at: t0.addingTimeInterval(34 * day))
                == .mishandled(at: t0.addingTimeInterval(33 * day), why: "still unresolved 31 days after its fix was sent back"))
        // Acknowledged between the two limits and then fixed: neither credit nor blame.
        var middling = try IncidentLifecycle.apply(
            .acknowledge, to: IncidentState(severity: .minor, raisedAt: t0), by: .responsible, at: t0.addingTimeInterval(4 * day))
        middling = try IncidentLifecycle.apply(
            .resolve, to: middling, by: .responsible, at: t0.addingTimeInterval(5 * day), rootCause: cause, improvementPlan: plan)
        middling = try IncidentLifecycle.apply(.close, to: middling, by: .affected, at: t0.addingTimeInterval(6 * day))
        #expect(IncidentLifecycle.handling(of: middling, at: t0.addingTimeInterval(7 * day)) == .pending)
    }

    @Test func disclosureAndAnUncontestedFixCountAsOpen() throws {
        // Disclosed by the responsible side: acknowledged from the start, never "ignored".
        var s = IncidentState(status: .acknowledged, severity: .major, raisedAt: t0, selfReported: true, acknowledgedAt: t0)
        #expect(IncidentLifecycle.handling(of: s, at: t0.addingTimeInterval(20 * day)) == .pending)
        s = try IncidentLifecycle.apply(
            .resolve, to: s, by: .responsible, at: t0.addingTimeInterval(2 * day), rootCause: cause, improvementPlan: plan)
        // The affected side never answers: after two weeks the fix stands uncontested.
        #expect(IncidentLifecycle.handling(of: s, at: t0.addingTimeInterval(10 * day)) == .pending)
        #expect(
            IncidentLifecycle.handling(of: s, at: t0.addingTimeInterval(17 * day))
                == .handledOpenly(
                    at: t0.addingTimeInterval(16 * day),
                    why: "disclosed it themselves and explained the root cause and an improvement plan, uncontested"))
        // A disclosure is withdrawn by the side that made it, not by the partner.
        let disclosure = IncidentState(status: .acknowledged, severity: .minor, raisedAt: t0, selfReported: true, acknowledgedAt: t0)
        #expect(throws: IncidentError.wrongSide(.withdraw, needed: .responsible)) {
            try IncidentLifecycle.apply(.withdraw, to: disclosure, by: .affected, at: t0, note: "not theirs")
        }
        #expect(
            try IncidentLifecycle.apply(.withdraw, to: disclosure, by: .responsible, at: t0, note: "Wrong partnership").status == .withdrawn
        )
        // Withdrawn incidents say nothing.
        let withdrawn = try IncidentLifecycle.apply(
            .withdraw, to: IncidentState(severity: .minor, raisedAt: t0), by: .affected, at: t0, note: "Our mistake")
        #expect(IncidentLifecycle.handling(of: withdrawn, at: t0.addingTimeInterval(60 * day)) == .pending)
    }

    /// What a page offers is what `apply` accepts, worked out without filling in made-up explanations.
    @Test func allowedActionsAreWhatApplyAcceptsInThePagesOrder() throws {
        let open = IncidentState(severity: .minor, raisedAt: t0)
        #expect(IncidentLifecycle.allowedActions(in: open, by: .responsible, at: t0) == [.acknowledge, .resolve, .update])
        #expect(IncidentLifecycle.allowedActions(in: open, by: .affected, at: t0) == [.update, .withdraw])
        let resolved = try IncidentLifecycle.apply(
            .resolve, to: open, by: .responsible, at: t0.addingTimeInterval(day), rootCause: cause, improvementPlan: plan)
        #expect(
            IncidentLifecycle.allowedActions(in: resolved, by: .affected, at: t0.addingTimeInterval(2 * day)) == [.close, .reopen, .update])
        // Past the window the fix can only be accepted, so an old resolution cannot be made to look late.
        let late = t0.addingTimeInterval(day + IncidentLifecycle.acceptedAfter + 1)
        #expect(IncidentLifecycle.allowedActions(in: resolved, by: .affected, at: late) == [.close, .update])
        #expect(IncidentLifecycle.refusal(.reopen, in: resolved, by: .affected, at: late) == .reopenWindowClosed)
        // A disclosure is withdrawn by the side that disclosed it.
        var disclosed = open
        disclosed.selfReported = true
        disclosed.status = .acknowledged
        #expect(IncidentLifecycle.allowedActions(in: disclosed, by: .responsible, at: t0) == [.resolve, .update, .withdraw])
        for state in [open, resolved, disclosed] {
            for side in [IncidentSide.responsible, .affected] {
                for action in IncidentAction.allCases {
                    let offered = IncidentLifecycle.allowedActions(in: state, by: side, at: t0.addingTimeInterval(2 * day)).contains(action)
                    let applied =
                        (try? IncidentLifecycle.apply(
                            action, to: state, by: side, at: t0.addingTimeInterval(2 * day), note: "Checked.", rootCause: cause,
                            improvementPlan: plan)) != nil
                    #expect(offered == applied, "\(action) by \(side) in \(state.status)")
                }
            }
        }
    }
}
