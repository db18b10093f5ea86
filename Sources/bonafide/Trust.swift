import ArgumentParser
import BonafideCore
import Foundation

extension Bonafide {
    struct TrustCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "trust",
            abstract: "Rank, predict and evaluate trust over a ratings file (SNAP CSV: SOURCE,TARGET,RATING,TIME).",
            discussion: """
                Works offline on files; nothing is sent to a server. Rating files have no header; ratings are \
                on the scale given by --min-rating/--max-rating (default -10 to 10) and mapped to [-1, 1].
                """,
            subcommands: [Rank.self, Predict.self, Evaluate.self, Collusion.self])
    }
}

/// The ratings file and its scale, shared by every trust command.
struct RatingsOptions: ParsableArguments {
    @Option(help: "Ratings file: SOURCE,TARGET,RATING,TIME per line, no header.") var edges: String
    @Option(help: "The lowest rating the file may use.") var minRating: Double = -10
    @Option(help: "The highest rating the file may use.") var maxRating: Double = 10

    func validate() throws {
        guard minRating < maxRating else { throw ValidationError("--min-rating must be below --max-rating.") }
        guard minRating <= 0, maxRating > 0 else {
            throw ValidationError("The rating scale must include 0 and positive ratings (0 means neutral).")
        }
    }

    var scale: ClosedRange<Double> { minRating...maxRating }

    func load() throws -> SignedNetwork {
        try loadRatings(path: edges, label: "--edges", scale: scale)
    }
}

func loadRatings(path: String, label: String, scale: ClosedRange<Double>) throws -> SignedNetwork {
    guard let data = FileManager.default.contents(atPath: path) else {
        throw ClientError(description: "\(label): cannot read \(path).")
    }
    do { return try SignedNetwork.parse([UInt8](data), ratingRange: scale) } catch {
        throw ClientError(description: "\(label) \(path), \(error.description).")
    }
}

/// The comma-separated records of a small text file (pairs, labels) with their line numbers; blank lines and
/// `#` comments skipped, fields trimmed.
func readRecords(path: String, label: String) throws -> [(line: Int, fields: [String])] {
    guard let data = FileManager.default.contents(atPath: path) else {
        throw ClientError(description: "\(label): cannot read \(path).")
    }
    return String(decoding: data, as: UTF8.self).split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated()
        .compactMap { number, raw in
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") { return nil }
            return (
                number + 1, line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            )
        }
}

func writeStandardOutput(_ bytes: [UInt8]) {
    bytes.withUnsafeBytes { raw in
        var offset = 0
        while offset < raw.count {
            let written = write(1, raw.baseAddress! + offset, raw.count - offset)
            if written <= 0 { break }
            offset += written
        }
    }
}

func warn(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

extension Bonafide.TrustCommand {
    struct Rank: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Reputation of every member from pre-trusted seeds, with distrust: EigenTrust or SybilRank.",
            discussion: """
                Prints CSV node,score (a header, then every node in the file, in order of first appearance); \
                higher is more trustworthy. With --method eigentrust (the default) scores are trust minus \
                distrust of the stationary walk; trust sums to 1. With --method sybilrank they are what ⌈log₂ n⌉ \
                (or --steps) steps of the walk without restart bring, less distrust, divided by the number of \
                raters: the standing the server uses, which a ring of fake accounts cannot inflate. Without --seeds \
                the seeds are the network's founders: the 1% of members (1 to 100) with the most distinct \
                positive raters among the earliest tenth of the ratings. With --viewer, the walk restarts at \
                the members the viewer rated positively (in proportion to the ratings): trust from that \
                viewer's point of view.
                """)

        enum Method: String, ExpressibleByArgument, CaseIterable {
            case eigentrust, sybilrank
        }

        @OptionGroup var ratings: RatingsOptions
        @Option(help: "eigentrust (stationary walk with restart) or sybilrank (early-terminated walk, per rater).")
        var method: Method = .eigentrust
        @Option(help: "SybilRank only: steps of the walk (default ⌈log₂ n⌉).") var steps: Int?
        @Option(help: "File of pre-trusted node ids, one a line.") var seeds: String?
        @Option(help: "Rank from this member's point of view.") var viewer: String?
        @Option(help: "Teleport probability: how often the walk jumps back to the seeds (0.15 = damping 0.85).")
        var restart: Double = 0.15
        @Option(help: "Stop when a sweep changes the scores by less than this (L1).") var tolerance: Double = 1e-10
        @Option(help: "Worker threads (default: every core).") var threads: Int?
        @Option(help: "A file of further ratings to add after ranking, then rank again incrementally (for timing).")
        var update: String?
        @Flag(help: "Print read, build, compute and write times on stderr.") var timings = false

        func validate() throws {
            guard restart > 0, restart < 1 else { throw ValidationError("--restart must be between 0 and 1 (exclusive).") }
            guard tolerance > 0, tolerance < 1 else { throw ValidationError("--tolerance must be between 0 and 1.") }
            if let threads, !(1...64).contains(threads) { throw ValidationError("--threads must be between 1 and 64.") }
            if let steps, !(1...1_000).contains(steps) { throw ValidationError("--steps must be between 1 and 1000.") }
            if steps != nil, method != .sybilrank { throw ValidationError("--steps applies to --method sybilrank only.") }
            if update != nil, method != .eigentrust { throw ValidationError("--update applies to --method eigentrust only.") }
        }

        func run() throws {
            let clock = ContinuousClock()
            let started = clock.now
            let network = try ratings.load()
            let read = clock.now
            let restartVector = try startVector(network)
            if method == .sybilrank {
                let rank = SybilRank(network: network)
                let built = clock.now
                let result = rank.run(start: restartVector, steps: steps)
                let computed = clock.now
                writeStandardOutput(Self.csv(ids: network.nodeIDs, scores: result.scores))
                if timings {
                    warn(
                        "timings: read=\(seconds(read - started))s build=\(seconds(built - read))s compute=\(seconds(computed - built))s "
                            + "steps=\(result.steps) nodes=\(network.nodeCount) edges=\(network.edgeCount)")
                }
                return
            }
            var options = EigenTrust.Options()
            options.restart = restart
            options.tolerance = tolerance
            if let threads { options.threads = threads }
            let engine = EigenTrust(network: network, threads: options.threads)
            let built = clock.now
            let result = engine.run(restart: restartVector, options: options)
            let computed = clock.now
            if !result.converged { warn("Warning: stopped after \(result.iterations) sweeps without reaching --tolerance.") }
            writeStandardOutput(Self.csv(ids: network.nodeIDs, scores: result.scores))
            let written = clock.now
            if timings {
                warn(
                    "timings: read=\(seconds(read - started))s build=\(seconds(built - read))s compute=\(seconds(computed - built))s "
                        + "write=\(seconds(written - computed))s total=\(seconds(written - started))s iterations=\(result.iterations) "
                        + "threads=\(options.threads) nodes=\(network.nodeCount) edges=\(network.edgeCount)")
            }
            if let update {
                let extra = try loadRatings(path: update, label: "--update", scale: ratings.scale)
                var network = network
                var added: [(Int32, Int32, Double)] = []
                for e in 0..<extra.edgeCount {
                    let s = network.addNode(extra.nodeIDs[Int(extra.sources[e])])
                    let t = network.addNode(extra.nodeIDs[Int(extra.targets[e])])
                    added.append((s, t, extra.ratings[e]))
                }
                guard network.nodeCount == engine.nodeCount else {
                    throw ClientError(description: "--update may only rate members already in --edges.")
                }
                let applyStart = clock.now
                for (s, t, r) in added { engine.insert(source: s, target: t, rating: r) }
                let applied = clock.now
                let again = engine.run(restart: restartVector, options: options, warmStart: result.trust)
                let done = clock.now
                let cold = engine.run(restart: restartVector, options: options)
                let coldDone = clock.now
                var difference = 0.0
                for v in again.trust.indices { difference += abs(again.trust[v] - cold.trust[v]) }
                warn(
                    "timings-update: apply=\(seconds(applied - applyStart))s compute=\(seconds(done - applied))s "
                        + "iterations=\(again.iterations) full-compute=\(seconds(coldDone - done))s full-iterations=\(cold.iterations) "
                        + "l1-difference=\(difference)")
            }
        }

        /// From the viewer's positive ratings, or the seeds (with a warning when the viewer trusts nobody yet).
        func startVector(_ network: SignedNetwork) throws -> [Double] {
            if let viewer {
                guard let node = network.node(viewer) else {
                    throw ClientError(description: "--viewer \(viewer) does not appear in \(ratings.edges).")
                }
                if let vector = WalkStart.weights(network.ratingsGiven(by: node), nodeCount: network.nodeCount) { return vector }
                warn("Viewer \(viewer) trusts nobody in the file yet: ranking from the network's seeds instead.")
            }
            return WalkStart.seeds(try seedNodes(network), nodeCount: network.nodeCount)
        }

        func seedNodes(_ network: SignedNetwork) throws -> [Int32] {
            guard let seeds else { return EigenTrust.defaultSeeds(network) }
            guard let text = try? String(contentsOfFile: seeds, encoding: .utf8) else {
                throw ClientError(description: "--seeds: cannot read \(seeds).")
            }
            let ids = NodeList.parse(text)
            let known = ids.compactMap { network.node($0) }
            guard !known.isEmpty else {
                throw ClientError(description: "--seeds \(seeds): none of its \(ids.count) ids appears in \(ratings.edges).")
            }
            if known.count < ids.count { warn("--seeds: \(ids.count - known.count) ids do not appear in the ratings; ignored.") }
            return known
        }

        static func csv(ids: [String], scores: [Double]) -> [UInt8] {
            var out: [UInt8] = []
            out.reserveCapacity(ids.count * 32)
            out.append(contentsOf: "node,score\n".utf8)
            for (i, id) in ids.enumerated() {
                out.append(contentsOf: id.utf8)
                out.append(UInt8(ascii: ","))
                out.append(contentsOf: scores[i].description.utf8)
                out.append(UInt8(ascii: "\n"))
            }
            return out
        }
    }
}

func seconds(_ duration: Duration) -> String {
    let value = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    return String(format: "%.3f", value)
}

extension Bonafide.TrustCommand {
    struct Predict: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Predict the trust SOURCE should place in TARGET, for each line of a pairs file.",
            discussion: """
                Learns from the ratings in --edges only (gradient-boosted trees over member, pair and time \
                signals; see the README) and prints CSV source,target,score with score in [-1, 1], in the order \
                of the pairs file. The pairs file has SOURCE,TARGET lines (anything after a second comma is \
                ignored); ids the ratings never mention are treated as newcomers.
                """)

        @OptionGroup var ratings: RatingsOptions
        @Option(help: "File of SOURCE,TARGET lines to score.") var pairs: String

        func run() throws {
            let network = try ratings.load()
            var extended = network
            let queries = try readRecords(path: pairs, label: "--pairs").map { line, fields in
                guard fields.count >= 2, !fields[0].isEmpty, !fields[1].isEmpty else {
                    throw ClientError(description: "--pairs \(pairs), line \(line): expected SOURCE,TARGET.")
                }
                return (fields[0], fields[1])
            }
            let predictor = TrustPredictor(network: network, scale: ratings.scale)
            let indexed = queries.map { q in
                TrustFeatures.Query(
                    source: extended.addNode(q.0), target: extended.addNode(q.1), time: predictor.latestTime)
            }
            let scores = predictor.predict(indexed)
            var out = "source,target,score\n"
            for (i, q) in queries.enumerated() { out += "\(q.0),\(q.1),\(scores[i])\n" }
            writeStandardOutput(Array(out.utf8))
        }
    }

    struct Evaluate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Cross-validate the trust prediction on a ratings file; with labels, how well it spots fraud.",
            discussion: """
                Splits the ratings into --folds parts; each part is predicted from a model and features built \
                from the other parts only. Prints RMSE and Pearson correlation of predicted against held-out \
                ratings (scaled to [-1, 1]), next to the fairness x goodness baseline. With --labels (USER,+1 for \
                benign, USER,-1 for fraudulent) also the ROC AUC of telling the fraudulent apart by each member \
                score.
                """)

        @OptionGroup var ratings: RatingsOptions
        @Option(help: "Number of folds.") var folds: Int = 10
        @Option(help: "Labels file: USER,+1 or USER,-1 per line.") var labels: String?
        @Flag(help: "Print one JSON object instead of text.") var json = false
        @Option(help: "Model: boosted trees (default \(GradientBoostedTrees().trees)).") var trees: Int?
        @Option(help: "Model: depth of each tree (default \(GradientBoostedTrees().depth)).") var depth: Int?
        @Option(help: "Model: learning rate (default \(GradientBoostedTrees().learningRate)).") var learningRate: Double?
        @Option(help: "Model: share of ratings each tree learns from (default \(GradientBoostedTrees().subsample)).")
        var subsample: Double?

        func validate() throws {
            guard (2...100).contains(folds) else { throw ValidationError("--folds must be between 2 and 100.") }
            if let trees, !(1...5_000).contains(trees) { throw ValidationError("--trees must be between 1 and 5000.") }
            if let depth, !(1...8).contains(depth) { throw ValidationError("--depth must be between 1 and 8.") }
            if let learningRate, !(learningRate > 0 && learningRate <= 1) {
                throw ValidationError("--learning-rate must be above 0 and at most 1.")
            }
            if let subsample, !(subsample > 0 && subsample <= 1) { throw ValidationError("--subsample must be above 0 and at most 1.") }
        }

        var model: GradientBoostedTrees {
            var model = GradientBoostedTrees()
            if let trees { model.trees = trees }
            if let depth { model.depth = depth }
            if let learningRate { model.learningRate = learningRate }
            if let subsample { model.subsample = subsample }
            return model
        }

        func run() throws {
            let network = try ratings.load()
            guard network.edgeCount >= folds * 2 else {
                throw ClientError(description: "--edges \(ratings.edges) has \(network.edgeCount) ratings: too few for \(folds) folds.")
            }
            let labelled = try labels.map { try readLabels($0, network: network) }
            let clock = ContinuousClock()
            let started = clock.now
            let scale = ratings.scale
            let result = TrustPredictor.crossValidate(network, scale: scale, folds: folds, model: model)
            let elapsed = seconds(clock.now - started)
            var figures: [(String, Double)] = [
                ("rmse", result.rmse), ("pearson", result.pearson), ("baseline_fxg_rmse", result.baselineRMSE),
                ("baseline_fxg_pearson", result.baselinePearson),
            ]
            if let labelled {
                for (name, scores) in memberScores(network, scale: scale) {
                    let auc = Metrics.rocAUC(scores: labelled.map { -scores[Int($0.node)] }, positives: labelled.map(\.fraudulent))
                    figures.append(("fraud_auc_\(name)", auc))
                }
            }
            if json {
                let body = figures.map { "\"\($0.0)\": \($0.1.isFinite ? String(format: "%.4f", $0.1) : "null")" }.joined(separator: ", ")
                print("{\"ratings\": \(result.actual.count), \"folds\": \(folds), \(body)}")
            } else {
                print("\(result.actual.count) ratings, \(folds)-fold cross-validation (\(elapsed) s)")
                print(String(format: "trust prediction      RMSE %.4f  Pearson %.4f", result.rmse, result.pearson))
                print(
                    String(format: "fairness x goodness   RMSE %.4f  Pearson %.4f  (baseline)", result.baselineRMSE, result.baselinePearson)
                )
                for (name, value) in figures where name.hasPrefix("fraud_auc_") {
                    print(String(format: "fraud ROC AUC by %@: %.4f", String(name.dropFirst("fraud_auc_".count)), value))
                }
            }
        }

        struct Label {
            var node: Int32
            var fraudulent: Bool
        }

        func readLabels(_ path: String, network: SignedNetwork) throws -> [Label] {
            var out: [Label] = []
            var unknown = 0
            for (line, fields) in try readRecords(path: path, label: "--labels") {
                guard fields.count == 2, ["1", "+1", "-1"].contains(fields[1]) else {
                    throw ClientError(description: "--labels \(path), line \(line): expected USER,+1 or USER,-1.")
                }
                guard let node = network.node(fields[0]) else {
                    unknown += 1
                    continue
                }
                out.append(Label(node: node, fraudulent: fields[1] == "-1"))
            }
            if unknown > 0 { warn("--labels: \(unknown) users do not appear in the ratings; ignored.") }
            guard out.contains(where: \.fraudulent), out.contains(where: { !$0.fraudulent }) else {
                throw ClientError(
                    description: "--labels \(path) needs both benign (+1) and fraudulent (-1) users that appear in the ratings.")
            }
            return out
        }

        /// Member-level trust scores, higher = more trustworthy.
        func memberScores(_ network: SignedNetwork, scale: ClosedRange<Double>) -> [(String, [Double])] {
            let graph = RatingGraph(
                nodeCount: network.nodeCount, sources: network.sources, targets: network.targets,
                weights: network.ratings.map { TrustPredictor.normalize($0, scale) }, times: network.times)
            let goodness = graph.fairnessGoodness().goodness
            let smoothed = (0..<network.nodeCount).map(graph.smoothedMeanReceived)
            let seeds = EigenTrust.defaultSeeds(network)
            let engine = EigenTrust(network: network)
            let standing = engine.run(restart: engine.restartVector(seeds: seeds)).scores
            let sybilRank = SybilRank(network: network)
            let sybilStanding = sybilRank.run(start: sybilRank.startVector(seeds: seeds)).scores
            return [
                ("goodness", goodness), ("mean_rating_received", smoothed), ("eigentrust", standing), ("sybilrank", sybilStanding),
            ]
        }
    }
}

extension Bonafide.TrustCommand {
    struct Collusion: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Attack a ratings file with a ring of fake accounts and measure how far they rise.",
            discussion: """
                Adds --fakes accounts that each rate --ring-degree others of the ring +10, attached by --attack-edges \
                ratings of +10 from random honest members (rated by at least 5, 80% positively), after every real \
                rating. Prints the AUC by mean rating received (what the attack fools), then for SybilRank standing \
                (what the server uses) and EigenTrust standing, both from the network's founders: the ROC AUC of \
                honest members above fakes, the fakes among the best --top and the best rank a fake reaches.
                """)

        @OptionGroup var ratings: RatingsOptions
        @Option(help: "Fake accounts in the ring.") var fakes = 300
        @Option(help: "Ratings each fake gives to others of the ring.") var ringDegree = 20
        @Option(help: "Ratings from honest members to fakes.") var attackEdges = 10
        @Option(help: "How many of the best-ranked members to look for fakes among.") var top = 1_000
        @Option(help: "Seed of the attack's random choices.") var seed: UInt64 = 1

        func validate() throws {
            guard fakes >= 2, ringDegree >= 1, attackEdges >= 1, top >= 1 else {
                throw ValidationError("Counts must be positive (at least 2 fakes).")
            }
        }

        func run() throws {
            let r = CollusionTest.run(
                try ratings.load(), fakes: fakes, ringDegree: ringDegree, attackEdges: attackEdges, top: top, seed: seed)
            guard r.honest > 0 else {
                throw ClientError(description: "No member is rated by at least 5, 80% positively: nothing to compare.")
            }
            print(
                String(
                    format: "%d fakes, %d attack edges, %d honest members; AUC %.4f by mean rating received", r.fakes,
                    r.attackEdges, r.honest, r.aucByMeanRating))
            for (name, ranking) in [("SybilRank", r.sybilRank), ("EigenTrust", r.eigenTrust)] {
                print(
                    String(
                        format: "%@ standing: AUC %.4f; %d fakes in the top %d; best fake at rank %d", name, ranking.auc,
                        ranking.fakesInTop, r.top, ranking.bestFakeRank))
            }
        }
    }
}
