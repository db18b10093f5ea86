import BonafideCore
import Fluent
import Foundation

/// Things an organization addresses to other organizations by name (`Object.named`). Whom they are for is stored
/// rows, written with the thing; `check` reads only the asker's own rows, in one query for any number of things.
extension Access {
    /// A list of organizations one names, not a broadcast: wider audiences are partners, a circle or everyone.
    static let maxNamed = 50

    /// Addresses the owner's thing to the organizations: from then on their people read it. Run in the transaction
    /// that writes the thing, so it is never readable by fewer or more than it was written for.
    static func address(owner: UUID, name: String, to organizations: Set<UUID>, on db: any Database) async throws {
        let rows = organizations.sorted { $0.uuidString < $1.uuidString }.map { organization -> NamedAudience in
            let row = NamedAudience()
            row.$owner.id = owner
            row.objectName = name
            row.$organization.id = organization
            return row
        }
        guard !rows.isEmpty else { return }
        try await rows.create(on: db)
    }

    /// The organizations each of the owner's named things is addressed to, keyed by the thing's name: for the owner's
    /// own people (a reader is not told who else reads). One query however many things.
    static func addressees(of owner: UUID, names: [String], on db: any Database) async throws -> [String: [UUID]] {
        guard !names.isEmpty else { return [:] }
        let rows = try await NamedAudience.query(on: db).filter(\.$owner.$id == owner).filter(\.$objectName ~~ Array(Set(names))).all()
        return Dictionary(grouping: rows, by: { $0.objectName }).mapValues { $0.map { $0.$organization.id } }
    }

    /// The reader tuples of named things that lead to the asker's organization. Only the asker's rows: its people are
    /// the only ones a check can reach through them, as `relations` reads only the owners' stand toward the asker.
    static func namedReaders(_ things: [(owner: UUID, name: String)], among asker: UUID, on db: any Database) async throws
        -> [TupleSet.Tuple]
    {
        guard !things.isEmpty else { return [] }
        let wanted = Set(things.map { name(.named(organization: $0.owner, name: $0.name)) })
        let rows = try await NamedAudience.query(on: db).filter(\.$organization.$id == asker)
            .filter(\.$objectName ~~ Array(Set(things.map { $0.name }))).all()
        return rows.map { name(.named(organization: $0.$owner.id, name: $0.objectName)) }.filter { wanted.contains($0) }
            .map { .init($0, "reader", "organization:\(key(asker))#member") }
    }
}
