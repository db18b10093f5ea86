import Foundation

/// What an item of an organization's guides and resources is, which decides what it holds besides its title.
enum ContentKind: String, Codable, Sendable, CaseIterable {
    /// A text of the organization's own, in Markdown.
    case guide
    /// A video elsewhere, by its address.
    case video
    /// A document of the organization's vault: readers see what the organization says of it, and open it only if it
    /// is shared with them, since the vault is encrypted end to end.
    case whitepaper
    /// An article elsewhere, by its address.
    case link

    var label: String {
        switch self {
        case .guide: "Guide"
        case .video: "Video"
        case .whitepaper: "Whitepaper"
        case .link: "Article"
        }
    }
}
