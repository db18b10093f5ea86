import BonafideCore
import Fluent
import Foundation
import SQLKit

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
        let (head, all) = try await headAndCosignatures(of: id, on: db)
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

    /// The log's head and its cosignatures, largest size first, in one statement where `Ledger.head` and
    /// `Witnessing.cosignatures` are two: the one head row (if any) joined to each cosignature, and a single row
    /// without one when there is none. Read column by column; each cosignature is kept or dropped as
    /// `Witnessing.cosignatures` keeps it.
    static func headAndCosignatures(of id: UUID, on db: any Database) async throws -> (Ledger.Head, [Witnessing.Stored]) {
        let rows = try await db.sql().raw(
            """
            SELECT h.size AS head_size, h.root AS head_root, c.organization_id, c.size, c.root, c."time", c.witness_key, c.signature
            FROM (SELECT 1 AS one) x
            LEFT JOIN ledger_heads h ON h.id = \(bind: id)
            LEFT JOIN ledger_cosignatures c ON c.partnership_id = \(bind: id)
            ORDER BY c.size DESC
            """
        ).all()
        var head = Ledger.Head(size: 0, root: Merkle.emptyRoot)
        if let first = rows.first, let size = try first.decodeIfPresent(column: "head_size", as: Int64.self) {
            head = Ledger.Head(size: UInt64(size), root: Ledger.bytes(try first.decode(column: "head_root", as: String.self)))
        }
        var cosignatures: [Witnessing.Stored] = []
        for row in rows {
            guard let organization = try row.decodeUUIDIfPresent(column: "organization_id") else { continue }
            let stored = Witnessing.stored(
                Witnessing.Row(
                    organization_id: organization, size: try row.decode(column: "size", as: Int64.self),
                    root: try row.decode(column: "root", as: String.self), time: try row.decode(column: "time", as: Int64.self),
                    witness_key: try row.decode(column: "witness_key", as: String.self),
                    signature: try row.decode(column: "signature", as: String.self)))
            if let stored { cosignatures.append(stored) }
        }
        return (head, cosignatures)
    }
}
