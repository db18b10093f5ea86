import Foundation
import Testing

@testable import BonafideCore

/// The sentiment command starts from a prebuilt table (`Resources/Sentiment/lexicon.table`) instead of parsing the
/// text lexicons; these tests keep the two the same. After changing a lexicon, write the table again:
/// `BONAFIDE_WRITE_SENTIMENT_TABLE=1 swift test --filter SentimentTableTests`.
@Suite struct SentimentTableTests {
    static let tableFile = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Sources/BonafideCore/Resources/Sentiment/lexicon.table").standardized

    @Test func theBundledTableIsWhatTheTextLexiconsBuild() throws {
        let built = try SentimentAnalyzer.fromTextLexicons().serialized()
        if ProcessInfo.processInfo.environment["BONAFIDE_WRITE_SENTIMENT_TABLE"] != nil {
            try Data(built).write(to: Self.tableFile)
        }
        let committed = [UInt8](try Data(contentsOf: Self.tableFile))
        #expect(
            committed == built, "lexicon.table is out of date: BONAFIDE_WRITE_SENTIMENT_TABLE=1 swift test --filter SentimentTableTests")
        #expect(try SentimentAnalyzer.resource("lexicon", "table", in: .module) == built, "the bundle carries the same table")
    }

    @Test func theTableReadsBackToAnAnalyzerThatScoresTheSame() throws {
        let text = try SentimentAnalyzer.fromTextLexicons()
        let fromTable = try SentimentAnalyzer(table: text.serialized())
        #expect(fromTable.serialized() == text.serialized())
        for sample in [
            "VADER is smart, handsome, and funny!", "The book was VERY GOOD!!", "It is not good :(", "I love it 😍 but 😡",
            "took forever, no response", "can't recommend them enough", "ÉNORME succès", "goooood", "D: no", "kind of slow",
        ] {
            #expect(fromTable.analyze(sample) == text.analyze(sample), "\(sample)")
        }
    }

    @Test func aDamagedTableIsRefused() throws {
        let bytes = try SentimentAnalyzer.fromTextLexicons().serialized()
        #expect(throws: TableReader.Damaged.self) { try SentimentAnalyzer(table: Array(bytes.dropLast(3))) }
        #expect(throws: TableReader.Damaged.self) { try SentimentAnalyzer(table: Array("BFSENT99".utf8) + bytes.dropFirst(8)) }
        #expect(throws: TableReader.Damaged.self) { try SentimentAnalyzer(table: bytes + [0]) }
        #expect(throws: TableReader.Damaged.self) { try SentimentAnalyzer(table: []) }
    }
}
