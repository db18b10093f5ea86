import Foundation

/// A Subjective Logic binomial opinion: belief, disbelief and uncertainty (summing to 1) plus a base rate.
///
/// ```swift
/// let opinion = Opinion(positive: 8, negative: 1)   // b 0.73, d 0.09, u 0.18
/// opinion.expectation                                 // 0.82: belief plus base rate times uncertainty
/// ```
///
/// - Evidence maps to an opinion as in the Beta model: r positive and s negative observations give
///   b = r / (r + s + W), d = s / (r + s + W), u = W / (r + s + W), with W = 2 (a uniform prior). So two items of
///   evidence leave half the opinion uncertain, and only a long record makes it confident.
/// - The base rate is what we expect without evidence; the expectation slides from it towards the evidence.
public struct Opinion: Sendable, Equatable, Codable {
    public var belief: Double
    public var disbelief: Double
    public var uncertainty: Double
    public var baseRate: Double

    /// The weight of the non-informative prior.
    public static let priorWeight = 2.0

    public init(belief: Double, disbelief: Double, uncertainty: Double, baseRate: Double = 0.5) {
        self.belief = belief
        self.disbelief = disbelief
        self.uncertainty = uncertainty
        self.baseRate = baseRate
    }

    public init(positive: Double, negative: Double, baseRate: Double = 0.5) {
        let r = max(0, positive)
        let s = max(0, negative)
        let total = r + s + Self.priorWeight
        self.init(belief: r / total, disbelief: s / total, uncertainty: Self.priorWeight / total, baseRate: baseRate)
    }

    /// No evidence at all: everything is uncertain.
    public static func vacuous(baseRate: Double = 0.5) -> Opinion {
        Opinion(belief: 0, disbelief: 0, uncertainty: 1, baseRate: baseRate)
    }

    /// The probability expectation E = b + a·u.
    public var expectation: Double { belief + baseRate * uncertainty }

    /// The evidence behind the opinion (r, s), the inverse of `init(positive:negative:)`.
    public var evidence: (positive: Double, negative: Double) {
        guard uncertainty > 0 else { return (.infinity, .infinity) }
        return (Self.priorWeight * belief / uncertainty, Self.priorWeight * disbelief / uncertainty)
    }

    /// Trust transitivity: what I make of a recommender's opinion, given my opinion of the recommender
    /// (uncertainty-favouring discounting: distrust of the recommender becomes uncertainty, never disbelief).
    public func discounting(_ recommendation: Opinion) -> Opinion {
        Opinion(
            belief: belief * recommendation.belief,
            disbelief: belief * recommendation.disbelief,
            uncertainty: disbelief + uncertainty + belief * recommendation.uncertainty,
            baseRate: recommendation.baseRate)
    }

    /// Cumulative fusion of independent opinions: their evidence adds up.
    public func fused(with other: Opinion) -> Opinion {
        if uncertainty == 0 && other.uncertainty == 0 {
            return Opinion(
                belief: (belief + other.belief) / 2, disbelief: (disbelief + other.disbelief) / 2, uncertainty: 0,
                baseRate: (baseRate + other.baseRate) / 2)
        }
        let k = uncertainty + other.uncertainty - uncertainty * other.uncertainty
        return Opinion(
            belief: (belief * other.uncertainty + other.belief * uncertainty) / k,
            disbelief: (disbelief * other.uncertainty + other.disbelief * uncertainty) / k,
            uncertainty: uncertainty * other.uncertainty / k,
            baseRate: (baseRate + other.baseRate) / 2)
    }
}
