import Foundation
import Testing

@testable import BonafideServer

/// Dates on the pages (`Clock.format`, through `DatePattern`) read as `DateFormatter` wrote them before: the same text
/// for every pattern the pages use, in zones with half-hour, quarter-hour and summer-time offsets.
@Suite("Dates written as the pages show them")
struct DatePatternTests {
    static let patterns = [
        "EEE d MMM yyyy, HH:mm", "EEE d MMM, HH:mm", "HH:mm", "MMM yyyy", "MMMM yyyy", "d MMM HH:mm", "d MMM yyyy HH:mm",
        "d MMM yyyy", "d MMM yyyy, HH:mm", "d MMM", "d MMM, HH:mm", "yyyy-MM-dd", "yyyy-MM-dd'T'HH:mm",
        "yyyy-MM-dd'T'HH:mm:ssXXXXX", "H:m:s d/M",
    ]
    static let zones = [
        "GMT", "UTC", "Europe/Berlin", "America/New_York", "America/St_Johns", "Asia/Kolkata", "Asia/Kathmandu",
        "Australia/Lord_Howe", "Pacific/Chatham", "Pacific/Kiritimati", "America/Argentina/Buenos_Aires", "Africa/Monrovia",
    ]

    func written(_ date: Date, _ pattern: String, _ zone: TimeZone) -> String {
        DateFormatters.shared.formatter(zone: zone, pattern: pattern).string(from: date)
    }

    @Test func knownDatesReadAsTheCalendarSays() {
        let date = Date(timeIntervalSince1970: 1_796_000_000)  // 2026-11-30T00:53:20Z
        let berlin = TimeZone(identifier: "Europe/Berlin")!
        #expect(DatePattern.format(date, "EEE d MMM yyyy, HH:mm", in: berlin) == "Mon 30 Nov 2026, 01:53")
        #expect(DatePattern.format(date, "EEE d MMM, HH:mm", in: .gmt) == "Mon 30 Nov, 00:53")
        #expect(DatePattern.format(date, "yyyy-MM-dd'T'HH:mm:ssXXXXX", in: .gmt) == "2026-11-30T00:53:20Z")
        #expect(DatePattern.format(date, "yyyy-MM-dd'T'HH:mm:ssXXXXX", in: berlin) == "2026-11-30T01:53:20+01:00")
        #expect(DatePattern.format(date, "MMMM yyyy", in: TimeZone(identifier: "America/New_York")!) == "November 2026")
        #expect(DatePattern.format(Date(timeIntervalSince1970: 0), "d MMM yyyy", in: .gmt) == "1 Jan 1970")
        // Anything else is left to `DateFormatter`.
        #expect(DatePattern.format(date, "zzz", in: berlin) == nil)
        #expect(DatePattern.format(date, "h:mm a", in: berlin) == nil)
        #expect(DatePattern.format(date, "d 'o''clock'", in: berlin) == nil)
        #expect(DatePattern.format(Date(timeIntervalSince1970: -1), "d MMM yyyy", in: .gmt) == nil)
        #expect(DatePattern.format(Date(timeIntervalSince1970: 4_133_980_800), "d MMM yyyy", in: .gmt) == nil)
        #expect(Clock("Europe/Berlin").format(date, "zzz") == "GMT+1")
    }

    @Test func everyDateIsWrittenAsTheFormatterWritesIt() {
        let known: [TimeInterval] = [
            0, 0.5, 951_868_799.999, 951_868_800, 1_711_846_799.9995, 1_711_846_800, 1_729_990_800, 4_133_980_799.75,
        ]
        var dates = known.map(Date.init(timeIntervalSince1970:))
        // Around the summer-time changes of 2024, and in the winter and summer of 2100, minute by minute.
        for start: TimeInterval in [1_711_846_800, 1_729_990_800, 4_102_444_800, 4_118_083_200] {
            for minute in -90...90 { dates.append(Date(timeIntervalSince1970: start + Double(minute) * 60 + 0.25)) }
        }
        for _ in 0..<2_000 { dates.append(Date(timeIntervalSince1970: .random(in: 0..<4_133_980_800))) }
        for _ in 0..<2_000 { dates.append(Date(timeIntervalSince1970: .random(in: 1_600_000_000..<1_900_000_000))) }
        var differing: [(String, String, Double, String?, String)] = []
        var writtenHere = 0
        for name in Self.zones {
            let zone = TimeZone(identifier: name)!
            for date in dates {
                for pattern in Self.patterns {
                    guard let here = DatePattern.format(date, pattern, in: zone) else { continue }
                    writtenHere += 1
                    let formatter = written(date, pattern, zone)
                    if here != formatter { differing.append((name, pattern, date.timeIntervalSince1970, here, formatter)) }
                }
            }
        }
        #expect(differing.isEmpty, "\(differing.count) differ, e.g. \(differing.prefix(5))")
        // Every date in range was written here, not handed back to the formatter.
        #expect(writtenHere > Self.zones.count * dates.count * (Self.patterns.count - 2))
    }
}
