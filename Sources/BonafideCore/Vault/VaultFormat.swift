import Crypto
import Foundation

/// Bonafide's encrypted document format, version 1: a file is encrypted on the client under a fresh 256-bit
/// content key in chunks of 64 KiB (AES-256-GCM); the content key is wrapped for each recipient with HPKE
/// (RFC 9180: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-256-GCM); name and type travel encrypted too.
///
/// ```text
/// header  = "BFV1" | version 0x01 | log2(chunk size) 0x10 | file id (16 random bytes)
///         | recipient count (u16, big-endian) | recipients | metadata length (u32) | metadata
/// recipient = key id (first 8 bytes of SHA-256 of the X25519 public key) | enc (32) | wrapped content key (32 + 16)
/// chunk i = AES-256-GCM(content key, nonce = u64 i (big-endian) | 00 00 00 | flag, aad = "BFV1" | file id)
///           flag 0x01 on the last chunk, 0x00 before it; the metadata uses flag 0x02 with i = 0
/// ```
///
/// Rules, each with its reason: the nonce carries the chunk's index and whether it is the last, so chunks cannot be
/// reordered, dropped or the file cut at a chunk boundary; the file id is in every chunk's associated data and in
/// each wrapped key's, so nothing moves between files; an empty file still has one (empty) last chunk, so "nothing"
/// and "cut before the first chunk" differ; a reader releases plaintext only after the last chunk authenticates.
public enum VaultFormat {
    public static let magic = Array("BFV1".utf8)
    public static let version: UInt8 = 1
    public static let chunkLog: UInt8 = 16
    public static let chunkSize = 1 << 16
    public static let tagSize = 16
    public static let info = Data("bonafide vault v1".utf8)
    public static var suite: HPKE.Ciphersuite { HPKE.Ciphersuite(kem: .Curve25519_HKDF_SHA256, kdf: .HKDF_SHA256, aead: .AES_GCM_256) }
    static let recipientSize = 8 + 32 + 48
    public static let maxRecipients = 1_000
    static let maxMetadata = 64 * 1024

    public enum Failure: Error, Equatable, CustomStringConvertible {
        case notAVaultFile, unsupportedVersion(UInt8), truncated, notARecipient, damaged(chunk: Int), badKey, tooManyRecipients
        public var description: String {
            switch self {
            case .notAVaultFile: "This is not a Bonafide vault file."
            case .unsupportedVersion(let v): "This vault file has format version \(v); this program reads version 1."
            case .truncated: "The file is cut short: its last part is missing."
            case .notARecipient: "This file was not encrypted for your key."
            case .damaged(let chunk): "The file was altered or damaged (at part \(chunk + 1)); nothing was decrypted."
            case .badKey: "The key is not a Bonafide vault key."
            case .tooManyRecipients: "A file can be encrypted for at most \(maxRecipients) keys."
            }
        }
    }

    public struct Metadata: Codable, Sendable, Equatable {
        public var name: String
        public var type: String
        public init(name: String, type: String) {
            self.name = name
            self.type = type
        }
    }

    // MARK: Keys

    /// A public key as one line of text: "bfv1pk_" and the 32 bytes in base64url.
    public static func encode(publicKey: Curve25519.KeyAgreement.PublicKey) -> String {
        "bfv1pk_" + Base64URL.encode(publicKey.rawRepresentation)
    }
    public static func encode(privateKey: Curve25519.KeyAgreement.PrivateKey) -> String {
        "bfv1sk_" + Base64URL.encode(privateKey.rawRepresentation)
    }

    public static func publicKey(_ text: String) throws -> Curve25519.KeyAgreement.PublicKey {
        let t = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard t.hasPrefix("bfv1pk_"), let raw = Base64URL.decode(String(t.dropFirst(7))), raw.count == 32,
            let key = try? Curve25519.KeyAgreement.PublicKey(rawRepresentation: raw)
        else { throw Failure.badKey }
        return key
    }

    public static func privateKey(_ text: String) throws -> Curve25519.KeyAgreement.PrivateKey {
        let t = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard t.hasPrefix("bfv1sk_"), let raw = Base64URL.decode(String(t.dropFirst(7))), raw.count == 32,
            let key = try? Curve25519.KeyAgreement.PrivateKey(rawRepresentation: raw)
        else { throw Failure.badKey }
        return key
    }

    public static func keyID(_ key: Curve25519.KeyAgreement.PublicKey) -> [UInt8] {
        Array(SHA256.hash(data: key.rawRepresentation).prefix(8))
    }

    // MARK: Chunks

    static func nonce(index: UInt64, flag: UInt8) -> [UInt8] {
        var n = [UInt8](repeating: 0, count: 12)
        for b in 0..<8 { n[b] = UInt8(truncatingIfNeeded: index >> (56 - 8 * UInt64(b))) }
        n[11] = flag
        return n
    }

    static func aad(_ fileID: [UInt8]) -> [UInt8] { magic + fileID }

    /// The recipient count and list: the content key wrapped for each key.
    static func recipients(_ keys: [Curve25519.KeyAgreement.PublicKey], contentKey: SymmetricKey, fileID: [UInt8]) throws -> [UInt8] {
        guard !keys.isEmpty, keys.count <= maxRecipients else { throw Failure.tooManyRecipients }
        var out = [UInt8(keys.count >> 8), UInt8(keys.count & 0xff)]
        let keyBytes = contentKey.withUnsafeBytes { Array($0) }
        for r in keys {
            var sender = try HPKE.Sender(recipientKey: r, ciphersuite: suite, info: info)
            let wrapped = try sender.seal(keyBytes, authenticating: fileID)
            out += keyID(r) + Array(sender.encapsulatedKey) + Array(wrapped)
        }
        return out
    }

    /// One chunk sealed: ciphertext then tag.
    public static func sealChunk(_ plaintext: some DataProtocol, key: SymmetricKey, fileID: [UInt8], index: UInt64, flag: UInt8) throws
        -> [UInt8]
    {
        let box = try AES.GCM.seal(
            plaintext, using: key, nonce: try AES.GCM.Nonce(data: nonce(index: index, flag: flag)), authenticating: aad(fileID))
        return Array(box.ciphertext) + Array(box.tag)
    }

    public static func openChunk(_ sealed: some DataProtocol, key: SymmetricKey, fileID: [UInt8], index: UInt64, flag: UInt8) throws
        -> [UInt8]
    {
        let bytes = Array(sealed)
        guard bytes.count >= tagSize else { throw Failure.damaged(chunk: Int(index)) }
        do {
            let box = try AES.GCM.SealedBox(
                nonce: try AES.GCM.Nonce(data: nonce(index: index, flag: flag)), ciphertext: bytes.dropLast(tagSize),
                tag: bytes.suffix(tagSize))
            return Array(try AES.GCM.open(box, using: key, authenticating: aad(fileID)))
        } catch {
            throw Failure.damaged(chunk: Int(index))
        }
    }
}

/// Writes a vault file: the header first, then chunks as the plaintext arrives.
public struct VaultEncryptor {
    public let header: [UInt8]
    private let key: SymmetricKey
    private let fileID: [UInt8]
    private var index: UInt64 = 0
    private var finished = false

    public init(
        recipients: [Curve25519.KeyAgreement.PublicKey], metadata: VaultFormat.Metadata,
        contentKey: SymmetricKey = SymmetricKey(size: .bits256),
        fileID: [UInt8] = (0..<16).map { _ in UInt8.random(in: .min ... .max) }
    ) throws {
        guard !recipients.isEmpty, recipients.count <= VaultFormat.maxRecipients else { throw VaultFormat.Failure.tooManyRecipients }
        self.key = contentKey
        self.fileID = fileID
        var h = VaultFormat.magic + [VaultFormat.version, VaultFormat.chunkLog] + fileID
        h += try VaultFormat.recipients(recipients, contentKey: contentKey, fileID: fileID)
        let meta = try VaultFormat.sealChunk(
            try JSONEncoder().encode(metadata), key: contentKey, fileID: fileID, index: 0, flag: 2)
        let n = UInt32(meta.count)
        h += [UInt8(n >> 24), UInt8(n >> 16 & 0xff), UInt8(n >> 8 & 0xff), UInt8(n & 0xff)] + meta
        header = h
    }

    /// Seals the next chunk: exactly `VaultFormat.chunkSize` bytes, except the last, which may be shorter (or empty).
    public mutating func seal(_ chunk: some DataProtocol, last: Bool) throws -> [UInt8] {
        precondition(!finished, "the last chunk was already sealed")
        precondition(last || chunk.count == VaultFormat.chunkSize, "only the last chunk may be short")
        let sealed = try VaultFormat.sealChunk(chunk, key: key, fileID: fileID, index: index, flag: last ? 1 : 0)
        index += 1
        finished = last
        return sealed
    }
}

/// Reads a vault file: the header once, then each sealed chunk in order; the caller tells which is the last.
public struct VaultDecryptor {
    public let metadata: VaultFormat.Metadata
    public let fileID: [UInt8]
    private let key: SymmetricKey
    /// The metadata's length and sealed bytes, kept verbatim for `header(for:)`.
    private let metadataBlock: [UInt8]
    private var index: UInt64 = 0

    /// The header's length once `prefix` holds enough of it (nil: read more), or a failure for what is no vault file.
    public static func headerLength(_ prefix: [UInt8]) throws -> Int? {
        if prefix.count >= 4, Array(prefix.prefix(4)) != VaultFormat.magic { throw VaultFormat.Failure.notAVaultFile }
        if prefix.count >= 5, prefix[4] != VaultFormat.version { throw VaultFormat.Failure.unsupportedVersion(prefix[4]) }
        if prefix.count >= 6, prefix[5] != VaultFormat.chunkLog { throw VaultFormat.Failure.notAVaultFile }
        guard prefix.count >= 24 else { return nil }
        let count = Int(prefix[22]) << 8 | Int(prefix[23])
        guard count >= 1, count <= VaultFormat.maxRecipients else { throw VaultFormat.Failure.notAVaultFile }
        let metaAt = 24 + count * VaultFormat.recipientSize
        guard prefix.count >= metaAt + 4 else { return nil }
        let m = prefix[metaAt..<metaAt + 4].reduce(0) { $0 << 8 | Int($1) }
        guard m >= VaultFormat.tagSize, m <= VaultFormat.maxMetadata else { throw VaultFormat.Failure.notAVaultFile }
        return metaAt + 4 + m
    }

    public init(header: [UInt8], privateKey: Curve25519.KeyAgreement.PrivateKey) throws {
        guard let length = try Self.headerLength(header), header.count >= length else { throw VaultFormat.Failure.truncated }
        let fileID = Array(header[6..<22])
        let count = Int(header[22]) << 8 | Int(header[23])
        let mine = VaultFormat.keyID(privateKey.publicKey)
        var contentKey: SymmetricKey?
        for i in 0..<count {
            let at = 24 + i * VaultFormat.recipientSize
            guard Array(header[at..<at + 8]) == mine else { continue }
            let enc = Data(header[at + 8..<at + 40])
            let wrapped = Data(header[at + 40..<at + 88])
            guard
                var recipient = try? HPKE.Recipient(
                    privateKey: privateKey, ciphersuite: VaultFormat.suite, info: VaultFormat.info, encapsulatedKey: enc),
                let raw = try? recipient.open(wrapped, authenticating: fileID), raw.count == 32
            else { continue }
            contentKey = SymmetricKey(data: raw)
            break
        }
        guard let contentKey else { throw VaultFormat.Failure.notARecipient }
        let metaAt = 24 + count * VaultFormat.recipientSize + 4
        let metaBytes = try VaultFormat.openChunk(header[metaAt..<length], key: contentKey, fileID: fileID, index: 0, flag: 2)
        guard let metadata = try? JSONDecoder().decode(VaultFormat.Metadata.self, from: Data(metaBytes)) else {
            throw VaultFormat.Failure.damaged(chunk: 0)
        }
        self.metadata = metadata
        self.fileID = fileID
        self.key = contentKey
        self.metadataBlock = Array(header[(metaAt - 4)..<length])
    }

    /// The same file's header for other keys: same content key, file id and sealed metadata (never sealed again,
    /// which would reuse its nonce), so the chunks stay as they are. Share links and new recipients use it.
    public func header(for recipients: [Curve25519.KeyAgreement.PublicKey]) throws -> [UInt8] {
        VaultFormat.magic + [VaultFormat.version, VaultFormat.chunkLog] + fileID
            + (try VaultFormat.recipients(recipients, contentKey: key, fileID: fileID)) + metadataBlock
    }

    /// Opens the next chunk; any alteration, reordering or a wrong "last" fails.
    public mutating func open(_ sealed: some DataProtocol, last: Bool) throws -> [UInt8] {
        let plain = try VaultFormat.openChunk(sealed, key: key, fileID: fileID, index: index, flag: last ? 1 : 0)
        index += 1
        return plain
    }
}

/// What the server checks in a header it cannot open: that it is one, which file, which keys it is for, and that two
/// headers of one file carry the same sealed metadata.
public struct VaultHeader: Sendable {
    public let bytes: [UInt8]
    public let fileID: [UInt8]
    public let keyIDs: [[UInt8]]
    public let metadataBlock: ArraySlice<UInt8>

    /// `bytes` must be exactly one header.
    public init(_ bytes: [UInt8]) throws {
        guard let length = try VaultDecryptor.headerLength(bytes) else { throw VaultFormat.Failure.truncated }
        guard bytes.count == length else { throw VaultFormat.Failure.notAVaultFile }
        let count = Int(bytes[22]) << 8 | Int(bytes[23])
        self.bytes = bytes
        fileID = Array(bytes[6..<22])
        keyIDs = (0..<count).map { i in Array(bytes[(24 + i * VaultFormat.recipientSize)..<(32 + i * VaultFormat.recipientSize)]) }
        metadataBlock = bytes[(24 + count * VaultFormat.recipientSize)...]
    }
}
