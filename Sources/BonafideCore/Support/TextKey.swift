/// A text as a memo's key (`BoundedMemo`), compared and hashed by its UTF-8 bytes. `String` hashes and compares text
/// that is not all ASCII through Unicode normalization, which cost more than the work a kept log line saves. Two texts
/// that differ only in their normalization are two keys here: a miss, never a wrong answer.
public struct TextKey: Hashable, Sendable {
    public let text: String

    public init(_ text: String) { self.text = text }

    public static func == (a: TextKey, b: TextKey) -> Bool {
        a.text.utf8.count == b.text.utf8.count && a.text.utf8.elementsEqual(b.text.utf8)
    }

    public func hash(into hasher: inout Hasher) {
        var text = text
        text.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }
}
