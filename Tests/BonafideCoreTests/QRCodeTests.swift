import Foundation
import Testing

@testable import BonafideCore

#if canImport(FoundationXML)
    import FoundationXML
#endif

@Suite("QR code")
struct QRCodeTests {
    static let otpauth =
        "otpauth://totp/Bonafide:carla%40acme.example?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Bonafide&algorithm=SHA1&digits=6&period=30"

    static func rows(_ code: QRCode) -> [String] {
        (0..<code.size).map { y in String((0..<code.size).map { x in code.isDark(x, y) ? "#" : "." }) }
    }

    /// FNV-1a, 64-bit, of the rows joined by newlines: enough to pin a 177 × 177 matrix without spelling it out.
    static func digest(_ code: QRCode) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in rows(code).joined(separator: "\n").utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x100_0000_01b3
        }
        return hash
    }

    // The expected matrices and digests below come from python-qrcode 8.2 (PyPI `qrcode`), made with
    // `qrcode.QRCode(version=V, error_correction=ERROR_CORRECT_X, mask_pattern=M, border=0)`, the text added as
    // `QRData(text.encode("utf-8"), mode=MODE_8BIT_BYTE)` so it stays in byte mode, then `get_matrix()`; "#" is dark.

    /// "HELLO", version 1, level Q, mask 6.
    static let helloQuartile: [String] = [
        "#######....#..#######",
        "#.....#.#..#..#.....#",
        "#.###.#..#....#.###.#",
        "#.###.#.#.#.#.#.###.#",
        "#.###.#.##.#..#.###.#",
        "#.....#....##.#.....#",
        "#######.#.#.#.#######",
        "........#..#.........",
        ".#.####.#....##.##.#.",
        "###.#....##..#.####.#",
        "#.#####.##.##..#..###",
        ".####..#####.####.#..",
        "#..#..##...#.#######.",
        "........####.##..#.##",
        "#######..##.#.....#..",
        "#.....#.#####.#..####",
        "#.###.#.#.#.###.#####",
        "#.###.#.#...###.#....",
        "#.###.#...####.######",
        "#.....#.#.###..######",
        "#######..##.##....#..",
    ]

    /// "https://bonafide.example", version 3, level H, mask 5.
    static let urlHigh: [String] = [
        "#######.#.##...#..#...#######",
        "#.....#...#...#.##....#.....#",
        "#.###.#.#.#..###..#.#.#.###.#",
        "#.###.#..#.#...###.##.#.###.#",
        "#.###.#.#.##..#...###.#.###.#",
        "#.....#..##..####...#.#.....#",
        "#######.#.#.#.#.#.#.#.#######",
        "........##.#.###...##........",
        ".....##..##.##..#.##..#.#.#.#",
        "######.###..####..##.#.##..#.",
        "..#..##....#....#....#####...",
        "#.##...###...#.####...####...",
        "..###.######.....######..#.#.",
        "..#.#....###.##....##.#.##..#",
        ".#.##.#.#.#.#.#......###.....",
        "#..#.#.##.....##.####.#.###..",
        "....#.#####..###..#.#....##..",
        "######.#...#....#.###.####..#",
        "##.#####.....###.#.#...#.##.#",
        "#.####.#.#########..####.#...",
        "#.#####.##.###..#..######.###",
        "........##.#...###..#...###..",
        "#######...#...##...##.#.#....",
        "#.....#.###.#########...##.#.",
        "#.###.#...#.###..########..##",
        "#.###.#..##.#...#####..#.#.#.",
        "#.###.#...##.#..#..#######.#.",
        "#.....#...#..#.#......#.#.#.#",
        "#######..##...##.#.#....#.#..",
    ]

    /// The otpauth URL above, version 8, level M, mask 2.
    static let otpauthMedium: [String] = [
        "#######..######....#....#.....##...#.#..#.#######",
        "#.....#..##...#########.##.#.##..###.####.#.....#",
        "#.###.#.#.##.###.#.#.#.########.##.#...##.#.###.#",
        "#.###.#.####.#..#..#.##.#.....##.##.##.#..#.###.#",
        "#.###.#.##....##.#...#######.##.#....#....#.###.#",
        "#.....#.#..#..##...#..#...#.#..#.##.###...#.....#",
        "#######.#.#.#.#.#.#.#.#.#.#.#.#.#.#.#.#.#.#######",
        "........#...#.....#..##...#...##.#..#...#........",
        "#.#####....#....###...#####...##.########.#####..",
        "..#........##.#.#.##...###..###......#.#.###.....",
        "##.#..#...###.##.#...#..#.##..##.....#####..#..##",
        "##.#...#.#..###.##..#..#...##...#.#.#.#..###....#",
        "##..####.#.#.##.##...####....###...###.##.##.#...",
        "..#.....#.#.#.##.#.##.####.#####...#.#...####..#.",
        "#..#.##.###.####.#..###..#.#....##.#.####....####",
        "###..#.#.###..##.#.##.#.##.#.#.......#...##.#..#.",
        "...#.##....#..##..#..#.####.#..###.##.######.###.",
        "#..##.....######.#.#.#...#.###..##.###....#......",
        ".##.#.#.##....#...###.....#.#.###.#..##..#.###..#",
        "#.###...###.#..##.#....#.######.#.##.#....###..##",
        ".##.####..#..........##.#.#..###..###..##.##..#.#",
        "#..#.#..##.#####...#.#..###...##...###.#.###.#..#",
        "##.#######.#..#....##.######.#...####.#.#####..##",
        "###.#...###..#..##....#...#.###..#..#...#...#...#",
        "##..#.#.#.#...#.###.###.#.##.###..###.#.#.#.###.#",
        "##..#...#.##.....#....#...#.#####..###..#...####.",
        "##..#####.#..#.#...#.########.#....#..#.######.##",
        ".####...###.#..#...#..###...###.##.......###...##",
        "#...#.####..#..#...#.#..#.....##.##.#######.#..##",
        "..####..#..#####.##..#.#.#...##.#...##.##.##.....",
        "###.#.##.#.#.#...###..#....#...#.##.###..#####.##",
        "##..#..#..#..##..#...#.#..#...#...#......#.#.....",
        "..#.#.#...##..#....#.#....##.##....##..#...######",
        "....#.....#...#.#.##.####.....#..#...#.#..#..#.#.",
        ".###.##.#..###..##.#.#...#.#.##...#.#.##..####..#",
        "..##...##.####.##..####.##.##...#.#..##.##..#..##",
        "###..##....##.#.#####...###....#.#########..###.#",
        "###.##.#.##.....#....##########.#..###...#.#..###",
        ".#...##.....###.##.#..#.##.....#########.##....##",
        ".###.......#.#.####.##..####...##..#.#...#......#",
        "###...##..#......#..#.#####...#...#.##.######.###",
        "........##...##.##.#..#...##.###....##.##...##...",
        "#######...#.####..##..#.#.##.##.#..####.#.#.##.##",
        "#.....#.##.######..####...#####.#.##...##...#....",
        "#.###.#.#....##.###...#####..###..#####.######.#.",
        "#.###.#.#..#...#..###..#....#.##....##..#..####.#",
        "#.###.#.#.#.#.##....#.#.##.#.....#######..##.....",
        "#.....#..##...#..####..##..#.#.###.#.#..####....#",
        "#######.###.##.#..####.###..#.....####.#.##..####",
    ]

    @Test func matchesPythonQRCodeModuleForModule() throws {
        let hello = try QRCode("HELLO", errorCorrection: .quartile, version: 1, mask: 6)
        #expect(Self.rows(hello) == Self.helloQuartile)
        // Exactly full: the terminator is the last 4 bits and no pad codeword follows.
        let url = try QRCode("https://bonafide.example", errorCorrection: .high, version: 3, mask: 5)
        #expect(Self.rows(url) == Self.urlHigh)
        let otpauth = try QRCode(Self.otpauth, errorCorrection: .medium, version: 8, mask: 2)
        #expect(Self.rows(otpauth) == Self.otpauthMedium)
    }

    /// Version, level, mask, text length (a prefix of a repeated otpauth fragment), and the digest of python-qrcode's matrix.
    /// They cover version information (7+), the 16-bit count field (10+), blocks of two lengths and version 40 full.
    static let digests: [(Int, QRCode.ErrorCorrection, Int, Int, UInt64)] = [
        (7, .high, 4, 50, 0x59bb_cf51_dfc4_21b9),
        (10, .quartile, 3, 150, 0x2471_0805_a3b8_2d3f),
        (17, .medium, 5, 500, 0xa41d_12cb_51e5_831c),
        (27, .low, 1, 1000, 0xda6c_dab4_44f1_e2a4),
        (40, .high, 7, 1273, 0x9043_3376_8e47_f405),
        (40, .low, 0, 2953, 0xfd0e_67f3_a0c3_0d2f),
    ]

    @Test func matchesPythonQRCodeDigestsUpToVersion40() throws {
        let source = String(repeating: "otpauth://totp/Bonafide:carla%40acme.example?secret=JBSWY3DPEHPK3PXP&", count: 50)
        for (version, level, mask, length, expected) in Self.digests {
            let code = try QRCode(String(source.prefix(length)), errorCorrection: level, version: version, mask: mask)
            #expect(code.size == 17 + 4 * version)
            #expect(Self.digest(code) == expected, "version \(version) \(level) mask \(mask)")
        }
        // Multi-byte UTF-8 goes in as its bytes.
        let utf8 = try QRCode("Grüße aus 東京 — €5", errorCorrection: .medium, version: 3, mask: 3)
        #expect(Self.digest(utf8) == 0x13e3_bdef_e8ab_325d)
    }

    @Test func picksTheSmallestVersionThatHoldsTheText() throws {
        #expect(try QRCode("HELLO").size == 21)
        #expect(try QRCode(Self.otpauth, errorCorrection: .low).size == 41)
        #expect(try QRCode(Self.otpauth).size == 49)
        #expect(try QRCode(Self.otpauth, errorCorrection: .quartile).size == 57)
        #expect(try QRCode(Self.otpauth, errorCorrection: .high).size == 61)
        #expect(try QRCode(String(repeating: "a", count: 17)).size == 25)
        #expect(try QRCode(String(repeating: "a", count: 500)).size == 85)
        // Version 1 at L holds 17 bytes; the 18th needs version 2.
        #expect(try QRCode(String(repeating: "a", count: 17), errorCorrection: .low).size == 21)
        #expect(try QRCode(String(repeating: "a", count: 18), errorCorrection: .low).size == 25)
        #expect(try QRCode("").size == 21)
    }

    @Test func refusesTextBeyondVersion40() throws {
        // The byte-mode capacities of version 40: 2953 (L), 2331 (M), 1663 (Q), 1273 (H).
        for (level, capacity) in [(QRCode.ErrorCorrection.low, 2953), (.medium, 2331), (.quartile, 1663), (.high, 1273)] {
            #expect(try QRCode(String(repeating: "x", count: capacity), errorCorrection: level).size == 177)
            let error = #expect(throws: QRCode.TooLong.self) {
                try QRCode(String(repeating: "x", count: capacity + 1), errorCorrection: level)
            }
            #expect(error?.description.contains("\(capacity + 1) UTF-8 bytes") == true)
        }
        // Bytes count, not characters: 800 euro signs are 2400 bytes.
        #expect(throws: QRCode.TooLong.self) { try QRCode(String(repeating: "€", count: 800)) }
    }

    @Test func choosesTheMaskWithTheLowestPenalty() throws {
        let chosen = try QRCode(Self.otpauth)
        var penalties: [Int] = []
        for mask in 0..<8 {
            let code = try QRCode(Self.otpauth, errorCorrection: .medium, version: nil, mask: mask)
            let modules = (0..<code.size * code.size).map { code.isDark($0 % code.size, $0 / code.size) }
            penalties.append(QRCode.penalty(modules, size: code.size))
        }
        #expect(chosen.mask == penalties.firstIndex(of: penalties.min()!))
    }

    @Test func hasFinderPatternsTimingAndAQuietZone() throws {
        let code = try QRCode(Self.otpauth)
        let n = code.size
        for (x, y) in [(0, 0), (n - 7, 0), (0, n - 7)] {
            // Dark outer ring, light ring, dark 3 × 3 centre, light separator outside.
            #expect(code.isDark(x, y) && code.isDark(x + 6, y + 6) && code.isDark(x + 3, y + 3))
            #expect(!code.isDark(x + 1, y + 1) && !code.isDark(x + 5, y + 5))
        }
        #expect(!code.isDark(7, 7) && !code.isDark(n - 8, 7) && !code.isDark(7, n - 8))
        for i in 8..<n - 8 { #expect(code.isDark(i, 6) == (i % 2 == 0) && code.isDark(6, i) == (i % 2 == 0)) }
        #expect(code.isDark(8, n - 8))
        #expect(!code.isDark(-1, 0) && !code.isDark(0, -1) && !code.isDark(n, 0) && !code.isDark(0, n))
    }

    @Test func svgIsWellFormedWithTheLabelEscaped() throws {
        let code = try QRCode(Self.otpauth)
        let label = "Scan <this> & \"that\" 'now'"
        let svg = code.svg(label: label, pixelsPerModule: 5)
        #expect(svg.contains("aria-label=\"Scan &lt;this&gt; &amp; &quot;that&quot; &apos;now&apos;\""))
        #expect(svg.hasPrefix("<svg ") && svg.hasSuffix("</svg>"))

        final class Collector: NSObject, XMLParserDelegate {
            var elements: [(String, [String: String])] = []
            func parser(
                _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]
            ) {
                elements.append((elementName, attributes))
            }
        }
        let parser = XMLParser(data: Data(svg.utf8))
        let collector = Collector()
        parser.delegate = collector
        #expect(parser.parse())
        let root = try #require(collector.elements.first)
        #expect(root.0 == "svg")
        #expect(root.1["aria-label"] == label)
        #expect(root.1["role"] == "img")
        #expect(root.1["shape-rendering"] == "crispEdges")
        #expect(root.1["viewBox"] == "0 0 57 57")
        #expect(root.1["width"] == "285" && root.1["height"] == "285")
        let paths = collector.elements.filter { $0.0 == "path" }
        #expect(paths.count == 1)

        // Every run in the path is a horizontal run of dark modules, shifted by the quiet zone, and together they cover
        // exactly the dark modules.
        let d = try #require(paths.first?.1["d"])
        var covered = Set<Int>()
        for run in d.split(separator: "z") {
            let numbers = run.split(whereSeparator: { "Mhv- ".contains($0) }).compactMap { Int($0) }
            // "M x y h w v1 h-w z": one module high, closed back to where it began.
            try #require(numbers.count == 5 && numbers[3] == 1 && numbers[4] == numbers[2])
            let (x, y, width) = (numbers[0] - 4, numbers[1] - 4, numbers[2])
            for dx in 0..<width { covered.insert(y * code.size + x + dx) }
        }
        let dark = Set((0..<code.size * code.size).filter { code.isDark($0 % code.size, $0 / code.size) })
        #expect(covered == dark)
    }

    @Test func labelCharactersXMLCannotCarryAreDropped() {
        #expect(QRCode.xmlEscaped("a\u{1}b\u{FFFF}c\td") == "abc\td")
    }
}
