import CompressNIO
import NIOCore

/// A sealed bundle of 256 log entries as `ledger_bundles` stores it: each entry's UTF-8 prefixed by its length as a
/// big-endian UInt32, the whole compressed with zlib. Entries of one log repeat their keys, partnership and types, so
/// a bundle compresses several times; a sealed bundle never changes, so it is written once and never rewritten.
enum LedgerBundle {
    static let width = 256

    /// Inflating stops here: a corrupted blob cannot make a read allocate without bound (inflating holds the output
    /// twice at its peak, while the pieces are joined). Encoding refuses a bundle above it, so whatever was written
    /// reads back. An entry has no size limit of its own, so this is one per bundle: 64 KiB per entry on average,
    /// where the server's entries take well under 1 KiB (a real bundle frames some 100 KB).
    static let maxFramedBytes = 16 << 20

    struct Malformed: Error, CustomStringConvertible {
        var description: String
    }

    static func encode(_ entries: [String]) throws -> [UInt8] {
        guard entries.count == width else { throw Malformed(description: "a bundle holds \(width) entries, not \(entries.count)") }
        return try deflate(frame(entries))
    }

    /// The entries in order; throws unless the blob inflates to exactly 256 framed entries and nothing after them.
    static func decode(_ blob: [UInt8]) throws -> [String] {
        var framed = try inflate(blob)
        var entries: [String] = []
        entries.reserveCapacity(width)
        while framed.readableBytes > 0 {
            guard entries.count < width else { throw Malformed(description: "bytes after entry \(width)") }
            guard let length = framed.readInteger(endianness: .big, as: UInt32.self) else {
                throw Malformed(description: "the length of entry \(entries.count) is cut short")
            }
            guard length <= UInt32(framed.readableBytes), let entry = framed.readString(length: Int(length)) else {
                throw Malformed(description: "entry \(entries.count) is cut short")
            }
            entries.append(entry)
        }
        guard entries.count == width else { throw Malformed(description: "\(entries.count) entries, not \(width)") }
        return entries
    }

    static func frame(_ entries: [String]) throws -> [UInt8] {
        var framed: [UInt8] = []
        framed.reserveCapacity(entries.reduce(0) { $0 + 4 + $1.utf8.count })
        for entry in entries {
            let count = entry.utf8.count
            guard count <= Int(UInt32.max) else { throw Malformed(description: "an entry of \(count) bytes") }
            framed += [
                UInt8(truncatingIfNeeded: count >> 24), UInt8(truncatingIfNeeded: count >> 16), UInt8(truncatingIfNeeded: count >> 8),
                UInt8(truncatingIfNeeded: count),
            ]
            framed.append(contentsOf: entry.utf8)
        }
        // Strictly below: inflating gives up once its output reaches the cap.
        guard framed.count < maxFramedBytes else { throw Malformed(description: "\(framed.count) bytes, not below \(maxFramedBytes)") }
        return framed
    }

    static func deflate(_ framed: [UInt8]) throws -> [UInt8] {
        var input = ByteBuffer(bytes: framed)
        let compressed = try input.compress(with: .zlib())
        return Array(compressed.readableBytesView)
    }

    /// zlib's two header bytes and its four-byte Adler-32 trailer.
    static let zlibOverhead = 6

    /// zlib, not raw deflate: its checksum catches a blob changed in place, which could otherwise still inflate.
    /// compress-nio returns what it inflated when the input ends before the stream does (zlib checks the trailer only
    /// at the stream's end) and leaves bytes after the stream unread, so both are checked here: all of the blob read,
    /// and its last four bytes the Adler-32 of what it inflated to.
    static func inflate(_ blob: [UInt8]) throws -> ByteBuffer {
        // Never hand the inflater an empty buffer: compress-nio unwraps its base address.
        guard blob.count > zlibOverhead else { throw Malformed(description: "\(blob.count) bytes, too short for zlib") }
        var input = ByteBuffer(bytes: blob)
        let framed: ByteBuffer
        do {
            framed = try input.decompress(with: .zlib(), maxSize: maxFramedBytes)
        } catch let error as CompressNIOError {
            throw Malformed(description: "it does not inflate (\(error.description))")
        }
        // compress-nio may let the output pass its limit by part of a buffer's growth before it stops.
        guard framed.readableBytes < maxFramedBytes else { throw Malformed(description: "it inflates to \(maxFramedBytes) bytes or more") }
        guard input.readableBytes == 0 else { throw Malformed(description: "\(input.readableBytes) bytes after the zlib stream") }
        let trailer = blob.suffix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        guard trailer == adler32(framed) else { throw Malformed(description: "the zlib stream is cut short or its checksum differs") }
        return framed
    }

    /// RFC 1950's checksum of the readable bytes, the sums reduced once per 5,552 bytes as zlib does (the most
    /// that cannot overflow 32 bits).
    static func adler32(_ buffer: ByteBuffer) -> UInt32 {
        var a: UInt32 = 1
        var b: UInt32 = 0
        buffer.withUnsafeReadableBytes { bytes in
            var start = 0
            while start < bytes.count {
                let end = min(start + 5552, bytes.count)
                for byte in bytes[start..<end] {
                    a += UInt32(byte)
                    b += a
                }
                a %= 65521
                b %= 65521
                start = end
            }
        }
        return b << 16 | a
    }
}
