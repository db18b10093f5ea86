import BonafideCore
import Fluent
import Foundation

/// A person's choices of what reaches them by mail and when.
enum NotificationPreferences {
    struct Update: Sendable, Equatable {
        var digestHour: Int?
        /// "HH:MM" local, or "" (with `quietEnd` "") for no quiet hours.
        var quietStart: String?
        var quietEnd: String?
        var workDays: [Int]?
        /// Kind (`NotificationKind` raw value) to mode (`NotificationMode` raw value).
        var modes: [String: String]?
    }

    /// Checks everything first: a bad value changes nothing.
    @discardableResult
    static func update(_ user: User, with u: Update, now: Date = Date(), on db: any Database) async throws -> NotificationSettings {
        if let hour = u.digestHour, !(0...23).contains(hour) {
            throw Problem.invalid("digestHour", "The digest hour must be a whole hour from 0 to 23.")
        }
        var quiet: (Int?, Int?)?
        if u.quietStart != nil || u.quietEnd != nil {
            let start = u.quietStart?.trimmingCharacters(in: .whitespaces) ?? ""
            let end = u.quietEnd?.trimmingCharacters(in: .whitespaces) ?? ""
            if start.isEmpty && end.isEmpty {
                quiet = (nil, nil)
            } else {
                guard let s = WorkingHours.minute(of: start) else {
                    throw Problem.invalid("quietStart", "Quiet hours start at a time such as 22:00 (or leave both times empty for none).")
                }
                guard let e = WorkingHours.minute(of: end) else {
                    throw Problem.invalid("quietEnd", "Quiet hours end at a time such as 07:00 (or leave both times empty for none).")
                }
                guard s != e else { throw Problem.invalid("quietEnd", "Quiet hours must end at another time than they start.") }
                quiet = (s, e)
            }
        }
        if let days = u.workDays {
            guard !days.isEmpty, days.allSatisfy({ (1...7).contains($0) }) else {
                throw Problem.invalid("workDays", "Choose at least one day, as numbers from 1 (Monday) to 7 (Sunday).")
            }
        }
        var modes: [NotificationKind: NotificationMode] = [:]
        for (k, v) in u.modes ?? [:] {
            guard let kind = NotificationKind(rawValue: k) else {
                throw Problem.invalid("modes", "\"\(k)\" is not a kind of notification; the kinds are listed by GET /me/notifications.")
            }
            guard let mode = NotificationMode(rawValue: v) else {
                throw Problem.invalid("modes", "\"\(v)\" is not a mode; use immediately, digest or off.")
            }
            modes[kind] = mode
        }
        let (newQuiet, newModes) = (quiet, modes)
        return try await db.writeTransaction { tx in
            let row = try await Notifier.lockedSettings(of: user.id!, now: now, on: tx)
            if let hour = u.digestHour { row.digestHour = hour }
            if let newQuiet {
                row.quietStart = newQuiet.0
                row.quietEnd = newQuiet.1
            }
            if let days = u.workDays { row.workDaysText = Set(days).sorted().map(String.init).joined(separator: ",") }
            if !newModes.isEmpty { row.modes = row.modes.merging(newModes) { _, new in new } }
            try await row.save(on: tx)
            return row
        }
    }

    /// One click in a mail: that kind (or every kind in the digest) stops being mailed.
    static func unsubscribe(user: UUID, from kind: String, now: Date = Date(), on db: any Database) async throws -> [NotificationKind] {
        try await db.writeTransaction { tx in
            let row = try await Notifier.lockedSettings(of: user, now: now, on: tx)
            let stopped: [NotificationKind] =
                kind == Notifier.digestKind
                ? NotificationKind.allCases.filter { row.mode(for: $0) == .digest } : NotificationKind(rawValue: kind).map { [$0] } ?? []
            row.modes = row.modes.merging(stopped.map { ($0, .off) }) { _, new in new }
            try await row.save(on: tx)
            return stopped
        }
    }
}
