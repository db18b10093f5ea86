import Fluent
import Foundation
import SQLKit

/// The first steps of a new organization, each done when the record shows it, so the checklist needs no state of its
/// own and disappears by itself once every step is done.
enum Onboarding {
    enum Step: String, CaseIterable, Sendable {
        case profile, partnership, colleague, keys, survey

        var title: String {
            switch self {
            case .profile: "Say what your organization does"
            case .partnership: "Open your first partnership"
            case .colleague: "Invite a colleague"
            case .keys: "Set up your vault passphrase or a witness key"
            case .survey: "Ask your customers: send a first survey"
            }
        }

        var why: String {
            switch self {
            case .profile: "Partners decide whom to trust from what you say you do well, and what you do not."
            case .partnership: "Commitments, messages and the shared record all live in a partnership."
            case .colleague: "Work does not stop when you are away."
            case .keys: "Confidential documents are encrypted to your vault key; a witness key cosigns your partnerships' records."
            case .survey: "NPS and CSAT from your customers count towards your standing."
            }
        }

        var link: String {
            switch self {
            case .profile: SiteURL.profileSettings
            case .partnership: SiteURL.newPartnership()
            case .colleague: SiteURL.colleagueInvitationSection
            case .keys: SiteURL.vaultSection
            case .survey: SiteURL.surveys()
            }
        }
    }

    struct Progress: Sendable, Equatable {
        var done: Set<Step>
        var remaining: [Step] { Step.allCases.filter { !done.contains($0) } }
        var isComplete: Bool { done.count == Step.allCases.count }
    }

    /// The steps only owners and admins can take; for anyone else there is no checklist.
    static func progress(for actor: Actor, on db: any Database) async throws -> Progress? {
        guard Policy.canManage(actor) else { return nil }
        let org = actor.organizationID
        var done = Set<Step>()
        // One query for every step, with the organization's description and capabilities (an array, stored
        // differently per database, so tested here rather than in SQL), read column by column: the inbox loads this on
        // every visit, and the organization was a second statement through the query builder.
        let sql = try db.sql()
        let row = try await sql.raw(checklist(of: org)).first()
        guard let row else { return Progress(done: done) }
        func count(_ column: String) throws -> Int { try row.decode(column: column, as: Int.self) }
        let (sections, partnerships, people) = (try count("sections"), try count("partnerships"), try count("people"))
        let (invitations, keys, surveys) = (try count("invitations"), try count("keys"), try count("surveys"))
        if sections > 0 { done.insert(.profile) }
        // Read only when the sections did not settle it, as the organization was; no organization, no profile.
        if !done.contains(.profile),
            let description = try row.decodeIfPresent(column: "organization_description", as: String.self),
            let capabilities = try row.decodeIfPresent(column: "organization_capabilities", as: [String].self),
            !description.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty || !capabilities.isEmpty
        {
            done.insert(.profile)
        }
        if partnerships > 0 { done.insert(.partnership) }
        if people > 1 || invitations > 0 { done.insert(.colleague) }
        if keys > 0 { done.insert(.keys) }
        if surveys > 0 { done.insert(.survey) }
        return Progress(done: done)
    }

    /// The statement of `progress`, one row of counts (`QueryPlanTests` reads its plan).
    static func checklist(of org: UUID) -> SQLQueryString {
        """
        SELECT
          CASE WHEN EXISTS (SELECT 1 FROM profile_sections WHERE organization_id = \(bind: org)) THEN 1 ELSE 0 END AS sections,
          CASE WHEN EXISTS (SELECT 1 FROM partnerships WHERE organization_id = \(bind: org) OR partner_organization_id = \(bind: org))
            THEN 1 ELSE 0 END AS partnerships,
          (SELECT COUNT(*) FROM users WHERE organization_id = \(bind: org)) AS people,
          CASE WHEN EXISTS (SELECT 1 FROM colleague_invitations WHERE organization_id = \(bind: org)) THEN 1 ELSE 0 END AS invitations,
          CASE WHEN EXISTS (SELECT 1 FROM vault_organization_keys WHERE organization_id = \(bind: org))
            OR EXISTS (SELECT 1 FROM witness_keys WHERE id = \(bind: org)) THEN 1 ELSE 0 END AS keys,
          CASE WHEN EXISTS (SELECT 1 FROM surveys WHERE organization_id = \(bind: org)) THEN 1 ELSE 0 END AS surveys,
          (SELECT description FROM organizations WHERE id = \(bind: org)) AS organization_description,
          (SELECT capabilities FROM organizations WHERE id = \(bind: org)) AS organization_capabilities
        """
    }
}
