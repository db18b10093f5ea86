import Testing

@testable import BonafideCore

@Suite struct SentimentTests {
    let analyzer = SentimentAnalyzer.shared

    func score(_ text: String) -> Double { analyzer.analyze(text).score }

    @Test func keepsVADERsScoresWhereNoRuleChanged() {
        // From VADER's README: plain positive, emphasis by punctuation and by capitals, negation.
        #expect(score("VADER is smart, handsome, and funny.") == 0.8316)
        #expect(score("VADER is smart, handsome, and funny!") == 0.8439)
        #expect(score("The book was VERY good.") == 0.6028)
        #expect(score("The book was VERY GOOD!!") == 0.7386)
        #expect(score("The book was good.") == 0.4404)
        #expect(score("") == 0 && analyzer.analyze("").label == .neutral)
    }

    @Test func labelsAtTheUsualThresholds() {
        #expect(Sentiment.label(for: 0.05) == .positive)
        #expect(Sentiment.label(for: 0.0499) == .neutral)
        #expect(Sentiment.label(for: -0.05) == .negative)
    }

    @Test func partnershipLanguage() {
        #expect(analyzer.analyze("Not helpful at all.").label == .negative)
        #expect(analyzer.analyze("No response for a week, still waiting.").label == .negative)
        #expect(analyzer.analyze("Delivered ahead of schedule, they went above and beyond.").label == .positive)
        #expect(analyzer.analyze("They were never late.").label == .positive)
        #expect(analyzer.analyze("We contacted support about the free tier.").label == .neutral, "business uses of support and free")
        #expect(score("The outage took forever to fix") < -0.5)
    }

    @Test func negationStopsAtPunctuation() {
        // VADER negates "great" three words after "not"; the comma ends the clause here.
        #expect(score("It is not bad, great work") > score("It is not bad great work"))
    }

    @Test func butWeighsWhatFollows() {
        let s = analyzer.analyze("The team is friendly but the delays are terrible.")
        #expect(s.label == .negative)
        // "but" reaches only its own sentence.
        #expect(score("Great launch. The docs are thin but fine.") > 0.5)
    }

    @Test func canNotPraiseEnough() {
        #expect(score("I can't recommend them enough") > 0)
        #expect(score("I can't recommend them") < 0)
    }

    @Test func hypotheticalsCountLess() {
        #expect(score("It would be great") < score("It is great"))
    }

    @Test func stretchedWordsAndEmoji() {
        #expect(score("sooo goooood") > score("so good") - 1e-9)
        #expect(analyzer.analyze("The release 😠").label == .negative)
        #expect(analyzer.analyze("Fixed by Friday &amp; tested 😀").label == .positive)
    }

    @Test func driversNameThePhrases() {
        let s = analyzer.analyze("The outage took forever to fix, not helpful at all.")
        let phrases = s.drivers.map(\.phrase)
        #expect(phrases.contains("took forever"))
        #expect(phrases.contains("not helpful at all"))
        #expect(phrases.contains("outage"))
        #expect(s.drivers.allSatisfy { $0.valence < 0 })
        #expect(zip(s.drivers, s.drivers.dropFirst()).allSatisfy { abs($0.valence) >= abs($1.valence) }, "strongest first")
        #expect(analyzer.analyze("It is not good", drivers: true).drivers.first?.phrase == "not good")
        #expect(analyzer.analyze("It is not good", drivers: false).drivers.isEmpty)
    }
}
