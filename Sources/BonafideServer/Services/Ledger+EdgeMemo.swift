import Foundation

extension Ledger {
    /// The partial tiles of the heads this server wrote, so that its next append to a log needs no read of them: on
    /// PostgreSQL that read is a round trip made while the head's row lock is held, and every append to the
    /// partnership waits for it. A memo is used only for the head it was made for: the append locks the head first
    /// and compares size and root, and a root commits to every entry, so another server's append (or one of this
    /// server's that rolled back) never matches a stale memo. Bounded: when full it starts over.
    final class EdgeMemo: @unchecked Sendable {
        // @unchecked: `entries` is only touched under `lock`.
        static let shared = EdgeMemo()
        static let capacity = 1_024

        private struct Entry {
            let size: UInt64
            let root: String
            let tiles: [TileKey: [UInt8]]
        }

        private let lock = NSLock()
        private var entries: [UUID: Entry] = [:]

        func partialTiles(of id: UUID, size: UInt64, root: String) -> [TileKey: [UInt8]]? {
            lock.withLock {
                guard let entry = entries[id], entry.size == size, entry.root == root else { return nil }
                return entry.tiles
            }
        }

        func remember(_ tiles: [TileKey: [UInt8]], of id: UUID, size: UInt64, root: String) {
            lock.withLock {
                if entries.count >= Self.capacity, entries[id] == nil { entries.removeAll(keepingCapacity: true) }
                entries[id] = Entry(size: size, root: root, tiles: tiles)
            }
        }
    }
}
