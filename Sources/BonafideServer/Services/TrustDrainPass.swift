import BonafideCore
import Fluent
import Foundation

/// What the trust job keeps from one batch to the next while it drains the queue: the network of every pair's current
/// opinion. Every batch read it whole (5,800 opinions at 500 organizations, indexed and walked again) to assess
/// fifty pairs; within a pass it is read at the start and used again for as long as it is what a read would give:
/// - a batch applies its own new opinions to it as it stores them, and after a batch that stored any, its walk
///   (SybilRank, made from the opinions the network was built from) is built again from them, in memory;
/// - before a batch uses it, the stored opinions must still give its digest (`TrustOpinions.checksum`, one aggregate
///   statement): when another writer changed an opinion in between (a page computing its pair on view, another
///   server's batch), the batch reads the network again. The digest is read after the batch has claimed its pairs,
///   so a pair that another server's change queued is never assessed without that change, as when each batch read
///   the network after its claim.
/// A pass that ends (the queue is empty, or a batch failed) forgets it: the next pass, woken by a write or by the
/// interval, reads it again.
struct TrustDrainPass {
    /// Pairs per batch: a single change is taken up in one small batch.
    static let batch = 50
    /// Pairs per batch while a backlog waits (the batch before came back full): the same pairs in a quarter of the
    /// batches, so a quarter of the statements (each kind of evidence is one statement for up to 250 pairs) and of
    /// the commits, for a write transaction four times as long (some milliseconds on SQLite).
    static let backlogBatch = 200

    private var network: TrustNetwork?
    /// Whether the held network's opinions changed since its walk was made.
    private var walkOutdated = false

    /// Whether a batch left a network to use again (a pass that has not run a batch yet reads it).
    var holdsNetwork: Bool { network != nil }

    /// The network for the next batch: the one held, when the stored opinions are still the ones it holds, or read.
    func network(on db: any Database) async throws -> TrustNetwork {
        guard let network, try await TrustOpinions.checksum(on: db) == TrustOpinions.checksum(of: network.opinions) else {
            return try await TrustNetwork.load(on: db)
        }
        return walkOutdated ? TrustNetwork(opinions: network.opinions) : network
    }

    /// Holds the network a batch ended with, once what the batch stored has committed.
    mutating func keep(_ network: TrustNetwork, storedOpinions: Bool) {
        self.network = network
        walkOutdated = storedOpinions
    }
}
