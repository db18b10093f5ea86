import Foundation

/// The few date patterns the pages use, written digit by digit as `DateFormatter` writes them in the POSIX locale:
/// formatting through ICU (and back into a Swift string) was the largest part of a page's own work, a dozen dates or
/// more on every partnership page. Only the zone's offset is asked of Foundation. A pattern with any other field, or a
/// date outside 1970 to 2100 (`TimeZone` answers later dates with the offset of 2101-01-01, ICU's formatter does not),
/// is left to `DateFormatter`.
enum DatePattern {
    private static let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    private static let monthNames = [
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December",
    ]

    /// `date` in `zone` as `pattern` says, or nil when the pattern or date is not one written here.
    static func format(_ date: Date, _ pattern: String, in zone: TimeZone) -> String? {
        // What CoreFoundation hands ICU: milliseconds since 1970 with half a millisecond added, which ICU rounds down.
        let udate = (date.timeIntervalSinceReferenceDate + 978_307_200) * 1000 + 0.5
        guard udate >= 0, udate < 4_133_980_800_000 else { return nil }
        let utcSecond = Int(udate.rounded(.down)) / 1000
        // Zones change their offset on whole seconds, so the offset of the whole second is that of the instant.
        let offset = zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(utcSecond)))
        let local = utcSecond + offset
        guard local >= 0 else { return nil }
        let (days, secondOfDay) = local.quotientAndRemainder(dividingBy: 86_400)
        let (year, month, day) = Date.civil(daysSince1970: days)
        // 1970-01-01 was a Thursday.
        let weekday = (days + 4) % 7

        var text: [UInt8] = []
        text.reserveCapacity(pattern.utf8.count + 8)
        func number(_ value: Int, digits: Int) {
            if digits >= 4 || value >= 1_000 { text.append(UInt8(ascii: "0") + UInt8(value / 1_000 % 10)) }
            if digits >= 3 || value >= 100 { text.append(UInt8(ascii: "0") + UInt8(value / 100 % 10)) }
            if digits >= 2 || value >= 10 { text.append(UInt8(ascii: "0") + UInt8(value / 10 % 10)) }
            text.append(UInt8(ascii: "0") + UInt8(value % 10))
        }
        func name(_ name: String) { text.append(contentsOf: name.utf8) }

        let letters = pattern.utf8
        var index = letters.startIndex
        while index != letters.endIndex {
            let letter = letters[index]
            guard letter < 0x80 else { return nil }
            if letter == UInt8(ascii: "'") {
                // Quoted text, written as it is; a quote written as two quotes is left to ICU.
                var end = letters.index(after: index)
                while end != letters.endIndex, letters[end] != UInt8(ascii: "'") {
                    guard letters[end] < 0x80 else { return nil }
                    text.append(letters[end])
                    end = letters.index(after: end)
                }
                guard end != letters.endIndex, end != letters.index(after: index) else { return nil }
                index = letters.index(after: end)
                guard index == letters.endIndex || letters[index] != UInt8(ascii: "'") else { return nil }
                continue
            }
            let isLetter =
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(letter) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(letter)
            guard isLetter else {
                text.append(letter)
                index = letters.index(after: index)
                continue
            }
            var count = 0
            while index != letters.endIndex, letters[index] == letter {
                count += 1
                index = letters.index(after: index)
            }
            switch (letter, count) {
            case (UInt8(ascii: "E"), 3): name(weekdays[weekday])
            case (UInt8(ascii: "d"), 1...2): number(day, digits: count)
            case (UInt8(ascii: "M"), 3): name(months[month - 1])
            case (UInt8(ascii: "M"), 4): name(monthNames[month - 1])
            case (UInt8(ascii: "M"), 1...2): number(month, digits: count)
            case (UInt8(ascii: "y"), 4): number(year, digits: 4)
            case (UInt8(ascii: "H"), 1...2): number(secondOfDay / 3_600, digits: count)
            case (UInt8(ascii: "m"), 1...2): number(secondOfDay % 3_600 / 60, digits: count)
            case (UInt8(ascii: "s"), 1...2): number(secondOfDay % 60, digits: count)
            case (UInt8(ascii: "X"), 5):
                // ISO 8601's extended offset: "Z" at UTC, else "+hh:mm"; an offset with seconds is left to ICU.
                guard offset % 60 == 0 else { return nil }
                if offset == 0 {
                    text.append(UInt8(ascii: "Z"))
                } else {
                    text.append(offset < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
                    number(abs(offset) / 3_600, digits: 2)
                    text.append(UInt8(ascii: ":"))
                    number(abs(offset) % 3_600 / 60, digits: 2)
                }
            default: return nil
            }
        }
        return String(decoding: text, as: UTF8.self)
    }
}
