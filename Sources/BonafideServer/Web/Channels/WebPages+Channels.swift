import BonafideCore
import Fluent
import Foundation
import Vapor

/// Notification settings, one-click unsubscribe and calendar feeds.
extension WebPages {
    static func updateNotificationSettings(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        return try await act(req, back: SiteURL.Settings.section("notifications")) {
            var modes: [String: String] = [:]
            for kind in NotificationKind.allCases {
                let value = field(req, "mode_\(kind.rawValue)")
                if !value.isEmpty { modes[kind.rawValue] = value }
            }
            try await NotificationPreferences.update(
                actor.user,
                with: .init(
                    digestHour: Int(field(req, "digestHour")), quietStart: field(req, "quietStart"), quietEnd: field(req, "quietEnd"),
                    workDays: (1...7).filter { field(req, "day\($0)") == "on" }, modes: modes),
                on: req.db)
            req.flash("Notification settings saved.")
            return SiteURL.Settings.section("notifications")
        }
    }

    static func resetCalendar(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        return try await act(req, back: SiteURL.Settings.section("calendar")) {
            _ = try await CalendarFeed.reset(
                for: actor.id, baseURL: req.application.bonafide.baseURL, key: req.application.mailTokenKey, on: req.db)
            req.flash("Your calendar has a new address; the old one no longer works. Subscribe to the new one.")
            return SiteURL.Settings.section("calendar")
        }
    }

    static func personalCalendar(_ req: Request) async throws -> Response {
        guard let user = try await CalendarFeed.owner(of: req.parameters.get("token") ?? "", key: req.application.mailTokenKey, on: req.db)
        else { throw Problem(.notFound, "No calendar at this address: it was reset, or never existed.") }
        let config = req.application.bonafide
        return calendarResponse(
            try await CalendarFeed.personal(for: user, baseURL: config.baseURL, host: config.heloName, on: req.db), filename: "bonafide.ics"
        )
    }

    static func partnershipCalendar(_ req: Request) async throws -> Response {
        let (_, p) = try await partnershipOf(req)
        let config = req.application.bonafide
        return calendarResponse(
            try await CalendarFeed.partnership(p, baseURL: config.baseURL, host: config.heloName, on: req.db), filename: "partnership.ics")
    }

    private static func calendarResponse(_ text: String, filename: String) -> Response {
        let res = Response(status: .ok, body: .init(string: text))
        res.headers.replaceOrAdd(name: .contentType, value: "text/calendar; charset=utf-8")
        res.headers.replaceOrAdd(name: .contentDisposition, value: "inline; filename=\"\(filename)\"")
        res.headers.replaceOrAdd(name: .cacheControl, value: "private, max-age=300")
        return res
    }

    static func unsubscribeForm(_ req: Request) async throws -> HTML {
        let model = try await UnsubscribePage.load(token: req.parameters.get("token") ?? "", key: req.application.mailTokenKey)
        return try await page(req, "Unsubscribe", model.render())
    }

    static func unsubscribe(_ req: Request) async throws -> Response {
        let token = req.parameters.get("token") ?? ""
        guard let (user, kind) = NotificationMail.openUnsubscribe(token, key: req.application.mailTokenKey),
            try await User.find(user, on: req.db) != nil
        else { throw Problem(.notFound, "This unsubscribe link is not valid.") }
        let stopped = try await NotificationPreferences.unsubscribe(user: user, from: kind, on: req.db)
        // RFC 8058: the mail client's one-click POST wants a plain 200; a person's button gets a page.
        if req.headers.first(name: .contentType)?.contains("multipart/form-data") == true
            || (req.body.string ?? "").contains("List-Unsubscribe=One-Click")
        {
            return Response(status: .ok, body: .init(string: "Unsubscribed.\n"))
        }
        return try await page(
            req, "Unsubscribed", UnsubscribedPage(stopped: stopped.map(\.label)).render()
        ).encodeResponse(for: req)
    }
}

/// The webhook actions of the organization page.
extension WebPages {
    static func addWebhook(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        return try await act(req, back: SiteURL.webhooks) {
            let events = field(req, "events").split(whereSeparator: { $0 == "," || $0.isWhitespace }).map(String.init)
            let format = field(req, "format")
            let (_, secret) = try await Webhooks.create(
                .init(url: field(req, "url"), events: events, format: format.isEmpty ? nil : format), by: actor,
                key: req.application.secretBoxKey, allowPrivate: req.application.bonafide.allowPrivateWebhookAddresses, on: req.db)
            req.setSessionValue("new_webhook_secret", secret)
            req.flash("Webhook added.")
            return SiteURL.webhooks
        }
    }

    static func removeWebhook(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        return try await act(req, back: SiteURL.webhooks) {
            try await Webhooks.delete(try await Webhooks.find(uuid(req, "wid"), for: actor, on: req.db), on: req.db)
            req.flash("Webhook removed.")
            return SiteURL.webhooks
        }
    }

    static func enableWebhook(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        return try await act(req, back: SiteURL.webhooks) {
            try await Webhooks.enable(try await Webhooks.find(uuid(req, "wid"), for: actor, on: req.db), on: req.db)
            req.flash("Webhook turned on again.")
            return SiteURL.webhooks
        }
    }

    static func resendWebhookDelivery(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        return try await act(req, back: SiteURL.webhooks) {
            let hook = try await Webhooks.find(uuid(req, "wid"), for: actor, on: req.db)
            _ = try await Webhooks.resend(uuid(req, "did"), of: hook, on: req.db)
            req.flash("The event will be sent again in a moment.")
            return SiteURL.webhooks
        }
    }
}

/// The check-in actions of a partnership page.
extension WebPages {
    /// Runs a check-in form's work; a refusal about one of its fields shows the partnership page again with the form
    /// as typed, anything else is a flash.
    private static func checkInForm(
        _ req: Request, _ form: (Partnership) async throws -> CheckInsCard.Refusal.Form, fields: [String],
        _ work: (Actor, Partnership) async throws -> String
    ) async throws -> Response {
        let (actor, p) = try await partnershipOf(req)
        let back = SiteURL.checkIns(p.id)
        do {
            req.flash(try await work(actor, p))
            return req.safeRedirect(to: back)
        } catch let problem as Problem where problem.status == .unprocessableEntity {
            let values = Dictionary(uniqueKeysWithValues: fields.map { ($0, field(req, $0)) })
            let refused = CheckInsCard.Refusal(form: try await form(p), values: values, problem: problem)
            return try await partnershipPage(req, p, for: actor, checkIns: refused).encodeResponse(status: problem.status, for: req)
        } catch let problem as Problem {
            req.flash(problem.detail, error: true)
            return req.safeRedirect(to: back)
        }
    }

    static func scheduleCheckIn(_ req: Request) async throws -> Response {
        try await checkInForm(req, { _ in .schedule }, fields: CheckInsCard.scheduleFields) { actor, p in
            guard let first = Clock.parseLocal(field(req, "firstAt"), zone: actor.user.timeZone) else {
                throw Problem.invalid("firstAt", "Enter the date and time of the first meeting.")
            }
            _ = try await CheckIns.schedule(
                .init(
                    title: field(req, "title"), frequency: field(req, "frequency"), firstAt: first,
                    durationMinutes: Int(field(req, "durationMinutes")),
                    videoLink: field(req, "videoLink")), in: p, by: actor, on: req.db)
            return "Check-in scheduled; both sides get an invitation by mail."
        }
    }

    static func addCheckInAgenda(_ req: Request) async throws -> Response {
        try await checkInForm(
            req, { p in .agenda(try await CheckIns.find(uuid(req, "ciid"), in: p, on: req.db).requireID()) }, fields: ["text"]
        ) {
            actor, p in
            let c = try await CheckIns.find(uuid(req, "ciid"), in: p, on: req.db)
            _ = try await CheckIns.addAgenda(field(req, "text"), to: c, in: p, by: actor, on: req.db)
            return "Added to the agenda."
        }
    }

    static func recordCheckInMeeting(_ req: Request) async throws -> Response {
        try await checkInForm(
            req, { p in .record(try await CheckIns.find(uuid(req, "ciid"), in: p, on: req.db).requireID()) }, fields: ["occursAt", "notes"]
        ) { actor, p in
            let c = try await CheckIns.find(uuid(req, "ciid"), in: p, on: req.db)
            guard let when = ISO8601DateFormatter().date(from: field(req, "occursAt")) else {
                throw Problem.invalid("occursAt", "Choose the meeting to record.")
            }
            let held = field(req, "status") != "skipped"
            _ = try await CheckIns.record(c, meeting: when, held: held, notes: field(req, "notes"), in: p, by: actor, on: req.db)
            return held ? "Meeting noted." : "Meeting recorded as skipped."
        }
    }

    static func cancelCheckIn(_ req: Request) async throws -> Response {
        let (actor, p) = try await partnershipOf(req)
        return try await act(req, back: SiteURL.checkIns(p.id)) {
            try await CheckIns.cancel(try await CheckIns.find(uuid(req, "ciid"), in: p, on: req.db), in: p, by: actor, on: req.db)
            req.flash("Check-in cancelled; calendars get the cancellation.")
            return SiteURL.checkIns(p.id)
        }
    }
}

/// Status pages.
extension WebPages {
    static func statusPage(_ req: Request) async throws -> HTML {
        // Only a signed-in follower posts from this page; a visitor's token would set a cookie even on a refused page.
        let csrf = req.actor == nil ? "" : req.csrfToken
        let model = try await StatusPage.load(
            of: uuid(req, "oid"), viewer: req.actor, feedKey: req.application.mailTokenKey, csrf: csrf, on: req.db)
        return try await page(req, "\(model.organizationName) status", model.render())
    }

    static func statusFeed(_ req: Request) async throws -> Response {
        guard let id = uuid(req, "oid") else { throw Problem.notFound("status page") }
        let reader = try await req.queryParameter("token").asyncFlatMap {
            try await StatusPages.reader(of: $0, page: id, key: req.application.mailTokenKey, on: req.db)
        }
        let page = try await StatusPages.page(of: id, viewer: reader, on: req.db)
        let res = Response(status: .ok, body: .init(string: StatusPages.atom(page, baseURL: req.application.bonafide.baseURL)))
        res.headers.replaceOrAdd(name: .contentType, value: "application/atom+xml; charset=utf-8")
        return res
    }

    static func followStatus(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        let id = uuid(req, "oid")
        return try await act(req, back: SiteURL.status(id)) {
            let on = req.url.path.hasSuffix("/subscribe")
            try await StatusPages.subscribe(id, on, by: actor, on: req.db)
            req.flash(on ? "You will get a mail for every update on this page." : "No more mails from this page.")
            return SiteURL.status(id)
        }
    }

    static func setStatusPage(_ req: Request) async throws -> Response {
        let actor = try req.requireActor()
        return try await act(req, back: SiteURL.statusPageSection) {
            let v = try await StatusPages.setVisibility(field(req, "visibility"), by: actor, on: req.db)
            req.flash(v == .off ? "The status page is off." : "The status page is on for: \(v.label.lowercased()).")
            return SiteURL.statusPageSection
        }
    }
}
