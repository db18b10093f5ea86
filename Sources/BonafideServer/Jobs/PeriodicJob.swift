import Foundation
import SQLKit
import Vapor

/// Background work repeated on a fixed interval while the server runs; stopped with the server, before its databases.
final class PeriodicJob: LifecycleHandler, Sendable {
    private let name: String
    private let interval: Duration
    private let work: @Sendable (Application) async throws -> Void
    /// Ends the sleep between two runs early when poked; without one, the job runs only at its interval.
    private let wakeup: JobWakeup?
    /// The least time from the start of one run to the start of a run a poke brought forward.
    private let gap: Duration

    init(
        _ name: String, every interval: Duration, wokenBy wakeup: JobWakeup? = nil, atMostEvery gap: Duration = .zero,
        work: @escaping @Sendable (Application) async throws -> Void
    ) {
        self.name = name
        self.interval = interval
        self.wakeup = wakeup
        self.gap = gap
        self.work = work
    }

    func didBootAsync(_ app: Application) async throws {
        let (name, interval, work, wakeup, gap) = (name, interval, work, wakeup, gap)
        // Kept here: once shutdown has cleared the application's storage, asking `app` for them would stop the process.
        let jobs = app.backgroundJobs
        let task = Task { [app] in
            let clock = ContinuousClock()
            while !Task.isCancelled {
                // Read before the run: a poke during it ends the sleep after it at once.
                let seen = wakeup?.generation ?? 0
                let started = clock.now
                do {
                    try await work(app)
                } catch let error where Task.isCancelled && (BackgroundJobs.isCancellation(error) || jobs.shutdownWentOn) {
                    // Shutdown cut the pass (a sleep or a request it was waiting for, or the databases closing under a
                    // pass that outlived the grace): not a failure of the work, and rows it claimed come back when their
                    // lease ends. A pass failing for a reason of its own during the grace is still an error below.
                    app.logger.debug("\(name) stopped by shutdown: \(String(reflecting: error))")
                } catch {
                    // Reflecting: a PostgreSQL error's description hides what went wrong.
                    app.logger.error("\(name) failed: \(String(reflecting: error))")
                }
                if let wakeup {
                    await wakeup.sleep(for: interval, unlessPokedSince: seen)
                    // A stream of pokes (writes under load) is taken up in runs that each find many, not in one run per
                    // poke; a poke after a quiet spell starts a run at once.
                    let earliest = started.advanced(by: gap)
                    if clock.now < earliest { try? await Task.sleep(until: earliest, clock: clock) }
                } else {
                    try? await Task.sleep(for: interval)
                }
            }
        }
        app.backgroundJobs.add(task)
    }

    func shutdownAsync(_ app: Application) async {
        // The first job to shut down stops them all, so they wind down together; the others find nothing left.
        await app.stopBackgroundJobs()
    }
}

extension Application {
    /// The background jobs' "now": the real time, moved by the test clock file when one is configured.
    func jobClock() -> Date {
        guard let file = bonafide.testClockFile, let text = try? String(contentsOfFile: file, encoding: .utf8),
            let offset = Double(text.trimmingCharacters(in: .whitespacesAndNewlines))
        else { return Date() }
        return Date().addingTimeInterval(offset)
    }
}

extension PeriodicJob {
    /// Marks overdue commitments missed, records incident deadlines (reminders, verdicts that came with time) and
    /// deletes expired sessions.
    static func overdueSweep(every interval: Duration) -> PeriodicJob {
        PeriodicJob("overdue sweep", every: interval) { app in
            let now = app.jobClock()
            // One handle for the whole pass: once shutdown has closed Fluent (a pass that outlived the grace), asking
            // `app.db` again would stop the process, where this handle only fails its next statement.
            let db = app.db
            let marked = try await Commitments.sweepOverdue(now: now, on: db)
            if marked > 0 { app.logger.info("marked \(marked) overdue commitment(s) missed") }
            let incidents = try await Incidents.sweepDeadlines(now: now, on: db)
            if incidents > 0 { app.logger.info("recorded \(incidents) incident deadline(s)") }
            let sessions = try await WebSessions.purgeExpired(on: db)
            if sessions > 0 { app.logger.info("ended \(sessions) expired session(s)") }
            try await RateLimits.purge(on: db.sql())
            let reminders = try await Notifier.sweepReminders(now: now, on: db)
            if reminders > 0 { app.logger.info("sent \(reminders) reminder(s)") }
            let digests = try await Notifier.composeDigests(now: now, on: db)
            if digests > 0 { app.logger.info("composed \(digests) digest(s)") }
        }
    }

    /// Drains the queue of pairs whose trust evidence changed, while there is a backlog of pairs new to the pass (a
    /// batch that changed nothing does not end it: waiting rows behind it would wait for the next tick; a batch of
    /// pairs the pass recomputed already does, `TrustService.drainPass`). A write that queues pairs wakes it once
    /// committed, so a change is taken up at once; the interval is the fallback for rows this server was not told of
    /// (queued by other servers, or left by one that died). Under a stream of writes it starts a pass at most four
    /// times a second: a pair written to again and again waits in one queue row and is recomputed once per pass,
    /// where a pass per write would recompute it for every write.
    static func trustRecompute(every interval: Duration) -> PeriodicJob {
        PeriodicJob("trust recompute", every: interval, wokenBy: .trustQueue, atMostEvery: .milliseconds(250)) { app in
            try await TrustService.drainPass(limit: TrustService.recomputeBatch, on: app.db)
        }
    }

    /// Polls the mention feeds that are due.
    static func feedPoll(every interval: Duration) -> PeriodicJob {
        let seconds = Double(interval.components.seconds)
        // Wakes at least once a minute so a newly added feed is read soon, not a whole interval later.
        return PeriodicJob("feed poll", every: min(interval, .seconds(60))) { app in
            _ = try await MentionFeeds.pollDue(every: seconds, with: app.feedFetcher, on: app.db, logger: app.logger)
        }
    }

    /// Posts due webhook deliveries.
    static func webhookDelivery(every interval: Duration) -> PeriodicJob {
        PeriodicJob("webhook delivery", every: interval) { app in
            let config = app.bonafide
            while !Task.isCancelled {
                let outcome = try await Webhooks.deliverDue(
                    client: app.feedFetcher.client, allowPrivate: config.allowPrivateWebhookAddresses, key: app.secretBoxKey,
                    baseURL: config.baseURL, backoffScale: config.webhookBackoffScale, now: app.jobClock(), on: app.db, logger: app.logger)
                guard outcome.delivered + outcome.failed + outcome.retrying == Webhooks.batch else { break }
            }
        }
    }

    /// Sends queued mail through the configured SMTP server.
    static func mailDelivery(_ settings: SMTPSettings, heloName: String, every interval: Duration) -> PeriodicJob {
        PeriodicJob("mail delivery", every: interval) { app in
            while !Task.isCancelled {
                let outcome = try await MailDelivery.deliverDue(
                    with: settings, heloName: heloName, context: app.mailContext, now: app.jobClock(), on: app.db, logger: app.logger)
                // Keeps going while a full batch went out: a backlog drains at once, a failing server waits.
                guard outcome.sent == MailDelivery.batch else { break }
            }
        }
    }
}
