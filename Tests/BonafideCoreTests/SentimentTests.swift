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

    /// The lexicon's values are read without building Strings; they must be the Doubles `Double(String)` reads.
    @Test func lexiconValuesReadAsDoubleReadsThem() {
        var texts = ["0", "4", "-4", "+1.5", "3.", ".5", "-0.05", "2.25", "1.9", "-3.4", "0.1", "0.3", "123456.789"]
        for tenths in -40...40 { texts.append(String(format: "%.1f", Double(tenths) / 10)) }
        for hundredths in -400...400 { texts.append(String(format: "%.2f", Double(hundredths) / 100)) }
        for text in texts { #expect(SentimentAnalyzer.decimal(Array(text.utf8)[...]) == Double(text), "\(text)") }
        for bad in ["", "-", ".", "1.2.3", "1e3", "abc", "1,5", " 1", "--1", "0x10"] {
            #expect(SentimentAnalyzer.decimal(Array(bad.utf8)[...]) == nil, "\(bad)")
        }
    }

    /// A later line for the same entry wins, punctuated entries are found whole, and words with "n't" negate.
    @Test func tablesBuiltFromTheFilesBytes() {
        let lexicon = Array("good\t1.9\t0.9\t[2]\r\n:-)\t1.3\n\ngood\t2.5\nmayn't\t-0.5\nñandú\t1.0\n".utf8)
        let analyzer = SentimentAnalyzer(lexicon: lexicon, domain: "", emoji: Array("😀\tgrinning face\n".utf8))
        #expect(analyzer.valence("good") == 2.5)
        #expect(analyzer.valence(":-)") == 1.3)
        #expect(analyzer.valence("ñandú") == 1.0)
        #expect(analyzer.valence("bad") == nil)
        #expect(analyzer.analyze("Good :-)").drivers.map(\.phrase).sorted() == [":-)", "Good"])
        let negates = Array("MAYN'T".utf8).withUnsafeBufferPointer { word in analyzer.table.withLookup { $0.find(word).info?.negation } }
        #expect(negates == true, "a listed word with n't in it negates")
        #expect(analyzer.analyze("😀").drivers.isEmpty, "the emoji becomes its description, whose words are not listed here")
    }
}
