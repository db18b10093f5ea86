import Fluent
import Foundation

/// An extra question after the main score: a scale, a choice or free text. Skipping is always allowed.
struct SurveyQuestion: Codable, Sendable, Equatable {
    enum Kind: String, Codable, Sendable { case scale, choice, text }
    var id: String
    var kind: Kind
    var prompt: String
    var options: [String]?
    var min: Int?
    var max: Int?
}
