import Fluent
import Foundation

extension DemoSeed {
    /// Northwind asks its circle (Acme as collaborator, Kite as connected) to show their fastest checkout; Acme's and
    /// Kite's people answer while it runs, and Northwind highlights the entry with the clearest before and after.
    /// `at` and `due` are the seed's clock: history lies behind now, the close lies ahead.
    static func seedChallenge(
        by alice: Actor, carla: Actor, dan: Actor, esha: Actor, baseURL: String, at: (Double, Double) -> Date,
        due: (Double) -> Date, on db: any Database
    ) async throws {
        let created = try await Challenges.create(
            .init(
                title: "Show us your fastest checkout",
                prompt: """
                    Design system 2.0 ships a new checkout template. Before we tune it further, we want to learn from yours:
                    **how fast can a returning customer on a phone go from cart to paid?**

                    - Tell us the steps, and where you saved time
                    - Give a number if you have one (median seconds, or taps)
                    - A link to a short screen recording helps

                    We will highlight the entries we learn most from, and build the best ideas into the template.
                    """,
                opensAt: at(50, 0), closesAt: due(75), timeZone: "Europe/Berlin", audience: .connected),
            by: alice, baseURL: baseURL, at: at(49, 0), on: db)
        let id = created.summary.id
        let carlas = try await Challenges.submit(
            id,
            body: """
                Three steps on a phone: **cart → address and delivery on one page → wallet pay**. Returning customers skip the
                address step entirely; their last address is preselected and editable in place.

                Median from cart to paid on mobile went from 2 min 40 s to **1 min 35 s** after the redesign.
                """,
            link: "https://acme.example/checkout-demo", as: .person(carla), at: at(51, 3), on: db)
        _ = try await Challenges.submit(
            id,
            body: """
                We measured where people wait rather than where they tap: 40% of the checkout time in our clients' funnels is
                the payment sheet loading. Preloading it when the cart opens cut the median by 11 seconds.
                """,
            link: "https://kite.example/fastest-checkout", as: .person(esha), at: at(53, 5), on: db)
        _ = try await Challenges.submit(
            id,
            body: "One-tap reorder from the order history: for repeat buys of the same tent pegs it is 2 taps and under 10 seconds.",
            link: "", as: .person(dan), at: at(55, 1), on: db)
        _ = try await Challenges.highlight(
            id, entry: carlas.submission.id,
            note: "Clear before and after numbers, and the one-page address step is exactly what our template should do.",
            by: alice, baseURL: baseURL, at: at(57, 2), on: db)
    }
}
