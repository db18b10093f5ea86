import Fluent
import Foundation
import Vapor

/// Drains the queue of pairs whose trust evidence changed, on a fixed interval while the server runs.
final class TrustRecomputer: LifecycleHandler, @unchecked Sendable {
    // @unchecked: `task` is only touched from the lifecycle callbacks, which Vapor calls serially.
    private let interval: Duration
    private var task: Task<Void, Never>?

    init(interval: Duration) { self.interval = interval }

    func didBootAsync(_ app: Application) async throws {
        let interval = interval
        task = Task { [app] in
            while !Task.isCancelled {
                do {
                    // Keep going while there is a backlog; sleep once the queue is empty.
                    while !Task.isCancelled, try await TrustService.drain(limit: 50, on: app.db) > 0 {}
                } catch {
                    app.logger.error("trust recompute failed: \(error)")
                }
                try? await Task.sleep(for: interval)
            }
        }
    }

    func shutdownAsync(_ app: Application) async {
        task?.cancel()
        await task?.value
    }
}
