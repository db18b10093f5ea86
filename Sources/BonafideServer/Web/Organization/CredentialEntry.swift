import BonafideCore
import Foundation

/// One credential as a line on a profile or the organization page: what it is, who issued it and whether the issuer
/// confirmed it. Expiry is decided when the entry is made, so the view stays pure.
struct CredentialEntry: Sendable {
    enum State: String, Sendable {
        case verified, expired, claimed, pending, declined, revoked

        var label: String {
            switch self {
            case .verified: "verified"
            case .expired: "expired"
            case .claimed: "not verified"
            case .pending: "awaiting the issuer"
            case .declined: "declined by the issuer"
            case .revoked: "revoked by the issuer"
            }
        }
    }

    var id: UUID
    var holderID: UUID
    var holderName: String
    var title: String
    var kind: CredentialKind
    var issuerName: String
    var identifier: String
    var validUntil: Date?
    var decidedAt: Date?
    var decisionNote: String?
    var state: State

    var badge: HTML { "<span class=\"status s-\(state.rawValue)\">\(state.label)</span>" }

    func render(clock: Clock) -> HTML {
        let number: HTML = identifier.isEmpty ? "" : " · no. \(identifier)"
        let until: HTML = validUntil.map { HTML(" · valid until \(clock.format($0, "d MMM yyyy"))") } ?? ""
        let decided: HTML =
            switch state {
            case .verified, .expired: decidedAt.map { HTML(" · confirmed \(clock.format($0, "d MMM yyyy"))") } ?? ""
            case .declined, .revoked: decisionNote.map { HTML(": “\($0)”") } ?? ""
            case .claimed, .pending: ""
            }
        return """
            <strong>\(title)</strong> \(badge)<div class="small muted">\(kind.title) issued by \(issuerName)\(number)\(until)\(decided)</div>
            """
    }
}

extension CredentialEntry {
    /// The holder's name is read only when the holder was loaded (requests to confirm show whose claim it is).
    init(_ c: Credential, at now: Date) {
        id = c.id!
        holderID = c.$holder.id
        holderName = c.$holder.value?.name ?? ""
        (title, kind, issuerName, identifier) = (c.title, c.kind, c.issuerName, c.identifier)
        (validUntil, decidedAt, decisionNote) = (c.validUntil, c.decidedAt, c.decisionNote)
        state =
            switch c.status {
            case .verified: c.isExpired(at: now) ? .expired : .verified
            case .claimed: .claimed
            case .pending: .pending
            case .declined: .declined
            case .revoked: .revoked
            }
    }
}
