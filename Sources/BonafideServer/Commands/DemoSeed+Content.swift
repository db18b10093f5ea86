import Fluent
import Foundation

extension DemoSeed {
    /// Northwind's guides and resources: a pinned guide anyone reads on its public profile, and a walkthrough video for
    /// its partners only. No whitepaper: the demo's vault holds no document, since documents are encrypted in the
    /// browser before they reach the server and the seed has no browser to do it.
    static func seedContent(by owner: Actor, at when: Date, on db: any Database) async throws {
        _ = try await ProfileContent.create(
            .init(
                kind: .guide, title: "How we run usability sessions",
                summary: "Our five-step routine for moderated tests with real customers, from recruiting to the one-page report.",
                body: """
                    We test with five customers per round: enough to find most problems, few enough to test again next week.

                    ### Before the session
                    1. **Recruit from the real audience**: your customers, not colleagues. We ask for 45 minutes and offer a voucher.
                    2. **Write three tasks**, each a goal ("buy a tent for two") rather than a click path.
                    3. **Agree what success means** for each task before anyone watches.

                    ### During the session
                    - One person moderates, one takes notes; everyone else watches from another room.
                    - We ask people to think aloud and never help them: where they struggle is the finding.

                    ### After the session
                    We sort what we saw by how many people it stopped and how badly, and share a one-page report within two
                    working days. Partners get the recordings on request.
                    """,
                audience: .public, pinned: true),
            by: owner, at: when, on: db)
        _ = try await ProfileContent.create(
            .init(
                kind: .video, title: "Design system walkthrough",
                summary: "A 20-minute tour of our component library and how partners request a new component.",
                url: "https://video.example.com/northwind/design-system-walkthrough", audience: .partners),
            by: owner, at: when.addingTimeInterval(-86_400), on: db)
    }
}
