"""`bonafide trust` on ratings files, as a person (or a script) would run it: formats, options, errors."""
import csv
import io
import json
import os
import random
import subprocess
import tempfile

BINARY = os.environ.get("BONAFIDE_BINARY", ".build/debug/bonafide")
SHARED = os.environ.get("BONAFIDE_SHARED", os.path.join(os.path.dirname(__file__), "../../../shared"))


def run(*args):
    return subprocess.run([BINARY, "trust", *args], capture_output=True, text=True, timeout=300)


def write(text, suffix=".csv"):
    handle = tempfile.NamedTemporaryFile("w", suffix=suffix, delete=False)
    handle.write(text)
    handle.close()
    return handle.name


def marketplace(seed=7, members=300, ratings=3000):
    """Honest members with a hidden quality; ratings follow quality; a few fraudsters get bad ratings."""
    rng = random.Random(seed)
    quality = [rng.uniform(-1, 1) for _ in range(members)]
    lines, seen, t = [], set(), 1_400_000_000
    while len(lines) < ratings:
        s, d = rng.randrange(members), rng.randrange(members)
        if s == d or (s, d) in seen:
            continue
        seen.add((s, d))
        r = max(-10, min(10, round(10 * quality[d] + rng.gauss(0, 2)))) or 1
        t += rng.randrange(60, 7200)
        lines.append(f"{s},{d},{r},{t}")
    return "\n".join(lines) + "\n", quality


def test_rank_prints_every_node_with_a_header_and_ranks_the_well_rated_higher():
    text, quality = marketplace()
    edges = write(text)
    out = run("rank", "--edges", edges, "--timings")
    assert out.returncode == 0, out.stderr
    rows = list(csv.reader(io.StringIO(out.stdout)))
    assert rows[0] == ["node", "score"]
    scores = {r[0]: float(r[1]) for r in rows[1:]}
    assert len(scores) == 300
    first_seen = []
    for line in text.splitlines():
        for node in line.split(",")[:2]:
            if node not in first_seen:
                first_seen.append(node)
    assert [r[0] for r in rows[1:]] == first_seen, "nodes in order of first appearance"
    assert "timings: read=" in out.stderr and "iterations=" in out.stderr
    top = sorted(scores, key=scores.get, reverse=True)[:30]
    bottom = sorted(scores, key=scores.get)[:30]
    assert sum(quality[int(n)] for n in top) / 30 > 0.3
    assert sum(quality[int(n)] for n in bottom) / 30 < 0


def test_rank_from_seeds_and_from_a_viewer():
    edges = write("a,b,10,1\nb,c,10,2\nc,a,5,3\nd,e,10,4\ne,d,10,5\na,d,-8,6\n")
    seeds = write("a\n# comment\n", suffix=".txt")
    out = run("rank", "--edges", edges, "--seeds", seeds, "--restart", "0.2")
    assert out.returncode == 0, out.stderr
    scores = {r[0]: float(r[1]) for r in list(csv.reader(io.StringIO(out.stdout)))[1:]}
    assert scores["d"] < 0 and scores["e"] == 0, "d is distrusted by a; e is reached only through d"
    assert scores["a"] > scores["b"] > 0
    viewer = run("rank", "--edges", edges, "--viewer", "d")
    vscores = {r[0]: float(r[1]) for r in list(csv.reader(io.StringIO(viewer.stdout)))[1:]}
    assert vscores["e"] > vscores["a"], "from d's point of view e is trusted"
    missing = run("rank", "--edges", edges, "--viewer", "zed")
    assert missing.returncode != 0 and "--viewer zed does not appear" in missing.stderr


def test_sybilrank_ranks_the_well_rated_higher_and_keeps_a_ring_of_fakes_down():
    text, quality = marketplace()
    ring = "".join(f"f{i},f{(i + k) % 40},10,1500000000\n" for i in range(40) for k in range(1, 11))
    edges = write(text + ring + "17,f3,10,1500000001\n")
    out = run("rank", "--edges", edges, "--method", "sybilrank", "--timings")
    assert out.returncode == 0, out.stderr
    assert "steps=9" in out.stderr, out.stderr
    scores = {r[0]: float(r[1]) for r in list(csv.reader(io.StringIO(out.stdout)))[1:]}
    assert len(scores) == 340
    honest = sorted((scores[str(i)] for i in range(300) if quality[i] > 0), reverse=True)
    assert max(scores[f"f{i}"] for i in range(40)) < honest[len(honest) // 2], "no fake reaches the honest median"
    top = sorted(scores, key=scores.get, reverse=True)[:30]
    assert all(not n.startswith("f") for n in top) and sum(quality[int(n)] for n in top) / 30 > 0.3
    wrong = run("rank", "--edges", edges, "--steps", "3")
    assert wrong.returncode != 0 and "--steps applies to --method sybilrank only" in wrong.stderr


def test_collusion_reports_both_standings():
    out = run("collusion", "--edges", write(marketplace(members=400, ratings=5000)[0]), "--fakes", "50", "--top", "100")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0].startswith("50 fakes, 10 attack edges") and "AUC 0.0000 by mean rating received" in lines[0]
    assert lines[1].startswith("SybilRank standing: AUC ") and lines[2].startswith("EigenTrust standing: AUC ")
    assert float(lines[1].split("AUC ")[1].split(";")[0]) > 0.9


def test_predict_scores_pairs_in_order_within_range():
    text, quality = marketplace()
    edges = write(text)
    pairs = write("1,2\n5,9\nnewcomer,3\n")
    out = run("predict", "--edges", edges, "--pairs", pairs)
    assert out.returncode == 0, out.stderr
    rows = list(csv.reader(io.StringIO(out.stdout)))
    assert rows[0] == ["source", "target", "score"]
    assert [(r[0], r[1]) for r in rows[1:]] == [("1", "2"), ("5", "9"), ("newcomer", "3")]
    assert all(-1 <= float(r[2]) <= 1 for r in rows[1:])
    best, worst = max(range(300), key=lambda i: quality[i]), min(range(300), key=lambda i: quality[i])
    pairs = write(f"0,{best}\n0,{worst}\n")
    ranked = list(csv.reader(io.StringIO(run("predict", "--edges", edges, "--pairs", pairs).stdout)))
    assert float(ranked[1][2]) > float(ranked[2][2])


def test_evaluate_reports_accuracy_and_fraud_auc():
    text, quality = marketplace()
    edges = write(text)
    labels = write("".join(f"{i},{'-1' if quality[i] < -0.5 else '+1'}\n" for i in range(300) if abs(quality[i]) > 0.5))
    out = run("evaluate", "--edges", edges, "--folds", "5", "--labels", labels, "--json")
    assert out.returncode == 0, out.stderr
    figures = json.loads(out.stdout)
    assert figures["ratings"] == 3000 and figures["folds"] == 5
    assert figures["pearson"] > 0.8 and figures["rmse"] < figures["baseline_fxg_rmse"]
    assert figures["fraud_auc_goodness"] > 0.95
    wrong = run("evaluate", "--edges", edges, "--subsample", "0")
    assert wrong.returncode != 0 and "--subsample must be above 0 and at most 1" in wrong.stderr, wrong.stderr
    text_out = run("evaluate", "--edges", edges, "--folds", "3")
    assert "trust prediction      RMSE" in text_out.stdout and "fairness x goodness" in text_out.stdout


def test_bitcoin_otc_meets_the_published_bar():
    path = os.path.join(SHARED, "data/trust/bitcoin-otc.csv")
    out = run("evaluate", "--edges", path, "--labels", os.path.join(SHARED, "data/trust/bitcoin-otc-labels.csv"), "--json")
    assert out.returncode == 0, out.stderr
    figures = json.loads(out.stdout)
    print("bitcoin-otc:", figures)
    assert figures["pearson"] >= 0.72 and figures["rmse"] < 0.24
    assert figures["fraud_auc_goodness"] > 0.95


def test_bad_files_name_the_line_and_exit_non_zero():
    cases = [
        ("1,2,5,1\n1,2\n", "line 2: expected SOURCE,TARGET,RATING,TIME but found 2 fields"),
        ("1,2,5,1\n3,4,eleven,1\n", 'line 2: RATING "eleven" is not a number'),
        ("1,2,50,1\n", 'line 1: RATING "50" is outside the scale -10 to 10'),
    ]
    for text, message in cases:
        edges = write(text)
        for command in (["rank"], ["evaluate"], ["predict", "--pairs", edges]):
            out = run(*command, "--edges", edges)
            assert out.returncode == 1, (command, out.stdout, out.stderr)
            assert message in out.stderr, out.stderr
            assert out.stdout == ""
    assert "cannot read" in run("rank", "--edges", "/nonexistent.csv").stderr
    pairs = write("1,2\nonly-one-field\n")
    out = run("predict", "--edges", write("1,2,5,1\n2,1,5,2\n"), "--pairs", pairs)
    assert out.returncode == 1 and "line 2: expected SOURCE,TARGET" in out.stderr
    scale = run("rank", "--edges", write("1,2,1,0\n"), "--min-rating", "5", "--max-rating", "1")
    assert scale.returncode != 0 and "--min-rating must be below --max-rating" in scale.stderr
    labels = write("1,+1\n2,maybe\n")
    out = run("evaluate", "--edges", write("".join(f"{i},{i+1},5,{i}\n" for i in range(40))), "--labels", labels)
    assert out.returncode == 1 and "line 2: expected USER,+1 or USER,-1" in out.stderr
