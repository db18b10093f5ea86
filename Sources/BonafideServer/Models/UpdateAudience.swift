import Foundation

/// Who an update is for: one of the audiences things are shared with (everyone, partners, a circle), or the
/// organizations its writer named one by one (stored as `NamedAudience` rows and decided by `Access` like the rest).
/// Kept in the update's `audience` column as the audience's own key or "organizations".
enum UpdateAudience: Sendable, Equatable {
    case audience(Audience)
    case organizations

    var label: String {
        switch self {
        case .audience(let audience): audience.label
        case .organizations: "Named organizations"
        }
    }
}

extension UpdateAudience: RawRepresentable, Codable {
    static let organizationsKey = "organizations"

    init?(rawValue: String) {
        if rawValue == Self.organizationsKey {
            self = .organizations
        } else if let audience = Audience(rawValue: rawValue) {
            self = .audience(audience)
        } else {
            return nil
        }
    }

    var rawValue: String {
        switch self {
        case .audience(let audience): audience.rawValue
        case .organizations: Self.organizationsKey
        }
    }

    init(from decoder: any Decoder) throws {
        let raw = try decoder.singleValueContainer().decode(String.self)
        guard let value = Self(rawValue: raw) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "No update audience “\(raw)”."))
        }
        self = value
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
