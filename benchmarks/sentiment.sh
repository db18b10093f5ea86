#!/usr/bin/env bash
# `bonafide sentiment` (release build) side by side with vaderSentiment 3.3.2 on VADER's own human-rated
# sets (../shared/data/sentiment: tweets, Amazon snippets) and on Bonafide's hand-labelled partnership
# feedback set (benchmarks/data/partnership_feedback.tsv): Pearson r against the human mean rating and
# 3-class F1 as the VADER paper computes it, for both tools in one run, then texts per second of each
# on all the texts repeated (analysis only, and end to end for ours), and the ratios.
#   benchmarks/sentiment.sh
# Environment:
#   BONAFIDE_BIN   binary to run; when unset the script builds .build/release/bonafide
#   SENTIMENT_REPEAT=20   how many times the speed corpus repeats the texts
# Needs python3 with vaderSentiment (pip install vaderSentiment).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${BONAFIDE_BIN:-}" ]; then
  swift build -c release --product bonafide >&2
  BONAFIDE_BIN=.build/release/bonafide
fi
exec python3 benchmarks/sentiment_compare.py "$BONAFIDE_BIN" "${SENTIMENT_REPEAT:-20}"
