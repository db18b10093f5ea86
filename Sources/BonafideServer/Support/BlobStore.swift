import Foundation
import NIOCore
import NIOPosix

#if canImport(Glibc)
    import Glibc
#endif

/// Where the vault's ciphertext lives. One protocol, so an object store can take the local folder's place.
protocol BlobStore: Sendable {
    /// A new blob, written in order; it exists under `key` only once `commit` returns.
    func create(_ key: String) async throws -> any BlobWriter
    /// The blob's bytes from `offset` on, in blocks.
    func read(_ key: String, from offset: Int64) -> AsyncThrowingStream<ArraySlice<UInt8>, any Error>
    func delete(_ key: String) async throws
}

protocol BlobWriter: AnyObject, Sendable {
    func append(_ bytes: ArraySlice<UInt8>) async throws
    /// Durable before it returns: the data and its name reach the disk.
    func commit() async throws
    func abort() async
}

/// Blobs as files in one folder of the data directory, written to a temporary name, synced, then renamed, so a
/// crash leaves either the whole blob or none. File I/O runs on the thread pool, never on an event loop.
struct LocalBlobStore: BlobStore {
    let directory: String

    init(directory: String) throws {
        self.directory = directory
        try FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    }

    func path(_ key: String) -> String {
        precondition(key.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" }, "blob keys are ids")
        return directory + "/" + key
    }

    func create(_ key: String) async throws -> any BlobWriter {
        let final = path(key)
        let temporary = final + ".partial"
        let fd = try await Offload.cpu { open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600) }
        guard fd >= 0 else { throw BlobError.io("cannot create \(temporary): \(String(cString: strerror(errno)))") }
        return LocalBlobWriter(fd: fd, temporary: temporary, final: final, directory: directory)
    }

    func read(_ key: String, from offset: Int64) -> AsyncThrowingStream<ArraySlice<UInt8>, any Error> {
        let file = path(key)
        return AsyncThrowingStream { continuation in
            let task = Task {
                let fd = try? await Offload.cpu { open(file, O_RDONLY | O_CLOEXEC) }
                guard let fd, fd >= 0 else {
                    continuation.finish(throwing: BlobError.missing(key))
                    return
                }
                defer { close(fd) }
                var position = offset
                while !Task.isCancelled {
                    do {
                        let at = position
                        let block = try await Offload.cpu { () -> [UInt8] in
                            var block = [UInt8](repeating: 0, count: 1 << 18)
                            let n = block.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, off_t(at)) }
                            guard n >= 0 else { throw BlobError.io("cannot read \(file): \(String(cString: strerror(errno)))") }
                            block.removeSubrange(n...)
                            return block
                        }
                        if block.isEmpty { break }
                        position += Int64(block.count)
                        continuation.yield(block[...])
                    } catch {
                        continuation.finish(throwing: error)
                        return
                    }
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    func delete(_ key: String) async throws {
        let file = path(key)
        _ = try await Offload.cpu { unlink(file) }
    }
}

enum BlobError: Error, CustomStringConvertible {
    case io(String), missing(String)
    var description: String {
        switch self {
        case .io(let detail): "Storage failed: \(detail)."
        case .missing(let key): "The stored file \(key) is missing."
        }
    }
}

/// Collects appends into 1 MiB writes; the file descriptor is touched by one task at a time (the uploading request).
final class LocalBlobWriter: BlobWriter, @unchecked Sendable {
    // @unchecked: used by the one request that created it, in order; never shared between tasks.
    private let fd: Int32
    private let temporary: String
    private let final: String
    private let directory: String
    private var pending: [UInt8] = []
    private var closed = false

    init(fd: Int32, temporary: String, final: String, directory: String) {
        self.fd = fd
        self.temporary = temporary
        self.final = final
        self.directory = directory
    }

    func append(_ bytes: ArraySlice<UInt8>) async throws {
        pending += bytes
        if pending.count >= 1 << 20 { try await flush() }
    }

    private func flush() async throws {
        let data = pending
        pending.removeAll(keepingCapacity: true)
        let fd = fd
        try await Offload.cpu {
            var offset = 0
            while offset < data.count {
                let n = data.withUnsafeBytes { write(fd, $0.baseAddress! + offset, data.count - offset) }
                if n < 0 {
                    if errno == EINTR { continue }
                    throw BlobError.io("cannot write: \(String(cString: strerror(errno)))")
                }
                offset += n
            }
        }
    }

    func commit() async throws {
        try await flush()
        let (fd, temporary, final, directory) = (fd, temporary, final, directory)
        closed = true
        try await Offload.cpu {
            defer { close(fd) }
            guard fsync(fd) == 0 else { throw BlobError.io("cannot sync: \(String(cString: strerror(errno)))") }
            guard rename(temporary, final) == 0 else { throw BlobError.io("cannot rename: \(String(cString: strerror(errno)))") }
            let dir = open(directory, O_RDONLY | O_DIRECTORY)
            if dir >= 0 {
                fsync(dir)
                close(dir)
            }
        }
    }

    func abort() async {
        guard !closed else { return }
        closed = true
        let (fd, temporary) = (fd, temporary)
        _ = try? await Offload.cpu {
            close(fd)
            unlink(temporary)
        }
    }

    deinit {
        if !closed {
            close(fd)
            unlink(temporary)
        }
    }
}
