import BonafideCore
import Fluent
import Foundation
import Vapor

extension WebPages {
    static func handlingBadge(_ i: Incident, at now: Date) -> HTML {
        IncidentPage.badge(IncidentLifecycle.handling(of: i.state, at: now))
    }

    static func newIncident(_ req: Request) async throws -> HTML {
        // From a document's row: a partner lost control of it.
        let document = (try? req.query.get(Int.self, at: "document")).flatMap { (1...1_000_000).contains($0) ? $0 : nil }
        let clock = Clock(try req.requireActor().user.timeZone)
        let values = [
            "responsible": "partner", "severity": "major", "title": document.map { "Lost control of document \($0)" } ?? "",
            "occurredAt": clock.inputValue(Date()),
        ]
        return try await page(req, "Raise an incident", try await newIncidentPage(req, values: values, problem: nil).render())
    }

    private static func newIncidentPage(_ req: Request, values: [String: String], problem: Problem?) async throws -> NewIncidentPage {
        let (actor, p) = try await partnershipOf(req)
        try Incidents.requireOpenToIncidents(p)
        let partner = try await p.otherSide(of: actor.organizationID).asyncFlatMap { try await Organization.find($0, on: req.db) }
        return NewIncidentPage(
            partnershipName: p.name, partnershipLink: SiteURL.partnership(p.id), action: SiteURL.incidents(p.id),
            partnerName: partner?.name ?? "The other side", zone: actor.user.timeZone, values: values, problem: problem, csrf: req.csrfToken
        )
    }

    static func createIncident(_ req: Request) async throws -> Response {
        let (actor, p) = try await partnershipOf(req)
        let values = Dictionary(uniqueKeysWithValues: NewIncidentPage.fields.map { ($0, field(req, $0)) })
        do {
            guard let severity = IncidentSeverity(rawValue: values["severity"]!) else {
                throw Problem.invalid("severity", "Choose how severe it was: minor, major or critical.")
            }
            var occurred: Date?
            if !values["occurredAt"]!.isEmpty {
                guard let d = Clock.parseLocal(values["occurredAt"]!, zone: actor.user.timeZone) else {
                    throw Problem.invalid("occurredAt", "Enter when it happened as a date and time.")
                }
                occurred = d
            }
            let i = try await Incidents.raise(
                .init(
                    title: values["title"]!, description: values["description"]!, severity: severity, occurredAt: occurred,
                    selfReported: values["responsible"] == "us"), in: p, by: actor, on: req.db)
            req.flash(
                i.selfReported ? "Disclosed. The other side has been notified." : "Raised. The other side has been asked to acknowledge it."
            )
            return req.safeRedirect(to: SiteURL.incident(p.id, i.id))
        } catch let problem as Problem where problem.status == .unprocessableEntity {
            let form = try await newIncidentPage(req, values: values, problem: problem)
            return try await page(req, "Raise an incident", form.render()).encodeResponse(status: problem.status, for: req)
        } catch let problem as Problem {
            req.flash(problem.detail, error: true)
            return req.safeRedirect(to: SiteURL.newIncident(p.id))
        }
    }

    static func incident(_ req: Request) async throws -> HTML {
        let (actor, p) = try await partnershipOf(req)
        let i = try await Policy.incident(uuid(req, "iid"), in: p, on: req.db)
        let model = try await IncidentPage.load(i, in: p, for: actor, csrf: req.csrfToken, on: req.db)
        return try await page(req, model.title, model.render())
    }

    static func transitionIncident(_ req: Request) async throws -> Response {
        let (actor, p) = try await partnershipOf(req)
        let i = try await Policy.incident(uuid(req, "iid"), in: p, on: req.db)
        let back = SiteURL.incident(p.id, i.id)
        guard let action = IncidentAction(rawValue: field(req, "action")) else {
            req.flash("Unknown action.", error: true)
            return req.safeRedirect(to: back)
        }
        let values = Dictionary(uniqueKeysWithValues: IncidentPage.fields.map { ($0, field(req, $0)) })
        do {
            _ = try await Incidents.act(
                i, in: p, action: action, note: values["note"], rootCause: values["rootCause"],
                improvementPlan: values["improvementPlan"], by: actor, on: req.db)
            if let done = Self.incidentDone[action] { req.flash("“\(i.title)” \(done). The other side has been notified.") }
            return req.safeRedirect(to: field(req, "back") == SiteURL.dashboard() ? SiteURL.dashboard() : back)
        } catch let problem as Problem where problem.status == .unprocessableEntity && field(req, "back") != SiteURL.dashboard() {
            // Shown again as typed, with the refusal next to its field.
            let model = try await IncidentPage.load(
                i, in: p, for: actor, refused: (action, values, problem), csrf: req.csrfToken, on: req.db)
            return try await page(req, model.title, model.render()).encodeResponse(status: problem.status, for: req)
        } catch let problem as Problem {
            req.flash(problem.detail, error: true)
            return req.safeRedirect(to: field(req, "back") == SiteURL.dashboard() ? SiteURL.dashboard() : back)
        }
    }

    static let incidentDone: [IncidentAction: String] = [
        .acknowledge: "acknowledged", .update: "has your update", .resolve: "resolved", .reopen: "reopened",
        .close: "closed: resolution accepted", .withdraw: "withdrawn",
    ]

    static func publishIncident(_ req: Request) async throws -> Response {
        let (actor, p) = try await partnershipOf(req)
        let i = try await Policy.incident(uuid(req, "iid"), in: p, on: req.db)
        let back = SiteURL.incident(p.id, i.id)
        return try await act(req, back: back) {
            let published = field(req, "published") == "true"
            _ = try await Incidents.publish(i, in: p, published, by: actor, on: req.db)
            req.flash(published ? "Published on your organization's profile." : "Taken off your organization's profile.")
            return back
        }
    }
}
