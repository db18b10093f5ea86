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
            let input = readStandardInput()
            let started = ContinuousClock.now
            var out = ""
            out.reserveCapacity(input.utf8.count)
            var lines = input.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
            // The final newline ends the last text; it does not start an empty one.
            if input.last?.isNewline == true { lines.removeLast() }
            for line in lines {
                let s = analyzer.analyze(String(line))
                out += #"{"score":\#(s.score),"label":"\#(s.label.rawValue)""#
                if !scoreOnly {
                    out += #","drivers":["#
                    out += s.drivers.map { #"{"phrase":\#(jsonString($0.phrase)),"valence":\#($0.valence)}"# }.joined(separator: ",")
                    out += "]"
                }
                out += "}\n"
            }
            let elapsed = started.duration(to: .now)
            writeStandardOutput(Array(out.utf8))
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
