import ArgumentParser
import BonafideCore
import Foundation

extension Bonafide {
    struct SentimentCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "sentiment",
            abstract: "Score the sentiment of one text a line on stdin; one JSON object a line on stdout.",
            discussion: """
                Each output line has score (compound, -1 to 1), label (positive at >= 0.05, negative at <= -0.05, \
                else neutral) and drivers (the phrases that moved the score, strongest first, with their valence on \
                the lexicon's -4 to 4 scale). Offline and English only. Blank input lines give a neutral score.
                """)

        @Flag(help: "Print the texts per second to stderr at the end.") var timings = false
        @Flag(help: "Leave out the drivers (faster, smaller output).") var scoreOnly = false

        func run() throws {
            let analyzer = SentimentAnalyzer.shared
            let input = [UInt8](FileHandle.standardInput.readDataToEndOfFile())
            let started = ContinuousClock.now
            let lines = textLines(input)
            // Texts are independent: one chunk per core, written back in input order.
            let chunks = max(1, min(ProcessInfo.processInfo.activeProcessorCount, lines.count / 1000))
            let outputs = ChunkOutputs(count: chunks)
            let texts = lines
            let withDrivers = !scoreOnly
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                let range = (texts.count * chunk / chunks)..<(texts.count * (chunk + 1) / chunks)
                var out = ""
                for line in texts[range] {
                    let s = analyzer.analyze(line, drivers: withDrivers)
                    out += #"{"score":\#(s.score),"label":"\#(s.label.rawValue)""#
                    if withDrivers {
                        out += #","drivers":["#
                        out += s.drivers.map { #"{"phrase":\#(jsonString($0.phrase)),"valence":\#($0.valence)}"# }.joined(separator: ",")
                        out += "]"
                    }
                    out += "}\n"
                }
                outputs.set(chunk, out)
            }
            let elapsed = started.duration(to: .now)
            for out in outputs.all { writeStandardOutput(Array(out.utf8)) }
            if timings {
                let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                warn(String(format: "%d texts in %.3f s: %.0f texts/s", lines.count, seconds, Double(lines.count) / max(seconds, 1e-9)))
            }
        }
    }
}

/// A JSON string literal.
func jsonString(_ text: String) -> String {
    let data = (try? JSONSerialization.data(withJSONObject: [text], options: [.withoutEscapingSlashes])) ?? Data("[\"\"]".utf8)
    return String(decoding: data.dropFirst().dropLast(), as: UTF8.self)
}

/// Each chunk's output, filled by one thread each.
final class ChunkOutputs: @unchecked Sendable {
    private var values: [String]
    private let lock = NSLock()

    init(count: Int) { values = Array(repeating: "", count: count) }

    func set(_ index: Int, _ value: String) { lock.withLock { values[index] = value } }

    var all: [String] { lock.withLock { values } }
}

/// One text a line; "\r\n" ends a line too, and a final newline does not start an empty text.
func textLines(_ bytes: [UInt8]) -> [String] {
    var lines: [String] = []
    var start = 0
    for (i, b) in bytes.enumerated() where b == UInt8(ascii: "\n") {
        let end = i > start && bytes[i - 1] == UInt8(ascii: "\r") ? i - 1 : i
        lines.append(String(decoding: bytes[start..<end], as: UTF8.self))
        start = i + 1
    }
    if start < bytes.count { lines.append(String(decoding: bytes[start...], as: UTF8.self)) }
    return lines
}
