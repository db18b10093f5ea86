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

    /// What `LedgerLine.scan` reads must be what `JSONDecoder` reads: the same line, or refused by both.
    func expectScannedAsDecoded(_ json: String, scanned: Bool, sourceLocation: SourceLocation = #_sourceLocation) {
        let decoded = try? JSONDecoder().decode(LedgerLine.self, from: Data(json.utf8))
        switch LedgerLine.scan(json) {
        case .line(let line): #expect(line == decoded, "\(json)", sourceLocation: sourceLocation)
        case .refused: #expect(decoded == nil, "\(json)", sourceLocation: sourceLocation)
        case .notScanned: #expect(!scanned, "\(json) was left to JSONDecoder", sourceLocation: sourceLocation)
        }
    }

    @Test func entriesTheServerWritesAreScannedAsJSONDecoderReadsThem() {
        let alphabet: [Character] = [
            "a", "Z", " ", "\"", "\\", "/", "\n", "\r", "\t", "\u{0}", "\u{1F}", "\u{7F}", "é", "“", "🚢", "\u{2028}", "<", "&",
        ]
        func text() -> String { String((0..<Int.random(in: 0...12)).map { _ in alphabet.randomElement()! }) }
        for n in 0..<500 {
            var payload: [String: String] = [:]
            for _ in 0..<Int.random(in: 0...4) { payload[text()] = text() }
            if n % 2 == 0 { payload["summary"] = text() }
            if n % 3 == 0 { payload["reason"] = text() }
            let entry = LedgerEntry(
                partnership: UUID(), type: text(), actor: n % 4 == 0 ? nil : UUID(),
                time: Date(timeIntervalSince1970: .random(in: 0..<4e9)),
                payload: payload)
            let json = String(decoding: entry.canonical, as: UTF8.self)
            #expect(LedgerLine.scan(json) == .line(LedgerLine(entry)), "\(json)")
            expectScannedAsDecoded(json, scanned: true)
        }
    }

    @Test func otherJSONIsScannedAsJSONDecoderReadsItOrLeftToIt() {
        let head = #""format":"bonafide-entry/v1","partnership":"p","time":"t","type":"x""#
        let scanned = [
            "{\(head),\"payload\":{}}",
            " {\n\t\(head) , \"payload\" : { \"summary\" : \"s\" , \"reason\":\"r\" } , \"actor\":\"a\" }\r\n",
            #"{"payload":{"summary":"\u00e9\ud83d\udea2\"\\\/\b\f\n\r\t\u0000"},"format":"bonafide-entry/v1","partnership":"p","time":"t","type":"x"}"#,
            #"{"form\u0061t":"bonafide-entry/v1","partnership":"p","time":"t","type":"x","payload":{},"extra":"e","more":{"a":"b"}}"#,
            // Refused by both.
            #"{"format":"bonafide-entry/v0","partnership":"p","time":"t","type":"x","payload":{}}"#,
            "{\(head)}",
            "{\(head),\"payload\":\"not an object\"}",
            "{\(head),\"payload\":{},\"actor\":{}}",
            #"{"partnership":"p","time":"t","type":"x","payload":{}}"#,
        ]
        for json in scanned { expectScannedAsDecoded(json, scanned: true) }
        let others = [
            "{\(head),\"payload\":{\"summary\":1}}", "{\(head),\"payload\":{\"n\":null}}", "{\(head),\"payload\":{},\"actor\":null}",
            "{\(head),\"payload\":{\"a\":{}}}", "{\(head),\"payload\":{},\"type\":\"y\"}", "{\(head),\"payload\":{}",
            "{\(head),\"payload\":{}}x",
            "{\(head),\"payload\":{\"summary\":\"\\ud83d\"}}", "{\(head),\"payload\":{\"summary\":\"\\udea2\"}}",
            "{\(head),\"payload\":{\"summary\":\"\\ud83d \\udea2\"}}", "{\(head),\"payload\":{\"summary\":\"\\x\"}}",
            "{\(head),\"payload\":{\"summary\":\"a\u{1}b\"}}", "{\(head),\"payload\":{\"summary\":\"\\u12\"}}", "[]", "",
            "{\(head),\"payload\":{},}",
        ]
        for json in others {
            #expect(LedgerLine.scan(json) == .notScanned, "\(json)")
            expectScannedAsDecoded(json, scanned: false)
        }
    }
}
