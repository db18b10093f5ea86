import BonafideCore
import Foundation
import Vapor

/// C2SP tlog-tiles read access under /api/v1/partnerships/{id}/log/tile/…, for members only.
/// Tile paths span several segments (x001/x234/067.p/5), which OpenAPI paths cannot express, so
/// these are plain routes that authenticate and authorize exactly like the generated API.
func registerTiles(_ app: Application) {
    app.get("api", "v1", "partnerships", ":partnershipId", "log", "tile", "**") { req async throws -> Response in
        let partnership = try await Policy.partnership(
            req.parameters.get("partnershipId").flatMap(UUID.init(uuidString:)), for: try await req.bearerActor(), on: req.db)
        let id = try partnership.requireID()
        guard let (kind, index, width) = TilePath.parse(req.parameters.getCatchall()) else {
            throw Problem(
                .notFound,
                "Not a tile path: expected tile/<L>/<N>[.p/<W>] or tile/entries/<N>[.p/<W>], N in groups of three digits (x001/x234/067), 1 ≤ W ≤ 255."
            )
        }
        let body: [UInt8]?
        switch kind {
        case .hashes(let level): body = try await Ledger.tile(of: id, level: level, index: index, width: width, on: req.db)
        case .entries: body = try await Ledger.entryBundle(of: id, index: index, width: width, on: req.db)
        }
        guard let body else { throw Problem(.notFound, "The log does not have this tile yet: ask for a smaller width or a lower index.") }
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: "application/octet-stream")
        // A full tile never changes; a partial one is also fixed but is soon superseded by a wider one.
        headers.replaceOrAdd(
            name: .cacheControl, value: width == TilePath.width ? "private, max-age=31536000, immutable" : "private, max-age=60")
        return Response(status: .ok, headers: headers, body: .init(data: Data(body)))
    }
}

/// An organization's trust passport as its exact canonical bytes (re-encoding it would break its verification):
/// `GET /api/v1/organizations/{id}/passport`, for its own people, and for anyone once the organization has a public
/// profile (a public section).
func registerPassports(_ app: Application) {
    app.get(SiteURL.passport) { req async throws -> Response in
        guard let id = req.parameters.get("organizationId").flatMap(UUID.init(uuidString:)),
            let org = try await Organization.find(id, on: req.db)
        else { throw Problem.notFound("passport") }
        let own = try await req.optionalBearerActor()?.organizationID == id
        if !own, try await ProfileSections.visible(of: org, to: .anyone, on: req.db).isEmpty { throw Problem.notFound("passport") }
        return try await passportResponse(for: id, req)
    }
}

/// The passport's exact bytes as a download.
func passportResponse(for id: UUID, _ req: Request) async throws -> Response {
    let bytes = try await Passports.build(for: id, app: req.application, on: req.db)
    var headers = HTTPHeaders()
    headers.replaceOrAdd(name: .contentType, value: "application/json")
    headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"passport-\(id.apiString.prefix(8)).json\"")
    headers.replaceOrAdd(name: .cacheControl, value: "no-store")
    return Response(status: .ok, headers: headers, body: .init(data: Data(bytes)))
}
