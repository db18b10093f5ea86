import Foundation

/// A C2SP tlog-proof: an entry's index, its inclusion proof and the (cosigned) checkpoint it is
/// proven against, as one text that can be checked offline.
///
/// Bonafide puts the entry's canonical bytes in the `extra` line: they are not trusted as such, but
/// their leaf hash must reproduce the checkpoint's root through the proof, which authenticates them.
public struct TLogProof: Sendable, Equatable {
    public static let header = "c2sp.org/tlog-proof@v1"

    public var extra: [UInt8]?
    public var index: UInt64
    public var proof: [Merkle.Hash]
    public var checkpoint: SignedNote

    public init(extra: [UInt8]?, index: UInt64, proof: [Merkle.Hash], checkpoint: SignedNote) {
        self.extra = extra
        self.index = index
        self.proof = proof
        self.checkpoint = checkpoint
    }

    public var text: String {
        var lines = [Self.header]
        if let extra { lines.append("extra " + Data(extra).base64EncodedString()) }
        lines.append("index \(index)")
        lines += proof.map { Data($0).base64EncodedString() }
        return lines.joined(separator: "\n") + "\n\n" + checkpoint.serialized
    }

    public enum ParseError: Error, Equatable, Sendable, CustomStringConvertible {
        case badHeader, badExtra, badIndex(String), badHash(String), missingCheckpoint, badCheckpoint(String)

        public var description: String {
            switch self {
            case .badHeader: "The proof does not start with \(TLogProof.header)."
            case .badExtra: "The proof's extra line is not base64."
            case .badIndex(let line): "Expected \"index <N>\" (decimal, no leading zeros), found \"\(line.prefix(40))\"."
            case .badHash(let line): "The proof line \"\(line.prefix(60))\" is not base64 of a 32-byte hash."
            case .missingCheckpoint: "The proof has no checkpoint after its hashes."
            case .badCheckpoint(let why): "The proof's checkpoint is not a signed note: \(why)"
            }
        }
    }

    public init(text: String) throws(ParseError) {
        guard let blank = text.range(of: "\n\n") else { throw .missingCheckpoint }
        var lines = text[..<blank.lowerBound].split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard lines.first == Self.header else { throw .badHeader }
        lines.removeFirst()
        var extra: [UInt8]?
        if let line = lines.first, line.hasPrefix("extra ") {
            guard let data = Data(base64Encoded: String(line.dropFirst(6))) else { throw .badExtra }
            extra = Array(data)
            lines.removeFirst()
        }
        guard let indexLine = lines.first, indexLine.hasPrefix("index "), let index = Self.decimal(indexLine.dropFirst(6)) else {
            throw .badIndex(lines.first ?? "")
        }
        let proof = try lines.dropFirst().map { line throws(ParseError) -> Merkle.Hash in
            guard let hash = Data(base64Encoded: line), hash.count == 32 else { throw .badHash(line) }
            return Array(hash)
        }
        let noteText = String(text[blank.upperBound...])
        guard !noteText.isEmpty else { throw .missingCheckpoint }
        do {
            self.checkpoint = try SignedNote.parse(noteText)
        } catch {
            throw .badCheckpoint(error.description)
        }
        self.extra = extra
        self.index = index
        self.proof = proof
    }

    /// ASCII decimal without leading zeros, as C2SP formats require.
    static func decimal(_ text: Substring) -> UInt64? {
        guard !text.isEmpty, text.utf8.allSatisfy({ (0x30...0x39).contains($0) }), text == "0" || !text.hasPrefix("0") else { return nil }
        return UInt64(text)
    }
}
