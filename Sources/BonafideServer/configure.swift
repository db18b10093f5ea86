import BonafideCore
import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import SQLKit
import Vapor

extension Application {
    private struct ConfigKey: StorageKey { typealias Value = AppConfig }

    public var bonafide: AppConfig {
        get { storage[ConfigKey.self] ?? AppConfig() }
        set { storage[ConfigKey.self] = newValue }
    }
}

/// Sets up storage, middleware, routes and background work. Everything that must be ready before
/// the server answers happens here, in this order.
public func configure(_ app: Application, config: AppConfig) async throws {
    app.bonafide = config
    app.backgroundJobs = BackgroundJobs()
    app.trustReachMemo = TrustReachMemo()
    app.logger.logLevel = config.logLevel
    switch config.storage {
    case .postgres(let url):
        var pg = try SQLPostgresConfiguration(url: url)
        pg.searchPath = [config.postgresSchema ?? "public"]
        // Requests queue for a connection while others hold row locks; under a burst on a busy machine (CI's SQLite and
        // PostgreSQL suites with a build beside them) the default 10 s ran out and a write answered 500 instead of
        // waiting its turn for a 201 or a 409.
        app.databases.use(
            .postgres(
                configuration: pg, maxConnectionsPerEventLoop: config.postgresConnectionsPerCore, connectionPoolTimeout: .seconds(30)),
            as: .psql)
        if let schema = config.postgresSchema, let sql = app.db as? any SQLDatabase {
            try await sql.raw("CREATE SCHEMA IF NOT EXISTS \(ident: schema)").run()
        }
    case .sqliteMemory:
        app.databases.use(.inlineSQLiteScratch(), as: .sqlite)
    case .sqliteFile(let path):
        try FileManager.default.createDirectory(atPath: config.dataDirectory, withIntermediateDirectories: true)
        // WAL and a synced commit are set on every connection the pool opens (SQLiteHandlePool).
        app.databases.use(.inlineSQLite(file: path), as: .sqlite)
    }
    app.migrations.add(CreateAccounts())
    app.migrations.add(CreatePartnerships())
    app.migrations.add(CreateCommitmentsAndMessages())
    app.migrations.add(SessionRecord.migration)
    app.migrations.add(CreateLedger())
    app.migrations.add(CreateWitnessing())
    app.migrations.add(CreateTrust())
    app.migrations.add(CreateSurveys())
    app.migrations.add(CreateMentions())
    app.migrations.add(AddMailDelivery())
    app.migrations.add(CreateCirclesAndTestimonials())
    app.migrations.add(CreateIncidents())
    app.migrations.add(CreateCredentials())
    app.migrations.add(HardenAccounts())
    app.migrations.add(CreateChannels())
    app.migrations.add(CreateWebhooks())
    app.migrations.add(CreateCheckIns())
    app.migrations.add(CreateStatusPages())
    app.migrations.add(CreateVault())
    app.migrations.add(CreateProfileSections())
    app.migrations.add(CreateReferralLinks())
    app.migrations.add(CreateIntroductions())
    app.migrations.add(IndexRelations())
    app.migrations.add(AddCommitmentChanges())
    app.migrations.add(AddSealedWitnessKeys())
    app.migrations.add(AddTrustOpinions())
    app.migrations.add(ShareStateAcrossServers())
    app.migrations.add(CreateEngagement())
    app.migrations.add(AddUpdateReplies())
    app.migrations.add(CreateThanks())
    app.migrations.add(CreateSupportRequests())
    app.migrations.add(CreateEvents())
    app.migrations.add(CreateFeedbackPanels())
    app.migrations.add(CreateOffers())  // 033
    app.migrations.add(CreateChallenges())  // 034
    app.migrations.add(CreateProfileContent())  // 035
    app.migrations.add(AddNamedAudiences())  // 036
    app.migrations.add(IndexCommitmentOwners())  // 037
    app.migrations.add(StoreLedgerTiles())  // 038
    app.migrations.add(IndexPartnershipReads())  // 039
    app.migrations.add(BundleLedgerEntries())  // 040
    app.migrations.add(AddTrustOpinionsVersion())  // 041
    app.migrations.add(IndexOrganizationPeople())  // 042
    app.migrations.add(IndexDocumentEvents())  // 043
    app.blobStore = try LocalBlobStore(directory: config.vaultDirectory)
    app.ledgerSigner = try LedgerKeys.load(config, logger: app.logger)

    app.passwords.use(.bcrypt(cost: config.bcryptCost))
    app.routes.defaultMaxBodySize = ByteCount(integerLiteral: config.maxBodyBytes)
    app.http.server.configuration.hostname = config.hostname
    app.http.server.configuration.port = config.port

    app.feedFetcher = FeedFetcher(client: FeedFetcher.makeClient(), allowPrivateAddresses: config.allowPrivateFeedAddresses)
    app.lifecycle.use(FeedFetcherLifecycle())
    app.requestMetrics = RequestMetrics()
    app.middleware = Middlewares()
    app.middleware.use(MetricsMiddleware())
    // Outside the problem middleware, so error pages and problem+json get the headers too.
    app.middleware.use(SecurityHeadersMiddleware(strictTransport: config.publicURL?.hasPrefix("https://") == true))
    app.middleware.use(SafeLocationMiddleware())
    app.middleware.use(
        ProblemMiddleware { problem, req in
            try await WebPages.errorPage(problem, for: req).encodeResponse(status: problem.status, for: req)
        })
    app.middleware.use(StrictJSONMiddleware())
    app.middleware.use(BodyLimitMiddleware(maxBytes: config.maxBodyBytes, streamedMaxBytes: config.vaultMaxBytes))

    try routes(app)
    if config.runBackgroundJobs {
        app.lifecycle.use(PeriodicJob.overdueSweep(every: .seconds(Int64(config.overdueSweepSeconds))))
        app.lifecycle.use(PeriodicJob.trustRecompute(every: .seconds(Int64(config.trustRecomputeSeconds))))
        app.lifecycle.use(PeriodicJob.supportSweep(every: .seconds(Int64(config.overdueSweepSeconds))))
        app.lifecycle.use(PeriodicJob.feedPoll(every: .seconds(Int64(config.feedPollSeconds))))
        app.lifecycle.use(PeriodicJob.webhookDelivery(every: .seconds(Int64(config.webhookSeconds))))
        app.lifecycle.use(PeriodicJob.eventReminders(every: .seconds(Int64(config.overdueSweepSeconds))))
        if let inbound = config.inboundSMTP { app.lifecycle.use(InboundSMTPServer(host: inbound.host, port: inbound.port)) }
        if let smtp = config.smtp {
            app.lifecycle.use(PeriodicJob.mailDelivery(smtp, heloName: config.heloName, every: .seconds(Int64(config.mailDeliverySeconds))))
        }
    }
}

func routes(_ app: Application) throws {
    app.get("healthz") { req async throws -> Response in
        try await Organization.query(on: req.db).limit(1).all()  // answers only once the database does
        let res = Response(status: .ok, body: .init(string: #"{"status":"ok"}"#))
        res.headers.contentType = .json
        return res
    }
    // Readiness: the database takes a write (healthz only says the process answers and the database reads).
    app.get("readyz") { req async throws -> Response in
        let ready: Bool
        do {
            try await req.db.writeTransaction { tx in try await tx.takeWriteLock() }
            ready = true
        } catch {
            req.logger.warning("readiness check failed: \(String(reflecting: error))")
            ready = false
        }
        let res = Response(
            status: ready ? .ok : .serviceUnavailable,
            body: .init(string: ready ? #"{"status":"ready"}"# : #"{"status":"unavailable","detail":"The database cannot be written."}"#))
        res.headers.contentType = .json
        return res
    }
    app.get("metrics") { req async throws -> Response in
        // Figures across every organization: only for whoever holds the metrics token.
        guard let expected = req.application.bonafide.metricsToken,
            let sent = req.headers.bearerAuthorization?.token, constantTimeEqual(sent.utf8, expected.utf8)
        else {
            throw Problem(.notFound, "Metrics are served only with the token set in BONAFIDE_METRICS_TOKEN.")
        }
        let text = try await Metrics.exposition(on: req.db, metrics: req.application.requestMetrics)
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: "text/plain; version=0.0.4; charset=utf-8")
        return Response(status: .ok, headers: headers, body: .init(string: text))
    }
    app.get("assets", "passkeys.js") { _ async throws -> Response in
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: "text/javascript; charset=utf-8")
        headers.replaceOrAdd(name: .cacheControl, value: "public, max-age=3600")
        return Response(status: .ok, headers: headers, body: .init(string: PasskeyScript.source))
    }
    for script in Assets.scripts {
        app.get("assets", .constant(script)) { _ async throws -> Response in
            var headers = HTTPHeaders()
            headers.replaceOrAdd(name: .contentType, value: "text/javascript; charset=utf-8")
            headers.replaceOrAdd(name: .cacheControl, value: "no-cache")
            return Response(status: .ok, headers: headers, body: .init(string: Assets.text(script)))
        }
    }
    app.get("openapi.yaml") { _ async throws -> Response in
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: "application/yaml; charset=utf-8")
        return Response(status: .ok, headers: headers, body: .init(string: OpenAPIDocument.yaml))
    }
    registerTiles(app)
    registerPassports(app)
    try registerAPI(app)
    try registerWeb(app)
}
