import Crypto
import Foundation

/// C2SP signed notes: text, a blank line, then lines "— <name> base64(keyID || signature)".
public struct SignedNote: Sendable, Equatable {
    public struct Signature: Sendable, Equatable {
        public var name: String
        public var keyID: [UInt8]
        public var signature: [UInt8]

        public init(name: String, keyID: [UInt8], signature: [UInt8]) {
            self.name = name
            self.keyID = keyID
            self.signature = signature
        }
    }

    public var text: String
    public var signatures: [Signature]

    public init(text: String, signatures: [Signature] = []) {
        self.text = text
        self.signatures = signatures
    }

    public enum ParseError: Error, Equatable, Sendable, CustomStringConvertible {
        case tooLarge, notUTF8, missingSeparator, emptyText, textNotNewlineTerminated
        case badSignatureLine(String), noSignatures

        public var description: String {
            switch self {
            case .tooLarge: "The note is larger than 1 MiB."
            case .notUTF8: "The note is not valid UTF-8."
            case .missingSeparator: "The note has no blank line before its signatures."
            case .emptyText: "The note has no text."
            case .textNotNewlineTerminated: "The note text must end with a newline."
            case .badSignatureLine(let line): "Malformed signature line: \(line.prefix(80))"
            case .noSignatures: "The note carries no signature."
            }
        }
    }

    static let dash = "\u{2014} "

    public static func parse(_ data: some DataProtocol) throws(ParseError) -> SignedNote {
        guard data.count <= 1 << 20 else { throw .tooLarge }
        guard let string = String(bytes: data, encoding: .utf8) else { throw .notUTF8 }
        return try parse(string)
    }

    public static func parse(_ string: String) throws(ParseError) -> SignedNote {
        guard string.utf8.count <= 1 << 20 else { throw .tooLarge }
        guard let split = string.range(of: "\n\n", options: .backwards) else { throw .missingSeparator }
        let text = String(string[..<split.lowerBound]) + "\n"
        guard text.count > 1 else { throw .emptyText }
        let block = string[split.upperBound...]
        guard block.hasSuffix("\n") else { throw .badSignatureLine(String(block)) }
        var signatures: [Signature] = []
        for line in block.dropLast().split(separator: "\n", omittingEmptySubsequences: false) {
            guard line.hasPrefix(dash) else { throw .badSignatureLine(String(line)) }
            let parts = line.dropFirst(dash.count).split(separator: " ", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, let raw = Data(base64Encoded: String(parts[1])), raw.count > 4 else {
                throw .badSignatureLine(String(line))
            }
            let bytes = Array(raw)
            signatures.append(Signature(name: String(parts[0]), keyID: Array(bytes[0..<4]), signature: Array(bytes[4...])))
        }
        guard !signatures.isEmpty else { throw .noSignatures }
        return SignedNote(text: text, signatures: signatures)
    }

    public var serialized: String {
        text + "\n"
            + signatures.map { "\(Self.dash)\($0.name) \(Data($0.keyID + $0.signature).base64EncodedString())\n" }.joined()
    }

    /// The signatures of this note that the verifier accepts.
    public func verified(by verifier: NoteVerifier) -> Bool {
        signatures.contains {
            $0.name == verifier.name && $0.keyID == verifier.keyID && verifier.verify(text: text, signature: $0.signature)
        }
    }
}

public enum NoteKeyError: Error, Equatable, Sendable, CustomStringConvertible {
    case malformed(String), unsupportedAlgorithm(UInt8), keyIDMismatch

    public var description: String {
        switch self {
        case .malformed(let what): "Malformed key: \(what)."
        case .unsupportedAlgorithm(let alg): "Unsupported key algorithm \(alg)."
        case .keyIDMismatch: "The key id does not match the key."
        }
    }
}

/// Key identifiers: the first four bytes of SHA-256(name || "\n" || algorithm || public key).
enum NoteKeyID {
    static let ed25519: UInt8 = 0x01
    static let cosignatureV1: UInt8 = 0x04

    static func make(name: String, algorithm: UInt8, publicKey: [UInt8]) -> [UInt8] {
        var h = SHA256()
        h.update(data: Array(name.utf8) + [0x0A, algorithm] + publicKey)
        return Array(h.finalize().prefix(4))
    }

    static func validName(_ name: String) -> Bool {
        !name.isEmpty && !name.contains("+") && !name.contains(where: { $0.isWhitespace })
    }
}

/// A verifier key "name+hex(keyID)+base64(0x01 || Ed25519 public key)".
public struct NoteVerifier: Sendable, Equatable {
    public let name: String
    public let keyID: [UInt8]
    public let algorithm: UInt8
    /// Raw key bytes: swift-crypto's key types are not Sendable, bytes are.
    public let publicKeyBytes: [UInt8]

    var publicKey: Curve25519.Signing.PublicKey? { try? Curve25519.Signing.PublicKey(rawRepresentation: publicKeyBytes) }

    public init(_ encoded: String) throws(NoteKeyError) {
        // Base64 may itself contain "+": only the first two separate fields.
        let parts = encoded.split(separator: "+", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, NoteKeyID.validName(String(parts[0])) else { throw .malformed("expected name+keyid+key") }
        guard parts[1].count == 8, let id = UInt32(parts[1], radix: 16),
            Hex.encode(withUnsafeBytes(of: id.bigEndian) { Array($0) }) == parts[1]
        else { throw .malformed("the key id must be 8 lowercase hex digits") }
        // One spelling per key: canonical base64 only, so a key compares equal to itself as text.
        guard let raw = Data(base64Encoded: String(parts[2])), raw.count == 33, raw.base64EncodedString() == parts[2] else {
            throw .malformed("the key must be base64 of 33 bytes")
        }
        let bytes = Array(raw)
        guard bytes[0] == NoteKeyID.ed25519 || bytes[0] == NoteKeyID.cosignatureV1 else { throw .unsupportedAlgorithm(bytes[0]) }
        guard (try? Curve25519.Signing.PublicKey(rawRepresentation: bytes[1...])) != nil else { throw .malformed("not an Ed25519 key") }
        let keyID = withUnsafeBytes(of: id.bigEndian) { Array($0) }
        guard keyID == NoteKeyID.make(name: String(parts[0]), algorithm: bytes[0], publicKey: Array(bytes[1...])) else {
            throw .keyIDMismatch
        }
        self.name = String(parts[0])
        self.keyID = keyID
        self.algorithm = bytes[0]
        self.publicKeyBytes = Array(bytes[1...])
    }

    init(name: String, algorithm: UInt8, publicKey: [UInt8]) {
        self.name = name
        self.algorithm = algorithm
        self.publicKeyBytes = publicKey
        self.keyID = NoteKeyID.make(name: name, algorithm: algorithm, publicKey: publicKey)
    }

    /// The same key under another name (with the key id that name gives it).
    public func renamed(_ newName: String) -> NoteVerifier { NoteVerifier(name: newName, algorithm: algorithm, publicKey: publicKeyBytes) }

    /// The same key as a witness uses it: C2SP cosignature/v1 (algorithm 0x04) under the same name.
    public var forCosignature: NoteVerifier {
        NoteVerifier(name: name, algorithm: NoteKeyID.cosignatureV1, publicKey: publicKeyBytes)
    }

    public var encoded: String {
        return "\(name)+\(Hex.encode(keyID))+\(Data([algorithm] + publicKeyBytes).base64EncodedString())"
    }

    func verify(text: String, signature: [UInt8]) -> Bool {
        guard let publicKey else { return false }
        switch algorithm {
        case NoteKeyID.ed25519:
            return publicKey.isValidSignature(signature, for: Array(text.utf8))
        case NoteKeyID.cosignatureV1:
            guard signature.count == 72 else { return false }
            let time = Cosignature.time(signature)
            return publicKey.isValidSignature(Array(signature[8...]), for: Array(Cosignature.message(checkpoint: text, time: time).utf8))
        default:
            return false
        }
    }
}

/// An Ed25519 signer for notes, from a fresh key or Go's "PRIVATE+KEY+name+keyid+base64(0x01 || seed)".
public struct NoteSigner: Sendable {
    public let name: String
    /// The 32-byte Ed25519 seed, kept as bytes because swift-crypto's key types are not Sendable.
    let seed: [UInt8]
    var key: Curve25519.Signing.PrivateKey { try! Curve25519.Signing.PrivateKey(rawRepresentation: seed) }

    /// A new random key, or the given 32-byte seed.
    public init(name: String, seed: [UInt8]? = nil) throws(NoteKeyError) {
        guard NoteKeyID.validName(name) else { throw .malformed("the name must be non-empty, without spaces or +") }
        let seed = seed ?? Array(Curve25519.Signing.PrivateKey().rawRepresentation)
        guard seed.count == 32 else { throw .malformed("an Ed25519 seed has 32 bytes") }
        self.name = name
        self.seed = seed
    }

    /// A 32-byte key for another purpose, derived from this one with HKDF-SHA256: the one secret a server is
    /// configured with also seals what it must keep unreadable in its database (TOTP secrets).
    public func derivedKey(purpose: String) -> [UInt8] {
        HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: seed), info: Data(purpose.utf8), outputByteCount: 32
        ).withUnsafeBytes { Array($0) }
    }

    public init(_ encoded: String) throws(NoteKeyError) {
        let parts = encoded.split(separator: "+", maxSplits: 4, omittingEmptySubsequences: false)
        guard parts.count == 5, parts[0] == "PRIVATE", parts[1] == "KEY", NoteKeyID.validName(String(parts[2])) else {
            throw .malformed("expected PRIVATE+KEY+name+keyid+key")
        }
        guard let raw = Data(base64Encoded: String(parts[4])), raw.count == 33, raw.first == NoteKeyID.ed25519,
            let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: raw.dropFirst())
        else { throw .malformed("the private key must be base64 of 0x01 and a 32-byte seed") }
        self.name = String(parts[2])
        self.seed = Array(key.rawRepresentation)
        guard Hex.encode(verifier.keyID) == parts[3] else { throw .keyIDMismatch }
    }

    public var encoded: String {
        return "PRIVATE+KEY+\(name)+\(Hex.encode(verifier.keyID))+\(Data([NoteKeyID.ed25519] + seed).base64EncodedString())"
    }

    public var verifier: NoteVerifier {
        NoteVerifier(name: name, algorithm: NoteKeyID.ed25519, publicKey: Array(key.publicKey.rawRepresentation))
    }

    public func sign(_ text: String) throws -> SignedNote.Signature {
        SignedNote.Signature(name: name, keyID: verifier.keyID, signature: Array(try key.signature(for: Array(text.utf8))))
    }

    /// A C2SP cosignature/v1 over a checkpoint, by a witness (here: a partner organization).
    public func cosign(checkpoint text: String, time: UInt64) throws -> SignedNote.Signature {
        let cosigner = NoteVerifier(name: name, algorithm: NoteKeyID.cosignatureV1, publicKey: Array(key.publicKey.rawRepresentation))
        let signature = try key.signature(for: Array(Cosignature.message(checkpoint: text, time: time).utf8))
        let timeBytes = withUnsafeBytes(of: time.bigEndian) { Array($0) }
        return SignedNote.Signature(name: name, keyID: cosigner.keyID, signature: timeBytes + Array(signature))
    }

    public var cosignatureVerifier: NoteVerifier {
        NoteVerifier(name: name, algorithm: NoteKeyID.cosignatureV1, publicKey: Array(key.publicKey.rawRepresentation))
    }
}

public enum Cosignature {
    static func message(checkpoint: String, time: UInt64) -> String { "cosignature/v1\ntime \(time)\n" + checkpoint }

    /// The signing time a cosignature/v1 signature starts with: 8 bytes, big-endian seconds.
    static func time(_ signature: [UInt8]) -> UInt64 { signature.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) } }
}

/// A C2SP tlog checkpoint: origin, size and root hash, one per line, then optional extension lines.
public struct Checkpoint: Sendable, Equatable {
    public var origin: String
    public var size: UInt64
    public var root: Merkle.Hash
    public var extensions: [String]

    public init(origin: String, size: UInt64, root: Merkle.Hash, extensions: [String] = []) {
        self.origin = origin
        self.size = size
        self.root = root
        self.extensions = extensions
    }

    public var text: String {
        ([origin, String(size), Data(root).base64EncodedString()] + extensions).joined(separator: "\n") + "\n"
    }

    public enum ParseError: Error, Equatable, Sendable, CustomStringConvertible {
        case tooFewLines, badOrigin, badSize(String), badRoot(String)

        public var description: String {
            switch self {
            case .tooFewLines: "A checkpoint needs an origin, a size and a root hash line."
            case .badOrigin: "The checkpoint origin line is empty."
            case .badSize(let s): "The checkpoint size \"\(s.prefix(40))\" is not a decimal number without leading zeros."
            case .badRoot(let s): "The checkpoint root \"\(s.prefix(60))\" is not base64 of 32 bytes."
            }
        }
    }

    /// The origin of a partnership's log: the log key's name (this server), then the partnership.
    public static func origin(log: String, partnership: String) -> String { "\(log)/partnerships/\(partnership.lowercased())" }

    public init(text: String) throws(ParseError) {
        guard text.hasSuffix("\n") else { throw .tooFewLines }
        let lines = text.dropLast().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard lines.count >= 3 else { throw .tooFewLines }
        guard !lines[0].isEmpty else { throw .badOrigin }
        let sizeText = lines[1]
        guard !sizeText.isEmpty, sizeText.allSatisfy(\.isASCII), sizeText.allSatisfy(\.isNumber),
            sizeText == "0" || !sizeText.hasPrefix("0"), let size = UInt64(sizeText)
        else { throw .badSize(sizeText) }
        guard let root = Data(base64Encoded: lines[2]), root.count == 32 else { throw .badRoot(lines[2]) }
        self.init(origin: lines[0], size: size, root: Array(root), extensions: Array(lines.dropFirst(3)))
    }
}

/// C2SP tlog-tiles paths: tiles of 256 hashes, indices written in groups of three digits.
public enum TilePath {
    public static let width: UInt64 = 256

    /// 1234067 -> "x001/x234/067".
    public static func index(_ n: UInt64) -> String {
        var groups: [String] = []
        var rest = n
        repeat {
            groups.insert(String(rest % 1000).leftPadded(to: 3, with: "0"), at: 0)
            rest /= 1000
        } while rest > 0
        return groups.enumerated().map { $0.offset < groups.count - 1 ? "x" + $0.element : $0.element }.joined(separator: "/")
    }

    public static func tile(level: Int, index n: UInt64, width w: UInt64 = width) -> String {
        "tile/\(level)/\(index(n))" + (w < width ? ".p/\(w)" : "")
    }

    public static func entries(index n: UInt64, width w: UInt64 = width) -> String {
        "tile/entries/\(index(n))" + (w < width ? ".p/\(w)" : "")
    }

    public enum Kind: Sendable, Equatable {
        case hashes(level: Int)
        case entries
    }

    /// Parses the part of a tile path after "tile/": "<L>/<N>[.p/<W>]" or "entries/<N>[.p/<W>]".
    /// Only the canonical spelling is accepted, so every tile has exactly one URL.
    public static func parse(_ components: [String]) -> (kind: Kind, index: UInt64, width: UInt64)? {
        guard components.count >= 2 else { return nil }
        let kind: Kind
        if components[0] == "entries" {
            kind = .entries
        } else {
            guard let level = TLogProof.decimal(Substring(components[0])), level <= 63 else { return nil }
            kind = .hashes(level: Int(level))
        }
        var rest = Array(components.dropFirst())
        var width = TilePath.width
        if rest.count >= 2, rest[rest.count - 2].hasSuffix(".p") {
            guard let w = TLogProof.decimal(Substring(rest[rest.count - 1])), (1..<TilePath.width).contains(w) else { return nil }
            width = w
            rest.removeLast()
            rest[rest.count - 1].removeLast(2)
        }
        var n: UInt64 = 0
        for (i, group) in rest.enumerated() {
            let digits = i < rest.count - 1 ? (group.hasPrefix("x") ? String(group.dropFirst()) : "") : group
            guard digits.count == 3, digits.utf8.allSatisfy({ (0x30...0x39).contains($0) }), let value = UInt64(digits) else { return nil }
            let (scaled, overflow) = n.multipliedReportingOverflow(by: 1000)
            guard !overflow else { return nil }
            n = scaled + value
        }
        guard index(n) == rest.joined(separator: "/") else { return nil }
        return (kind, n, width)
    }

    /// Full tiles and the width of the partial tile at a tile level, for a tree of `size` entries.
    public static func layout(size: UInt64, level: Int) -> (fullTiles: UInt64, partialWidth: UInt64) {
        var nodes = size
        for _ in 0..<level { nodes /= width }
        return (nodes / width, nodes % width)
    }
}

extension String {
    func leftPadded(to length: Int, with pad: Character = "0") -> String {
        count >= length ? self : String(repeating: pad, count: length - count) + self
    }
}
