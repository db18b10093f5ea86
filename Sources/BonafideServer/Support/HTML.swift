import Vapor

/// HTML whose interpolations are escaped unless they are HTML themselves, so user text can never
/// become markup.
struct HTML: Sendable, ExpressibleByStringInterpolation, CustomStringConvertible {
    var text: String

    init(raw: String) { text = raw }
    init(stringLiteral value: String) { text = value }
    init(stringInterpolation: Interpolation) { text = stringInterpolation.text }

    var description: String { text }

    struct Interpolation: StringInterpolationProtocol {
        var text = ""
        init(literalCapacity: Int, interpolationCount: Int) { text.reserveCapacity(literalCapacity * 2) }
        mutating func appendLiteral(_ literal: String) { text += literal }
        mutating func appendInterpolation(_ html: HTML) { text += html.text }
        mutating func appendInterpolation(_ html: [HTML]) { for h in html { text += h.text } }
        mutating func appendInterpolation(_ value: String) { text += HTML.escape(value) }
        mutating func appendInterpolation(_ value: String?) { text += HTML.escape(value ?? "") }
        mutating func appendInterpolation(_ value: Int) { text += String(value) }
        mutating func appendInterpolation(_ value: UUID?) { text += value?.apiString ?? "" }
    }

    /// By UTF-8 byte, not by Character: `"` followed by a combining mark is one Character that is not equal to `"`,
    /// yet a browser still ends the attribute at the quote. The five characters are ASCII, and an ASCII byte in UTF-8
    /// is always that character, so replacing bytes is replacing scalars. Most text has nothing to escape: it is
    /// returned as it is, without a copy; otherwise the escaped text is written once into a string of its final size.
    static func escape(_ s: String) -> String {
        var s = s
        let escaped: String? = s.withUTF8 { bytes in
            var extra = 0
            for byte in bytes { extra &+= escapeGrowth(byte) }
            guard extra > 0 else { return nil }
            return String(unsafeUninitializedCapacity: bytes.count + extra) { out in
                var i = 0
                for byte in bytes {
                    switch byte {
                    case UInt8(ascii: "&"): i = put(out, i, "&amp;")
                    case UInt8(ascii: "<"): i = put(out, i, "&lt;")
                    case UInt8(ascii: ">"): i = put(out, i, "&gt;")
                    case UInt8(ascii: "\""): i = put(out, i, "&quot;")
                    case UInt8(ascii: "'"): i = put(out, i, "&#39;")
                    default:
                        out[i] = byte
                        i += 1
                    }
                }
                return i
            }
        }
        return escaped ?? s
    }

    /// How many bytes longer `byte` becomes escaped.
    @inline(__always)
    private static func escapeGrowth(_ byte: UInt8) -> Int {
        switch byte {
        case UInt8(ascii: "&"): 4
        case UInt8(ascii: "<"), UInt8(ascii: ">"): 3
        case UInt8(ascii: "\""): 5
        case UInt8(ascii: "'"): 4
        default: 0
        }
    }

    @inline(__always)
    private static func put(_ out: UnsafeMutableBufferPointer<UInt8>, _ at: Int, _ entity: StaticString) -> Int {
        let bytes = UnsafeBufferPointer(start: entity.utf8Start, count: entity.utf8CodeUnitCount)
        var i = at
        for byte in bytes {
            out[i] = byte
            i += 1
        }
        return i
    }

    static func join(_ parts: [HTML], separator: String = "") -> HTML { HTML(raw: parts.map(\.text).joined(separator: separator)) }
}

extension HTML: AsyncResponseEncodable {
    func encodeResponse(for request: Request) async throws -> Response {
        var headers = HTTPHeaders()
        headers.contentType = .html
        return Response(status: .ok, headers: headers, body: .init(string: text))
    }
}
