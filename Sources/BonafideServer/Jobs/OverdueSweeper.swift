import Fluent
import Foundation
import Vapor

/// Marks overdue commitments missed on a fixed interval while the server runs.
final class OverdueSweeper: LifecycleHandler, @unchecked Sendable {
    // @unchecked: `task` is only touched from the lifecycle callbacks, which Vapor calls serially.
    private let interval: Duration
    private var task: Task<Void, Never>?

    init(interval: Duration) { self.interval = interval }

    func didBootAsync(_ app: Application) async throws {
        let interval = interval
        task = Task { [app] in
            while !Task.isCancelled {
                do {
                    let marked = try await Commitments.sweepOverdue(on: app.db)
                    if marked > 0 { app.logger.info("marked \(marked) overdue commitment(s) missed") }
                } catch {
                    app.logger.error("overdue sweep failed: \(error)")
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
