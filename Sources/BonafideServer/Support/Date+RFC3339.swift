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
        // Days since 1970 to a proleptic Gregorian date, counted in 400-year eras from 0000-03-01 (Howard Hinnant's
        // `civil_from_days`): March first puts the leap day last in each counted year.
        let daysSinceEraZero = days + 719_468
        let era = daysSinceEraZero / 146_097
        let dayOfEra = daysSinceEraZero - era * 146_097
        let leapDaysBefore = dayOfEra / 1_460 - dayOfEra / 36_524 + dayOfEra / 146_096
        let yearOfEra = (dayOfEra - leapDaysBefore) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthFromMarch = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthFromMarch + 2) / 5 + 1
        let month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9
        let year = era * 400 + yearOfEra + (month <= 2 ? 1 : 0)
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
