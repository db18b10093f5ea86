import Foundation

extension Double {
    /// The number with `digits` decimals as `String(format: "%.2f")` writes it (`"%+.2f"` when `sign`): the exact binary
    /// value rounded to the nearest, ties to even, and "-" for any negative number, "-0.00" included. Charts and figures
    /// on the pages write a few on every view, and `String(format:)` parses its format and goes through `NSString` for
    /// each. Numbers that are not finite, or of a trillion or more, are still written by `String(format:)`.
    func fixed(_ digits: Int, sign: Bool = false) -> String {
        precondition((0...3).contains(digits), "up to 3 decimals")
        guard isFinite, magnitude < 1e12 else { return String(format: "%\(sign ? "+" : "").\(digits)f", self) }
        var scale: UInt64 = 1
        for _ in 0..<digits { scale *= 10 }
        // The value is significand × 2^exponent exactly; times at most 1000 the significand stays below 2^63.
        let significand = isNormal ? significandBitPattern | (1 << 52) : significandBitPattern
        let exponent = isNormal ? Int(exponentBitPattern) - 1_075 : -1_074
        let scaled = significand * scale
        var units: UInt64
        if exponent >= 0 {
            units = scaled << UInt64(exponent)
        } else if -exponent >= 64 {
            // Below half a unit of the last digit.
            units = 0
        } else {
            let shift = UInt64(-exponent)
            units = scaled >> shift
            let rest = scaled & ((1 << shift) - 1)
            let half: UInt64 = 1 << (shift - 1)
            if rest > half || (rest == half && units % 2 == 1) { units += 1 }
        }
        var text = self.sign == .minus ? "-" : sign ? "+" : ""
        text += String(units / scale)
        guard digits > 0 else { return text }
        let fraction = String(units % scale)
        text += "."
        text += String(repeating: "0", count: digits - fraction.count)
        text += fraction
        return text
    }
}
