"""Accuracy and speed of `bonafide sentiment` and vaderSentiment on the same texts; see sentiment.sh."""
import json, math, os, re, subprocess, sys, time

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

BIN, REPEAT = sys.argv[1], int(sys.argv[2])
HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.join(HERE, "..", "..", "shared", "data", "sentiment")


def load_vader_set(name):
    rows = [l.rstrip("\r\n").split("\t") for l in open(os.path.join(SHARED, name), encoding="utf-8") if l.strip()]
    return [(float(r[1]), r[2]) for r in rows]


def load_partnership():
    path = os.path.join(HERE, "data", "partnership_feedback.tsv")
    rows = [l.rstrip("\r\n").split("\t") for l in open(path, encoding="utf-8") if l.strip() and not l.startswith("#")]
    return [(float(r[0]), r[1]) for r in rows]


def pearson(x, y):
    n = len(x)
    mx, my = sum(x) / n, sum(y) / n
    sxy = sum((a - mx) * (b - my) for a, b in zip(x, y))
    sx = math.sqrt(sum((a - mx) ** 2 for a in x))
    sy = math.sqrt(sum((b - my) ** 2 for b in y))
    return sxy / (sx * sy)


def klass(score, gold=False):
    if gold:
        return 1 if score > 0 else -1 if score < 0 else 0
    return 1 if score >= 0.05 else -1 if score <= -0.05 else 0


def weighted_f1(gold, pred):
    total = len(gold)
    f1 = 0.0
    for c in (-1, 0, 1):
        tp = sum(1 for g, p in zip(gold, pred) if g == c and p == c)
        fp = sum(1 for g, p in zip(gold, pred) if g != c and p == c)
        fn = sum(1 for g, p in zip(gold, pred) if g == c and p != c)
        support = tp + fn
        if support == 0:
            continue
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / support
        f = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        f1 += f * support / total
    return f1


def ours(texts, timings=False):
    started = time.perf_counter()
    run = subprocess.run([BIN, "sentiment", "--score-only"] + (["--timings"] if timings else []),
                         input="\n".join(texts) + "\n", capture_output=True, text=True, check=True)
    wall = time.perf_counter() - started
    scores = [json.loads(line)["score"] for line in run.stdout.splitlines()]
    if len(scores) != len(texts):
        sys.exit(f"bonafide sentiment answered {len(scores)} lines for {len(texts)} texts")
    analysis = None
    for line in run.stderr.splitlines():
        if "texts in" in line:
            analysis = float(line.split(" texts in ")[1].split(" s")[0])
    return scores, wall, analysis


vader = SentimentIntensityAnalyzer()
sets = [("tweets (4,200)", load_vader_set("tweets_GroundTruth.txt")),
        ("Amazon snippets (3,708)", load_vader_set("amazonReviewSnippets_GroundTruth.txt")),
        (f"partnership feedback ({len(load_partnership())}, ours)", load_partnership())]
print("| set | tool | Pearson r | 3-class F1 |")
print("| --- | --- | --- | --- |")
failed = False
for name, rows in sets:
    gold = [g for g, _ in rows]
    texts = [t for _, t in rows]
    v = [vader.polarity_scores(t)["compound"] for t in texts]
    b, _, _ = ours(texts)
    gc = [klass(g, gold=True) for g in gold]
    rv, rb = pearson(gold, v), pearson(gold, b)
    fv, fb = weighted_f1(gc, [klass(s) for s in v]), weighted_f1(gc, [klass(s) for s in b])
    print(f"| {name} | vaderSentiment 3.3.2 | {rv:.4f} | {fv:.4f} |")
    print(f"| | **bonafide** | **{rb:.4f}** | **{fb:.4f}** |")

corpus = [t for _, rows in sets for _, t in rows] * REPEAT
started = time.perf_counter()
for t in corpus:
    vader.polarity_scores(t)
vader_seconds = time.perf_counter() - started
_, wall, analysis = ours(corpus, timings=True)
n = len(corpus)
print()
print(f"Speed on {n:,} texts (all three sets x {REPEAT}):")
print(f"| tool | seconds | texts/s |")
print(f"| --- | --- | --- |")
print(f"| vaderSentiment (analysis, in process) | {vader_seconds:.2f} | {n / vader_seconds:,.0f} |")
print(f"| bonafide sentiment (analysis, both cores) | {analysis:.3f} | {n / analysis:,.0f} |")
print(f"| bonafide sentiment (end to end: start, read, analyse, write JSON) | {wall:.3f} | {n / wall:,.0f} |")
print(f"Ratio, analysis: {vader_seconds / analysis:.1f}x VADER; end to end: {vader_seconds / wall:.1f}x")


def whole_process(command, data):
    """Wall time of one process reading the texts on stdin and writing its default output, and its line count."""
    started = time.perf_counter()
    run = subprocess.run(command, input=data, capture_output=True, check=True)
    return time.perf_counter() - started, run.stdout.count(b"\n")


# The comparison a user makes: each tool as a whole process (start, load its lexicon, read, analyse, write its
# default output: vaderSentiment's polarity scores as JSON, ours with score, label and drivers), same input file.
data = ("\n".join(corpus) + "\n").encode()
vader_process, vader_lines = whole_process([sys.executable, os.path.join(HERE, "vader_cli.py")], data)
ours_process, ours_lines = whole_process([BIN, "sentiment"], data)
if not vader_lines == ours_lines == n:
    sys.exit(f"lines out: vaderSentiment {vader_lines}, bonafide {ours_lines}, for {n} texts")
print()
print(f"Whole processes, default output, {n:,} texts:")
print("| tool | seconds | texts/s |")
print("| --- | --- | --- |")
print(f"| vaderSentiment (benchmarks/vader_cli.py: polarity scores as JSON) | {vader_process:.2f} | {n / vader_process:,.0f} |")
print(f"| bonafide sentiment (score, label, drivers as JSON) | {ours_process:.3f} | {n / ours_process:,.0f} |")
print(f"Ratio, whole processes with default output: {vader_process / ours_process:.1f}x vaderSentiment (aim: 20x)")

# Start-up: a whole process scoring one empty text, best of five (loading the lexicons dominates).
starts = {name: min(whole_process(command, b"\n")[0] for _ in range(5))
          for name, command in [("vaderSentiment", [sys.executable, os.path.join(HERE, "vader_cli.py")]),
                                ("bonafide sentiment", [BIN, "sentiment"]), ("bonafide sentiment --help", [BIN, "sentiment", "--help"])]}
print()
print("Start-up, one empty text, whole process (best of 5): " +
      ", ".join(f"{name} {seconds * 1000:.1f} ms" for name, seconds in starts.items()) +
      f"; the difference {(starts['bonafide sentiment'] - starts['bonafide sentiment --help']) * 1000:.1f} ms")
# The loading itself, timed inside the process (`--timings`), best of 20 (aim: under 5 ms).
loads = []
for _ in range(20):
    run = subprocess.run([BIN, "sentiment", "--timings"], input=b"\n", capture_output=True, check=True)
    loads.append(float(re.search(rb"lexicons loaded in ([0-9.]+) ms", run.stderr).group(1)))
print(f"Lexicon loading inside bonafide sentiment (--timings, 20 runs): best {min(loads):.2f} ms, "
      f"median {sorted(loads)[len(loads) // 2]:.2f} ms (aim: under 5 ms)")

