import BonafideCore
import Foundation
import Vapor

/// Each searcher's reach through the trust network (`OrganizationSearch.reach`), kept while the opinions it was worked
/// out from are unchanged: reading them hop by hop and walking them was a fifth of a search at a hundred times the
/// demo, the same for every search of one organization until some opinion changes. Keyed by the token of the opinions
/// (`TrustOpinions.version`, read from the database before the opinions, so every server stops using what it kept when
/// any server changes them), the searcher and the depth. Bounded by entries and by the organizations and vouchers held
/// (at most some 50 to 100 MB); when full, the least recently used goes first, and what a replaced token kept, never
/// asked for again, is that. One per application (`Application.trustReachMemo`): one process serves several databases
/// in the tests.
final class TrustReachMemo: @unchecked Sendable {
    // @unchecked: `kept`, `cost` and `clock` are only touched under `lock`.

    typealias Reach = [UUID: TrustPropagation.Reach<UUID>]

    private struct Key: Hashable {
        var version: UUID
        var root: UUID
        var maxDepth: Int
    }

    private struct Entry {
        var reach: Reach
        var cost: Int
        var lastUsed: UInt64
    }

    private let lock = NSLock()
    private var kept: [Key: Entry] = [:]
    private var cost = 0
    private var clock: UInt64 = 0
    let maxEntries: Int
    /// Organizations reached plus their vouchers, summed over every entry: about a hundred bytes each.
    let maxCost: Int

    init(maxEntries: Int = 256, maxCost: Int = 500_000) {
        self.maxEntries = maxEntries
        self.maxCost = maxCost
    }

    func reach(from root: UUID, maxDepth: Int, version: UUID) -> Reach? {
        lock.withLock {
            let key = Key(version: version, root: root, maxDepth: maxDepth)
            guard var entry = kept[key] else { return nil }
            clock += 1
            entry.lastUsed = clock
            kept[key] = entry
            return entry.reach
        }
    }

    func keep(_ reach: Reach, from root: UUID, maxDepth: Int, version: UUID) {
        let size = reach.values.reduce(reach.count) { $0 + $1.vouchers.count }
        guard size <= maxCost else { return }
        lock.withLock {
            // Not dropping every entry of another token here: two searches finishing across a change of the opinions
            // would each empty what the other kept. Entries of a replaced token are no longer used, so they go first.
            let key = Key(version: version, root: root, maxDepth: maxDepth)
            if let old = kept.removeValue(forKey: key) { cost -= old.cost }
            while !kept.isEmpty, kept.count >= maxEntries || cost + size > maxCost {
                let oldest = kept.min { $0.value.lastUsed < $1.value.lastUsed }!.key
                cost -= kept.removeValue(forKey: oldest)?.cost ?? 0
            }
            clock += 1
            kept[key] = Entry(reach: reach, cost: size, lastUsed: clock)
            cost += size
        }
    }

    var count: Int { lock.withLock { kept.count } }
}

extension Application {
    private struct TrustReachMemoKey: StorageKey { typealias Value = TrustReachMemo }

    /// Set up by `configure`.
    var trustReachMemo: TrustReachMemo {
        get {
            guard let memo = storage[TrustReachMemoKey.self] else { fatalError("configure() sets up the trust reach memo") }
            return memo
        }
        set { storage[TrustReachMemoKey.self] = newValue }
    }
}
