import Foundation

/// One fact about how a partner behaved towards us, as evidence for trust.
public struct TrustEvidence: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        // Reliability: promises and what became of them.
        case deliveredOnTime, lateWithNotice, lateWithoutNotice, missed, sentBack
        // Credibility: what others and documents say.
        case rating, vouch, credentialVerified, testimonial, incidentHandledOpenly, incidentMishandled
        // Intimacy: depth and reciprocity of the relationship.
        case circlePlacement, exchange, checkIn, confidenceKept
        // Self-orientation: whose interest they serve.
        case requestAnsweredPromptly, requestAnsweredLate, requestIgnored, personalMessage, massOutreach
        // An incident raised against them: it costs reliability; how it is handled counts separately.
        case incident
    }

    public var kind: Kind
    public var date: Date
    /// How much the item weighs: a commitment's size, an incident's severity (1 = ordinary).
    public var weight: Double
    /// For ratings: the rating scaled to [-1, 1]. For circle placements: the circle's closeness in [0, 1]. For
    /// testimonials: their sentiment in [-1, 1].
    public var value: Double
    /// Plain words for the explanation, e.g. "Delivered “Q3 report” on time".
    public var summary: String

    public init(kind: Kind, date: Date, weight: Double = 1, value: Double = 1, summary: String) {
        self.kind = kind
        self.date = date
        self.weight = weight
        self.value = value
        self.summary = summary
    }
}

/// The four parts of the trust equation, T = (C + R + I) / S.
public enum TrustComponent: String, Sendable, Codable, CaseIterable {
    case credibility, reliability, intimacy, selfOrientation
}

/// A's trust in B from the evidence of their relationship.
///
/// ```swift
/// let report = RelationshipTrust().assess(evidence, at: .now)
/// report.overall.expectation   // 0..1
/// report.overall.uncertainty   // near 1 with little evidence
/// report.explanation.first     // the item that moved the figure most, in words
/// ```
///
/// - Each item becomes positive or negative evidence for one component, weighted by its size and by its age
///   (halved every `halfLife`), so old history fades and recent conduct counts most.
/// - Positive evidence is capped per component per week: a burst of trivial promises kept cannot buy trust
///   faster than a steady record earns it. Negative evidence is never capped.
/// - Each component is a Subjective Logic opinion (`Opinion`), so little evidence shows as uncertainty, not as
///   a confident middling score. Self-orientation is reported the way the equation uses it (high is bad).
/// - The overall opinion fuses the four components' evidence; its base rate is what the network predicts
///   for a stranger (or 0.5), so a new partner starts where the network places them and moves with evidence.
public struct RelationshipTrust: Sendable {
    public var halfLife: TimeInterval
    /// Most positive evidence one component can gain in one week.
    public var weeklyPositiveCap: Double

    public init(halfLifeDays: Double = 180, weeklyPositiveCap: Double = 3) {
        self.halfLife = halfLifeDays * 86_400
        self.weeklyPositiveCap = weeklyPositiveCap
    }

    public struct ComponentReport: Sendable, Equatable, Codable {
        public var component: TrustComponent
        public var opinion: Opinion
        /// The figure shown: the expectation, except for self-orientation where it is 1 - expectation.
        public var value: Double
        public var evidenceCount: Int
    }

    public struct Reason: Sendable, Equatable, Codable {
        public var summary: String
        public var component: TrustComponent
        public var date: Date
        /// How much the overall expectation would drop (positive) or rise (negative) without this item.
        public var effect: Double
    }

    public struct Report: Sendable, Equatable, Codable {
        public var overall: Opinion
        public var components: [ComponentReport]
        /// The trust equation on Maister's 1-10 scales: (C + R + I) / S, from 0.3 to 30.
        public var trustQuotient: Double
        /// The items that moved the overall figure most, strongest first.
        public var explanation: [Reason]
        public var evidenceCount: Int

        public func component(_ c: TrustComponent) -> ComponentReport { components.first { $0.component == c }! }
    }

    /// How one kind of evidence counts: which component, and the positive and negative amount per unit weight.
    static func effect(of item: TrustEvidence) -> (TrustComponent, positive: Double, negative: Double) {
        let clamped = min(1, max(-1, item.value))
        switch item.kind {
        case .deliveredOnTime: return (.reliability, 1, 0)
        case .lateWithNotice: return (.reliability, 0.5, 0.5)
        case .lateWithoutNotice: return (.reliability, 0, 1)
        case .missed: return (.reliability, 0, 1.5)
        case .sentBack: return (.reliability, 0.25, 0.75)
        case .incident: return (.reliability, 0, 1)
        case .rating: return (.credibility, max(0, clamped) * 2, max(0, -clamped) * 2)
        case .vouch: return (.credibility, 1, 0)
        case .credentialVerified: return (.credibility, 2, 0)
        // A testimonial counts by its tone: a glowing one fully for, a scathing one fully against.
        case .testimonial: return (.credibility, 1.5 * (1 + clamped) / 2, 1.5 * (1 - clamped) / 2)
        case .incidentHandledOpenly: return (.credibility, 1, 0)
        case .incidentMishandled: return (.credibility, 0, 1.5)
        case .circlePlacement: return (.intimacy, 2 * max(0, min(1, item.value)), 0)
        case .exchange: return (.intimacy, 0.25, 0)
        case .checkIn: return (.intimacy, 0.5, 0)
        case .confidenceKept: return (.intimacy, 1, 0)
        case .requestAnsweredPromptly: return (.selfOrientation, 0.5, 0)
        case .requestAnsweredLate: return (.selfOrientation, 0, 0.5)
        case .requestIgnored: return (.selfOrientation, 0, 1)
        case .personalMessage: return (.selfOrientation, 0.25, 0)
        case .massOutreach: return (.selfOrientation, 0, 0.5)
        }
    }

    /// The evidence each item contributes after size, age and the weekly cap.
    func effectiveEvidence(_ evidence: [TrustEvidence], at now: Date) -> [(TrustComponent, positive: Double, negative: Double)] {
        var contributions = evidence.map { item -> (TrustComponent, positive: Double, negative: Double) in
            let (component, positive, negative) = Self.effect(of: item)
            let age = max(0, now.timeIntervalSince(item.date))
            let decay = halfLife > 0 ? pow(0.5, age / halfLife) : 1
            let weight = max(0, min(item.weight, 10)) * decay
            return (component, positive * weight, negative * weight)
        }
        // The cap applies to the decayed evidence of each (component, week).
        var weekly: [String: (total: Double, items: [Int])] = [:]
        for (i, item) in evidence.enumerated() where contributions[i].positive > 0 {
            let week = Int((item.date.timeIntervalSince1970 / (7 * 86_400)).rounded(.down))
            let key = "\(contributions[i].0.rawValue)#\(week)"
            weekly[key, default: (0, [])].total += contributions[i].positive
            weekly[key, default: (0, [])].items.append(i)
        }
        for group in weekly.values where group.total > 0 {
            let age = max(0, now.timeIntervalSince(evidence[group.items[0]].date))
            let cap = weeklyPositiveCap * (halfLife > 0 ? pow(0.5, age / halfLife) : 1)
            guard group.total > cap else { continue }
            let scale = cap / group.total
            for i in group.items { contributions[i].positive *= scale }
        }
        return contributions
    }

    /// `explaining`: how many of the items that moved the figure most the report keeps (all of them for a page that
    /// explains the figure; a few for a summary).
    public func assess(_ evidence: [TrustEvidence], at now: Date, baseRate: Double = 0.5, explaining: Int = 5) -> Report {
        let contributions = effectiveEvidence(evidence, at: now)
        var positive: [TrustComponent: Double] = [:]
        var negative: [TrustComponent: Double] = [:]
        var counts: [TrustComponent: Int] = [:]
        for c in contributions {
            positive[c.0, default: 0] += c.positive
            negative[c.0, default: 0] += c.negative
            counts[c.0, default: 0] += 1
        }
        let components = TrustComponent.allCases.map { component in
            let opinion = Opinion(positive: positive[component] ?? 0, negative: negative[component] ?? 0, baseRate: baseRate)
            let value = component == .selfOrientation ? 1 - opinion.expectation : opinion.expectation
            return ComponentReport(component: component, opinion: opinion, value: value, evidenceCount: counts[component] ?? 0)
        }
        let totalPositive = positive.values.reduce(0, +)
        let totalNegative = negative.values.reduce(0, +)
        let overall = Opinion(positive: totalPositive, negative: totalNegative, baseRate: baseRate)
        let scaled = { (c: TrustComponent) in 1 + 9 * (components.first { $0.component == c }!.value) }
        let quotient =
            (scaled(.credibility) + scaled(.reliability) + scaled(.intimacy)) / scaled(.selfOrientation)
        // Each item's effect: the overall expectation with and without it (evidence adds, so this is exact).
        var reasons: [Reason] = []
        for (i, item) in evidence.enumerated() {
            let c = contributions[i]
            guard c.positive > 0 || c.negative > 0 else { continue }
            let without = Opinion(
                positive: totalPositive - c.positive, negative: totalNegative - c.negative, baseRate: baseRate)
            reasons.append(
                Reason(summary: item.summary, component: c.0, date: item.date, effect: overall.expectation - without.expectation))
        }
        reasons.sort { abs($0.effect) != abs($1.effect) ? abs($0.effect) > abs($1.effect) : $0.date > $1.date }
        return Report(
            overall: overall, components: components, trustQuotient: quotient, explanation: Array(reasons.prefix(explaining)),
            evidenceCount: evidence.count)
    }
}
