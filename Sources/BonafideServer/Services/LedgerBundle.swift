import CompressNIO
import NIOCore

/// A sealed bundle of 256 log entries as `ledger_bundles` stores it: each entry's UTF-8 prefixed by its length as a
/// big-endian UInt32, the whole compressed with zlib. Entries of one log repeat their keys, partnership and types, so
/// a bundle compresses several times; a sealed bundle never changes, so it is written once and never rewritten.
enum LedgerBundle {
    static let width = 256

    /// Inflating stops here: a corrupted blob cannot make a read allocate without bound. Encoding refuses a bundle
    /// above it, so whatever was written reads back.
    static let maxFramedBytes = 64 << 20

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
        guard framed.count <= maxFramedBytes else { throw Malformed(description: "\(framed.count) bytes, above \(maxFramedBytes)") }
        return framed
    }

    static func deflate(_ framed: [UInt8]) throws -> [UInt8] {
        var input = ByteBuffer(bytes: framed)
        let compressed = try input.compress(with: .zlib())
        return Array(compressed.readableBytesView)
    }

    /// zlib, not raw deflate: its checksum catches a blob changed in place, which could otherwise still inflate.
    static func inflate(_ blob: [UInt8]) throws -> ByteBuffer {
        // Never hand the inflater an empty buffer: compress-nio unwraps its base address.
        guard !blob.isEmpty else { throw Malformed(description: "an empty blob") }
        var input = ByteBuffer(bytes: blob)
        do {
            return try input.decompress(with: .zlib(), maxSize: maxFramedBytes)
        } catch let error as CompressNIOError {
            throw Malformed(description: "it does not inflate (\(error.description))")
        }
    }
}
