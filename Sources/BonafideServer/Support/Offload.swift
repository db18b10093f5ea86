import NIOPosix

/// CPU-heavy work on user input (parsing an uploaded file, scoring its texts) runs on the thread pool, not on
/// the cooperative executor that serves every request: one large upload must not stall the others.
enum Offload {
    static func cpu<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await NIOThreadPool.singleton.runIfActive(work)
    }
}
