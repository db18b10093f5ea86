/// What a new password must be, following NIST SP 800-63B: long enough, not known to attackers, no composition
/// rules (no "one upper-case letter and one symbol"), spaces and any Unicode allowed.
///
/// ```swift
/// if let problem = PasswordPolicy.problem(with: form.password, email: form.email, name: form.name) {
///     return page(error: problem)   // e.g. "Use at least 10 characters; this one has 8."
/// }
/// ```
public enum PasswordPolicy {
    public static let minimumLength = 10
    /// bcrypt reads only the first 72 bytes, so a longer password would be checked on a prefix the user cannot see.
    public static let maximumBytes = 72

    /// Nil when the password is acceptable, otherwise one plain-English sentence saying why not.
    public static func problem(with password: String, email: String?, name: String?) -> String? {
        // Tabs, newlines and NUL come from pasting mistakes or from attempts to truncate the string in C code.
        if password.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            return "Passwords can't contain control characters such as tabs, line breaks or NUL; use letters, digits, symbols and spaces."
        }
        if password.count < minimumLength {
            return "Use at least \(minimumLength) characters; this one has \(password.count)."
        }
        let bytes = password.utf8.count
        if bytes > maximumBytes {
            return "Use at most \(maximumBytes) bytes; this one is \(bytes) bytes in UTF-8, and bcrypt reads only the first "
                + "\(maximumBytes) bytes."
        }
        if CommonPasswords.contains(password) {
            return "This is one of the 10,000 most common passwords; choose one that is not."
        }
        let folded = Array(password.lowercased())
        if isRepetition(folded) {
            return "A password that repeats one character or a short pattern (like aaaaaaaaaa or 1212121212) is easy to guess; "
                + "choose one that does not."
        }
        if isStraightRun(folded) {
            return "A straight run of characters (like 1234567890, abcdefghij or a keyboard row) is easy to guess; choose one that is not."
        }
        let plain = password.lowercased().trimmingWhitespace()
        if let email = email?.lowercased().trimmingWhitespace(), !email.isEmpty {
            let local = email.split(separator: "@").dropLast().joined(separator: "@")
            if plain == email || (!local.isEmpty && plain == local) {
                return "Don't use your email address, or the part before the @, as your password."
            }
        }
        if let name = name?.lowercased().trimmingWhitespace(), !name.isEmpty {
            if plain == name || plain.filter({ !$0.isWhitespace }) == name.filter({ !$0.isWhitespace }) {
                return "Don't use your name as your password."
            }
        }
        return nil
    }

    /// The whole password is its first p characters repeated (the last copy may be cut short), for some p up to
    /// half its length: "aaaaaaaaaa", "abcabcabca", "passwordpassword".
    static func isRepetition(_ chars: [Character]) -> Bool {
        guard chars.count >= 2 else { return false }
        for period in 1...chars.count / 2 where (period..<chars.count).allSatisfy({ chars[$0] == chars[$0 - period] }) {
            return true
        }
        return false
    }

    /// Each character one after the previous, up or down. Digits and letters wrap around ("7890123456",
    /// "0987654321" as on a keyboard's top row), and the rows of a US keyboard count as runs too.
    static func isStraightRun(_ chars: [Character]) -> Bool {
        guard chars.count >= 3 else { return false }
        let text = String(chars)
        for row in ["`1234567890-=", "qwertyuiop[]\\", "asdfghjkl;'", "zxcvbnm,./"] {
            if row.contains(text) || String(row.reversed()).contains(text) { return true }
        }
        var values: [UInt32] = []
        for c in chars {
            guard c.unicodeScalars.count == 1, let scalar = c.unicodeScalars.first else { return false }
            values.append(scalar.value)
        }
        func next(_ value: UInt32, _ step: Int) -> UInt32 {
            let cycles: [(base: UInt32, size: UInt32)] = [(48, 10), (97, 26)]
            for cycle in cycles where (cycle.base..<cycle.base + cycle.size).contains(value) {
                return cycle.base + UInt32((Int(value - cycle.base) + step + Int(cycle.size)) % Int(cycle.size))
            }
            return UInt32(max(0, Int(value) + step))
        }
        return [1, -1].contains { step in (1..<values.count).allSatisfy { values[$0] == next(values[$0 - 1], step) } }
    }
}

extension String {
    fileprivate func trimmingWhitespace() -> String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
