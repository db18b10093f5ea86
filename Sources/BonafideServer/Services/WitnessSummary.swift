import BonafideCore
import Fluent
import Foundation

/// What a partnership page says about its log: its size and root, the newest checkpoint every side cosigned, and
/// whether a cosigned checkpoint no longer matches. `Witnessing.status` works these out as well, but also reads each
/// side's witness key and signs a note per side and for the witnessed checkpoint (what the record page and the API
/// serve): two reads and up to three signatures per page view that the page never showed.
struct WitnessSummary: Sendable {
    var head: Ledger.Head
    /// The newest size every side cosigned whose roots still match the log; nil until there is one.
    var witnessedSize: UInt64?
    /// Some cosigned checkpoint the log no longer agrees with: its history was rewritten.
    var conflict: Bool

    /// Decided as `Witnessing.status` decides `witnessed` and `conflicts`.
    static func load(of p: Partnership, on db: any Database) async throws -> WitnessSummary {
        let id = try p.requireID()
        let head = try await Ledger.head(of: id, on: db)
        let all = try await Witnessing.cosignatures(of: id, on: db)
        guard !all.isEmpty else { return WitnessSummary(head: head, witnessedSize: nil, conflict: false) }
        let sides = [p.$organization.id] + [p.$partner.id].compactMap { $0 }
        let sizes = Array(Set(all.map(\.size))).sorted(by: >).prefix(50)
        let roots = try await Ledger.roots(of: id, sizes: sizes.filter { $0 <= head.size }, on: db)
        func matches(_ c: Witnessing.Stored) -> Bool { roots[c.size] == c.root }
        let witnessed = sizes.first { size in
            let group = all.filter { $0.size == size }
            return group.allSatisfy(matches) && Set(group.map(\.organization)).isSuperset(of: sides)
        }
        return WitnessSummary(head: head, witnessedSize: witnessed, conflict: all.contains { !matches($0) })
    }
}
