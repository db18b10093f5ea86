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
        if let o = try await Organization.find(org, on: db),
            !o.description.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty || !o.capabilities.isEmpty
        {
            done.insert(.profile)
        } else if try await ProfileSection.query(on: db).filter(\.$organization.$id == org).count() > 0 {
            done.insert(.profile)
        }
        let partnerships = try await Partnership.query(on: db)
            .group(.or) { $0.filter(\.$organization.$id == org).filter(\.$partner.$id == org) }.count()
        if partnerships > 0 { done.insert(.partnership) }
        let colleagues = try await User.query(on: db).filter(\.$organization.$id == org).count()
        let invitations = try await ColleagueInvitation.query(on: db).filter(\.$organization.$id == org).count()
        if colleagues > 1 || invitations > 0 { done.insert(.colleague) }
        let vaultKeys = try await VaultOrganizationKey.query(on: db).filter(\.$organization.$id == org).count()
        let witnessKey = try await Witnessing.key(of: org, on: db)
        if vaultKeys > 0 || witnessKey != nil { done.insert(.keys) }
        if try await Survey.query(on: db).filter(\.$organization.$id == org).count() > 0 { done.insert(.survey) }
        return Progress(done: done)
    }
}
