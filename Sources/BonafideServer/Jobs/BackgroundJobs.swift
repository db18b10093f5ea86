import Foundation
import Vapor

/// The background jobs running in one application, stopped together: at shutdown, before the databases close under
/// a pass (which would log its errors and leave the rows it claimed waiting for their lease); in tests, before the
/// test's PostgreSQL schema is dropped.
final class BackgroundJobs: @unchecked Sendable {
    // @unchecked: `running`, `cutOff` and `waitFor` are only touched under `lock`.
    private let lock = NSLock()
    private var running: [Task<Void, Never>] = []
    private var cutOff = false
    private var waitFor: Duration

    /// How long shutdown waits for the passes under way. A trust batch takes about a second; a pass still going after
    /// this is stuck (a database or a mail server not answering), and is cut by the shutdown that follows.
    static let defaultGrace: Duration = .seconds(5)

    /// Changed on the application's own jobs (a test on a busy machine), never by replacing them: jobs already started
    /// would then never be stopped.
    var grace: Duration {
        get { lock.withLock { waitFor } }
        set { lock.withLock { waitFor = newValue } }
    }

    init(grace: Duration = BackgroundJobs.defaultGrace) {
        waitFor = grace
    }

    func add(_ job: Task<Void, Never>) {
        lock.withLock { running.append(job) }
    }

    /// Whether shutdown stopped waiting for a pass still under way and went on to close the databases under it: what
    /// that pass fails with from then on is shutdown's doing, not its work's.
    var shutdownWentOn: Bool { lock.withLock { cutOff } }

    /// Whether an error is a job's work being cancelled, as shutdown cancels it: a sleep or a check for cancellation,
    /// or an HTTP request cut off. Any other error in a cancelled pass is a failure of its own (a database refusing a
    /// write, an endpoint that cannot be reached) and is reported as such.
    static func isCancellation(_ error: any Error) -> Bool {
        if error is CancellationError { return true }
        if let http = error as? HTTPClientError, http == .cancelled { return true }
        return false
    }

    /// Cancels every job and waits, at most `grace`, for their passes to end: all at once, so shutdown waits for the
    /// slowest pass and not for the sum of them. Whether they all ended in time.
    func stop(within grace: Duration? = nil) async -> Bool {
        let grace = grace ?? self.grace
        let jobs = lock.withLock { () -> [Task<Void, Never>] in
            defer { running.removeAll() }
            return running
        }
        guard !jobs.isEmpty else { return true }
        for job in jobs { job.cancel() }
        let (outcomes, outcome) = AsyncStream.makeStream(of: Bool.self)
        let timer = Task {
            // Cancelled once the jobs have ended: then it says nothing.
            guard (try? await Task.sleep(for: grace)) != nil else { return }
            outcome.yield(false)
        }
        defer {
            timer.cancel()
            outcome.finish()
        }
        // Awaiting an unstructured task's value does not end when the waiter is cancelled, so the wait races a timer
        // instead of running in a task group, which would wait for a stuck job for ever.
        Task {
            for job in jobs { await job.value }
            outcome.yield(true)
        }
        for await ended in outcomes {
            if !ended { lock.withLock { cutOff = true } }
            return ended
        }
        // Only when the caller itself was cancelled: the jobs were told to stop, nothing says they are stuck.
        return true
    }
}

extension Application {
    private struct BackgroundJobsKey: StorageKey { typealias Value = BackgroundJobs }

    /// Set up by `configure` before any job starts.
    var backgroundJobs: BackgroundJobs {
        get {
            guard let jobs = storage[BackgroundJobsKey.self] else { fatalError("configure() sets up the background jobs") }
            return jobs
        }
        set { storage[BackgroundJobsKey.self] = newValue }
    }

    /// Stops every background job (see `BackgroundJobs.stop`); nothing to do when `configure` failed before setting
    /// them up.
    func stopBackgroundJobs() async {
        guard let jobs = storage[BackgroundJobsKey.self] else { return }
        let ended = await jobs.stop()
        if !ended {
            logger.warning("a background job was still running \(jobs.grace) after shutdown began; shutting down under it")
        }
    }
}
