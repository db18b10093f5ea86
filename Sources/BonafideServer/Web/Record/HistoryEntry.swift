/// One step in the history of a commitment or an incident, as its page shows it.
struct HistoryEntry: Sendable {
    var summary: String
    var reason: String?
    var at: String

    init(summary: String, reason: String?, at: String) {
        (self.summary, self.reason, self.at) = (summary, reason, at)
    }

    init(_ event: TimelineEvent, clock: Clock) {
        self.init(summary: event.summary, reason: event.reason, at: clock.format(event.createdAt))
    }

    /// The history card: oldest first, each step with its reason and time.
    static func card(_ entries: [HistoryEntry]) -> HTML {
        let items = entries.map { e in
            HTML("<li>\(e.summary)\(e.reason.map { HTML(": <em>\($0)</em>") } ?? "")<div class=\"small muted\">\(e.at)</div></li>")
        }
        return "<section class=\"card\"><h2>History</h2><ol class=\"timeline\">\(HTML.join(items))</ol></section>"
    }
}
