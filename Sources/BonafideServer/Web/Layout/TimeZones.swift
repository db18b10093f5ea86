import BonafideCore
import Fluent
import Foundation
import Vapor

enum TimeZones {
    static let all: [String] = TimeZone.knownTimeZoneIdentifiers.filter { $0.contains("/") }.sorted() + ["UTC"]
}
