import Foundation

/// Date formatters by time zone and pattern, each made once. Making one (an ICU formatter underneath) cost more than
/// the rest of a row on pages that show a date per row, such as the inbox's commitments; formatting with a shared one
/// is safe because `DateFormatter` guards its own state.
final class DateFormatters: @unchecked Sendable {
    static let shared = DateFormatters()

    /// Zones are IANA names and patterns are the code's own, so the cache stays small; the bound only guards it.
    private static let limit = 2_000

    private let lock = NSLock()
    private var formatters: [String: DateFormatter] = [:]

    /// A formatter writing `pattern` in `zone`, in the fixed POSIX locale.
    func formatter(zone: TimeZone, pattern: String) -> DateFormatter {
        let key = zone.identifier + "\u{1F}" + pattern
        return lock.withLock {
            if let known = formatters[key] { return known }
            let made = DateFormatter()
            made.locale = Locale(identifier: "en_US_POSIX")
            made.timeZone = zone
            made.dateFormat = pattern
            if formatters.count >= Self.limit { formatters.removeAll() }
            formatters[key] = made
            return made
        }
    }
}
