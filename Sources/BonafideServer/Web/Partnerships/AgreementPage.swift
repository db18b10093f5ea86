import BonafideCore
import Fluent
import Foundation

/// Every version of a partnership's agreement, newest first, with who wrote it and when. A pure view of its model.
struct AgreementPage: Sendable {
    struct Version: Sendable {
        var number: Int
        var author: String
        var at: String
        var text: String
    }

    var partnershipID: UUID
    var partnershipName: String
    var versions: [Version]

    static func load(for actor: Actor, of p: Partnership, on db: any Database) async throws -> Self {
        let clock = Clock(actor.user.timeZone)
        return AgreementPage(
            partnershipID: p.id!, partnershipName: p.name,
            versions: try await Partnerships.agreementVersions(of: p, on: db).map {
                Version(number: $0.version, author: $0.author.name, at: clock.format($0.createdAt), text: $0.text)
            })
    }

    func render() -> HTML {
        """
        <h1>Agreement of <a href="\(SiteURL.partnership(partnershipID))">\(partnershipName)</a></h1>
        \(versions.map { v in HTML("<section class=\"card\"><h2>Version \(v.number)</h2><p class=\"small muted\">by \(v.author), \(v.at)</p><pre class=\"agreement\">\(v.text)</pre></section>") })
        """
    }
}
