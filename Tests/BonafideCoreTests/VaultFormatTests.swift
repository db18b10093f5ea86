import Crypto
import Foundation
import Testing

@testable import BonafideCore

@Suite("Vault format")
struct VaultFormatTests {
    func hex(_ s: String) -> [UInt8] { Hex.decode(s)! }

    /// Bytes computed independently with Python's `cryptography` (AESGCM): key 00..1f, file id a0..af.
    @Test func chunksMatchTheKnownAnswers() throws {
        let key = SymmetricKey(data: Array(0..<32) as [UInt8])
        let fileID = Array(0xa0...0xaf) as [UInt8]
        let sealed = try VaultFormat.sealChunk(Array("Bonafide vault KAT".utf8), key: key, fileID: fileID, index: 1, flag: 1)
        #expect(sealed == hex("d4241f8c0f34b9668109038d569349ac94e73c30e38bc2411f1b65b8cf02b43353cf"))
        #expect(
            try VaultFormat.sealChunk([UInt8](), key: key, fileID: fileID, index: 0, flag: 0) == hex("b65dd7d252826dce39fb11006a0392a5"))
        #expect(try VaultFormat.openChunk(sealed, key: key, fileID: fileID, index: 1, flag: 1) == Array("Bonafide vault KAT".utf8))
    }

    /// RFC 9180 test vector: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-256-GCM, base mode, first encryption.
    @Test func hpkeOpensTheRFC9180Vector() throws {
        let sk = try Curve25519.KeyAgreement.PrivateKey(
            rawRepresentation: hex("497b4502664cfea5d5af0b39934dac72242a74f8480451e1aee7d6a53320333d"))
        #expect(Array(sk.publicKey.rawRepresentation) == hex("430f4b9859665145a6b1ba274024487bd66f03a2dd577d7753c68d7d7d00c00c"))
        var recipient = try HPKE.Recipient(
            privateKey: sk, ciphersuite: VaultFormat.suite, info: Data(hex("4f6465206f6e2061204772656369616e2055726e")),
            encapsulatedKey: Data(hex("6c93e09869df3402d7bf231bf540fadd35cd56be14f97178f0954db94b7fc256")))
        let pt = try recipient.open(
            Data(hex("e5d84cd531cfb583096e7cfa9641bd3079cf3a91cda813c52deb5f512be9931980a41de125a925cdad859d5b7a")),
            authenticating: Data(hex("436f756e742d30")))
        #expect(String(decoding: pt, as: UTF8.self) == "Beauty is truth, truth beauty")
    }

    func encrypt(_ plaintext: [UInt8], for keys: [Curve25519.KeyAgreement.PublicKey], name: String = "contract.pdf") throws -> (
        header: [UInt8], chunks: [[UInt8]]
    ) {
        var e = try VaultEncryptor(recipients: keys, metadata: .init(name: name, type: "application/pdf"))
        var chunks: [[UInt8]] = []
        var offset = 0
        repeat {
            let end = min(offset + VaultFormat.chunkSize, plaintext.count)
            chunks.append(try e.seal(plaintext[offset..<end], last: end == plaintext.count))
            offset = end
        } while offset < plaintext.count
        return (e.header, chunks)
    }

    func decrypt(_ header: [UInt8], _ chunks: [[UInt8]], key: Curve25519.KeyAgreement.PrivateKey) throws -> [UInt8] {
        var d = try VaultDecryptor(header: header, privateKey: key)
        var out: [UInt8] = []
        for (i, c) in chunks.enumerated() { out += try d.open(c, last: i == chunks.count - 1) }
        return out
    }

    @Test func roundTripsAtEveryChunkBoundary() throws {
        let alice = Curve25519.KeyAgreement.PrivateKey()
        let bob = Curve25519.KeyAgreement.PrivateKey()
        let size = VaultFormat.chunkSize
        for n in [0, 1, size - 1, size, size + 1, 3 * size] {
            let plaintext = (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
            let (header, chunks) = try encrypt(plaintext, for: [alice.publicKey, bob.publicKey])
            #expect(chunks.count == max(1, (n + size - 1) / size), "\(n)")
            #expect(try decrypt(header, chunks, key: alice) == plaintext)
            #expect(try decrypt(header, chunks, key: bob) == plaintext)
            let d = try VaultDecryptor(header: header, privateKey: bob)
            #expect(d.metadata == .init(name: "contract.pdf", type: "application/pdf"))
            // Neither the name nor any run of the plaintext is in the stored bytes.
            let stored = header + chunks.joined()
            #expect(!stored.contains(subsequence: Array("contract.pdf".utf8)))
            if n >= 64 { #expect(!stored.contains(subsequence: Array(plaintext[16..<48]))) }
        }
    }

    @Test func everyTamperingIsRefused() throws {
        let alice = Curve25519.KeyAgreement.PrivateKey()
        let plaintext = (0..<(3 * VaultFormat.chunkSize + 100)).map { UInt8(truncatingIfNeeded: $0) }
        let (header, chunks) = try encrypt(plaintext, for: [alice.publicKey])
        // Any flipped byte, in the header (past the recipient's key id) or in any chunk.
        for position in stride(from: 8, to: header.count, by: 7) {
            var h = header
            h[position] ^= 0x40
            #expect(throws: (any Error).self, "header byte \(position)") { try decrypt(h, chunks, key: alice) }
        }
        for (i, c) in chunks.enumerated() {
            for position in [0, c.count / 2, c.count - 1] {
                var altered = chunks
                altered[i][position] ^= 0x01
                #expect(throws: VaultFormat.Failure.damaged(chunk: i)) { try decrypt(header, altered, key: alice) }
            }
        }
        // Cut at a chunk boundary, a chunk dropped, two swapped.
        #expect(throws: VaultFormat.Failure.damaged(chunk: 2)) { try decrypt(header, Array(chunks.prefix(3)), key: alice) }
        #expect(throws: VaultFormat.Failure.damaged(chunk: 1)) { try decrypt(header, [chunks[0], chunks[2], chunks[3]], key: alice) }
        #expect(throws: VaultFormat.Failure.damaged(chunk: 1)) {
            try decrypt(header, [chunks[0], chunks[2], chunks[1], chunks[3]], key: alice)
        }
        // A chunk from another file, and another file's header, even for the same recipient.
        let (otherHeader, otherChunks) = try encrypt(plaintext, for: [alice.publicKey])
        #expect(throws: VaultFormat.Failure.damaged(chunk: 1)) {
            try decrypt(header, [chunks[0], otherChunks[1], chunks[2], chunks[3]], key: alice)
        }
        #expect(throws: VaultFormat.Failure.damaged(chunk: 0)) { try decrypt(otherHeader, chunks, key: alice) }
        // A wrong key.
        #expect(throws: VaultFormat.Failure.notARecipient) { try decrypt(header, chunks, key: Curve25519.KeyAgreement.PrivateKey()) }
        // Not a vault file at all, or another version.
        #expect(throws: VaultFormat.Failure.notAVaultFile) { try VaultDecryptor.headerLength(Array("%PDF-1.7".utf8)) }
        #expect(throws: VaultFormat.Failure.unsupportedVersion(2)) { try VaultDecryptor.headerLength(VaultFormat.magic + [2]) }
    }

    @Test func keysRoundTripAsText() throws {
        let key = Curve25519.KeyAgreement.PrivateKey()
        #expect(try VaultFormat.privateKey(VaultFormat.encode(privateKey: key)).rawRepresentation == key.rawRepresentation)
        #expect(
            try VaultFormat.publicKey(VaultFormat.encode(publicKey: key.publicKey)).rawRepresentation == key.publicKey.rawRepresentation)
        for bad in ["", "bfv1pk_", "bfv1pk_abc", "bfv1sk_" + String(repeating: "A", count: 43), "age1xyz"] {
            #expect(throws: VaultFormat.Failure.badKey) { try VaultFormat.publicKey(bad) }
        }
    }
}

extension Array where Element == UInt8 {
    fileprivate func contains(subsequence: [UInt8]) -> Bool {
        guard !subsequence.isEmpty, subsequence.count <= count else { return false }
        for start in 0...(count - subsequence.count) where self[start] == subsequence[0] {
            if Array(self[start..<start + subsequence.count]) == subsequence { return true }
        }
        return false
    }
}
