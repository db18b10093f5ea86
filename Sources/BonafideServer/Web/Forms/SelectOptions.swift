/// A choice a form offers in a `<select>`: its value as sent, and the words shown.
protocol SelectChoice: Equatable {
    var rawValue: String { get }
    var label: String { get }
}

extension Audience: SelectChoice {}
extension UpdateAudience: SelectChoice {}

extension HTML {
    /// The `<option>`s of a select, the chosen one selected: every audience select builds them this way.
    static func options<Choice: SelectChoice>(_ choices: [Choice], selected: Choice) -> HTML {
        join(choices.map { c in HTML("<option value=\"\(c.rawValue)\"\(HTML(raw: c == selected ? " selected" : ""))>\(c.label)</option>") })
    }
}
