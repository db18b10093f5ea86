import Foundation

/// Who wrote a reply in an update's thread: the reader organization whose thread it is, or the organization that
/// wrote the update answering it. Stored, not read from the person's organization, because people move on (and
/// their accounts go) while the thread keeps who said what.
enum UpdateReplySide: String, Codable, Sendable, CaseIterable {
    case reader
    case author
}
