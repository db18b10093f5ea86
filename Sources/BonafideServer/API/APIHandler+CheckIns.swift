import Fluent
import Foundation
import Vapor

extension API {
    func listCheckIns(_ input: Operations.ListCheckIns.Input) async throws -> Operations.ListCheckIns.Output {
        let (_, p) = try await partnership(input.path.partnershipId)
        let db = try req.db
        let overview = try await CheckIns.overview(of: p, on: db)
        let suggestion = p.status == .active ? try await CheckIns.suggestion(for: p, on: db) : nil
        return .ok(.init(body: .json(.init(suggestedStart: suggestion, checkIns: overview.map(Self.dto)))))
    }

    func scheduleCheckIn(_ input: Operations.ScheduleCheckIn.Input) async throws -> Operations.ScheduleCheckIn.Output {
        guard case .json(let b) = input.body else { throw Problem(.unsupportedMediaType, "Send JSON.") }
        let (actor, p) = try await partnership(input.path.partnershipId)
        let db = try req.db
        let c = try await CheckIns.schedule(
            .init(
                title: b.title, frequency: b.frequency.rawValue, firstAt: b.firstAt, durationMinutes: b.durationMinutes,
                videoLink: b.videoLink),
            in: p, by: actor, on: db)
        guard let overview = try await CheckIns.overview(of: p, on: db).first(where: { $0.checkIn.id == c.id }) else {
            throw Problem.notFound("check-in")
        }
        return .created(.init(body: .json(Self.dto(overview))))
    }

    func cancelCheckIn(_ input: Operations.CancelCheckIn.Input) async throws -> Operations.CancelCheckIn.Output {
        let (actor, p) = try await partnership(input.path.partnershipId)
        let db = try req.db
        try await CheckIns.cancel(try await CheckIns.find(UUID(uuidString: input.path.checkInId), in: p, on: db), in: p, by: actor, on: db)
        return .noContent(.init())
    }

    func addCheckInAgenda(_ input: Operations.AddCheckInAgenda.Input) async throws -> Operations.AddCheckInAgenda.Output {
        guard case .json(let b) = input.body else { throw Problem(.unsupportedMediaType, "Send JSON.") }
        let (actor, p) = try await partnership(input.path.partnershipId)
        let db = try req.db
        let c = try await CheckIns.find(UUID(uuidString: input.path.checkInId), in: p, on: db)
        let item = try await CheckIns.addAgenda(b.text, to: c, in: p, by: actor, on: db)
        item.$author.value = actor.user
        return .created(.init(body: .json(Self.dto(item))))
    }

    func recordCheckInMeeting(_ input: Operations.RecordCheckInMeeting.Input) async throws -> Operations.RecordCheckInMeeting.Output {
        guard case .json(let b) = input.body else { throw Problem(.unsupportedMediaType, "Send JSON.") }
        let (actor, p) = try await partnership(input.path.partnershipId)
        let db = try req.db
        let c = try await CheckIns.find(UUID(uuidString: input.path.checkInId), in: p, on: db)
        let meeting = try await CheckIns.record(c, meeting: b.occursAt, held: b.status == .held, notes: b.notes, in: p, by: actor, on: db)
        return .created(
            .init(
                body: .json(
                    .init(occursAt: meeting.occursAt, status: .init(rawValue: meeting.status) ?? .held, recordedBy: actor.user.name))))
    }

    static func dto(_ o: CheckIns.Overview) -> Components.Schemas.CheckIn {
        let c = o.checkIn
        return .init(
            id: c.id!.apiString, title: c.title, frequency: c.frequencyText, firstAt: c.firstAt,
            durationMinutes: c.durationMinutes,
            videoLink: c.videoLink, timeZone: c.timeZone, cancelled: c.cancelledAt != nil, nextMeeting: o.next, agenda: o.agenda.map(dto),
            notes: o.notes.map(dto),
            meetings: o.meetings.map {
                .init(occursAt: $0.occursAt, status: .init(rawValue: $0.status) ?? .held, recordedBy: $0.$recordedBy.value?.name ?? "")
            }, skippedLast90Days: o.skipped, unrecorded: o.unrecorded)
    }

    static func dto(_ item: CheckInItem) -> Components.Schemas.CheckInNote {
        .init(
            occursAt: item.occursAt, kind: .init(rawValue: item.kind) ?? .agenda, author: item.$author.value?.name ?? "", text: item.text,
            createdAt: item.createdAt)
    }
}
