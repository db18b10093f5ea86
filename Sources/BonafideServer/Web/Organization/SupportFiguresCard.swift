import BonafideCore
import Fluent
import Foundation
import Vapor

/// How an organization answers support requests, on its profile: the median first answer and resolution over 90 days
/// and the share within its promise, read from the record. Shown to its own people and to the organizations it serves
/// (its partners and circles, as `Support` asks `Access`); those also get the form to ask it for help. A pure view.
struct SupportFiguresCard: Sendable {
    var organizationName: String
    var figures: Support.Figures
    /// For an organization it serves: asking it for help. Nil on one's own profile.
    var form: SupportRequestForm?

    /// Nil for a viewer who may not see the figures: the card is not there at all.
    static func load(_ req: Request, for actor: Actor, organization id: UUID, name: String) async throws -> SupportFiguresCard? {
        let db = req.db
        guard try await Support.mayReadFigures(actor, of: id, on: db) else { return nil }
        var form: SupportRequestForm?
        if try await Support.isCustomer(actor, of: id, on: db) {
            form = SupportRequestForm(choices: [], fixed: SupportRequestForm.Choice(id: id, name: name), csrf: req.csrfToken)
        }
        return SupportFiguresCard(organizationName: name, figures: try await Support.figures(of: id, on: db), form: form)
    }

    func render() -> HTML {
        let ask: HTML = form.map { f in HTML("<h3>Ask \(organizationName) for help</h3>\(f.form())") } ?? ""
        return """
            <section class="card" id="support"><h2>Support</h2>
            <p data-support-figures>\(Support.summary(figures))</p>
            <p class="small muted">Read from the record of support requests on Bonafide; shown to its partners and the organizations in its
            circles. An answer later than its promise counts against its reliability.</p>\(ask)</section>
            """
    }
}
