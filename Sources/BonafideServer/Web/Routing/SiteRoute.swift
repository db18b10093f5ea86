import Foundation
import Vapor

/// A value that fills a parameter of a web address.
protocol PathArgument: Sendable {
    var pathSegment: String { get }
}

extension UUID: PathArgument {
    var pathSegment: String { apiString }
}

extension String: PathArgument {
    /// Tokens and names are percent-encoded so a "/" or "?" in one can never change which route is matched.
    var pathSegment: String { addingPercentEncoding(withAllowedCharacters: .urlPathSegmentAllowed) ?? "" }
}

extension CharacterSet {
    static let urlPathSegmentAllowed = CharacterSet.urlPathAllowed.subtracting(CharacterSet(charactersIn: "/;"))
}

/// One web address with typed parameters: it registers its route and builds its links, so the two cannot drift.
///
///     static let commitment = SiteRoute<UUID, UUID>("partnerships", ":pid", "commitments", ":cid")
///     routes.get(SiteURL.commitment, use: WebPages.commitment)    // reads req.parameters "pid" and "cid"
///     SiteURL.commitment(partnership.id, commitment.id)           // "/partnerships/…/commitments/…"
struct SiteRoute<each Argument: PathArgument>: Sendable {
    let components: [PathComponent]

    init(_ components: PathComponent...) { self.init(components) }

    /// Fixed routes are written `SiteRoute("settings")`: Swift cannot spell an empty argument list (`SiteRoute<>`),
    /// so here it is inferred from the argument types passed, which for a fixed route are none.
    init(_ components: PathComponent..., taking types: repeat (each Argument).Type) { self.init(components) }

    private init(_ components: [PathComponent]) {
        var arity = 0
        for _ in repeat (each Argument).self { arity += 1 }
        let parameters = components.filter { if case .parameter = $0 { true } else { false } }.count
        precondition(parameters == arity, "\(components.string) has \(parameters) parameters but \(arity) argument types")
        self.components = components
    }

    /// The link; a missing value (a model not saved yet) leaves its segment empty, which no route matches.
    func callAsFunction(_ argument: repeat (each Argument)?) -> String {
        var values: [String] = []
        for value in repeat each argument { values.append(value?.pathSegment ?? "") }
        var next = values.makeIterator()
        let segments = components.map { component -> String in
            switch component {
            case .constant(let text): text
            case .parameter: next.next() ?? ""
            case .anything, .catchall: component.description
            }
        }
        return "/" + segments.joined(separator: "/")
    }
}

extension RoutesBuilder {
    @discardableResult
    func get<each A: PathArgument, Response: AsyncResponseEncodable>(
        _ route: SiteRoute<repeat each A>, use handler: @escaping @Sendable (Request) async throws -> Response
    ) -> Route {
        on(.GET, route.components, use: handler)
    }

    @discardableResult
    func post<each A: PathArgument, Response: AsyncResponseEncodable>(
        _ route: SiteRoute<repeat each A>, use handler: @escaping @Sendable (Request) async throws -> Response
    ) -> Route {
        on(.POST, route.components, use: handler)
    }
}
