import Foundation
import Testing

@testable import BonafideServer

@Suite("Clock")
struct ClockTests {
    /// Zones are named as people say them: a common abbreviation, or the city, never a bare "GMT+1".
    @Test func timesNameTheirZoneReadably() {
        let winter = Date(timeIntervalSince1970: 1_796_000_000)  // 2026-11-30T00:53Z: standard time in every zone below
        #expect(Clock("Europe/Berlin").format(winter) == "Mon 30 Nov 2026, 01:53 Berlin time")
        #expect(Clock("America/New_York").format(winter) == "Sun 29 Nov 2026, 19:53 EST")
        #expect(Clock("America/Argentina/Buenos_Aires").format(winter).hasSuffix(" Buenos Aires time"))
        #expect(Clock("Europe/London").format(winter).hasSuffix(" GMT"))
        #expect(Clock("Europe/Berlin").format(winter, "HH:mm") == "01:53")
    }
}
