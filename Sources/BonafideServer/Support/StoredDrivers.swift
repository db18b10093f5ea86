import BonafideCore
import Foundation

/// The phrases behind a sentiment score as survey answers, mentions and messages keep them (JSON in a text
/// column, the strongest five) and as pages show them (the strongest three, quoted).
enum StoredDrivers {
    static let kept = 5
    static let shown = 3

    static func json(_ drivers: [Sentiment.Driver]) -> String {
        String(decoding: (try? JSONEncoder().encode(Array(drivers.prefix(kept)))) ?? Data("[]".utf8), as: UTF8.self)
    }

    static func decode(_ json: String?) -> [Sentiment.Driver] {
        guard let json else { return [] }
        return (try? JSONDecoder().decode([Sentiment.Driver].self, from: Data(json.utf8))) ?? []
    }

    /// “late”, “no response”, “very disappointed”
    static func quoted(_ drivers: [Sentiment.Driver]) -> String {
        drivers.prefix(shown).map { "“\($0.phrase)”" }.joined(separator: ", ")
    }
}
