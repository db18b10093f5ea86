import Fluent
import Foundation

/// The organizations an organization knows: those it may tell of its updates and offers, and name as an update's
/// readers. Read in one place so that who counts as known cannot drift between them.
extension Access {
    /// How an organization knows another: its partnerships with it that started (active or ended), and where it
    /// placed it among its circles (following included).
    struct Acquaintance: Sendable {
        var partnerships: [Partnership] = []
        var placement: CirclePlacement?
    }

    /// Every organization the given one knows, a partner present or past or one it placed in a circle, in two
    /// queries; never itself.
    static func knownOrganizations(of organization: UUID, on db: any Database) async throws -> [UUID: Acquaintance] {
        var known: [UUID: Acquaintance] = [:]
        let partnerships = try await Partnership.query(on: db).filter(\.$status ~~ [.active, .ended])
            .group(.or) { $0.filter(\.$organization.$id == organization).filter(\.$partner.$id == organization) }.all()
        for p in partnerships {
            guard let other = p.otherSide(of: organization), other != organization else { continue }
            known[other, default: Acquaintance()].partnerships.append(p)
        }
        let placements = try await CirclePlacement.query(on: db).filter(\.$organization.$id == organization).all()
        for placement in placements where placement.$member.id != organization && known[placement.$member.id]?.placement == nil {
            known[placement.$member.id, default: Acquaintance()].placement = placement
        }
        return known
    }
}
