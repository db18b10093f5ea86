/// Links to the neighbouring pages of a list; nothing when the list fits one page.
struct Pager: Sendable {
    struct Link: Sendable {
        var text: String
        var href: String
    }

    var previous: Link?
    var next: Link?
    /// Where this page is in the list ("101–150 of 150"), when it helps.
    var position: String?
    var label = "Pages"

    /// Newest-first lists: "← Newer" and "Older →".
    static func byTime(newer: String?, older: String?) -> Pager {
        Pager(previous: newer.map { Link(text: "← Newer", href: $0) }, next: older.map { Link(text: "Older →", href: $0) })
    }

    /// Lists in a fixed order: "← Previous" and "Next →".
    static func byOrder(previous: String?, next: String?, position: String? = nil, label: String = "Pages") -> Pager {
        Pager(
            previous: previous.map { Link(text: "← Previous", href: $0) }, next: next.map { Link(text: "Next →", href: $0) },
            position: position, label: label)
    }

    func render() -> HTML {
        guard previous != nil || next != nil else { return "" }
        func link(_ l: Link?) -> HTML { l.map { "<a href=\"\($0.href)\">\($0.text)</a>" } ?? "" }
        let place: HTML = position.map { "<span class=\"small muted\">\($0)</span>" } ?? ""
        return "<nav class=\"pager\" aria-label=\"\(label)\">\(link(previous))\(place)\(link(next))</nav>"
    }
}
