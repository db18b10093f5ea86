import BonafideCore
import Foundation
import Testing

@testable import BonafideServer

/// The partnership page reads only the parts of each log entry it shows: they must be those of the entry decoded in
/// full, and an entry the full decode refuses stays out.
@Suite("Ledger lines")
struct LedgerLineTests {
    @Test func aLineIsWhatTheFullEntryShows() throws {
        let time = Date(timeIntervalSince1970: 1_796_000_000.25)
        let entries = [
            LedgerEntry(
                partnership: UUID(), type: "incident.raised", actor: UUID(), time: time,
                payload: ["summary": "Alice raised “Late <delivery>”", "reason": "Missed twice", "severity": "high"]),
            LedgerEntry(partnership: UUID(), type: "partnership.created", actor: nil, time: time, payload: [:]),
            LedgerEntry(partnership: UUID(), type: "commitment.accepted", actor: UUID(), time: time, payload: ["title": "Ship 🚢 é"]),
        ]
        for entry in entries {
            let line = try JSONDecoder().decode(LedgerLine.self, from: Data(entry.canonical))
            #expect(line == LedgerLine(entry))
            #expect(line.date == entry.date && line.date != nil)
        }
        #expect(try JSONDecoder().decode(LedgerLine.self, from: Data(entries[0].canonical)).reason == "Missed twice")
        #expect(try JSONDecoder().decode(LedgerLine.self, from: Data(entries[1].canonical)).actor == nil)

        var other = entries[0]
        other.format = "bonafide-entry/v0"
        #expect(throws: (any Error).self) { _ = try LedgerEntry(canonical: other.canonical) }
        #expect(throws: (any Error).self) { _ = try JSONDecoder().decode(LedgerLine.self, from: Data(other.canonical)) }
        let noPayload = Data(#"{"format":"bonafide-entry/v1","partnership":"p","time":"t","type":"x"}"#.utf8)
        #expect(throws: (any Error).self) { _ = try JSONDecoder().decode(LedgerLine.self, from: noPayload) }
    }
}
