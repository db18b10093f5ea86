/// RFC 4648 base32, the alphabet authenticator apps expect for TOTP secrets.
///
/// ```swift
/// Base32.encode(Array("foobar".utf8))   // "MZXW6YTBOI"
/// Base32.decode("mzxw 6ytb oi======")   // Array("foobar".utf8)
/// ```
public enum Base32 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".utf8)

    /// Upper-case and unpadded: otpauth URLs and people copying a secret by hand do not want "=".
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        var out: [UInt8] = []
        var buffer: UInt32 = 0
        var bits = 0
        for byte in bytes {
            buffer = buffer << 8 | UInt32(byte)
            bits += 8
            while bits >= 5 {
                bits -= 5
                out.append(alphabet[Int(buffer >> UInt32(bits) & 0x1f)])
            }
            // Only the low `bits` bits are still pending; dropping the rest keeps the shifts in range.
            buffer &= (1 << UInt32(bits)) - 1
        }
        if bits > 0 { out.append(alphabet[Int(buffer << UInt32(5 - bits) & 0x1f)]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// Case-insensitive and tolerant of spaces and "=" anywhere, because secrets are typed from screens that
    /// group them ("JBSW Y3DP EHPK 3PXP"). Nil for any other character, or for a length no encoder produces.
    public static func decode(_ text: String) -> [UInt8]? {
        var out: [UInt8] = []
        var buffer: UInt32 = 0
        var bits = 0
        var symbols = 0
        for c in text.utf8 {
            let value: UInt8
            switch c {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): value = c - UInt8(ascii: "A")
            case UInt8(ascii: "a")...UInt8(ascii: "z"): value = c - UInt8(ascii: "a")
            case UInt8(ascii: "2")...UInt8(ascii: "7"): value = c - UInt8(ascii: "2") + 26
            case UInt8(ascii: " "), UInt8(ascii: "="): continue
            default: return nil
            }
            symbols += 1
            buffer = buffer << 5 | UInt32(value)
            bits += 5
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: buffer >> UInt32(bits)))
                buffer &= (1 << UInt32(bits)) - 1
            }
        }
        // 1, 3 and 6 symbols past a full 8-symbol group cannot come from whole bytes.
        guard ![1, 3, 6].contains(symbols % 8) else { return nil }
        return out
    }
}
