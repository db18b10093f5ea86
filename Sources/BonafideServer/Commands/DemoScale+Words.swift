import Foundation

/// The words the scaled demo is written with: small lists combined, so 500 organizations and 200,000 messages read
/// like real work (and searching for "report" or a skill finds something) without storing a corpus.
extension DemoScale {
    /// What an organization does: its profile, the partnerships it opens and the work it promises.
    struct Trade: Sendable {
        var kind: String
        var description: String
        var capabilities: [String]
        var limitations: [String]
        var projects: [String]
        var deliverables: [String]
    }

    static let trades: [Trade] = [
        Trade(
            kind: "Studio", description: "Product design for commerce teams.",
            capabilities: ["UX research and usability testing", "Design systems", "Storefront design"],
            limitations: ["No backend development"],
            projects: ["Storefront redesign", "Design system", "Brand refresh", "Usability programme"],
            deliverables: [
                "Wireframes", "Design system components", "Usability test report", "Page templates", "Style guide", "Prototype",
            ]),
        Trade(
            kind: "Analytics", description: "Analytics and data engineering.",
            capabilities: ["Demand forecasting", "dbt and warehouse modelling", "Dashboards"],
            limitations: ["No on-site work"], projects: ["Demand forecasting", "Data warehouse build", "Dashboard rollout"],
            deliverables: ["Demand forecast", "Method note", "Dashboard", "Data quality report", "Sales data export", "Model review"]),
        Trade(
            kind: "Legal", description: "Commercial contracts for digital businesses.",
            capabilities: ["Contract templates", "GDPR reviews", "Supplier agreements"],
            limitations: ["English and German law only"], projects: ["Contract templates", "GDPR review", "Supplier agreements"],
            deliverables: ["Contract draft", "GDPR review", "Data processing addendum", "Terms update", "Risk memo"]),
        Trade(
            kind: "Logistics", description: "Warehousing and fulfilment in Europe.",
            capabilities: ["Fulfilment", "Returns handling", "Carrier management"],
            limitations: ["No cold chain"], projects: ["Fulfilment pilot", "Returns handling", "Warehouse move"],
            deliverables: ["Shipping schedule", "Returns report", "Inventory count", "Carrier quote", "Packaging spec"]),
        Trade(
            kind: "Retail", description: "Online and store retail of outdoor gear.",
            capabilities: ["Product data", "Store network", "Seasonal campaigns"],
            limitations: ["Release freeze from mid-November"], projects: ["Marketplace listing", "Holiday campaign", "Product data feed"],
            deliverables: ["Product data", "Sales report", "Campaign brief", "Stock forecast approval", "Store feedback"]),
        Trade(
            kind: "Labs", description: "Applied research and prototyping.",
            capabilities: ["Prototyping", "Lab testing", "Research studies"],
            limitations: ["Small batches only"], projects: ["Prototype sprint", "Sensor pilot", "Research partnership"],
            deliverables: ["Prototype build", "Test protocol", "Lab results", "Research summary", "Sample batch"]),
        Trade(
            kind: "Consulting", description: "Operations and pricing consulting.",
            capabilities: ["Process audits", "Pricing studies", "Workshops"],
            limitations: ["No implementation work"], projects: ["Operating model review", "Pricing study", "Process audit"],
            deliverables: ["Process map", "Workshop summary", "Pricing analysis", "Interview findings", "Roadmap"]),
        Trade(
            kind: "Digital", description: "Web and mobile development.",
            capabilities: ["Mobile apps", "Website development", "SEO"],
            limitations: ["No 24/7 support"], projects: ["Mobile app build", "Website relaunch", "SEO programme"],
            deliverables: ["App release", "Landing page", "SEO audit", "Analytics setup", "Bug fix batch", "Performance report"]),
        Trade(
            kind: "Partners", description: "Reseller and channel partnerships.",
            capabilities: ["Channel sales", "Co-marketing", "Partner training"],
            limitations: ["EU markets only"], projects: ["Reseller agreement", "Co-marketing", "Channel programme"],
            deliverables: ["Reseller pricing", "Co-marketing plan", "Lead list", "Quarterly review", "Partner training"]),
        Trade(
            kind: "Systems", description: "Cloud hosting and operations.",
            capabilities: ["Cloud migration", "Managed hosting", "Security hardening"],
            limitations: ["Linux only"], projects: ["Cloud migration", "Managed hosting", "Security hardening"],
            deliverables: ["Server migration", "Backup test", "Security patch", "Monitoring setup", "Incident review"]),
        Trade(
            kind: "Media", description: "Content, video and press work.",
            capabilities: ["Video production", "Press relations", "Content calendars"],
            limitations: ["No paid media buying"], projects: ["Content calendar", "Video series", "Press campaign"],
            deliverables: ["Video cut", "Press release", "Content calendar", "Photo shoot", "Social posts"]),
        Trade(
            kind: "Works", description: "Print, signage and event production.",
            capabilities: ["Print production", "Signage", "Event production"],
            limitations: ["Lead time of two weeks"], projects: ["Office fit-out", "Print production", "Event production"],
            deliverables: ["Print proofs", "Floor plan", "Event run sheet", "Signage", "Supplier quote"]),
    ]

    /// The trade of a demo organization, by the last word of its name ("Acme Retail" is retail); a studio otherwise.
    static func trade(named name: String) -> Int {
        trades.firstIndex { name.hasSuffix(" " + $0.kind) } ?? 0
    }

    // Words that no demo organization uses, so a generated name never reads like Northwind, Acme, Kite, Harbor or Lumen.
    static let nameWords = [
        "Birch", "Cedar", "Alder", "Juniper", "Maple", "Willow", "Aspen", "Rowan", "Hazel", "Linden", "Spruce", "Elm", "Heron",
        "Falcon", "Otter", "Lynx", "Marten", "Osprey", "Puffin", "Wren", "Quartz", "Cobalt", "Amber", "Indigo", "Saffron", "Slate",
        "Copper", "Meridian", "Summit", "Beacon",
    ]

    static let firstNames = [
        "Ada", "Bruno", "Chiara", "Dev", "Elena", "Femi", "Greta", "Hiro", "Ines", "Jonas", "Kofi", "Lena", "Mateo", "Nadia", "Oskar",
        "Priya", "Quinn", "Rosa", "Sven", "Tara", "Umar", "Vera", "Wei", "Yara", "Zoe",
    ]

    static let lastNames = [
        "Adams", "Berg", "Costa", "Dubois", "Eriksen", "Fischer", "Garcia", "Hansen", "Ito", "Jensen", "Kowalski", "Larsen", "Moreau",
        "Novak", "Okafor", "Petrov", "Quist", "Rossi", "Schmidt", "Tanaka", "Usman", "Varga", "Weber", "Yilmaz", "Zhang",
    ]

    /// Organizations and their people work across time zones; languages follow the zone.
    static let zones: [(zone: String, language: String)] = [
        ("Europe/Berlin", "German"), ("America/New_York", "Spanish"), ("Asia/Kolkata", "Hindi"), ("Europe/London", "French"),
        ("Australia/Sydney", "English"), ("America/Los_Angeles", "Spanish"), ("Asia/Tokyo", "Japanese"),
        ("America/Sao_Paulo", "Portuguese"),
        ("Africa/Lagos", "Yoruba"), ("Europe/Madrid", "Spanish"), ("Asia/Singapore", "Malay"), ("Europe/Warsaw", "Polish"),
    ]

    static let topics = [
        "checkout", "spring campaign", "product catalogue", "onboarding flow", "warehouse feed", "mobile app", "partner portal", "search",
        "newsletter", "pricing page", "Q1", "Q2", "Q3", "Q4", "EU launch", "loyalty programme", "returns", "support desk",
    ]

    static let acceptanceCriteria = [
        "Reviewed and approved by the receiving side.", "Matches the written brief with no open review comments.",
        "Signed off by the project lead on the receiving side.", "Tested against the agreed checklist.",
    ]

    static let riskReasons = [
        "Waiting for input from the other side", "A team member is ill this week", "The scope grew after the last review",
        "A supplier is late", "Access to the test system is still missing",
    ]

    static let newDateReasons = [
        "The review round took longer than planned", "Your team asked for an extra iteration", "Public holidays in the team",
        "We need the final data first",
    ]

    static let sendBackReasons = [
        "Two acceptance criteria are not met yet", "The file is missing the agreed sections", "Please fix the review comments first",
    ]

    static let declineReasons = [
        "Out of scope for this phase", "Needs a separate engagement", "We do this in-house now", "No budget this quarter",
    ]

    static let withdrawReasons = ["The other side took this over", "Priorities changed", "Merged into another commitment"]

    static let endReasons = [
        "The project is finished; thank you for the work together.", "Budget moved to another programme.",
        "We are consolidating suppliers.",
    ]

    static let subjects = [
        "{title}", "Question about the {topic}", "Access to the {topic} workspace", "Weekly sync", "Invoice for {title}", "Kickoff",
        "Holiday cover", "Feedback on {title}", "Next steps for the {topic}",
    ]

    static let requests = [
        "Could you send the latest numbers for the {topic} before Friday?", "Can you confirm the review meeting for {title} next week?",
        "Who on your side signs off {title}?", "Please share access to the {topic} workspace with our team.",
        "Could you look at the draft of {title} and send comments?", "Is the {topic} date still realistic on your side?",
    ]

    static let replies = [
        "Done: shared this morning.", "Confirmed, see you then.", "Thanks, we will have comments by Thursday.",
        "Yes, our project lead signs off on our side.", "Access granted; tell us if anything is missing.",
        "Still on track; we will flag it early if that changes.",
    ]

    static let notes = [
        "Quick update: {title} is moving along, first draft mid-week.", "Sharing the notes from today's call.",
        "Our office is closed on Monday.", "Thanks for the quick turnaround on {title}!",
        "We uploaded the revised {topic} files to the shared folder.",
    ]

    /// A template with `{title}` and `{topic}` filled in.
    static func fill(_ template: String, title: String, topic: String) -> String {
        template.replacingOccurrences(of: "{title}", with: title).replacingOccurrences(of: "{topic}", with: topic)
    }
}
