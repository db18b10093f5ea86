import Foundation
import OpenAPIRuntime
import Testing
import VaporTesting

@testable import BonafideServer

/// What a client is told when a request cannot be read: the field or parameter named, the right status,
/// and nothing written.
@Suite("Problem answers")
struct ProblemAnswerTests {
    @Test func unreadableRequestsNameWhatIsWrong() async throws {
        try await withTestApp { app in
            let (a, _, pid) = try await app.activePartnership()
            let badDate = try await app.api(
                .POST, "/partnerships/\(pid)/commitments", token: a.token, json: #"{"title":"Audit","dueAt":"next Tuesday"}"#)
            #expect(badDate.status == .unprocessableEntity, "\(badDate.raw)")
            #expect(badDate.body["field"] as? String == "dueAt", "\(badDate.raw)")
            #expect((badDate.body["detail"] as? String ?? "").contains("RFC 3339 date-time such as"), "\(badDate.raw)")

            let badNumber = try await app.api(.GET, "/partnerships/\(pid)/log/entries?start=0&limit=ten", token: a.token)
            #expect(badNumber.status.code == 400 || badNumber.status == .unprocessableEntity, "\(badNumber.raw)")
            #expect(badNumber.body["field"] as? String == "limit", "\(badNumber.raw)")
            #expect(badNumber.body["detail"] as? String == "The query parameter limit must be a whole number.", "\(badNumber.raw)")

            let wrongType = try await app.api(
                .POST, "/partnerships/\(pid)/commitments", token: a.token, text: #"{"title":"Audit","dueAt":"2030-01-01T00:00:00Z"}"#)
            #expect(wrongType.status == .unsupportedMediaType, "\(wrongType.raw)")
            #expect(wrongType.headers.first(name: .contentType) == "application/problem+json")

            let noBody = try await app.api(.POST, "/partnerships/\(pid)/commitments", token: a.token)
            #expect(noBody.status == .badRequest, "\(noBody.raw)")
            #expect((noBody.body["detail"] as? String ?? "").contains("JSON request body"), "\(noBody.raw)")

            let list = try await app.api(.GET, "/partnerships/\(pid)/commitments", token: a.token)
            #expect(list.list.isEmpty, "nothing was written: \(list.raw)")
        }
    }

    /// An unexpected failure whose text happens to mention a query or a path is still a 500 with an error id,
    /// not a client error: the answer follows the error's type, never its wording.
    @Test func unexpectedErrorsAreNotGuessedFromTheirText() {
        struct Broken: Error, CustomStringConvertible { var description: String { "query failed on path /tmp/x, header y" } }
        let server = ServerError(
            operationID: "listCommitments", request: .init(method: .get, scheme: nil, authority: nil, path: "/"),
            requestBody: nil, requestMetadata: .init(), causeDescription: "User handler threw an error.", underlyingError: Broken())
        for error in [Broken() as any Error, server] {
            let problem = ProblemMiddleware.problem(for: error, logger: .init(label: "test"))
            #expect(problem.status == .internalServerError, "\(error)")
            #expect(problem.detail.hasPrefix("Something went wrong on our side"), "\(problem.detail)")
        }
    }
}
