import Foundation

extension Date {
    /// The date as `Date.ISO8601FormatStyle()` writes it, in UTC to the whole second (`2025-03-01T09:30:00Z`), the
    /// form every API answer uses (`RFC3339Transcoder`). Written digit by digit for 1970 to 9999: the format style
    /// works out every calendar field (week of year, weekday) through `Calendar` for each date, a few per item of
    /// every list answer. Seconds are rounded down from the reference date, as the format style's calendar does.
    var rfc3339String: String {
        let sinceReference = timeIntervalSinceReferenceDate
        // 1970-01-01T00:00:00Z up to 10000-01-01T00:00:00Z; outside that, or not a number, the format style answers.
        guard sinceReference >= -978_307_200, sinceReference < 252_423_993_600 else { return ISO8601Format() }
        let (days, secondOfDay) = (Int(sinceReference.rounded(.down)) + 978_307_200).quotientAndRemainder(dividingBy: 86_400)
        let (year, month, day) = Date.civil(daysSince1970: days)
        return String(unsafeUninitializedCapacity: 20) { text in
            var end = 0
            func writeNumber(_ value: Int, digits: Int) {
                var rest = value
                for position in stride(from: end + digits - 1, through: end, by: -1) {
                    text[position] = UInt8(ascii: "0") + UInt8(rest % 10)
                    rest /= 10
                }
                end += digits
            }
            func writeCharacter(_ character: Unicode.Scalar) {
                text[end] = UInt8(ascii: character)
                end += 1
            }
            writeNumber(year, digits: 4)
            writeCharacter("-")
            writeNumber(month, digits: 2)
            writeCharacter("-")
            writeNumber(day, digits: 2)
            writeCharacter("T")
            writeNumber(secondOfDay / 3_600, digits: 2)
            writeCharacter(":")
            writeNumber(secondOfDay % 3_600 / 60, digits: 2)
            writeCharacter(":")
            writeNumber(secondOfDay % 60, digits: 2)
            writeCharacter("Z")
            return end
        }
    }
}

extension Date {
    /// The date `rfc3339String` writes, read back digit by digit: UTC to the whole second, 1970 to 9999, a real
    /// calendar day; nil for any other text (the caller then asks the format style). A stored trust report's dates
    /// went through `JSONDecoder`'s ISO 8601 strategy, which works the instant out through `Calendar` each time.
    init?(rfc3339String text: String) {
        var text = text
        let parsed: Int? = text.withUTF8 { bytes -> Int? in
            guard bytes.count == 20, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"), bytes[10] == UInt8(ascii: "T"),
                bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"), bytes[19] == UInt8(ascii: "Z")
            else { return nil }
            func number(_ start: Int, _ digits: Int) -> Int? {
                var value = 0
                for position in start..<(start + digits) {
                    let digit = Int(bytes[position]) - Int(UInt8(ascii: "0"))
                    guard digit >= 0, digit <= 9 else { return nil }
                    value = value * 10 + digit
                }
                return value
            }
            guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2), let hour = number(11, 2),
                let minute = number(14, 2), let second = number(17, 2),
                year >= 1970, (1...12).contains(month), hour < 24, minute < 60, second < 60
            else { return nil }
            let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
            let monthDays = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
            guard day >= 1, day <= monthDays[month - 1] else { return nil }
            // Howard Hinnant's `days_from_civil`, the inverse of what `rfc3339String` counts: years from March first.
            let marchYear = month <= 2 ? year - 1 : year
            let era = marchYear / 400
            let yearOfEra = marchYear - era * 400
            let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
            let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
            let daysSince1970 = era * 146_097 + dayOfEra - 719_468
            return daysSince1970 * 86_400 + hour * 3_600 + minute * 60 + second
        }
        guard let parsed else { return nil }
        self.init(timeIntervalSinceReferenceDate: TimeInterval(parsed - 978_307_200))
    }
}

extension Date {
    /// Days since 1970-01-01 (not negative) to a proleptic Gregorian date, counted in 400-year eras from 0000-03-01
    /// (Howard Hinnant's `civil_from_days`): March first puts the leap day last in each counted year.
    static func civil(daysSince1970 days: Int) -> (year: Int, month: Int, day: Int) {
        let daysSinceEraZero = days + 719_468
        let era = daysSinceEraZero / 146_097
        let dayOfEra = daysSinceEraZero - era * 146_097
        let leapDaysBefore = dayOfEra / 1_460 - dayOfEra / 36_524 + dayOfEra / 146_096
        let yearOfEra = (dayOfEra - leapDaysBefore) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthFromMarch = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthFromMarch + 2) / 5 + 1
        let month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9
        return (era * 400 + yearOfEra + (month <= 2 ? 1 : 0), month, day)
    }
}
