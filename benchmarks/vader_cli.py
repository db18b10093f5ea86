"""vaderSentiment as a whole process, the peer of `bonafide sentiment`: one text a line on stdin, and its default
output, the polarity scores as one JSON object a line, on stdout. Used by sentiment_compare.py."""
import json
import sys

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

analyzer = SentimentIntensityAnalyzer()
out = sys.stdout
for line in sys.stdin:
    out.write(json.dumps(analyzer.polarity_scores(line.rstrip("\r\n"))) + "\n")
