import Foundation
import Testing

@testable import BonafideServer

/// Figures on the pages (`Double.fixed`) read as `String(format:)` wrote them before, ties and negative zero included.
@Suite("Numbers written with fixed decimals")
struct DoubleFixedTests {
    @Test func knownNumbersReadAsPrintfWritesThem() {
        #expect(0.125.fixed(2) == "0.12")
        #expect(0.375.fixed(2) == "0.38")
        #expect(2.5.fixed(0) == "2")
        #expect(1.005.fixed(2) == "1.00")
        #expect((-0.001).fixed(2) == "-0.00")
        #expect(0.0.fixed(2, sign: true) == "+0.00")
        #expect((-0.25).fixed(1, sign: true) == "-0.2")
        #expect(99.96.fixed(1) == "100.0")
        #expect(Double.infinity.fixed(1) == String(format: "%.1f", Double.infinity))
    }

    @Test func everyNumberIsWrittenAsStringFormatWritesIt() {
        var numbers: [Double] = [
            0, -0.0, 0.5, 1.5, -2.5, 0.05, 0.15, 0.25, 0.35, 0.45, 0.0005, 0.0015, 1e-300, -1e-310, 5e-324, 999_999_999_999.99,
            1e12, -1e12, 123_456.789, .nan, .infinity, -.infinity, .greatestFiniteMagnitude, .leastNormalMagnitude,
        ]
        // Exact ties at every number of decimals, and their neighbours.
        for n in -500...500 {
            for divisor in [2.0, 20, 200, 2_000, 8, 16, 64, 1_024] {
                let tie = Double(n) / divisor
                numbers += [tie, tie.nextUp, tie.nextDown]
            }
        }
        for _ in 0..<5_000 {
            numbers.append(.random(in: -1...1))
            numbers.append(.random(in: -1_000...1_000))
            numbers.append(.random(in: -1e6...1e6).rounded() / 100)
        }
        var differing: [(Double, Int, Bool, String, String)] = []
        for number in numbers {
            for digits in 0...3 {
                for sign in [false, true] {
                    let here = number.fixed(digits, sign: sign)
                    let printf = String(format: sign ? "%+.\(digits)f" : "%.\(digits)f", number)
                    if here != printf { differing.append((number, digits, sign, here, printf)) }
                }
            }
        }
        #expect(differing.isEmpty, "\(differing.count) differ, e.g. \(differing.prefix(5))")
    }
}
