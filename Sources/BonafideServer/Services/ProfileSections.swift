import BonafideCore
import Fluent
import Foundation

/// An organization's profile as sections, each shown to the audience it chose (`Audience`), decided by `Access`.
enum ProfileSections {
    struct Standard: Sendable {
        var name: String
        var title: String
        var audience: Audience
    }

    /// The sections every profile has, in the order they are shown, with who sees them until the organization
    /// chooses: what it does to anyone signed in, the terms and weak spots to those who work with it.
    static let standard: [Standard] = [
        .init(name: "about", title: "About", audience: .signedIn),
        .init(name: "services", title: "Services and skills", audience: .signedIn),
        .init(name: "capabilities", title: "Capabilities", audience: .signedIn),
        .init(name: "languages", title: "Languages", audience: .signedIn),
        .init(name: "workingHours", title: "Working hours", audience: .signedIn),
        .init(name: "availability", title: "Availability", audience: .partners),
        .init(name: "limitations", title: "Limitations", audience: .partners),
        .init(name: "knownRisks", title: "Known risks", audience: .partners),
        .init(name: "clients", title: "Clients", audience: .connected),
        .init(name: "rates", title: "Rates", audience: .collaborator),
    ]

    /// Sections whose content is the organization's own fields (edited here or in the profile form alike).
    static let fromOrganization: Set<String> = ["about", "capabilities", "languages", "workingHours", "limitations", "knownRisks"]
    static let maxCustom = 20
    static let maxContent = 4000

    struct Section: Sendable {
        var name: String
        var title: String
        var content: String
        var audience: Audience
        var custom: Bool
        var updatedAt: Date?
    }

    /// Every section of the organization, standard ones first, then its own by title.
    static func all(of org: Organization, on db: any Database) async throws -> [Section] {
        try await all(of: [org], on: db)[org.id!] ?? []
    }

    /// Every organization's sections in one query; with `names`, only the sections of those names (each as it is
    /// among all of them), the rest neither read nor built.
    static func all(of orgs: [Organization], named names: Set<String>? = nil, on db: any Database) async throws -> [UUID: [Section]] {
        let query = ProfileSection.query(on: db).filter(\.$organization.$id ~~ orgs.compactMap(\.id))
        if let names { query.filter(\.$name ~~ Array(names)) }
        let rows = try await query.all()
        let rowsOf = Dictionary(grouping: rows, by: { $0.$organization.id })
        return Dictionary(
            orgs.map { ($0.id!, sections(of: $0, rows: rowsOf[$0.id!] ?? [], named: names)) }, uniquingKeysWith: { a, _ in a })
    }

    private static func sections(of org: Organization, rows: [ProfileSection], named names: Set<String>? = nil) -> [Section] {
        let byName = Dictionary(rows.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let standard = standard.filter { names?.contains($0.name) ?? true }.map { s in
            let row = byName[s.name]
            return Section(
                name: s.name, title: s.title, content: fromOrganization.contains(s.name) ? content(s.name, of: org) : row?.content ?? "",
                audience: row?.audience ?? s.audience, custom: false, updatedAt: row?.updatedAt)
        }
        let known = Set(Self.standard.map(\.name))
        let custom = rows.filter { !known.contains($0.name) && (names?.contains($0.name) ?? true) }
            .map {
                Section(name: $0.name, title: $0.title, content: $0.content, audience: $0.audience, custom: true, updatedAt: $0.updatedAt)
            }
            .sorted { $0.title.localizedCompare($1.title) == .orderedAscending }
        return standard + custom
    }

    /// The sections the subject may read, each with the decision that let it through; empty ones are left out.
    static func visible(of org: Organization, to subject: Access.Subject, on db: any Database) async throws -> [(
        section: Section, decision: AccessModel.Decision
    )] {
        try await decisions(of: org, for: subject, on: db).filter { $0.decision.allowed && !$0.section.content.isEmpty }
    }

    /// The sections of many organizations the subject may read, empty ones left out: a constant number of queries.
    /// With `names`, only the sections of those names are read and checked (a search reads four of each candidate's
    /// ten or more); each is decided as among all of them, its decision depending on its own audience alone.
    static func visible(of orgs: [Organization], to subject: Access.Subject, named names: Set<String>? = nil, on db: any Database)
        async throws -> [UUID: [Section]]
    {
        let sections = try await all(of: orgs, named: names, on: db)
        let owned = orgs.flatMap { org in (sections[org.id!] ?? []).map { (owner: org.id!, section: $0) } }
        let decisions = try await Access.check(
            subject, "reader", owned.map { .shared(organization: $0.owner, name: $0.section.name, audience: $0.section.audience) }, on: db)
        var visible: [UUID: [Section]] = [:]
        for (item, decision) in zip(owned, decisions) where decision.allowed && !item.section.content.isEmpty {
            visible[item.owner, default: []].append(item.section)
        }
        return visible
    }

    /// Every section with whether the subject may read it and why (for the organization's own view of a partner).
    static func decisions(of org: Organization, for subject: Access.Subject, on db: any Database) async throws -> [(
        section: Section, decision: AccessModel.Decision
    )] {
        let sections = try await all(of: org, on: db)
        let decisions = try await Access.check(
            subject, "reader", sections.map { .shared(organization: org.id!, name: $0.name, audience: $0.audience) }, on: db)
        return Array(zip(sections, decisions)).map { (section: $0.0, decision: $0.1) }
    }

    /// Sets a section's content, audience or both (owners and admins). A new name adds the organization's own
    /// section (`title` names it); `content` of a standard section backed by the organization's fields updates them.
    @discardableResult
    static func set(
        _ name: String, content: String?, audience: Audience?, title: String?, by actor: Actor, at now: Date = Date(), on db: any Database
    ) async throws -> Section {
        try Policy.manageOrganization(actor)
        let standard = Self.standard.first { $0.name == name }
        guard standard != nil || isCustomName(name) else {
            throw Problem.invalid(
                "section",
                "\"\(name.prefix(60))\" is not a section name: use a standard one (\(Self.standard.map(\.name).joined(separator: ", "))) or 1-40 letters, digits and dashes starting with a letter."
            )
        }
        guard content != nil || audience != nil || title != nil else {
            throw Problem.invalid("content", "Send the section's content, its visibility, or both.")
        }
        let text = content?.trimmingCharacters(in: .whitespacesAndNewlines)
        if let text, text.length > maxContent {
            throw Problem.invalid("content", "A section has at most \(maxContent) characters; this one has \(text.length).")
        }
        if standard != nil, title != nil {
            throw Problem.invalid("title", "Standard sections keep their titles; only your own sections take one.")
        }
        let cleanTitle = title?.trimmingCharacters(in: .whitespacesAndNewlines)
        if let cleanTitle, !(1...80).contains(cleanTitle.length) {
            throw Problem.invalid("title", "A section title has 1 to 80 characters.")
        }
        if name == "workingHours", text != nil {
            throw Problem.invalid(
                "content",
                "Working hours come from your organization's time zone, hours and days; change them in the profile, then choose who sees them here."
            )
        }
        let organizationID = actor.organizationID
        return try await db.writeTransaction { tx in
            // Locked: two people adding the same new section, or the twentieth and twenty-first, are decided one after
            // the other on the rows as they are, never as a duplicate or a constraint error.
            guard let org = try await tx.lockedRow(Organization.self, organizationID) else { throw Problem.notFound("organization") }
            if let text, fromOrganization.contains(name) {
                _ = try await Accounts.updateOrganization(update(name, text), by: actor, on: tx)
            }
            let existing = try await ProfileSection.query(on: tx).filter(\.$organization.$id == organizationID).filter(\.$name == name)
                .first()
            let row = existing ?? ProfileSection()
            if existing == nil {
                if standard == nil {
                    let custom = try await ProfileSection.query(on: tx).filter(\.$organization.$id == organizationID)
                        .filter(\.$name !~ Self.standard.map(\.name)).count()
                    guard custom < maxCustom else {
                        throw Problem(.conflict, "An organization has at most \(maxCustom) sections of its own; remove one first.")
                    }
                    guard text != nil else { throw Problem.invalid("content", "A new section needs its content.") }
                }
                row.$organization.id = organizationID
                row.name = name
                row.title = standard?.title ?? cleanTitle ?? humanTitle(name)
                row.content = ""
                row.audience = standard?.audience ?? .partners
            }
            if let text, !fromOrganization.contains(name) { row.content = text }
            if let cleanTitle { row.title = cleanTitle }
            if let audience { row.audience = audience }
            row.updatedAt = now
            row.$updatedBy.id = actor.id
            try await row.save(on: tx)
            let refreshed = try await Organization.find(organizationID, on: tx) ?? org
            guard let section = try await all(of: refreshed, on: tx).first(where: { $0.name == name }) else {
                throw Problem.notFound("section")
            }
            return section
        }
    }

    /// Removes one of the organization's own sections; standard sections stay (empty them instead).
    static func remove(_ name: String, by actor: Actor, on db: any Database) async throws {
        try Policy.manageOrganization(actor)
        guard !standard.contains(where: { $0.name == name }) else {
            throw Problem(.unprocessableEntity, "Standard sections stay on every profile; empty the content to show nothing.")
        }
        let organizationID = actor.organizationID
        try await db.writeTransaction { tx in
            guard
                let row = try await ProfileSection.query(on: tx).filter(\.$organization.$id == organizationID).filter(\.$name == name)
                    .first()
            else { throw Problem.notFound("section") }
            try await row.delete(on: tx)
        }
    }

    static func isCustomName(_ name: String) -> Bool {
        let scalars = Array(name.unicodeScalars)
        func letter(_ c: Unicode.Scalar) -> Bool { ("a"..."z").contains(c) || ("A"..."Z").contains(c) }
        guard (1...40).contains(scalars.count), letter(scalars[0]) else { return false }
        return scalars.allSatisfy { letter($0) || ("0"..."9").contains($0) || $0 == "-" }
    }

    /// The name a section added by its title gets: "Case studies" → "case-studies" (letters and digits, dashes between).
    static func name(forTitle title: String) -> String {
        let folded = title.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: nil)
        let words = folded.split { !($0.isASCII && ($0.isLetter || $0.isNumber)) }.prefix(6)
        return String(words.joined(separator: "-").prefix(40))
    }

    /// "case-studies" → "Case studies".
    static func humanTitle(_ name: String) -> String {
        let words = name.replacingOccurrences(of: "-", with: " ").lowercased()
        return words.prefix(1).uppercased() + words.dropFirst()
    }

    /// The text of a section kept in the organization's fields.
    static func content(_ name: String, of org: Organization) -> String {
        switch name {
        case "about": return org.description
        case "capabilities": return org.capabilities.joined(separator: "\n")
        case "limitations": return org.limitations.joined(separator: "\n")
        case "knownRisks": return org.risks.joined(separator: "\n")
        case "languages": return org.languages.joined(separator: "\n")
        case "workingHours": return workingHoursText(Accounts.workingHours(of: org))
        default: return ""
        }
    }

    private static func update(_ name: String, _ text: String) -> Accounts.ProfileUpdate {
        let lines = text.split(whereSeparator: \.isNewline).map(String.init)
        var u = Accounts.ProfileUpdate()
        switch name {
        case "about": u.description = text
        case "capabilities": u.capabilities = lines
        case "limitations": u.limitations = lines
        case "knownRisks": u.risks = lines
        case "languages": u.languages = lines
        default: break
        }
        return u
    }

    /// "Mon–Fri 09:00–17:00 (Europe/Berlin)".
    static func workingHoursText(_ hours: WorkingHours) -> String {
        let names = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
        let days = hours.days.sorted()
        var runs: [String] = []
        var i = 0
        while i < days.count {
            var j = i
            while j + 1 < days.count, days[j + 1] == days[j] + 1 { j += 1 }
            runs.append(j > i ? "\(names[days[i] - 1])–\(names[days[j] - 1])" : names[days[i] - 1])
            i = j + 1
        }
        func clock(_ m: Int) -> String { String(format: "%02d:%02d", m / 60, m % 60) }
        return "\(runs.joined(separator: ", ")) \(clock(hours.startMinute))–\(clock(hours.endMinute)) (\(hours.timeZone.identifier))"
    }
}
