import Fluent
import Foundation

enum SurveyStatus: String, Codable, Sendable { case open, closed }
