import Fluent
import Foundation

/// One answer to an extra question: a number for scales, the option for choices, text otherwise.
enum SurveyAnswer: Codable, Sendable, Equatable {
    case number(Int)
    case text(String)

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let n = try? c.decode(Int.self) { self = .number(n) } else { self = .text(try c.decode(String.self)) }
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .number(let n): try c.encode(n)
        case .text(let t): try c.encode(t)
        }
    }

    var display: String {
        switch self {
        case .number(let n): String(n)
        case .text(let t): t
        }
    }
}
