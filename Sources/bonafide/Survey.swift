import ArgumentParser
import BonafideCore
import Foundation

extension Bonafide {
    struct SurveyCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "survey",
            abstract: "Survey statistics offline, with the same code the server uses.",
            subcommands: [NPSCommand.self, CSATCommand.self])
    }
}

/// Reads all of standard input as text.
func readStandardInput() -> String {
    String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
}

func jsonLine(_ object: [String: Any]) throws -> String {
    let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
    return String(decoding: data, as: UTF8.self)
}

func points(_ value: Double) -> String { String(format: "%.1f", value) }

extension Bonafide.SurveyCommand {
    struct NPSCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "nps",
            abstract: "Net Promoter Score of scores 0-10 on stdin, one a line, with its 95% interval.",
            discussion: """
                Blank lines are skipped answers and are not counted. The interval is the adjusted Wald interval \
                (add 3/4 promoter, 3/4 detractor, 3/2 passive). With no answers the score is undefined (null in JSON).
                """)

        @Flag(help: "Print one JSON object: n, promoters, passives, detractors, nps, ci95 [low, high].") var json = false

        func run() throws {
            let scores: [Int?]
            do { scores = try NPS.parse(readStandardInput()) } catch { throw ClientError(description: "stdin, \(error.description).") }
            let nps = NPS(scores: scores)
            let skipped = scores.count - nps.n
            if json {
                let interval: Any = nps.interval.map { [$0.lowerBound, $0.upperBound] } ?? NSNull()
                print(
                    try jsonLine([
                        "n": nps.n, "promoters": nps.promoters, "passives": nps.passives, "detractors": nps.detractors,
                        "skipped": skipped, "nps": nps.score ?? NSNull(), "ci95": interval,
                    ]))
                return
            }
            guard let score = nps.score, let interval = nps.interval else {
                print("NPS: no answers (\(skipped) skipped), so no score.")
                return
            }
            print("NPS \(points(score)) (95% interval \(points(interval.lowerBound)) to \(points(interval.upperBound)))")
            print(
                "\(nps.n) answers: \(nps.promoters) promoters (9-10), \(nps.passives) passives (7-8), \(nps.detractors) detractors (0-6); \(skipped) skipped"
            )
        }
    }

    struct CSATCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "csat",
            abstract: "Customer satisfaction of scores 1-5 on stdin, one a line: percent 4 or 5, with a Wilson 95% interval.")

        @Flag(help: "Print one JSON object: n, counts, satisfied, csat, mean, ci95 [low, high].") var json = false

        func run() throws {
            let scores: [Int?]
            do { scores = try CSAT.parse(readStandardInput()) } catch { throw ClientError(description: "stdin, \(error.description).") }
            let csat = CSAT(scores: scores)
            if json {
                let interval: Any = csat.interval.map { [$0.lowerBound, $0.upperBound] } ?? NSNull()
                print(
                    try jsonLine([
                        "n": csat.n, "counts": csat.counts, "satisfied": csat.satisfied, "skipped": scores.count - csat.n,
                        "csat": csat.score ?? NSNull(), "mean": csat.mean ?? NSNull(), "ci95": interval,
                    ]))
                return
            }
            guard let score = csat.score, let interval = csat.interval, let mean = csat.mean else {
                print("CSAT: no answers, so no score.")
                return
            }
            print("CSAT \(points(score))% satisfied (95% interval \(points(interval.lowerBound)) to \(points(interval.upperBound)))")
            print("\(csat.n) answers, mean \(String(format: "%.2f", mean)); 1-5: \(csat.counts.map(String.init).joined(separator: " / "))")
        }
    }
}
