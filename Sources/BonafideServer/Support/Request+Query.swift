import Vapor

extension Request {
    /// The value of one query parameter, nil when absent. A request without a query string is answered without
    /// Vapor's form decoder, which set up a whole decoder per parameter asked for (the partnership page asks three, on
    /// nearly every view without any).
    func queryParameter(_ name: String) -> String? {
        guard let query = url.query, !query.isEmpty else { return nil }
        return self.query[String.self, at: name]
    }
}
