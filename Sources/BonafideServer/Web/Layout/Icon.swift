import Foundation

/// The few line icons the pages use, inline SVG drawn in the text colour, so they need no request, no font and no
/// script. Always beside words that say the same thing: hidden from screen readers.
enum Icon: String, Sendable {
    case partnership, incident, survey, mention, notification, search, allClear, conversation, document, circles

    private var paths: String {
        switch self {
        case .partnership: #"<circle cx="9" cy="12" r="5.5"/><circle cx="15" cy="12" r="5.5"/>"#
        case .incident: #"<path d="M12 3.5 2.8 20h18.4L12 3.5z"/><path d="M12 10v4.5M12 17.3v.2"/>"#
        case .survey: #"<path d="M4 20h16"/><path d="M6.5 20v-7M12 20V5M17.5 20v-10"/>"#
        case .mention: #"<circle cx="12" cy="12" r="3.5"/><path d="M15.5 12v1.5a2.5 2.5 0 0 0 5 0V12a8.5 8.5 0 1 0-3.3 6.7"/>"#
        case .notification: #"<path d="M6 16.5v-5a6 6 0 0 1 12 0v5l1.8 2H4.2L6 16.5z"/><path d="M10 20.5a2 2 0 0 0 4 0"/>"#
        case .search: #"<circle cx="10.5" cy="10.5" r="6"/><path d="m15 15 5.5 5.5"/>"#
        case .allClear: #"<circle cx="12" cy="12" r="9"/><path d="m8 12.3 2.8 2.8L16.3 9"/>"#
        case .conversation: #"<path d="M4 5h16v11H10l-4.5 3.5V16H4z"/><path d="M8 9.5h8M8 12.5h5"/>"#
        case .document: #"<path d="M6 3h8.5L19 7.5V21H6z"/><path d="M14 3v5h5M9 13h7M9 16.5h7"/>"#
        case .circles: #"<circle cx="12" cy="12" r="9"/><circle cx="12" cy="12" r="5"/><circle cx="12" cy="12" r="1.3"/>"#
        }
    }

    func render(size: Int = 24) -> HTML {
        HTML(
            raw: """
                <svg class="icon icon-\(rawValue)" viewBox="0 0 24 24" width="\(size)" height="\(size)" aria-hidden="true" focusable="false" \
                fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" stroke-linejoin="round">\(paths)</svg>
                """)
    }
}
