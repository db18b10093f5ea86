import BonafideCore
import Fluent
import Foundation
import Prometheus
import SQLKit
import Vapor

/// Request counters and latency for `/metrics`, kept per application.
final class RequestMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    let latency: DurationHistogram

    init() {
        latency = registry.makeDurationHistogram(
            name: "bonafide_http_request_duration_seconds",
            buckets: [
                .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
                .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5),
            ],
            help: "Time to answer HTTP requests")
    }

    func record(method: String, status: UInt, duration: Duration) {
        registry.makeCounter(
            name: "bonafide_http_requests_total",
            labels: [("method", method), ("status", String(status))], help: "HTTP requests answered"
        ).increment()
        latency.record(duration)
    }
}

extension Application {
    private struct MetricsKey: StorageKey { typealias Value = RequestMetrics }

    var requestMetrics: RequestMetrics {
        get { storage[MetricsKey.self]! }
        set { storage[MetricsKey.self] = newValue }
    }
}

struct MetricsMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let clock = ContinuousClock()
        let start = clock.now
        let response = try await next.respond(to: request)
        request.application.requestMetrics.record(
            method: request.method.rawValue, status: response.status.code,
            duration: clock.now - start)
        return response
    }
}

enum Metrics {
    /// Prometheus text: request figures plus the current number of commitments in each state.
    static func exposition(on db: any Database, metrics: RequestMetrics) async throws -> String {
        // One grouped count per scrape rather than a query per state.
        struct Row: Decodable {
            var status: String
            var n: Int
        }
        var counts: [String: Int] = [:]
        if let sql = db as? any SQLDatabase {
            for row in try await sql.raw("SELECT status, COUNT(*) AS n FROM commitments GROUP BY status").all(decoding: Row.self) {
                counts[row.status] = row.n
            }
        }
        for status in CommitmentStatus.allCases {
            metrics.registry.makeGauge(
                name: "bonafide_commitments", labels: [("status", status.rawValue)],
                help: "Commitments by lifecycle state"
            ).set(Double(counts[status.rawValue] ?? 0))
        }
        let partnerships = try await Partnership.query(on: db).filter(\.$status == .active).count()
        metrics.registry.makeGauge(name: "bonafide_active_partnerships", help: "Active partnerships").set(Double(partnerships))
        var buffer: [UInt8] = []
        metrics.registry.emit(into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }
}
