"""`bonafide survey nps` and `bonafide sentiment` as a user runs them: formats, hand-computed figures, errors."""
import json
import os
import subprocess

BINARY = os.environ.get("BONAFIDE_BINARY", ".build/debug/bonafide")


def run(args, stdin):
    return subprocess.run([BINARY, *args], input=stdin, capture_output=True, text=True, timeout=120)


def test_nps_json_with_skipped_answers_and_the_adjusted_wald_interval():
    # 10 promoters, 5 passives, 5 detractors and two skipped: NPS 25; adjusted p = 10.75/23, d = 5.75/23.
    scores = ["10"] * 6 + ["9"] * 4 + ["8", "7", "7", "8", "7"] + ["6", "0", "3", "5", "6"] + ["", ""]
    r = run(["survey", "nps", "--json"], "\n".join(scores) + "\n")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert {k: out[k] for k in ("n", "promoters", "passives", "detractors")} == {"n": 20, "promoters": 10, "passives": 5, "detractors": 5}
    assert out["nps"] == 25
    low, high = out["ci95"]
    assert abs(low - -11.7161) < 1e-3 and abs(high - 55.1944) < 1e-3


def test_nps_text_and_empty_input():
    r = run(["survey", "nps"], "10\n9\n3\n")
    assert r.returncode == 0
    assert r.stdout.startswith("NPS 33.3 (95% interval ")
    assert "2 promoters" in r.stdout and "1 detractors" in r.stdout
    empty = json.loads(run(["survey", "nps", "--json"], "").stdout)
    assert empty["n"] == 0 and empty["nps"] is None and empty["ci95"] is None


def test_nps_bad_lines_are_named_and_exit_non_zero():
    r = run(["survey", "nps"], "10\n9\n11\n")
    assert r.returncode != 0
    assert "line 3: 11 is outside 0 to 10" in r.stderr
    r = run(["survey", "nps", "--json"], "ten\n")
    assert r.returncode != 0 and "line 1" in r.stderr and r.stdout == ""


def test_sentiment_one_json_object_per_line():
    texts = ["Not helpful at all.", "", "Delivered ahead of schedule, great work!", "The meeting moved to Tuesday at 10."]
    r = run(["sentiment"], "\n".join(texts) + "\n")
    assert r.returncode == 0, r.stderr
    lines = [json.loads(line) for line in r.stdout.splitlines()]
    assert len(lines) == 4
    assert [l["label"] for l in lines] == ["negative", "neutral", "positive", "neutral"]
    assert all(-1 <= l["score"] <= 1 for l in lines)
    assert lines[0]["drivers"][0]["phrase"] == "Not helpful at all"
    assert lines[1]["score"] == 0 and lines[1]["drivers"] == []
    crlf = run(["sentiment", "--score-only"], "Great work\r\nTerrible delays\r\n")
    assert [json.loads(l)["label"] for l in crlf.stdout.splitlines()] == ["positive", "negative"]
