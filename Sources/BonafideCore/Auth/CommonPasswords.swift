import Foundation

/// The 10,000 most common passwords, from zxcvbn's frequency list (MIT; see Resources/Passwords/LICENSE-zxcvbn.txt).
public enum CommonPasswords {
    /// Loaded on first use (a static let is lazy and thread-safe), about a millisecond and a few hundred KB.
    static let list: Set<String> = {
        do { return try load(from: .module) } catch { fatalError("The common-password list is missing: \(error)") }
    }()

    public static var count: Int { list.count }

    /// Case-insensitive: "PassWord" is as guessable as "password", since crackers try case variants first.
    public static func contains(_ password: String) -> Bool { list.contains(password.lowercased()) }

    static func load(from bundle: Bundle) throws -> Set<String> {
        guard
            let url = bundle.url(forResource: "common-passwords", withExtension: "txt", subdirectory: "Passwords")
                ?? bundle.url(forResource: "common-passwords", withExtension: "txt")
        else { throw CocoaError(.fileNoSuchFile) }
        let text = try String(contentsOf: url, encoding: .utf8)
        return Set(text.split(whereSeparator: \.isNewline).map { $0.lowercased() })
    }
}
