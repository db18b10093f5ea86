import Foundation

/// The parts of a long page with "On this page" links to each. On a wide screen, or without scripts, every part is on
/// the page and the links jump to it; on a phone `tabs.js` shows one part at a time and the links become its tabs, so
/// a page of several screens reads as one screen per part.
struct PageTabs: Sendable {
    struct Part: Sendable {
        /// The id the link jumps to: the part's first section (so old links to it keep working).
        var anchor: String
        var title: String
        var content: HTML
        /// A part with nothing in it (a card only managers see, say) gets no link and no panel. Asked scalar by scalar,
        /// stopping at the first that is not blank: trimming copied every part of a long page, twice per view.
        var isEmpty: Bool {
            let blank = CharacterSet.whitespacesAndNewlines
            return content.text.unicodeScalars.allSatisfy { blank.contains($0) }
        }
    }

    var parts: [Part]

    private var shown: [Part] { parts.filter { !$0.isEmpty } }

    var nav: HTML {
        let links = HTML.join(shown.map { HTML("<a href=\"#\($0.anchor)\" data-panel=\"panel-\($0.anchor)\">\($0.title)</a>") })
        return "<nav class=\"jump\" aria-label=\"On this page\" data-tabs>\(links)</nav>"
    }

    var panels: HTML {
        let panels = HTML.join(
            shown.map { HTML("<div class=\"tab-panel\" id=\"panel-\($0.anchor)\">\($0.content)</div>") }, separator: "\n")
        return "\(panels)\n<script src=\"\(SiteURL.asset("tabs.js"))\" defer></script>"
    }
}
