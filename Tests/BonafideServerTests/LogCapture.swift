import Foundation
import Vapor

/// Keeps what an application logs, for tests about what it tells its operators.
final class LogCapture: @unchecked Sendable {
    // @unchecked: `lines` is only touched under `lock`.
    private let lock = NSLock()
    private var lines: [(level: Logger.Level, message: String)] = []

    /// A logger, at every level, whose lines this capture keeps.
    func logger(label: String = "test") -> Logger {
        var logger = Logger(label: label) { _ in Handler(capture: self) }
        logger.logLevel = .trace
        return logger
    }

    func messages(atLeast level: Logger.Level) -> [String] {
        lock.withLock { lines.filter { $0.level >= level }.map(\.message) }
    }

    private func keep(_ level: Logger.Level, _ message: String) {
        lock.withLock { lines.append((level, message)) }
    }

    struct Handler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            capture.keep(event.level, event.message.description)
        }
    }
}
