import Foundation

/// A QR code (ISO/IEC 18004, Model 2) for short text such as an `otpauth://` URL, drawn on a web page for an authenticator
/// app to scan.
///
/// Only byte mode is used: every reader decodes it, and the numeric and alphanumeric modes would save little on a URL whose
/// path and query are mostly lowercase. The text goes in as UTF-8 with no ECI header, which is what phone readers assume.
public struct QRCode: Sendable {
    public enum ErrorCorrection: Sendable {
        /// Recovers about 7% of the codewords.
        case low
        /// About 15%.
        case medium
        /// About 25%.
        case quartile
        /// About 30%.
        case high
    }

    /// The text needs more codewords than the largest symbol holds at the chosen error correction level.
    public struct TooLong: Error, CustomStringConvertible {
        public var description: String
    }

    /// Modules per side, without the quiet zone.
    public let size: Int
    /// 1-40; the side is 17 + 4 × version modules.
    let version: Int
    /// 0-7, the data mask pattern recorded in the format information.
    let mask: Int
    /// Row-major, `true` for dark.
    private let modules: [Bool]

    /// Coordinates outside the symbol are the quiet zone, so they are light.
    public func isDark(_ x: Int, _ y: Int) -> Bool {
        guard (0..<size).contains(x), (0..<size).contains(y) else { return false }
        return modules[y * size + x]
    }

    /// The smallest version that holds `text` at `errorCorrection`, with the mask of lowest penalty.
    public init(_ text: String, errorCorrection: ErrorCorrection = .medium) throws(QRCode.TooLong) {
        try self.init(text, errorCorrection: errorCorrection, version: nil, mask: nil)
    }

    /// Pins the version and the mask, so tests can compare whole matrices with another encoder's.
    init(_ text: String, errorCorrection: ErrorCorrection, version fixedVersion: Int?, mask fixedMask: Int?) throws(QRCode.TooLong) {
        precondition(fixedVersion.map { (1...40).contains($0) } ?? true, "QR code versions are 1-40")
        precondition(fixedMask.map { (0...7).contains($0) } ?? true, "QR code masks are 0-7")
        let bytes = Array(text.utf8)
        let candidates = fixedVersion.map { $0...$0 } ?? 1...40
        func fits(_ version: Int) -> Bool {
            4 + Self.countBits(version: version) + 8 * bytes.count <= 8 * Self.dataCodewords(version: version, errorCorrection)
        }
        guard let version = candidates.first(where: fits) else {
            let largest = candidates.upperBound
            let capacity = (8 * Self.dataCodewords(version: largest, errorCorrection) - 4 - Self.countBits(version: largest)) / 8
            throw TooLong(
                description: "QR code text is \(bytes.count) UTF-8 bytes; version \(largest) holds at most \(capacity) "
                    + "at error correction level \(errorCorrection)")
        }

        var matrix = Matrix(version: version)
        matrix.drawCodewords(Self.codewords(bytes, version: version, errorCorrection))
        var best: (penalty: Int, mask: Int, matrix: Matrix)?
        for mask in fixedMask.map({ [$0] }) ?? Array(0...7) {
            var candidate = matrix
            candidate.apply(mask: mask)
            candidate.drawFormat(errorCorrection, mask: mask)
            // The penalty is only needed to choose; one candidate has nothing to be compared with.
            let penalty = fixedMask == nil ? Self.penalty(candidate.dark, size: candidate.size) : 0
            if best == nil || penalty < best!.penalty { best = (penalty, mask, candidate) }
        }
        self.size = matrix.size
        self.version = version
        self.mask = best!.mask
        self.modules = best!.matrix.dark
    }

    /// An SVG of the symbol with a 4-module quiet zone, in module units so it scales without blurring.
    ///
    /// The background is painted white: on a page with a dark theme a transparent one would invert the code for the camera.
    public func svg(label: String, pixelsPerModule: Int = 4) -> String {
        let quiet = 4
        let side = size + 2 * quiet
        let pixels = side * max(1, pixelsPerModule)
        // Horizontal runs as one subpath each keep the path short and leave no hairlines between neighbouring modules.
        var path = ""
        for y in 0..<size {
            var x = 0
            while x < size {
                guard isDark(x, y) else {
                    x += 1
                    continue
                }
                let start = x
                while x < size && isDark(x, y) { x += 1 }
                path += "M\(start + quiet) \(y + quiet)h\(x - start)v1h-\(x - start)z"
            }
        }
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(side) \(side)\" width=\"\(pixels)\" height=\"\(pixels)\" "
            + "role=\"img\" aria-label=\"\(Self.xmlEscaped(label))\" shape-rendering=\"crispEdges\">"
            + "<rect width=\"\(side)\" height=\"\(side)\" fill=\"#fff\"/><path fill=\"#000\" d=\"\(path)\"/></svg>"
    }

    /// Escaped for an attribute value in either quote; characters XML 1.0 cannot carry at all are dropped, since a label
    /// with them would make the whole document unparseable.
    static func xmlEscaped(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            case _ where scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF: continue
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

// MARK: - Codewords

extension QRCode {
    /// Width of the byte-mode character count field; the standard widens it where a version can hold more than 255 bytes.
    static func countBits(version: Int) -> Int { version < 10 ? 8 : 16 }

    /// Every 8-bit codeword the symbol holds, data and error correction together: the modules left over once the function
    /// patterns are drawn, rounded down to whole bytes (the remainder is 0-7 light modules).
    static func rawCodewords(version: Int) -> Int {
        let size = 17 + 4 * version
        // Finders with their separators, both timing lines between them, two copies of the format bits and the dark module.
        var function = 3 * 64 + 2 * (size - 16) + 31
        if version >= 2 {
            // An n × n grid of alignment patterns less the three corners with finders; the 2(n - 2) on row or column 6 each
            // cover 5 timing modules already counted.
            let n = version / 7 + 2
            function += 25 * (n * n - 3) - 10 * (n - 2)
        }
        if version >= 7 { function += 2 * 18 }  // two copies of the version information
        return (size * size - function) / 8
    }

    static func dataCodewords(version: Int, _ level: ErrorCorrection) -> Int {
        rawCodewords(version: version) - blockCount[level.tableIndex][version] * eccPerBlock[level.tableIndex][version]
    }

    /// The data codewords, split into blocks each with its Reed-Solomon codewords, then interleaved so a smudge over
    /// neighbouring modules damages several blocks a little rather than one beyond repair.
    static func codewords(_ bytes: [UInt8], version: Int, _ level: ErrorCorrection) -> [UInt8] {
        let capacity = dataCodewords(version: version, level)
        var bits = BitBuffer()
        bits.append(0b0100, count: 4)  // byte mode
        bits.append(bytes.count, count: countBits(version: version))
        for byte in bytes { bits.append(Int(byte), count: 8) }
        // A terminator of up to four zeros, then zeros to the byte boundary.
        bits.append(0, count: min(4, 8 * capacity - bits.count))
        bits.append(0, count: (8 - bits.count % 8) % 8)
        var data = bits.bytes
        // The alternating pad bytes the standard prescribes, rather than zeros, avoid long uniform runs in the data region.
        for i in 0..<capacity - data.count { data.append(i % 2 == 0 ? 0xEC : 0x11) }

        let blocks = blockCount[level.tableIndex][version]
        let eccLength = eccPerBlock[level.tableIndex][version]
        let total = rawCodewords(version: version)
        // When the codewords do not divide evenly, the later blocks take one more data codeword each.
        let shortBlocks = blocks - total % blocks
        let shortLength = total / blocks - eccLength
        let generator = ReedSolomon.generator(degree: eccLength)
        var dataBlocks: [ArraySlice<UInt8>] = []
        var eccBlocks: [[UInt8]] = []
        var offset = 0
        for index in 0..<blocks {
            let length = shortLength + (index < shortBlocks ? 0 : 1)
            let block = data[offset..<offset + length]
            offset += length
            dataBlocks.append(block)
            eccBlocks.append(ReedSolomon.remainder(block, generator: generator))
        }
        var result: [UInt8] = []
        result.reserveCapacity(total)
        for column in 0...shortLength {
            for block in dataBlocks where column < block.count { result.append(block[block.startIndex + column]) }
        }
        for column in 0..<eccLength {
            for block in eccBlocks { result.append(block[column]) }
        }
        return result
    }

    /// Error correction codewords per block, by level (L, M, Q, H) and version (index 0 unused); ISO/IEC 18004 table 9.
    static let eccPerBlock: [[Int]] = [
        [
            0, 7, 10, 15, 20, 26, 18, 20, 24, 30, 18, 20, 24, 26, 30, 22, 24, 28, 30, 28, 28,
            28, 28, 30, 30, 26, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30,
        ],
        [
            0, 10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26,
            26, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28,
        ],
        [
            0, 13, 22, 18, 26, 18, 24, 18, 22, 20, 24, 28, 26, 24, 20, 30, 24, 28, 28, 26, 30,
            28, 30, 30, 30, 30, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30,
        ],
        [
            0, 17, 28, 22, 16, 22, 28, 26, 26, 24, 28, 24, 28, 22, 24, 24, 30, 28, 28, 26, 28,
            30, 24, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30,
        ],
    ]

    /// Error correction blocks, by level (L, M, Q, H) and version (index 0 unused); ISO/IEC 18004 table 9.
    static let blockCount: [[Int]] = [
        [
            0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 4, 4, 4, 4, 4, 6, 6, 6, 6, 7, 8,
            8, 9, 9, 10, 12, 12, 12, 13, 14, 15, 16, 17, 18, 19, 19, 20, 21, 22, 24, 25,
        ],
        [
            0, 1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16,
            17, 17, 18, 20, 21, 23, 25, 26, 28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49,
        ],
        [
            0, 1, 1, 2, 2, 4, 4, 6, 6, 8, 8, 8, 10, 12, 16, 12, 17, 16, 18, 21, 20,
            23, 23, 25, 27, 29, 34, 34, 35, 38, 40, 43, 45, 48, 51, 53, 56, 59, 62, 65, 68,
        ],
        [
            0, 1, 1, 2, 4, 4, 4, 5, 6, 8, 8, 11, 11, 16, 16, 18, 16, 19, 21, 25, 25,
            25, 34, 30, 32, 35, 37, 40, 42, 45, 48, 51, 54, 57, 60, 63, 66, 70, 74, 77, 81,
        ],
    ]
}

extension QRCode.ErrorCorrection {
    fileprivate var tableIndex: Int {
        switch self {
        case .low: 0
        case .medium: 1
        case .quartile: 2
        case .high: 3
        }
    }

    /// The two bits the format information uses, which are not in the order of strength.
    fileprivate var formatBits: Int {
        switch self {
        case .low: 0b01
        case .medium: 0b00
        case .quartile: 0b11
        case .high: 0b10
        }
    }
}

private struct BitBuffer {
    private(set) var bits: [Bool] = []
    var count: Int { bits.count }

    mutating func append(_ value: Int, count: Int) {
        for shift in stride(from: count - 1, through: 0, by: -1) { bits.append(value >> shift & 1 == 1) }
    }

    /// Most significant bit first, as the symbol is read.
    var bytes: [UInt8] {
        stride(from: 0, to: bits.count, by: 8).map { start -> UInt8 in
            var byte: UInt8 = 0
            for offset in 0..<8 where start + offset < bits.count && bits[start + offset] { byte |= 0x80 >> offset }
            return byte
        }
    }
}

/// Reed-Solomon over GF(2⁸) with the QR code field polynomial x⁸ + x⁴ + x³ + x² + 1 and generator roots α⁰ … αⁿ⁻¹.
private enum ReedSolomon {
    /// αⁱ for i in 0..<510, twice round the group so a sum of two logarithms needs no reduction.
    static let exp: [UInt8] = {
        var table = [UInt8](repeating: 0, count: 510)
        var value = 1
        for i in 0..<255 {
            table[i] = UInt8(value)
            table[i + 255] = UInt8(value)
            value <<= 1
            if value & 0x100 != 0 { value ^= 0x11D }
        }
        return table
    }()

    static let log: [Int] = {
        var table = [Int](repeating: 0, count: 256)
        for i in 0..<255 { table[Int(exp[i])] = i }
        return table
    }()

    static func multiply(_ a: UInt8, _ b: UInt8) -> UInt8 {
        a == 0 || b == 0 ? 0 : exp[log[Int(a)] + log[Int(b)]]
    }

    /// The coefficients of ∏(x − αⁱ) below its leading 1, highest degree first.
    static func generator(degree: Int) -> [UInt8] {
        var poly: [UInt8] = [1]
        for i in 0..<degree {
            var next = poly + [0]
            for j in 1..<next.count { next[j] ^= multiply(poly[j - 1], exp[i]) }
            poly = next
        }
        return Array(poly.dropFirst())
    }

    /// data(x) · xⁿ mod generator(x): the codewords that make the block a multiple of the generator.
    static func remainder(_ data: ArraySlice<UInt8>, generator: [UInt8]) -> [UInt8] {
        var remainder = [UInt8](repeating: 0, count: generator.count)
        for byte in data {
            let factor = byte ^ remainder[0]
            remainder.removeFirst()
            remainder.append(0)
            for i in generator.indices { remainder[i] ^= multiply(generator[i], factor) }
        }
        return remainder
    }
}

// MARK: - Modules

extension QRCode {
    fileprivate struct Matrix {
        let size: Int
        let version: Int
        var dark: [Bool]
        /// Finder, separator, timing, alignment, format and version modules, which carry no data and are never masked.
        var reserved: [Bool]

        init(version: Int) {
            self.version = version
            size = 17 + 4 * version
            dark = Array(repeating: false, count: size * size)
            reserved = dark
            for i in 0..<size {
                setFunction(6, i, i % 2 == 0)
                setFunction(i, 6, i % 2 == 0)
            }
            // Each finder with its light separator; the parts that would fall outside the symbol are skipped.
            for (cx, cy) in [(3, 3), (size - 4, 3), (3, size - 4)] {
                for dy in -4...4 {
                    for dx in -4...4 where (0..<size).contains(cx + dx) && (0..<size).contains(cy + dy) {
                        let ring = max(abs(dx), abs(dy))
                        setFunction(cx + dx, cy + dy, ring != 2 && ring != 4)
                    }
                }
            }
            let centres = Self.alignmentCentres(version: version)
            for cy in centres {
                for cx in centres {
                    if (cx == 6 && cy == 6) || (cx == 6 && cy == size - 7) || (cx == size - 7 && cy == 6) { continue }
                    for dy in -2...2 {
                        for dx in -2...2 { setFunction(cx + dx, cy + dy, max(abs(dx), abs(dy)) != 1) }
                    }
                }
            }
            // Reserve the format areas now so no data lands there; their bits depend on the mask chosen later.
            drawFormat(.medium, mask: 0)
            if version >= 7 {
                let bits = version << 12 | bchRemainder(version, generator: 0x1F25, degree: 12)
                for i in 0..<18 {
                    let a = size - 11 + i % 3
                    let b = i / 3
                    setFunction(a, b, bits >> i & 1 == 1)
                    setFunction(b, a, bits >> i & 1 == 1)
                }
            }
        }

        /// Centre coordinates shared by rows and columns: 6, then evenly spaced up to size - 7 with an even step so every
        /// centre falls on a dark timing module; any slack goes to the first gap.
        static func alignmentCentres(version: Int) -> [Int] {
            guard version > 1 else { return [] }
            let count = version / 7 + 2
            let last = 4 * version + 10
            let gaps = count - 1
            // Version 32 is the one place the standard's table rounds the step down instead of up.
            let step = version == 32 ? 26 : (last - 6 + 2 * gaps - 1) / (2 * gaps) * 2
            return [6] + (0..<gaps).reversed().map { last - $0 * step }
        }

        mutating func setFunction(_ x: Int, _ y: Int, _ isDark: Bool) {
            dark[y * size + x] = isDark
            reserved[y * size + x] = true
        }

        /// 15 bits: the level and mask protected by a BCH(15, 5) code, XORed with 0x5412 so they are never all light. One copy
        /// wraps the top-left finder, the other is split between the other two, so either can be lost.
        mutating func drawFormat(_ level: ErrorCorrection, mask: Int) {
            let data = level.formatBits << 3 | mask
            let bits = (data << 10 | bchRemainder(data, generator: 0x537, degree: 10)) ^ 0x5412
            for i in 0..<15 {
                let bit = bits >> i & 1 == 1
                // Around the top-left finder, skipping the timing modules at row and column 6.
                switch i {
                case 0..<6: setFunction(8, i, bit)
                case 6..<8: setFunction(8, i + 1, bit)
                case 8: setFunction(7, 8, bit)
                default: setFunction(14 - i, 8, bit)
                }
                if i < 8 { setFunction(size - 1 - i, 8, bit) } else { setFunction(8, size - 15 + i, bit) }
            }
            setFunction(8, size - 8, true)
        }

        /// Bits go up and down two-module-wide columns from the bottom-right corner, skipping reserved modules and the
        /// vertical timing column; modules left once the codewords run out are remainder bits, light.
        mutating func drawCodewords(_ codewords: [UInt8]) {
            var index = 0
            let total = codewords.count * 8
            var right = size - 1
            while right >= 1 {
                if right == 6 { right = 5 }
                let upward = (right + 1) & 2 == 0
                for step in 0..<size {
                    let y = upward ? size - 1 - step : step
                    for x in [right, right - 1] where !reserved[y * size + x] && index < total {
                        dark[y * size + x] = codewords[index >> 3] >> (7 - index & 7) & 1 == 1
                        index += 1
                    }
                }
                right -= 2
            }
            assert(index == total, "the codeword count disagrees with the modules free for data")
        }

        mutating func apply(mask: Int) {
            for y in 0..<size {
                for x in 0..<size where !reserved[y * size + x] {
                    let flip: Bool =
                        switch mask {
                        case 0: (x + y) % 2 == 0
                        case 1: y % 2 == 0
                        case 2: x % 3 == 0
                        case 3: (x + y) % 3 == 0
                        case 4: (x / 3 + y / 2) % 2 == 0
                        case 5: x * y % 2 + x * y % 3 == 0
                        case 6: (x * y % 2 + x * y % 3) % 2 == 0
                        default: ((x + y) % 2 + x * y % 3) % 2 == 0
                        }
                    if flip { dark[y * size + x].toggle() }
                }
            }
        }
    }

    /// The remainder of value(x) · x^degree divided by the generator polynomial, over GF(2).
    fileprivate static func bchRemainder(_ value: Int, generator: Int, degree: Int) -> Int {
        var remainder = value << degree
        for bit in stride(from: degree + 6, through: degree, by: -1) where remainder >> bit & 1 == 1 {
            remainder ^= generator << (bit - degree)
        }
        return remainder
    }

    /// ISO/IEC 18004 7.8.3, evaluated over the finished symbol (format and version information drawn, quiet zone left out;
    /// python-qrcode scores with the format modules light instead, so its automatic choice sometimes differs): runs of five or more alike (N1 = 3, +1 per extra module), 2 × 2
    /// blocks alike (N2 = 3), finder-like 1:1:3:1:1 runs with four light modules on one side (N3 = 40), and every 5% the
    /// dark share strays from half (N4 = 10). The mask with the lowest total is the easiest to read.
    static func penalty(_ dark: [Bool], size: Int) -> Int {
        var total = 0
        var line = [Bool](repeating: false, count: size)
        for horizontal in [true, false] {
            for a in 0..<size {
                for b in 0..<size { line[b] = horizontal ? dark[a * size + b] : dark[b * size + a] }
                var run = 1
                for i in 1...size {
                    if i < size && line[i] == line[i - 1] {
                        run += 1
                    } else {
                        if run >= 5 { total += run - 2 }
                        run = 1
                    }
                }
                // The last eleven modules as bits, first module highest: dark-light-dark×3-light-dark then four light, or
                // the reverse.
                var window = 0
                for i in 0..<size {
                    window = (window << 1 | (line[i] ? 1 : 0)) & 0x7FF
                    if i >= 10 && (window == 0b101_1101_0000 || window == 0b000_0101_1101) { total += 40 }
                }
            }
        }
        for y in 0..<size - 1 {
            for x in 0..<size - 1 {
                let here = dark[y * size + x]
                if here == dark[y * size + x + 1] && here == dark[(y + 1) * size + x] && here == dark[(y + 1) * size + x + 1] {
                    total += 3
                }
            }
        }
        let darkCount = dark.reduce(0) { $0 + ($1 ? 1 : 0) }
        let cells = size * size
        total += 10 * (abs(20 * darkCount - 10 * cells) / cells)
        return total
    }
}
