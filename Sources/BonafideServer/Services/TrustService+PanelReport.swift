import BonafideCore
import Foundation

extension TrustService {
    /// What a trust panel shows of an assessment, decoded from a stored report without the rest: the pair's ids, the
    /// components' belief, disbelief and base rate are left in the text, and dates are read digit by digit. The
    /// property names are the assessment's, so the panel reads either the same way. `TrustPanelReadTests` compares
    /// it with the whole assessment decoded.
    struct PanelReport: Decodable, Sendable, Equatable {
        struct Component: Decodable, Sendable, Equatable {
            /// Of a component's opinion the panel shows how uncertain it is.
            struct Spread: Decodable, Sendable, Equatable {
                var uncertainty: Double
            }

            var component: TrustComponent
            var opinion: Spread
            var value: Double
            var evidenceCount: Int
        }

        struct Reason: Decodable, Sendable, Equatable {
            var summary: String
            var component: TrustComponent
            var date: Date
            var effect: Double

            private enum CodingKeys: String, CodingKey { case summary, component, date, effect }

            init(_ reason: RelationshipTrust.Reason) {
                summary = reason.summary
                component = reason.component
                date = reason.date
                effect = reason.effect
            }

            init(from decoder: any Decoder) throws {
                let container = try decoder.container(keyedBy: CodingKeys.self)
                summary = try container.decode(String.self, forKey: .summary)
                component = try container.decode(TrustComponent.self, forKey: .component)
                date = try PanelReport.date(container, .date)
                effect = try container.decode(Double.self, forKey: .effect)
            }
        }

        var subjectName: String
        var computedAt: Date
        /// Whole, so its expectation is worked out as the assessment's is.
        var overall: Opinion
        var components: [Component]
        var trustQuotient: Double
        var explanation: [Reason]
        var evidenceCount: Int
        var network: Assessment.Network

        private enum CodingKeys: String, CodingKey {
            case subjectName, computedAt, overall, components, trustQuotient, explanation, evidenceCount, network
        }

        /// An assessment computed now, or decoded whole by `current`.
        init(_ a: Assessment) {
            subjectName = a.subjectName
            computedAt = a.computedAt
            overall = a.overall
            components = a.components.map {
                Component(
                    component: $0.component, opinion: .init(uncertainty: $0.opinion.uncertainty), value: $0.value,
                    evidenceCount: $0.evidenceCount)
            }
            trustQuotient = a.trustQuotient
            explanation = a.explanation.map(Reason.init)
            evidenceCount = a.evidenceCount
            network = a.network
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            subjectName = try container.decode(String.self, forKey: .subjectName)
            computedAt = try Self.date(container, .computedAt)
            overall = try container.decode(Opinion.self, forKey: .overall)
            components = try container.decode([Component].self, forKey: .components)
            trustQuotient = try container.decode(Double.self, forKey: .trustQuotient)
            explanation = try container.decode([Reason].self, forKey: .explanation)
            evidenceCount = try container.decode(Int.self, forKey: .evidenceCount)
            network = try container.decode(Assessment.Network.self, forKey: .network)
        }

        /// A date as `TrustService.encoder` wrote it, read digit by digit; any other text goes through the decoder's own
        /// date strategy, as the whole assessment's dates do.
        fileprivate static func date<Key: CodingKey>(_ container: KeyedDecodingContainer<Key>, _ key: Key) throws -> Date {
            if let text = try? container.decode(String.self, forKey: key), let date = Date(rfc3339String: text) { return date }
            return try container.decode(Date.self, forKey: key)
        }
    }
}
