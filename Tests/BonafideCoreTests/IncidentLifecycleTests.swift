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
                    why: "acknowledged it within 3 hours, explained the root cause and you accepted the improvement plan"))
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
                == .mishandled(at: t0.addingTimeInterval(30 * day), why: "still unresolved after 31 days"))
        // A fix sent back twice.
        var s = stalled
        for round in 1...2 {
            s = try IncidentLifecycle.apply(
                .resolve, to: s, by: .responsible, at: t0.addingTimeInterval(Double(round) * day), rootCause: cause, improvementPlan: plan)
            s = try IncidentLifecycle.apply(
                .reopen, to: s, by: .affected, at: t0.addingTimeInterval(Double(round) * day + 60), note: "Still broken")
        }
        #expect(s.status == .acknowledged && s.reopenCount == 2 && s.resolvedAt == nil)
        guard case .mishandled(_, let why) = IncidentLifecycle.handling(of: s, at: t0.addingTimeInterval(3 * day)) else {
            Issue.record("a fix sent back twice is mishandling")
            return
        }
        #expect(why == "its fix was sent back 2 times")
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
        // Withdrawn incidents say nothing.
        let withdrawn = try IncidentLifecycle.apply(
            .withdraw, to: IncidentState(severity: .minor, raisedAt: t0), by: .affected, at: t0, note: "Our mistake")
        #expect(IncidentLifecycle.handling(of: withdrawn, at: t0.addingTimeInterval(60 * day)) == .pending)
    }
}
