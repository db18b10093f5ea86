import ArgumentParser
import BonafideCore
import Crypto
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

extension Bonafide {
    struct VaultCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "vault", abstract: "End-to-end encrypted documents: keys, and files encrypted on this machine.",
            discussion: "The format is described in the README (Confidential documents).",
            subcommands: [Keygen.self, Encrypt.self, Decrypt.self, VaultInit.self, Unlock.self, Upload.self, Download.self])
    }

    struct Keygen: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a key pair: the private key goes to a file only you can read; the public key is printed.")
        @Option(name: .customLong("out"), help: "The file for the private key (created with mode 0600; never overwritten).")
        var out: String

        func run() throws {
            let key = Curve25519.KeyAgreement.PrivateKey()
            try writePrivate(out, Array((VaultFormat.encode(privateKey: key) + "\n").utf8))
            print(VaultFormat.encode(publicKey: key.publicKey))
        }
    }

    struct Encrypt: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Encrypt standard input to standard output for one or more public keys.")
        @Option(name: .customLong("to"), help: "A recipient's public key (bfv1pk_…); repeatable.") var recipients: [String] = []
        @Option(help: "The file name to keep, encrypted, with the content.") var name = ""
        @Option(help: "The media type to keep, encrypted, with the content.") var type = "application/octet-stream"

        func validate() throws {
            guard !recipients.isEmpty else { throw ValidationError("Name at least one recipient with --to.") }
            for r in recipients where (try? VaultFormat.publicKey(r)) == nil {
                throw ValidationError("\"\(r.prefix(60))\" is not a vault public key (bfv1pk_…).")
            }
        }

        func run() throws {
            var encryptor = try VaultEncryptor(
                recipients: recipients.map { try VaultFormat.publicKey($0) }, metadata: .init(name: name, type: type))
            let output = Output()
            try output.write(encryptor.header)
            var current = try readFull(VaultFormat.chunkSize)
            while true {
                // One chunk ahead, so the last chunk is known to be the last when it is sealed.
                let next = current.count == VaultFormat.chunkSize ? try readFull(VaultFormat.chunkSize) : []
                let last = next.isEmpty
                try output.write(try encryptor.seal(current, last: last))
                if last { break }
                current = next
            }
            try output.flush()
        }
    }

    struct Decrypt: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Decrypt standard input to standard output with your private key.",
            discussion:
                "Nothing is written to standard output unless the whole file authenticates: the plaintext waits in a private temporary file until the last part is checked."
        )
        @Option(name: .customLong("key"), help: "Your private key file (from vault keygen or vault unlock; one key a line).") var keyFile:
            String

        func run() throws {
            _ = try decryptVault(from: 0, keys: try readKeys(keyFile), to: Output())
        }
    }
}

/// Decrypts a vault file from `fd` to `output`, releasing nothing unless the whole file authenticates, and answers its
/// name and type. On failure: a message on standard error and exit status 1.
func decryptVault(from fd: Int32, keys: [Curve25519.KeyAgreement.PrivateKey], to output: Output) throws -> VaultFormat.Metadata {
    var header: [UInt8] = []
    do {
        while true {
            if let length = try VaultDecryptor.headerLength(header) {
                if header.count < length { header += try readFull(length - header.count, from: fd) }
                guard header.count >= length else { throw VaultFormat.Failure.truncated }
                break
            }
            let more = try readFull(header.count < 24 ? 24 - header.count : 4096, from: fd)
            if more.isEmpty { throw header.isEmpty ? VaultFormat.Failure.notAVaultFile : VaultFormat.Failure.truncated }
            header += more
        }
    } catch let error as VaultFormat.Failure {
        throw fail(error.description)
    }
    // The header read above may hold the start of the first chunk: keep it.
    let length = ((try? VaultDecryptor.headerLength(header)) ?? nil) ?? header.count
    let carry = Array(header[length...])
    header = Array(header[..<length])
    var decryptor: VaultDecryptor
    do { decryptor = try VaultDecryptor(header: header, anyOf: keys) } catch { throw fail("\(error)") }
    let metadata = decryptor.metadata
    // One pass: the plaintext waits in a private temporary file until the last chunk authenticates, then is released
    // whole. Checking first and decrypting again would run AES twice.
    if let target = EmptyFileTarget(output.fd) {
        // Output redirected to a new file: the temporary file sits beside it and is renamed over it at the end, so
        // the plaintext is written once and released in one step.
        let staged = try Output(fd: target.stage())
        do {
            try openChunks(&decryptor, carry: carry, from: fd) { try staged.write($0) }
            try staged.flush()
        } catch let error as VaultFormat.Failure {
            target.abandon(staged.fd)
            throw fail(error.description)
        } catch {
            target.abandon(staged.fd)
            throw error
        }
        try target.release(staged.fd)
        return metadata
    }
    // Input that can be read twice (a file): check every chunk first, then decrypt straight to the output. Two
    // passes of AES on every core cost less than writing the plaintext aside and reading it back. The second pass
    // authenticates again: a file altered in between stops at the altered chunk.
    var info = stat()
    if fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG {
        let bodyStart = lseek(fd, 0, SEEK_CUR) - off_t(carry.count)
        do {
            var check = decryptor
            try openChunks(&check, carry: carry, from: fd) { _ in }
            guard lseek(fd, bodyStart, SEEK_SET) == bodyStart else { throw VaultFormat.Failure.truncated }
            try openChunks(&decryptor, carry: [], from: fd) { try output.write($0) }
            try output.flush()
        } catch let error as VaultFormat.Failure {
            throw fail(error.description)
        }
        return metadata
    }
    // Anything else (a pipe, a terminal): the plaintext waits in an unlinked file, then the kernel copies it out.
    let spool = try Spool()
    do {
        try openChunks(&decryptor, carry: carry, from: fd) { try spool.write($0) }
    } catch let error as VaultFormat.Failure {
        spool.discard()
        throw fail(error.description)
    } catch {
        spool.discard()
        throw error
    }
    try spool.release(to: output)
    return metadata
}

/// An output that is an empty regular file at offset 0 whose path is known (`> out`, or a file the CLI made): the
/// decrypted file is staged beside it with mode 0600 and renamed over it only when complete.
struct EmptyFileTarget {
    let path: String
    private let staging: String

    init?(_ fd: Int32) {
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, info.st_size == 0, lseek(fd, 0, SEEK_CUR) == 0,
            let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(fd)"), path.hasPrefix("/")
        else { return nil }
        var named = stat()
        guard stat(path, &named) == 0, named.st_dev == info.st_dev, named.st_ino == info.st_ino else { return nil }
        self.path = path
        let dir = (path as NSString).deletingLastPathComponent
        staging = dir + "/.bonafide-\(UUID().uuidString.prefix(8)).partial"
    }

    func stage() throws -> Int32 {
        let fd = open(staging, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw ValidationError("Cannot create \(staging): \(String(cString: strerror(errno))).") }
        return fd
    }

    func abandon(_ fd: Int32) {
        close(fd)
        unlink(staging)
    }

    /// Renamed over the output: whoever looks sees the empty file or the whole plaintext, never a part. (Not synced:
    /// a decrypted copy is as durable as any file a command writes; `vault download` syncs its own.)
    func release(_ fd: Int32) throws {
        defer { close(fd) }
        guard rename(staging, path) == 0 else {
            unlink(staging)
            throw ValidationError("Cannot put the decrypted file in place at \(path): \(String(cString: strerror(errno))).")
        }
    }
}

/// Opens the chunks that follow the header (the first bytes may already be in `carry`), in order, telling the last.
func openChunks(_ decryptor: inout VaultDecryptor, carry initial: [UInt8], from fd: Int32 = 0, _ sink: ([UInt8]) throws -> Void) throws {
    let sealedSize = VaultFormat.chunkSize + VaultFormat.tagSize
    var carry = initial
    func nextSealed() throws -> [UInt8] {
        if carry.count >= sealedSize {
            let chunk = Array(carry.prefix(sealedSize))
            carry.removeFirst(sealedSize)
            return chunk
        }
        let chunk = carry + (try readFull(sealedSize - carry.count, from: fd))
        carry = []
        return chunk
    }
    var current = try nextSealed()
    guard !current.isEmpty else { throw VaultFormat.Failure.truncated }
    while true {
        // One chunk ahead, so the last chunk is known to be the last when it is opened.
        let next = current.count == sealedSize ? try nextSealed() : []
        let last = next.isEmpty
        try sink(try decryptor.open(current, last: last))
        if last { break }
        current = next
    }
}

/// A refusal: the reason on standard error, exit status 1.
func fail(_ message: String) -> ExitCode {
    FileHandle.standardError.write(Data(("bonafide vault: " + message + "\n").utf8))
    return ExitCode(1)
}

/// Up to `count` bytes of standard input (or `fd`): fewer only at its end.
func readFull(_ count: Int, from fd: Int32 = 0) throws -> [UInt8] {
    var out = [UInt8](repeating: 0, count: count)
    var filled = 0
    while filled < count {
        let n = out.withUnsafeMutableBytes { read(fd, $0.baseAddress! + filled, count - filled) }
        if n < 0 {
            if errno == EINTR { continue }
            throw ValidationError("Cannot read standard input: \(String(cString: strerror(errno))).")
        }
        if n == 0 { break }
        filled += n
    }
    out.removeSubrange(filled...)
    return out
}

/// Standard output (or `fd`) with a 1 MiB buffer.
final class Output {
    private var buffer: [UInt8] = []
    let fd: Int32

    init(fd: Int32 = 1) { self.fd = fd }

    func write(_ bytes: [UInt8]) throws {
        buffer += bytes
        if buffer.count >= 1 << 20 { try flush() }
    }

    func flush() throws {
        var offset = 0
        while offset < buffer.count {
            let n = buffer.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, buffer.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                throw ValidationError("Cannot write standard output: \(String(cString: strerror(errno))).")
            }
            offset += n
        }
        buffer.removeAll(keepingCapacity: true)
    }
}

/// Decrypted bytes wait here, in a file only this user can read (already unlinked), until the whole input checks out.
final class Spool {
    let fd: Int32

    init() throws {
        var template = Array((NSTemporaryDirectory() + "/bonafide-vault-XXXXXX").utf8CString)
        fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw ValidationError("Cannot make a temporary file: \(String(cString: strerror(errno))).") }
        let path = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        unlink(path)  // gone from the directory at once: nothing is left behind, whatever happens
    }

    func write(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, bytes.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                throw ValidationError("Cannot write the temporary file: \(String(cString: strerror(errno))).")
            }
            offset += n
        }
    }

    private var closed = false

    func discard() {
        guard !closed else { return }
        closed = true
        close(fd)
    }

    func release(to output: Output) throws {
        try output.flush()
        var left = lseek(fd, 0, SEEK_END)
        lseek(fd, 0, SEEK_SET)
        var offset: off_t = 0
        // sendfile copies inside the kernel, to any kind of output; read and write are the fallback.
        while left > 0 {
            let n = sendfile(output.fd, fd, &offset, min(Int(left), 1 << 30))
            if n < 0 {
                if errno == EINTR { continue }
                if errno == EINVAL || errno == ENOSYS { break }
                throw ValidationError("Cannot write the output: \(String(cString: strerror(errno))).")
            }
            left -= off_t(n)
        }
        if left > 0 {
            lseek(fd, offset, SEEK_SET)
            var block = [UInt8](repeating: 0, count: 1 << 20)
            while true {
                let n = block.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
                if n < 0 {
                    if errno == EINTR { continue }
                    throw ValidationError("Cannot read the temporary file back.")
                }
                if n == 0 { break }
                try output.write(Array(block[..<n]))
            }
            try output.flush()
        }
        discard()
    }
}

/// The private keys in a key file, one a line (`vault unlock` writes every version of the organization's key).
func readKeys(_ path: String) throws -> [Curve25519.KeyAgreement.PrivateKey] {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
        throw fail("Cannot read the key in \(path): no such readable file.")
    }
    do {
        let keys = try text.split(whereSeparator: \.isNewline).filter { !$0.allSatisfy(\.isWhitespace) }.map {
            try VaultFormat.privateKey(String($0))
        }
        guard !keys.isEmpty else { throw VaultFormat.Failure.badKey }
        return keys
    } catch {
        throw fail("Cannot read the key in \(path): \(error).")
    }
}

extension VaultDecryptor {
    /// Opens the header with whichever of the keys it was encrypted for.
    init(header: [UInt8], anyOf keys: [Curve25519.KeyAgreement.PrivateKey]) throws {
        var failure: any Error = VaultFormat.Failure.notARecipient
        for key in keys {
            do {
                self = try VaultDecryptor(header: header, privateKey: key)
                return
            } catch VaultFormat.Failure.notARecipient {
                continue
            } catch {
                failure = error
            }
        }
        throw failure
    }
}
