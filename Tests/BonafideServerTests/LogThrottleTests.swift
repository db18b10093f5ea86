import Foundation
import Testing

@testable import BonafideServer

@Suite("Errors repeated at every view, logged once in a while")
struct LogThrottleTests {
    @Test func eachKeyIsLetThroughOncePerInterval() {
        let throttle = LogThrottle(every: .seconds(600))
        let start = ContinuousClock.now
        #expect(throttle.allows("log A", now: start))
        #expect(!throttle.allows("log A", now: start.advanced(by: .seconds(599))))
        #expect(throttle.allows("log B", now: start.advanced(by: .seconds(1))), "another log is its own news")
        #expect(throttle.allows("log A", now: start.advanced(by: .seconds(600))))
        #expect(!throttle.allows("log A", now: start.advanced(by: .seconds(900))))
    }

    /// The throttle forgets the keys of logs long quiet, but not one logged within the interval.
    @Test func forgettingOldKeysKeepsTheRecentOnes() {
        let throttle = LogThrottle(every: .seconds(600))
        let start = ContinuousClock.now
        for i in 0..<999 { #expect(throttle.allows("log \(i)", now: start)) }
        #expect(throttle.allows("recent", now: start.advanced(by: .seconds(500))))
        #expect(throttle.count == 1_000)
        // A thousand keys kept, so this one makes room: the 999 quiet for longer than the interval are forgotten, the recent one is not.
        #expect(throttle.allows("new", now: start.advanced(by: .seconds(601))))
        #expect(throttle.count == 2, "only \"recent\" and \"new\" are left")
        #expect(!throttle.allows("recent", now: start.advanced(by: .seconds(602))))
        #expect(!throttle.allows("new", now: start.advanced(by: .seconds(602))))
    }
}
