/// Results of the search box, grouped by kind; each group says when nothing matched.
struct SearchPage: Sendable {
    var results: Search.Results

    func render() -> HTML {
        func group(_ title: String, _ hits: [Search.Hit], id: String) -> HTML {
            let items: HTML =
                hits.isEmpty
                ? "<p class=\"muted\">No match.</p>"
                : HTML(
                    "<ul>\(HTML.join(hits.map { h in HTML("<li><a href=\"\(h.link)\">\(h.title)</a>\(h.context.isEmpty ? "" : HTML("<div class=\"small muted\">\(h.context)</div>"))</li>") }))</ul>"
                )
            return
                "<section class=\"card\" id=\"\(id)\"><h2>\(title) <span class=\"small muted\">(\(hits.count))</span></h2>\(items)</section>"
        }
        let q = results.query
        let body: HTML =
            q.count < 2
            ? "<p class=\"muted\">Type at least two letters: partnerships, commitments, conversations and organizations are searched.</p>"
            : results.isEmpty
                ? EmptyState(
                    icon: .search, title: "Nothing matches “\(q)”.",
                    text:
                        "Searched: the partnerships you can see, their commitments and conversations, and the organizations on Bonafide. Try part of a name or a word from a title.",
                    action: ("Find an organization by what it does", SiteURL.find()), id: "no-results"
                ).render()
                : """
                \(group("Partnerships", results.partnerships, id: "found-partnerships"))\(group("Commitments", results.commitments, id: "found-commitments"))\
                \(group("Conversations", results.conversations, id: "found-conversations"))\(group("Organizations", results.organizations, id: "found-organizations"))
                """
        return """
            <h1>Search</h1>
            <form method="get" action="\(SiteURL.search())" role="search" class="filters"><div><label for="search-q">Search for</label>\
            <input id="search-q" name="q" value="\(q)" maxlength="100" type="search"></div><div><button>Search</button></div></form>
            \(body)
            """
    }
}
