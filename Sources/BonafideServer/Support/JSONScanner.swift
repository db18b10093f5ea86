import Foundation

/// A strict reader of the JSON the server reads on hot paths: objects whose values are strings or (one level down)
/// objects of strings (`LedgerLine.scan`), and arrays of strings (`StringArrayColumn`); nil for anything else,
/// including a key given twice. Linear in its input.
struct JSONScanner {
    enum Value {
        case string(String)
        case object([String: String])
    }

    let bytes: UnsafeBufferPointer<UInt8>
    var at = 0

    init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    private mutating func skipSpace() {
        while at < bytes.count, bytes[at] == 0x20 || bytes[at] == 0x0A || bytes[at] == 0x0D || bytes[at] == 0x09 { at += 1 }
    }

    private mutating func take(_ byte: UInt8) -> Bool {
        skipSpace()
        guard at < bytes.count, bytes[at] == byte else { return false }
        at += 1
        return true
    }

    mutating func atEnd() -> Bool {
        skipSpace()
        return at == bytes.count
    }

    /// An object at `at`; its values may be objects of strings when `nested`.
    mutating func object(nested: Bool) -> [String: Value]? {
        guard take(UInt8(ascii: "{")) else { return nil }
        var fields: [String: Value] = [:]
        if take(UInt8(ascii: "}")) { return fields }
        repeat {
            skipSpace()
            guard let key = string(), take(UInt8(ascii: ":")), fields[key] == nil else { return nil }
            skipSpace()
            guard at < bytes.count else { return nil }
            if bytes[at] == UInt8(ascii: "\"") {
                guard let value = string() else { return nil }
                fields[key] = .string(value)
            } else if nested, bytes[at] == UInt8(ascii: "{"), let inner = object(nested: false) {
                var strings: [String: String] = [:]
                for (innerKey, innerValue) in inner {
                    guard case .string(let value) = innerValue else { return nil }
                    strings[innerKey] = value
                }
                fields[key] = .object(strings)
            } else {
                return nil
            }
        } while take(UInt8(ascii: ","))
        return take(UInt8(ascii: "}")) ? fields : nil
    }

    /// An array of strings at `at`.
    mutating func stringArray() -> [String]? {
        guard take(UInt8(ascii: "[")) else { return nil }
        var strings: [String] = []
        if take(UInt8(ascii: "]")) { return strings }
        repeat {
            skipSpace()
            guard let string = string() else { return nil }
            strings.append(string)
        } while take(UInt8(ascii: ","))
        return take(UInt8(ascii: "]")) ? strings : nil
    }

    /// A string at `at`, its escapes read.
    mutating func string() -> String? {
        guard at < bytes.count, bytes[at] == UInt8(ascii: "\"") else { return nil }
        at += 1
        let start = at
        while at < bytes.count, bytes[at] != UInt8(ascii: "\""), bytes[at] != UInt8(ascii: "\\"), bytes[at] >= 0x20 { at += 1 }
        guard at < bytes.count else { return nil }
        if bytes[at] == UInt8(ascii: "\"") {
            at += 1
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<(at - 1)]), as: UTF8.self)
        }
        var text = Array(bytes[start..<at])
        while at < bytes.count {
            let byte = bytes[at]
            at += 1
            if byte == UInt8(ascii: "\"") { return String(decoding: text, as: UTF8.self) }
            guard byte >= 0x20 else { return nil }
            guard byte == UInt8(ascii: "\\") else {
                text.append(byte)
                continue
            }
            guard at < bytes.count else { return nil }
            let escaped = bytes[at]
            at += 1
            switch escaped {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): text.append(escaped)
            case UInt8(ascii: "b"): text.append(0x08)
            case UInt8(ascii: "f"): text.append(0x0C)
            case UInt8(ascii: "n"): text.append(0x0A)
            case UInt8(ascii: "r"): text.append(0x0D)
            case UInt8(ascii: "t"): text.append(0x09)
            case UInt8(ascii: "u"):
                guard let unit = hex() else { return nil }
                var code = unit
                if (0xD800...0xDBFF).contains(unit) {
                    // A character beyond the first plane: the low half must follow as another escape.
                    guard at + 2 <= bytes.count, bytes[at] == UInt8(ascii: "\\"), bytes[at + 1] == UInt8(ascii: "u") else { return nil }
                    at += 2
                    guard let low = hex(), (0xDC00...0xDFFF).contains(low) else { return nil }
                    code = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let scalar = Unicode.Scalar(code) else { return nil }
                UTF8.encode(scalar) { text.append($0) }
            default: return nil
            }
        }
        return nil
    }

    /// Four hexadecimal digits at `at`.
    private mutating func hex() -> UInt32? {
        guard at + 4 <= bytes.count else { return nil }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[at]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            value = value << 4 | UInt32(digit)
            at += 1
        }
        return value
    }
}
