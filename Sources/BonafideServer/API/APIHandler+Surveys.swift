import BonafideCore
import Fluent
import Foundation
import OpenAPIRuntime
import Vapor

extension API {
    func survey(_ id: String) async throws -> (Actor, Survey) {
        let actor = try await actor()
        return (actor, try await Surveys.survey(UUID(uuidString: id), for: actor, on: try req.db))
    }

    func listSurveys(_ input: Operations.ListSurveys.Input) async throws -> Operations.ListSurveys.Output {
        let db = try req.db
        var out: [Components.Schemas.Survey] = []
        for s in try await Surveys.list(for: try await actor(), on: db) {
            out.append(DTO.survey(s, try await SurveyResults.load(s, on: db)))
        }
        return .ok(.init(body: .json(out)))
    }

    func createSurvey(_ input: Operations.CreateSurvey.Input) async throws -> Operations.CreateSurvey.Output {
        guard case .json(let body) = input.body else { throw Problem(.unsupportedMediaType, "Send JSON.") }
        let questions = (body.questions ?? []).map { q in
            SurveyQuestion(
                id: q.id ?? "", kind: SurveyQuestion.Kind(rawValue: q.kind.rawValue) ?? .text, prompt: q.prompt, options: q.options,
                min: q.min,
                max: q.max)
        }
        let db = try req.db
        let survey = try await Surveys.create(
            .init(title: body.title, kind: body.kind.rawValue, question: body.question, campaign: body.campaign, questions: questions),
            by: try await actor(), on: db)
        return .created(.init(body: .json(DTO.survey(survey, try await SurveyResults.load(survey, on: db)))))
    }

    func getSurvey(_ input: Operations.GetSurvey.Input) async throws -> Operations.GetSurvey.Output {
        let (_, survey) = try await survey(input.path.surveyId)
        return .ok(.init(body: .json(DTO.survey(survey, try await SurveyResults.load(survey, on: try req.db)))))
    }

    func listSurveyRecipients(_ input: Operations.ListSurveyRecipients.Input) async throws -> Operations.ListSurveyRecipients.Output {
        let (actor, survey) = try await survey(input.path.surveyId)
        try Policy.manageOrganization(actor)
        let db = try req.db
        let key = try await SurveyLinks.key(on: db)
        let base = try req.application.bonafide.baseURL
        let recipients = try await SurveyRecipient.query(on: db).filter(\.$survey.$id == survey.id!).sort(\.$createdAt).all()
        return .ok(
            .init(
                body: .json(
                    recipients.map { r in
                        .init(
                            id: r.id!.apiString, email: r.email, name: r.name, segment: r.segment,
                            partnerOrganizationId: r.$partner.id?.apiString,
                            link: SurveyLinks.url(for: r.id!, key: key, baseURL: base), invitedAt: r.invitedAt,
                            remindedAt: r.remindedAt, reminders: r.reminders, respondedAt: r.respondedAt)
                    })))
    }

    func addSurveyRecipients(_ input: Operations.AddSurveyRecipients.Input) async throws -> Operations.AddSurveyRecipients.Output {
        guard case .json(let body) = input.body else { throw Problem(.unsupportedMediaType, "Send JSON.") }
        let (actor, survey) = try await survey(input.path.surveyId)
        var people = (body.recipients ?? []).map { Surveys.RecipientInput(email: $0.email, name: $0.name ?? "", segment: $0.segment ?? "") }
        if let csv = body.csv { people += try await Offload.cpu { try Surveys.parseCSV(csv) } }
        let circle = body.circle.map { Circle(rawValue: $0.rawValue)! }
        guard !people.isEmpty || body.partners == true || circle != nil else {
            throw Problem.invalid("recipients", "Give recipients, a csv, partners: true or a circle.")
        }
        let result = try await Surveys.addRecipients(
            people, partners: body.partners ?? false, circle: circle, to: survey, by: actor, on: try req.db)
        return .ok(.init(body: .json(.init(added: result.added, alreadyThere: result.alreadyThere, optedOut: result.optedOut))))
    }

    func sendSurvey(_ input: Operations.SendSurvey.Input) async throws -> Operations.SendSurvey.Output {
        let (actor, survey) = try await survey(input.path.surveyId)
        let count = try await Surveys.send(survey, by: actor, baseURL: try req.application.bonafide.baseURL, on: try req.db)
        return .ok(.init(body: .json(.init(count: count))))
    }

    func remindSurvey(_ input: Operations.RemindSurvey.Input) async throws -> Operations.RemindSurvey.Output {
        let (actor, survey) = try await survey(input.path.surveyId)
        let count = try await Surveys.remind(survey, by: actor, baseURL: try req.application.bonafide.baseURL, on: try req.db)
        return .ok(.init(body: .json(.init(count: count))))
    }

    func exportSurveyResponses(_ input: Operations.ExportSurveyResponses.Input) async throws -> Operations.ExportSurveyResponses.Output {
        let (_, survey) = try await survey(input.path.surveyId)
        return .ok(.init(body: .csv(.init(try await SurveyResults.csv(survey, on: try req.db)))))
    }

    func getSurveyLink(_ input: Operations.GetSurveyLink.Input) async throws -> Operations.GetSurveyLink.Output {
        try await req.limitSurveyLinkAttempts()
        let invitation = try await Surveys.invitation(token: input.path.token, on: try req.db)
        let s = invitation.survey
        return .ok(
            .init(
                body: .json(
                    .init(
                        organizationName: invitation.organizationName, title: s.title, kind: .init(rawValue: s.kind.rawValue)!,
                        question: s.question, questions: s.questions.map(DTO.question),
                        scale: [s.kind.scale.lowerBound, s.kind.scale.upperBound],
                        answered: invitation.recipient.respondedAt != nil, open: s.status == .open))))
    }

    func answerSurvey(_ input: Operations.AnswerSurvey.Input) async throws -> Operations.AnswerSurvey.Output {
        guard case .json(let body) = input.body else { throw Problem(.unsupportedMediaType, "Send JSON.") }
        try await req.limitSurveyLinkAttempts()
        var answers: [String: SurveyAnswer] = [:]
        for (key, value) in body.answers?.additionalProperties ?? [:] {
            switch value {
            case .case1(let n): answers[key] = .number(n)
            case .case2(let t): answers[key] = .text(t)
            }
        }
        let response = try await Surveys.respond(
            token: input.path.token, .init(score: body.score, reason: body.reason ?? "", answers: answers), on: try req.db)
        return .created(
            .init(
                body: .json(
                    .init(id: response.id!.apiString, submittedAt: response.submittedAt, sentiment: response.sentiment))))
    }

    func optOutOfSurveys(_ input: Operations.OptOutOfSurveys.Input) async throws -> Operations.OptOutOfSurveys.Output {
        try await req.limitSurveyLinkAttempts()
        _ = try await Surveys.optOut(token: input.path.token, on: try req.db)
        return .noContent(.init())
    }
}

extension DTO {
    static func question(_ q: SurveyQuestion) -> Components.Schemas.SurveyQuestion {
        .init(id: q.id, kind: .init(rawValue: q.kind.rawValue)!, prompt: q.prompt, options: q.options, min: q.min, max: q.max)
    }

    static func group(_ g: SurveyResults.Group) -> Components.Schemas.ScoreGroup {
        .init(
            label: g.label, n: g.summary.n, score: g.summary.score, ci95: g.summary.interval.map { [$0.lowerBound, $0.upperBound] },
            change: .init(rawValue: g.change.rawValue)!)
    }

    static func survey(_ s: Survey, _ r: SurveyResults) -> Components.Schemas.Survey {
        .init(
            id: s.id!.apiString, title: s.title, kind: .init(rawValue: s.kind.rawValue)!, question: s.question,
            campaign: s.campaign,
            questions: s.questions.map(question), status: .init(rawValue: s.status.rawValue)!, createdAt: s.createdAt,
            results: .init(
                n: r.summary.n, score: r.summary.score, ci95: r.summary.interval.map { [$0.lowerBound, $0.upperBound] },
                distribution: r.summary.distribution, recipients: r.recipients, invited: r.invited, responded: r.responded,
                responseRate: r.responseRate, optedOut: r.optedOut, skipped: r.skipped, meanSentiment: r.meanSentiment,
                trend: r.trend.map(group), segments: r.segments.map(group), circles: r.circles.map(group),
                comments: r.comments.map { c in
                    .init(text: c.text, score: c.score, sentiment: c.sentiment, drivers: c.drivers.map(\.phrase), segment: c.segment)
                }))
    }
}
