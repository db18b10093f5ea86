import Foundation

/// What a list shows before it has anything: what will appear here, why it matters, and the first step towards it,
/// so an empty page guides rather than just says "none". A pure view.
struct EmptyState: Sendable {
    var icon: Icon
    var title: String
    var text: HTML
    /// The first step, as a link: (label, address).
    var action: (label: String, link: String)?
    /// For tests and jump links that look for the empty list.
    var id: String?

    func render() -> HTML {
        let step: HTML = action.map { "<p><a href=\"\($0.link)\">\($0.label) →</a></p>" } ?? ""
        let idAttribute: HTML = id.map { " id=\"\($0)\"" } ?? ""
        return """
            <div class="empty-state"\(idAttribute)>\(icon.render(size: 40))<div><p class="empty-title">\(title)</p>\
            <p class="muted">\(text)</p>\(step)</div></div>
            """
    }
}
