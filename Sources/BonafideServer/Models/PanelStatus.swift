import Fluent
import Foundation

/// Whether a panel still takes ideas, votes and comments. A closed one keeps everything, and decisions may still be
/// recorded on it: closing the loop goes on after the panel stops.
enum PanelStatus: String, Codable, Sendable, CaseIterable {
    case open
    case closed
}
