import Foundation

/// Input checks shared by the API, the web forms and the CLI, so all three say the same thing.
public enum Validation {
    /// A pragmatic address check: one @, a non-empty local part, a dotted domain, no spaces.
    public static func isEmail(_ text: String) -> Bool {
        guard text.count <= 254, !text.contains(where: \.isWhitespace) else { return false }
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[0].count <= 64 else { return false }
        let labels = parts[1].split(separator: ".", omittingEmptySubsequences: false)
        return labels.count >= 2 && labels.allSatisfy { !$0.isEmpty && $0.count <= 63 }
            && labels.allSatisfy { $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" } }
    }

    public static func normalizedEmail(_ text: String) -> String {
        text.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
    }

    /// Only IANA identifiers are accepted: abbreviations like "PST" are ambiguous.
    public static func isTimeZone(_ identifier: String) -> Bool {
        identifier.contains("/") || identifier == "UTC" ? TimeZone(identifier: identifier) != nil : false
    }
}

extension String {
    /// The length limits on text fields count in: characters as people see them (grapheme clusters), but never
    /// fewer than a quarter of the UTF-8 bytes. One "character" can hold any number of combining marks, so a
    /// limit on clusters alone let a 3-character name of 800 KB through; four bytes cover every ordinary one.
    public var length: Int { Swift.max(count, (utf8.count + 3) / 4) }
}
