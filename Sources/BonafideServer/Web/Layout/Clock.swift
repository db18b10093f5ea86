import BonafideCore
import Fluent
import Foundation
import Vapor

/// Formats times in the viewer's own time zone.
struct Clock: Sendable {
    let zone: TimeZone

    init(_ identifier: String?) { zone = identifier.flatMap(TimeZone.init(identifier:)) ?? .gmt }

    /// A date and time with the zone named after it, as people say it: "Tue 17 Nov 2026, 18:27 EST"; a zone without a
    /// common abbreviation here is named by its city ("00:27 Berlin time"), not as "GMT+1".
    func format(_ date: Date?) -> String {
        guard let date else { return "" }
        return format(date, "EEE d MMM yyyy, HH:mm") + " " + zoneName(at: date)
    }

    func format(_ date: Date?, _ pattern: String) -> String {
        guard let date else { return "" }
        return DatePattern.format(date, pattern, in: zone)
            ?? DateFormatters.shared.formatter(zone: zone, pattern: pattern).string(from: date)
    }

    /// "EST", "GMT", or "Berlin time" where the only abbreviation is an offset.
    ///
    /// Kept by zone, offset, summer time and year (`zoneNames`): the name comes from ICU's formatter, a sixtieth of a
    /// partnership page. Within a year those decide it, even where a zone renamed an offset (Yukon kept -7 as summer
    /// time, then as standard time, in 2020). Past 2100 `TimeZone` gives offsets ICU does not, so those are not kept.
    func zoneName(at date: Date) -> String {
        let year = Int((date.timeIntervalSince1970 / 31_556_952).rounded(.down))
        guard (0..<130).contains(year) else { return namedZone(at: date) }
        let key = ZoneNameKey(
            zone: zone.identifier, offset: zone.secondsFromGMT(for: date), summer: zone.isDaylightSavingTime(for: date), year: year)
        return Self.zoneNames.value(of: key, always: { _ in namedZone(at: date) })
    }

    private struct ZoneNameKey: Hashable, Sendable {
        var zone: String
        var offset: Int
        var summer: Bool
        /// Years since 1970 (of 365.2425 days).
        var year: Int
    }

    /// Viewers' zones over the years the pages show: few keys, which keep coming.
    private static let zoneNames = BoundedMemo<ZoneNameKey, String>(maxEntries: 4096, maxBytes: 1 << 20, whenFull: .keepWhatItHas) {
        key, name in 48 + key.zone.utf8.count + name.utf8.count
    }

    private func namedZone(at date: Date) -> String {
        let abbreviation = format(date, "zzz")
        guard abbreviation.hasPrefix("GMT"), abbreviation != "GMT", let city = zone.identifier.split(separator: "/").last else {
            return abbreviation
        }
        return city.replacingOccurrences(of: "_", with: " ") + " time"
    }

    func time(_ date: Date) -> String { format(date, "HH:mm") }

    /// The value of an `<input type="datetime-local">`.
    func inputValue(_ date: Date?) -> String { format(date, "yyyy-MM-dd'T'HH:mm") }

    static func parseLocal(_ text: String, zone identifier: String) -> Date? {
        guard let zone = TimeZone(identifier: identifier) else { return nil }
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = zone
        for pattern in ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd"] {
            f.dateFormat = pattern
            if let d = f.date(from: text) { return d }
        }
        return nil
    }

    /// "in 3 days", "2 hours ago": how far a date is from now.
    static func relative(_ date: Date, now: Date = Date()) -> String {
        let seconds = date.timeIntervalSince(now)
        let magnitude = abs(seconds)
        let text: String
        switch magnitude {
        case ..<60: return "now"
        case ..<3600: text = "\(Int(magnitude / 60)) min"
        case ..<86_400: text = "\(Int(magnitude / 3600)) h"
        default: text = "\(Int(magnitude / 86_400)) d"
        }
        return seconds > 0 ? "in \(text)" : "\(text) ago"
    }

    static func duration(_ seconds: Double) -> String {
        switch seconds {
        case ..<3600: return "\(max(1, Int(seconds / 60))) min"
        case ..<86_400: return (seconds / 3600).fixed(1) + " h"
        default: return (seconds / 86_400).fixed(1) + " days"
        }
    }
}
