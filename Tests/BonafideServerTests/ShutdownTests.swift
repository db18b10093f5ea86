import Fluent
import Foundation
import NIOCore
import NIOPosix
import Testing
import VaporTesting

@testable import BonafideServer

/// A deploy stops the servers behind nginx one by one with SIGTERM: what is under way then must end as if no deploy
/// had happened, or be left for another server.
@Suite("Shutting down at a deploy")
struct ShutdownTests {
    /// The request is answered with the database still open, instead of a 500 from a database closed under it.
    /// SQLite in memory whatever the test database: the order of shutdown is the same on both.
    @Test func aRequestUnderWayWhenTheServerIsToldToStopIsAnswered() async throws {
        let config: AppConfig = {
            var config = AppConfig()
            config.bcryptCost = 4
            config.runBackgroundJobs = false
            config.logLevel = .warning
            config.inMemoryDatabase = true
            config.port = 0
            config.vaultDirectoryOverride = NSTemporaryDirectory() + "bonafide-test-vault-" + UUID().uuidString
            return config
        }()
        defer { try? FileManager.default.removeItem(atPath: config.vaultDirectory) }
        let (apps, handOut) = AsyncStream.makeStream(of: Application.self)
        let (entries, enter) = AsyncStream.makeStream(of: Void.self)
        // As `bonafide serve` runs: the production application, served until stopped, then shut down.
        let serving = Task {
            defer { handOut.finish() }
            try await Runner.withApplication(config, serving: true) { app in
                app.get("slow") { req async throws -> String in
                    enter.yield()
                    // Long enough for the stop to come first; then the request still needs its database.
                    try await Task.sleep(for: .milliseconds(500))
                    try await req.db.sql().raw("SELECT 1").run()
                    return "answered"
                }
                handOut.yield(app)
                try await Runner.serveUntilStopped(app)
            }
        }
        var handedOut = apps.makeAsyncIterator()
        let handed = await handedOut.next()
        let app = try #require(handed)
        // The serve command sets `running` once the server listens.
        for _ in 0..<500 where app.running == nil { try await Task.sleep(for: .milliseconds(20)) }
        let port = try #require(app.running == nil ? nil : app.http.server.shared.localAddress?.port)

        let answer = Task { try await HTTPClient.shared.get(url: "http://127.0.0.1:\(port)/slow", deadline: .now() + .seconds(30)).get() }
        var entered = entries.makeAsyncIterator()
        _ = await entered.next()
        // What the serve command's handler does on SIGTERM.
        app.running?.stop()
        let response = try await answer.value
        #expect(response.status == .ok)
        #expect(response.body.map { String(buffer: $0) } == "answered")
        try await serving.value
    }

    struct ExportFailure: Error {}

    /// Shutdown cancels the jobs and waits for their passes: a pass ended by the cancellation itself is no news, but
    /// one failing for a reason of its own meanwhile is an error like at any other time.
    @Test func aPassFailingForItsOwnReasonWhileShutdownWaitsIsStillAnError() async throws {
        let log = LogCapture()
        try await withTestApp { app in
            app.logger = log.logger()
            let (starts, start) = AsyncStream.makeStream(of: String.self)
            let failing = PeriodicJob("export", every: .seconds(3600)) { _ in
                start.yield("export")
                // Waits until shutdown cancels it, then fails for a reason of its own.
                try? await Task.sleep(for: .seconds(3600))
                throw ExportFailure()
            }
            let sleeping = PeriodicJob("cleanup", every: .seconds(3600)) { _ in
                start.yield("cleanup")
                try await Task.sleep(for: .seconds(3600))
            }
            // What is asserted is what each pass logs, not how fast it ends on a loaded machine.
            app.backgroundJobs.grace = .seconds(120)
            for job in [failing, sleeping] {
                app.lifecycle.use(job)
                try await job.didBootAsync(app)
            }
            var started = starts.makeAsyncIterator()
            _ = await started.next()
            _ = await started.next()
            #expect(await app.backgroundJobs.stop())
        }
        let errors = log.messages(atLeast: .error)
        #expect(errors.count == 1 && errors.first?.hasPrefix("export failed") == true, "\(errors)")
        #expect(log.messages(atLeast: .debug).contains { $0.hasPrefix("cleanup stopped by shutdown") })
    }

    /// A pass still running when shutdown stops waiting fails as the databases close under it: shutdown's doing,
    /// already reported as a job still running, not an error of the job.
    @Test func aPassCutOffAfterTheGraceIsNotAnError() async throws {
        let log = LogCapture()
        try await withTestApp { app in
            app.logger = log.logger()
            let (starts, start) = AsyncStream.makeStream(of: Void.self)
            let (release, releaseTheJob) = AsyncStream.makeStream(of: Void.self)
            let job = PeriodicJob("export", every: .seconds(3600)) { _ in
                start.yield()
                // Like a database call, it does not heed the cancellation (an unstructured task is not cancelled with
                // the job); it fails only once the test lets it, after shutdown stopped waiting, whatever the timing.
                await Task { for await _ in release {} }.value
                throw ExportFailure()
            }
            app.lifecycle.use(job)
            try await job.didBootAsync(app)
            var started = starts.makeAsyncIterator()
            _ = await started.next()
            #expect(await app.backgroundJobs.stop(within: .milliseconds(50)) == false)
            releaseTheJob.finish()
            for _ in 0..<250 where !log.messages(atLeast: .debug).contains(where: { $0.hasPrefix("export") }) {
                try await Task.sleep(for: .milliseconds(20))
            }
        }
        #expect(log.messages(atLeast: .debug).contains { $0.hasPrefix("export stopped by shutdown") })
        #expect(log.messages(atLeast: .error).isEmpty, "\(log.messages(atLeast: .error))")
    }

    /// A deploy cutting off a webhook post: no attempt is counted (at the last one the webhook would be turned off),
    /// and the delivery is free at once for another server's pass instead of waiting for its claim to run out.
    @Test func aWebhookPostCutOffByShutdownCountsNoAttempt() async throws {
        let (hearings, hear) = AsyncStream.makeStream(of: Void.self)
        let endpoint = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in channel.pipeline.addHandler(SilentEndpoint(hear: hear)) }
            .bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(endpoint.localAddress?.port)
        try await withTestApp({ $0.allowPrivateWebhookAddresses = true }) { app in
            let (a, b, pid) = try await app.activePartnership()
            let created = try await app.api(
                .POST, "/webhooks", token: b.token,
                json: #"{"url":"http://127.0.0.1:\#(port)/hook","events":["commitment.proposed"]}"#)
            #expect(created.status == .created, "\(created.raw)")
            let proposed = try await app.api(
                .POST, "/partnerships/\(pid)/commitments", token: a.token,
                json: #"{"title":"Audit","dueAt":"\#(rfc3339(Date().addingTimeInterval(9 * 86_400)))"}"#)
            #expect(proposed.status == .created)
            let pass = Task {
                try await Webhooks.deliverDue(
                    client: app.feedFetcher.client, allowPrivate: true, key: app.secretBoxKey, baseURL: "https://trust.example",
                    on: app.db, logger: app.logger)
            }
            var heard = hearings.makeAsyncIterator()
            _ = await heard.next()
            // What shutdown does to the webhook job.
            pass.cancel()
            let ended = await pass.result
            #expect(throws: CancellationError.self) { try ended.get() }
            let delivery = try #require(try await WebhookDelivery.query(on: app.db).first())
            #expect(delivery.attempts == 0)
            #expect(delivery.claimedUntil == nil)
            #expect(delivery.status == .pending)
            #expect(try await Webhook.query(on: app.db).first()?.disabledAt == nil)
        }
        try await endpoint.close()
    }

    /// A deploy cutting off a feed poll: the feed does not show a failed poll (it says nothing about the feed), and the
    /// operator's log has no failure, only the job stopped by shutdown. The feed is due again at once for another
    /// server, instead of waiting out the interval its claim started.
    @Test func aFeedPollCutOffByShutdownIsNotAFailedPoll() async throws {
        let log = LogCapture()
        let (hearings, hear) = AsyncStream.makeStream(of: Void.self)
        let endpoint = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in channel.pipeline.addHandler(SilentEndpoint(hear: hear)) }
            .bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(endpoint.localAddress?.port)
        try await withTestApp({ $0.allowPrivateFeedAddresses = true }) { app in
            let a = try await app.register("Alice", org: "Northwind")
            let added = try await app.api(
                .POST, "/mention-feeds", token: a.token, json: #"{"url":"http://127.0.0.1:\#(port)/feed.xml"}"#)
            #expect(added.status == .created, "\(added.raw)")
            app.logger = log.logger()
            // A pass cut off mid-fetch ends at once, but on a loaded machine (the whole suite beside a build) not always
            // within the usual 5 s; what is asserted is what it leaves behind.
            app.backgroundJobs.grace = .seconds(120)
            let job = PeriodicJob.feedPoll(every: .seconds(3600))
            app.lifecycle.use(job)
            try await job.didBootAsync(app)
            var heard = hearings.makeAsyncIterator()
            _ = await heard.next()
            #expect(await app.backgroundJobs.stop())
            let feeds = try await app.api(.GET, "/mention-feeds", token: a.token).list
            #expect(feeds.count == 1 && feeds.first?["lastStatus"] as? String == "not polled yet", "\(feeds)")
            #expect(try await MentionFeed.query(on: app.db).first()?.lastPolledAt == nil)
            // Another server's pass, right after: it takes the feed up (and finds the endpoint gone).
            try await endpoint.close()
            let polled = try await MentionFeeds.pollDue(
                every: 3600, with: app.feedFetcher, on: app.db, logger: Logger(label: "another server") { _ in SwiftLogNoOpLogHandler() })
            #expect(polled == 1)
        }
        let feedLines = log.messages(atLeast: .notice).filter { $0.hasPrefix("feed") }
        #expect(feedLines.isEmpty, "\(feedLines)")
        #expect(log.messages(atLeast: .debug).contains { $0.hasPrefix("feed poll stopped by shutdown") })
    }

    /// Hears a request and never answers it: an endpoint still working on a post when the deploy comes.
    final class SilentEndpoint: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let hear: AsyncStream<Void>.Continuation

        init(hear: AsyncStream<Void>.Continuation) { self.hear = hear }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) { hear.yield() }
    }
}
