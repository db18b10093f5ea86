/// One CBOR (RFC 8949) data item: the subset WebAuthn attestation objects and COSE keys are made of.
///
/// ```swift
/// let item = try CBOR.decode(attestationObject)
/// item["fmt"]?.text        // "none"
/// item["authData"]?.bytes  // the authenticator data
/// ```
public indirect enum CBOR: Sendable, Hashable {
    case unsigned(UInt64)
    /// The value -1 - n, kept as n because it does not always fit an Int64.
    case negative(UInt64)
    case bytes([UInt8])
    case text(String)
    case array([CBOR])
    case map([CBOR: CBOR])
    case bool(Bool)
    case null
    case undefined
    case float(Double)

    /// The item as an Int, when it is an integer that fits.
    public var int: Int? {
        switch self {
        case .unsigned(let n): n <= UInt64(Int.max) ? Int(n) : nil
        case .negative(let n): n <= UInt64(Int.max) ? -1 - Int(n) : nil
        default: nil
        }
    }

    public var bytes: [UInt8]? { if case .bytes(let b) = self { b } else { nil } }
    public var text: String? { if case .text(let t) = self { t } else { nil } }
    public var mapValue: [CBOR: CBOR]? { if case .map(let m) = self { m } else { nil } }

    public subscript(key: String) -> CBOR? { mapValue?[.text(key)] }
    public subscript(key: Int) -> CBOR? { mapValue?[key >= 0 ? .unsigned(UInt64(key)) : .negative(UInt64(-1 - key))] }

    /// Nesting allowed by default: COSE keys and attestation objects need 3, and a bound keeps a hostile input
    /// of nested arrays from exhausting the stack.
    public static let defaultMaximumDepth = 16

    /// Decodes exactly one item that spans all of `bytes`.
    public static func decode(_ bytes: [UInt8], maximumDepth: Int = defaultMaximumDepth) throws(CBORError) -> CBOR {
        var reader = Reader(bytes: bytes[...], maximumDepth: maximumDepth)
        let item = try reader.item(depth: 0)
        guard reader.position == bytes.endIndex else { throw .trailingBytes }
        return item
    }

    /// Decodes the item at the start of `bytes` and says how many bytes it took: authenticator data puts a COSE
    /// key and then extensions back to back, with no length in front of either.
    public static func decodePrefix(_ bytes: ArraySlice<UInt8>, maximumDepth: Int = defaultMaximumDepth) throws(CBORError) -> (
        item: CBOR, length: Int
    ) {
        var reader = Reader(bytes: bytes, maximumDepth: maximumDepth)
        let item = try reader.item(depth: 0)
        return (item, reader.position - bytes.startIndex)
    }

    /// Each byte of input is read once and every allocation is bounded by the bytes left, so decoding is linear
    /// in the input whatever lengths it claims.
    struct Reader {
        let bytes: ArraySlice<UInt8>
        let maximumDepth: Int
        var position: Int

        init(bytes: ArraySlice<UInt8>, maximumDepth: Int) {
            self.bytes = bytes
            self.maximumDepth = maximumDepth
            self.position = bytes.startIndex
        }

        var remaining: Int { bytes.endIndex - position }

        mutating func byte() throws(CBORError) -> UInt8 {
            guard position < bytes.endIndex else { throw .truncated }
            defer { position += 1 }
            return bytes[position]
        }

        mutating func take(_ count: Int) throws(CBORError) -> ArraySlice<UInt8> {
            guard count <= remaining else { throw .truncated }
            defer { position += count }
            return bytes[position..<position + count]
        }

        mutating func argument(_ info: UInt8) throws(CBORError) -> UInt64 {
            switch info {
            case 0..<24: return UInt64(info)
            case 24...27:
                var value: UInt64 = 0
                for b in try take(1 << Int(info - 24)) { value = value << 8 | UInt64(b) }
                return value
            case 31: throw .indefiniteLength
            default: throw .malformed("reserved additional information \(info)")
            }
        }

        /// A count of items or bytes, refused when the input cannot hold that many: each item takes at least
        /// `minimumSize` bytes, so nothing is reserved or looped over for a length that is a lie.
        mutating func length(_ info: UInt8, minimumSize: Int) throws(CBORError) -> Int {
            let value = try argument(info)
            guard value <= UInt64(remaining / minimumSize) else { throw .truncated }
            return Int(value)
        }

        mutating func item(depth: Int) throws(CBORError) -> CBOR {
            let initial = try byte()
            let major = initial >> 5
            let info = initial & 0x1f
            switch major {
            case 0: return .unsigned(try argument(info))
            case 1: return .negative(try argument(info))
            case 2: return .bytes(Array(try take(try length(info, minimumSize: 1))))
            case 3:
                let raw = try take(try length(info, minimumSize: 1))
                guard let text = String(validating: raw, as: UTF8.self) else { throw .invalidUTF8 }
                return .text(text)
            case 4:
                guard depth < maximumDepth else { throw .tooDeep(maximumDepth) }
                let count = try length(info, minimumSize: 1)
                var items: [CBOR] = []
                items.reserveCapacity(count)
                for _ in 0..<count { items.append(try item(depth: depth + 1)) }
                return .array(items)
            case 5:
                guard depth < maximumDepth else { throw .tooDeep(maximumDepth) }
                let count = try length(info, minimumSize: 2)
                var entries: [CBOR: CBOR] = [:]
                entries.reserveCapacity(count)
                for _ in 0..<count {
                    let key = try item(depth: depth + 1)
                    // Only integer and text keys: they are all WebAuthn and COSE use, and they hash in time
                    // proportional to their own size, so building the dictionary stays linear.
                    switch key {
                    case .unsigned, .negative, .text: break
                    default: throw .unsupportedMapKey
                    }
                    let value = try item(depth: depth + 1)
                    // Two values for one key would let two parsers of the same bytes disagree.
                    guard entries.updateValue(value, forKey: key) == nil else { throw .duplicateMapKey }
                }
                return .map(entries)
            case 6: throw .malformed("tagged items are not used here")
            default:
                switch info {
                case 20: return .bool(false)
                case 21: return .bool(true)
                case 22: return .null
                case 23: return .undefined
                case 25: return .float(Self.half(UInt16(try argument(info))))
                case 26: return .float(Double(Float(bitPattern: UInt32(try argument(info)))))
                case 27: return .float(Double(bitPattern: try argument(info)))
                case 31: throw .indefiniteLength
                default: throw .malformed("unsupported simple value \(info)")
                }
            }
        }

        /// IEEE 754 binary16, RFC 8949 Appendix D.
        static func half(_ bits: UInt16) -> Double {
            let exponent = Int(bits >> 10 & 0x1f)
            let mantissa = Double(bits & 0x3ff)
            let magnitude: Double =
                switch exponent {
                case 0: mantissa * 0x1p-24
                case 31: mantissa == 0 ? .infinity : .nan
                default: (mantissa + 1024) * Double(sign: .plus, exponent: exponent - 25, significand: 1)
                }
            return bits & 0x8000 != 0 ? -magnitude : magnitude
        }
    }
}

public enum CBORError: Error, Equatable, Sendable, CustomStringConvertible {
    case truncated
    case trailingBytes
    case indefiniteLength
    case tooDeep(Int)
    case invalidUTF8
    case unsupportedMapKey
    case duplicateMapKey
    case malformed(String)

    public var description: String {
        switch self {
        case .truncated: "The CBOR data ends early, or claims a length longer than what is left."
        case .trailingBytes: "There are bytes after the end of the CBOR item."
        case .indefiniteLength: "Indefinite-length CBOR items are not accepted."
        case .tooDeep(let limit): "The CBOR data nests deeper than \(limit) levels."
        case .invalidUTF8: "A CBOR text string is not valid UTF-8."
        case .unsupportedMapKey: "A CBOR map key is neither an integer nor a text string."
        case .duplicateMapKey: "A CBOR map has the same key twice."
        case .malformed(let detail): "The CBOR data is malformed: \(detail)."
        }
    }
}
