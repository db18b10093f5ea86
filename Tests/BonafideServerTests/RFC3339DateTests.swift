import Foundation
import Testing

@testable import BonafideServer

/// Dates in API answers (`Date.rfc3339String`, through `RFC3339Transcoder`) are written as
/// `Date.ISO8601FormatStyle()` wrote them before: the same text for every date.
@Suite("Dates written as the API answers them")
struct RFC3339DateTests {
    @Test func knownDatesReadAsTheCalendarSays() {
        func written(_ sinceEpoch: TimeInterval) -> String { Date(timeIntervalSince1970: sinceEpoch).rfc3339String }
        #expect(written(0) == "1970-01-01T00:00:00Z")
        #expect(written(951_868_799.999) == "2000-02-29T23:59:59Z")
        #expect(written(951_868_800) == "2000-03-01T00:00:00Z")
        #expect(written(4_107_542_400) == "2100-03-01T00:00:00Z")
        #expect(written(978_307_199.5) == "2000-12-31T23:59:59Z")
        #expect(written(253_402_300_799.25) == "9999-12-31T23:59:59Z")
    }

    @Test func everyDateIsWrittenAsTheFormatStyleWritesIt() {
        let style = Date.ISO8601FormatStyle()
        // The ends of the years written digit by digit, just outside them (the format style answers there), leap
        // days, and the reference date with fractions on either side.
        let offsets: [TimeInterval] = [
            -978_307_200, -978_307_200.25, -978_307_199.75, -2_000_000_000, -1e12, -0.5, 0, 0.999_999, 1, 31_622_399.5,
            252_423_993_599, 252_423_993_599.999, 252_423_993_600, 252_423_993_600.5, 1e12,
        ]
        var dates = offsets.map(Date.init(timeIntervalSinceReferenceDate:))
        for year in [1972, 2000, 2024, 2100, 2400, 9996] {
            let leapDay = DateComponents(
                calendar: Calendar(identifier: .gregorian), timeZone: TimeZone(identifier: "UTC"), year: year, month: 2, day: 29)
            if let date = leapDay.date { dates += [date, date - 0.5, date + 86_399.5, date + 86_400] }
        }
        for _ in 0..<10_000 {
            dates.append(Date(timeIntervalSinceReferenceDate: .random(in: -978_307_200..<252_423_993_600)))
        }
        let differing = dates.filter { $0.rfc3339String != style.format($0) }
        #expect(
            differing.isEmpty,
            "\(differing.prefix(3).map { ($0.timeIntervalSinceReferenceDate, $0.rfc3339String, style.format($0)) })")
    }

    @Test func theAPIReadsBackWhatItWrites() throws {
        let transcoder = RFC3339Transcoder()
        let date = Date(timeIntervalSince1970: 1_792_128_199)
        #expect(try transcoder.decode(try transcoder.encode(date)) == date)
        #expect(try transcoder.encode(date.addingTimeInterval(0.75)) == "2026-10-16T05:23:19Z")
    }
}
