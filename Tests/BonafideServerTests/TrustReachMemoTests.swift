import Foundation
import Testing

@testable import BonafideCore
@testable import BonafideServer

@Suite("Trust reach memo")
struct TrustReachMemoTests {
    /// A reach of `size` organizations, each with one voucher: a cost of twice its size.
    func reach(_ size: Int) -> TrustReachMemo.Reach {
        var reach: TrustReachMemo.Reach = [:]
        for _ in 0..<size {
            let voucher = TrustPropagation.Voucher(node: UUID(), trustInVoucher: Opinion(positive: 3, negative: 1), opinion: .vacuous())
            reach[UUID()] = .init(opinion: Opinion(positive: 5, negative: 1), depth: 2, vouchers: [voucher])
        }
        return reach
    }

    @Test func keptUnderItsTokenSearcherAndDepthOnly() {
        let memo = TrustReachMemo()
        let (version, root) = (UUID(), UUID())
        let kept = reach(3)
        memo.keep(kept, from: root, maxDepth: 3, version: version)
        #expect(memo.reach(from: root, maxDepth: 3, version: version).map { Set($0.keys) } == Set(kept.keys))
        #expect(memo.reach(from: root, maxDepth: 2, version: version) == nil)
        #expect(memo.reach(from: UUID(), maxDepth: 3, version: version) == nil)
        #expect(memo.reach(from: root, maxDepth: 3, version: UUID()) == nil)
    }

    @Test func whatAReplacedTokenKeptGoesBeforeWhatIsInUse() {
        let memo = TrustReachMemo(maxEntries: 3, maxCost: 1_000)
        let (old, new) = (UUID(), UUID())
        let (a, b, c) = (UUID(), UUID(), UUID())
        memo.keep(reach(2), from: a, maxDepth: 3, version: old)
        memo.keep(reach(2), from: b, maxDepth: 3, version: old)
        memo.keep(reach(2), from: a, maxDepth: 3, version: new)
        // A search that read the old token before the change finishes after one that read the new one: both kept.
        #expect(memo.count == 3)
        #expect(memo.reach(from: a, maxDepth: 3, version: new) != nil)
        memo.keep(reach(2), from: c, maxDepth: 3, version: new)
        memo.keep(reach(2), from: b, maxDepth: 3, version: new)
        #expect(memo.reach(from: a, maxDepth: 3, version: old) == nil)
        #expect(memo.reach(from: b, maxDepth: 3, version: old) == nil)
        for root in [a, b, c] { #expect(memo.reach(from: root, maxDepth: 3, version: new) != nil) }
    }

    @Test func whenFullTheLeastRecentlyUsedGoesFirst() {
        let version = UUID()
        let (a, b, c, d) = (UUID(), UUID(), UUID(), UUID())
        let byEntries = TrustReachMemo(maxEntries: 2, maxCost: 1_000)
        byEntries.keep(reach(1), from: a, maxDepth: 3, version: version)
        byEntries.keep(reach(1), from: b, maxDepth: 3, version: version)
        _ = byEntries.reach(from: a, maxDepth: 3, version: version)
        byEntries.keep(reach(1), from: c, maxDepth: 3, version: version)
        #expect(byEntries.reach(from: a, maxDepth: 3, version: version) != nil)
        #expect(byEntries.reach(from: b, maxDepth: 3, version: version) == nil)
        #expect(byEntries.reach(from: c, maxDepth: 3, version: version) != nil)

        // Cost 2 per organization reached: 10 fits, 3 + 3 more needs one out, 12 never fits.
        let byCost = TrustReachMemo(maxEntries: 100, maxCost: 10)
        byCost.keep(reach(3), from: a, maxDepth: 3, version: version)
        byCost.keep(reach(2), from: b, maxDepth: 3, version: version)
        #expect(byCost.count == 2)
        byCost.keep(reach(3), from: c, maxDepth: 3, version: version)
        #expect(byCost.reach(from: a, maxDepth: 3, version: version) == nil)
        #expect(byCost.reach(from: b, maxDepth: 3, version: version) != nil)
        #expect(byCost.reach(from: c, maxDepth: 3, version: version) != nil)
        byCost.keep(reach(6), from: d, maxDepth: 3, version: version)
        #expect(byCost.reach(from: d, maxDepth: 3, version: version) == nil)
        #expect(byCost.count == 2)
    }
}
