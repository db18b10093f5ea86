import Foundation

extension UUID {
    /// The one textual form of an id that the API, webhooks and web pages write: lower-case, as RFC 9562
    /// prescribes. `uuidString` is upper-case, and some endpoints wrote that while others wrote lower-case, so
    /// clients had to compare ids ignoring case. Ids sent to the server are read in either case
    /// (`UUID(uuidString:)`).
    ///
    /// Not for what is already stored or signed (ledger entries, relation keys, calendar UIDs, dedupe keys):
    /// those keep the form they were first written in.
    var apiString: String { uuidString.lowercased() }
}
