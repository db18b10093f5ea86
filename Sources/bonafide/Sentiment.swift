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

        @Flag(help: "Print the lexicon loading time and the texts per second to stderr at the end.") var timings = false
        @Flag(help: "Leave out the drivers (faster, smaller output).") var scoreOnly = false

        func run() throws {
            let loading = ContinuousClock.now
            let analyzer = SentimentAnalyzer.shared
            let loaded = loading.duration(to: .now)
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
                // Written as bytes, without an encoder: a text's line costs a few appends.
                var out: [UInt8] = []
                out.reserveCapacity(range.count * (withDrivers ? 96 : 40))
                for line in texts[range] {
                    let s = analyzer.analyze(line, drivers: withDrivers)
                    out += #"{"score":"#.utf8
                    out += String(s.score).utf8
                    out += #","label":""#.utf8
                    out += s.label.rawValue.utf8
                    out.append(UInt8(ascii: "\""))
                    if withDrivers {
                        out += #","drivers":["#.utf8
                        for (i, d) in s.drivers.enumerated() {
                            if i > 0 { out.append(UInt8(ascii: ",")) }
                            out += #"{"phrase":"#.utf8
                            appendJSONString(d.phrase, to: &out)
                            out += #","valence":"#.utf8
                            out += String(d.valence).utf8
                            out.append(UInt8(ascii: "}"))
                        }
                        out.append(UInt8(ascii: "]"))
                    }
                    out += "}\n".utf8
                }
                outputs.set(chunk, out)
            }
            let elapsed = started.duration(to: .now)
            for out in outputs.all { writeStandardOutput(out) }
            if timings {
                let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                let loadSeconds = Double(loaded.components.seconds) + Double(loaded.components.attoseconds) / 1e18
                warn(String(format: "lexicons loaded in %.2f ms", loadSeconds * 1000))
                warn(String(format: "%d texts in %.3f s: %.0f texts/s", lines.count, seconds, Double(lines.count) / max(seconds, 1e-9)))
            }
        }
    }
}

/// A JSON string literal.
func jsonString(_ text: String) -> String {
    var out: [UInt8] = []
    appendJSONString(text, to: &out)
    return String(decoding: out, as: UTF8.self)
}

/// Appends `text` as a JSON string literal, in one pass over its UTF-8: quotes, backslashes and control characters
/// escaped (RFC 8259), everything else as it is, since JSON is UTF-8.
func appendJSONString(_ text: String, to out: inout [UInt8]) {
    out.append(UInt8(ascii: "\""))
    for b in text.utf8 {
        switch b {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), b]
        case 0x0A: out += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
        case 0x0D: out += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
        case 0x09: out += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
        case 0..<0x20:
            out += [
                UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hexDigits[Int(b >> 4)], hexDigits[Int(b & 15)],
            ]
        default: out.append(b)
        }
    }
    out.append(UInt8(ascii: "\""))
}

private let hexDigits = Array("0123456789abcdef".utf8)

/// Each chunk's output, filled by one thread each.
final class ChunkOutputs: @unchecked Sendable {
    private var values: [[UInt8]]
    private let lock = NSLock()

    init(count: Int) { values = Array(repeating: [], count: count) }

    func set(_ index: Int, _ value: [UInt8]) { lock.withLock { values[index] = value } }

    var all: [[UInt8]] { lock.withLock { values } }
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
