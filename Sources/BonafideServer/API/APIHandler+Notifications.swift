import BonafideCore
import Fluent
import Foundation
import Vapor

extension API {
    func getNotificationSettings(_ input: Operations.GetNotificationSettings.Input) async throws
        -> Operations.GetNotificationSettings.Output
    {
        let user = try await actor().user
        return .ok(.init(body: .json(Self.dto(try await Notifier.settings(of: user.id!, on: try req.db), user: user))))
    }

    func updateNotificationSettings(
        _ input: Operations.UpdateNotificationSettings.Input
    ) async throws -> Operations.UpdateNotificationSettings.Output {
        guard case .json(let b) = input.body else { throw Problem(.unsupportedMediaType, "Send JSON.") }
        let user = try await actor().user
        let modes = b.modes?.additionalProperties.mapValues(\.rawValue)
        let row = try await NotificationPreferences.update(
            user, with: .init(digestHour: b.digestHour, quietStart: b.quietStart, quietEnd: b.quietEnd, workDays: b.workDays, modes: modes),
            on: try req.db)
        return .ok(.init(body: .json(Self.dto(row, user: user))))
    }

    func getCalendar(_ input: Operations.GetCalendar.Input) async throws -> Operations.GetCalendar.Output {
        let req = try req
        let url = try await CalendarFeed.url(
            for: try await actor().id, baseURL: req.application.bonafide.baseURL, key: req.application.mailTokenKey, on: req.db)
        return .ok(.init(body: .json(.init(url: url))))
    }

    func resetCalendar(_ input: Operations.ResetCalendar.Input) async throws -> Operations.ResetCalendar.Output {
        let req = try req
        let url = try await CalendarFeed.reset(
            for: try await actor().id, baseURL: req.application.bonafide.baseURL, key: req.application.mailTokenKey, on: req.db)
        return .ok(.init(body: .json(.init(url: url))))
    }

    private static func dto(_ s: NotificationSettings, user: User) -> Components.Schemas.NotificationSettings {
        .init(
            timeZone: user.timeZone, digestHour: s.digestHour, quietStart: s.quietStart.map(WorkingHours.text(ofMinute:)) ?? "",
            quietEnd: s.quietEnd.map(WorkingHours.text(ofMinute:)) ?? "", workDays: s.workDays.sorted(),
            kinds: NotificationKind.allCases.map {
                .init(kind: $0.rawValue, label: $0.label, mode: .init(rawValue: s.mode(for: $0).rawValue) ?? .immediately)
            })
    }
}
