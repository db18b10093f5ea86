import Foundation

/// A mention as pages quote it: its title and text, cut at 280 characters, linked to where it was published when
/// that is known.
struct MentionQuote: Sendable {
    var text: String
    /// Where it was published; empty when it came without an address.
    var url: String

    func render() -> HTML {
        url.isEmpty ? "“\(text)”" : "<a href=\"\(url)\" rel=\"noopener noreferrer nofollow\">“\(text)”</a>"
    }
}

extension MentionQuote {
    init(_ m: Mention) {
        let text = m.title.isEmpty ? m.text : m.text.isEmpty ? m.title : "\(m.title): \(m.text)"
        self.init(text: text.count > 280 ? String(text.prefix(280)) + "…" : text, url: m.url)
    }
}
