import Testing

@testable import BonafideCore

// Expected values computed by hand from the formulas in the issue (adjusted Wald for NPS, Wilson for CSAT);
// the intermediate shares are in each comment.
@Suite struct SurveyStatisticsTests {
    func close(_ a: Double?, _ b: Double, _ tolerance: Double = 1e-6) -> Bool { a.map { abs($0 - b) < tolerance } ?? false }

    @Test func noAnswersHaveNoScore() {
        let nps = NPS(scores: [Int?]())
        #expect(nps.n == 0 && nps.score == nil && nps.interval == nil)
        let csat = CSAT(scores: [Int?]())
        #expect(csat.score == nil && csat.interval == nil && csat.mean == nil)
    }

    @Test func skippedAnswersAreNotCounted() {
        // Counting the two skipped answers as passives would give 20, not 33.3.
        let nps = NPS(scores: [10, nil, 9, 3, nil, 8])
        #expect(nps.n == 4 && nps.promoters == 2 && nps.passives == 1 && nps.detractors == 1)
        #expect(close(nps.score, 25))
    }

    @Test func onePromoter() {
        // p = 1.75/4 = 0.4375, d = 0.75/4 = 0.1875; centre 25; se = 100 sqrt((0.625 - 0.0625)/4) = 37.5.
        let nps = NPS(scores: [10])
        #expect(close(nps.score, 100))
        #expect(close(nps.interval?.lowerBound, 25 - 1.959963984540054 * 37.5))
        // The adjusted upper bound (98.5) would leave out the score itself: the interval reaches up to it.
        #expect(nps.interval?.upperBound == 100)
        let detractor = NPS(scores: [0])
        #expect(detractor.interval?.lowerBound == -100 && close(detractor.interval?.upperBound, -25 + 1.959963984540054 * 37.5))
        for scores in [[10], [9, 9], [0], [3, 2], [10, 9, 8], [7]] {
            let nps = NPS(scores: scores)
            #expect(nps.interval.map { $0.contains(nps.score!) } == true, "\(scores)")
        }
    }

    @Test func allPromotersAndAllDetractors() {
        // p = 10.75/13, d = 0.75/13: centre 76.923; se = 100 sqrt((11.5/13 - (10/13)^2)/13) = 15.0102; upper clipped.
        let promoters = NPS(scores: Array(repeating: 9, count: 10))
        #expect(close(promoters.score, 100))
        #expect(close(promoters.interval?.lowerBound, 47.50355, 1e-4))
        #expect(promoters.interval?.upperBound == 100)
        let detractors = NPS(scores: Array(repeating: 0, count: 10))
        #expect(close(detractors.score, -100))
        #expect(detractors.interval?.lowerBound == -100)
        #expect(close(detractors.interval?.upperBound, -47.50355, 1e-4))
    }

    @Test func mixedSample() {
        // 10/5/5: p = 10.75/23, d = 5.75/23, centre 21.739; se = 17.0693 -> [-11.716, 55.194].
        let nps = NPS(promoters: 10, passives: 5, detractors: 5)
        #expect(close(nps.score, 25))
        #expect(close(nps.interval?.lowerBound, -11.71613, 1e-4))
        #expect(close(nps.interval?.upperBound, 55.19439, 1e-4))
        // One passive: centre 0, symmetric.
        let passive = NPS(scores: [7])
        #expect(close(passive.score, 0))
        #expect(close(passive.interval?.upperBound, 60.01140, 1e-4))
    }

    @Test func changesOnlyWhenTheIntervalsSaySo() {
        let before = NPS(promoters: 10, passives: 5, detractors: 5)
        #expect(NPS(promoters: 11, passives: 5, detractors: 4).change(since: before) == .noClearChange)
        #expect(NPS(promoters: 180, passives: 10, detractors: 10).change(since: before) == .up)
        #expect(NPS(promoters: 10, passives: 10, detractors: 180).change(since: before) == .down)
        #expect(
            NPS(promoters: 1, passives: 0, detractors: 0).change(since: NPS(promoters: 0, passives: 0, detractors: 0)) == .notEnoughData)
    }

    @Test func csatWithWilsonInterval() {
        // 8 of 10 satisfied: the textbook Wilson interval 0.4902 to 0.9433.
        let csat = CSAT(scores: [5, 5, 4, 4, 4, 4, 5, 4, 2, 1, nil])
        #expect(csat.n == 10 && csat.satisfied == 8)
        #expect(close(csat.score, 80))
        #expect(close(csat.interval?.lowerBound, 49.01625, 1e-4))
        #expect(close(csat.interval?.upperBound, 94.33178, 1e-4))
        #expect(close(csat.mean, 3.8))
        // All satisfied: the interval still has width (the Wald interval would be the point 100).
        let all = CSAT(counts: [0, 0, 0, 0, 10])
        #expect(close(all.interval?.lowerBound, 72.24672, 1e-4))
        #expect(close(all.interval?.upperBound, 100, 1e-6))
        #expect(CSAT(counts: [0, 0, 0, 0, 200]).change(since: CSAT(counts: [100, 50, 30, 10, 10])) == .up)
        #expect(CSAT(counts: [0, 0, 1, 4, 5]).change(since: CSAT(counts: [0, 0, 2, 4, 4])) == .noClearChange)
    }

    @Test func parsingNamesTheLine() throws {
        #expect(try NPS.parse("10\n\n 7 \r\n0\n") == [10, nil, 7, 0])
        #expect(throws: SurveyInputError(line: 3, message: "11 is outside 0 to 10")) { try NPS.parse("1\n2\n11\n") }
        #expect(throws: SurveyInputError(line: 1, message: "\"ten\" is not a whole number from 0 to 10")) { try NPS.parse("ten") }
        #expect(throws: SurveyInputError(line: 2, message: "0 is outside 1 to 5")) { try CSAT.parse("5\n0") }
    }

    @Test func meanChangeNeedsTheMinimumEvenWithoutSpread() throws {
        // Identical scores in both periods: the interval has no width, but a 0.1 shift is below a 0.15 minimum.
        #expect(MeanEstimate([0, 0, 0]).change(since: MeanEstimate([0.1, 0.1, 0.1, 0.1, 0.1]), minimum: 0.15) == .noClearChange)
        #expect(MeanEstimate([0, 0, 0]).change(since: MeanEstimate([0.3, 0.3, 0.3, 0.3, 0.3]), minimum: 0.15) == .down)
        let week = MeanEstimate([-0.6, -0.4, -0.7, -0.2, -0.5])
        #expect(week.n == 5 && abs((week.mean ?? 0) + 0.48) < 1e-12)
        let interval = try #require(week.interval)  // t(4) = 2.7764, sd 0.1924
        #expect(abs(interval.lowerBound - (-0.48 - 2.7764 * 0.19235384061671346 / 5.0.squareRoot())) < 1e-4)
    }
}
