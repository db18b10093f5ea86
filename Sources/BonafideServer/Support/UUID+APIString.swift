import Foundation

extension UUID {
    /// The one textual form of an id that the API, webhooks and web pages write: lower-case, as RFC 9562
    /// prescribes. `uuidString` is upper-case, and some endpoints wrote that while others wrote lower-case, so
    /// clients had to compare ids ignoring case. Ids sent to the server are read in either case
    /// (`UUID(uuidString:)`).
    ///
    /// Not for what is already stored or signed (ledger entries, relation keys, calendar UIDs, dedupe keys):
    /// those keep the form they were first written in.
    ///
    /// Written digit by digit: `uuidString` is `snprintf` on Linux and `lowercased()` copies it again, and a list
    /// answer writes five ids per item (about 3% of a commitment list request in a profile).
    var apiString: String {
        withUnsafeBytes(of: uuid) { bytes in
            String(unsafeUninitializedCapacity: 36) { text in
                let digits: StaticString = "0123456789abcdef"
                let digit = digits.utf8Start
                var end = 0
                for index in 0..<16 {
                    if index == 4 || index == 6 || index == 8 || index == 10 {
                        text[end] = UInt8(ascii: "-")
                        end += 1
                    }
                    let byte = bytes[index]
                    text[end] = digit[Int(byte >> 4)]
                    text[end + 1] = digit[Int(byte & 0x0f)]
                    end += 2
                }
                return end
            }
        }
    }

    /// An id in the canonical 8-4-4-4-12 form, hex digits in either case, as `apiString` and `uuidString` write
    /// it; nil for anything else. For ids read back in bulk (SQLite keeps them as `uuidString` text, see
    /// `UUIDColumn`): `UUID(uuidString:)` copies the text into a C string and parses it with `sscanf`, which cost
    /// more per row than the rest of reading it.
    ///
    /// Stricter than `UUID(uuidString:)` on Linux, whose `sscanf` also takes a sign or a space in front of each
    /// pair of digits (`-621e1f8-…` parses): input from outside keeps going through that one, so what it accepted
    /// yesterday it accepts today.
    init?(apiString text: String) {
        var text = text
        guard let parsed = text.withUTF8(UUID.parseCanonical) else { return nil }
        self.init(uuid: parsed)
    }

    private static func parseCanonical(_ text: UnsafeBufferPointer<UInt8>) -> uuid_t? {
        let dash = UInt8(ascii: "-")
        guard text.count == 36, text[8] == dash, text[13] == dash, text[18] == dash, text[23] == dash else { return nil }
        var uuid: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        let allHex = withUnsafeMutableBytes(of: &uuid) { bytes -> Bool in
            var position = 0
            for index in 0..<16 {
                if position == 8 || position == 13 || position == 18 || position == 23 { position += 1 }
                guard let high = hexValue(text[position]), let low = hexValue(text[position + 1]) else { return false }
                bytes[index] = high << 4 | low
                position += 2
            }
            return true
        }
        return allHex ? uuid : nil
    }

    private static func hexValue(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return character - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return character - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return character - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
