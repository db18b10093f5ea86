import BonafideCore
import Foundation
import Logging

/// Where the server's log signing key comes from: BONAFIDE_LOG_KEY, else a file in the data folder
/// created on first start (mode 0600), else, for in-memory tests, a fresh key.
enum LedgerKeys {
    static func load(_ config: AppConfig, logger: Logger) throws -> NoteSigner {
        if let encoded = config.logSigningKey { return try NoteSigner(encoded) }
        let name = keyName(config.baseURL)
        switch config.storage {
        case .sqliteFile:
            let path = URL(fileURLWithPath: config.dataDirectory).appendingPathComponent("log-signing-key").path
            if let data = FileManager.default.contents(atPath: path) {
                return try NoteSigner(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
            }
            let signer = try NoteSigner(name: name)
            guard FileManager.default.createFile(atPath: path, contents: Data(signer.encoded.utf8), attributes: [.posixPermissions: 0o600])
            else {
                throw AppConfig.Invalid(
                    variable: "BONAFIDE_DATA", value: config.dataDirectory, expected: "a writable folder for the log signing key")
            }
            return signer
        case .postgres:
            logger.warning("BONAFIDE_LOG_KEY is not set: checkpoints are signed with a key that changes on every start")
            return try NoteSigner(name: name)
        case .sqliteMemory:
            return try NoteSigner(name: name)
        }
    }

    /// The key name is the server's address without scheme, as C2SP origins use.
    static func keyName(_ baseURL: String) -> String {
        let host = baseURL.replacingOccurrences(of: "https://", with: "").replacingOccurrences(of: "http://", with: "")
        let cleaned = host.filter { !$0.isWhitespace && $0 != "+" && $0 != "/" }
        return cleaned.isEmpty ? "bonafide" : cleaned
    }
}
