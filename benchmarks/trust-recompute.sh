#!/usr/bin/env bash
# Trust at scale (issue 19, aim 6): the server's background recompute, timed on `bonafide demo --scale N`.
#   benchmarks/trust-recompute.sh [N ...]          default N: 10 100 (N=100: 500 organizations)
# For each N, one seeded SQLite database (WAL, synchronous=FULL) is copied for each binary, and each binary serves
# its copy with the trust job woken every second:
#   1. the full recompute: from the server answering until the queue of seeded pairs is empty (every pair of
#      partners, assessed from a year of evidence, and the pairs their changes reach in turn);
#   2. one new piece of evidence: the organization whose view most others hold rates one of the organizations it
#      has a view of at -10 (through the API, as one of its people), and the recompute that follows is timed from the
#      start of the first batch that took it up (the snapshot's computed_at) until the queue is empty, with the
#      number of views (viewer, subject pairs) it stored and of organizations whose views they are;
#   3. many organizations' views at once: one view of each of up to 500 organizations queued together, timed until
#      the queue is empty, from the insert and from the job's first claim: the rows are inserted behind the server's
#      back (sqlite3), so no write wakes the job and the first figure includes waiting up to a second for its poll,
#      where a write through the server wakes it at once.
# SEED_DIR, when set, is a data directory already seeded with `bonafide demo --scale N` (one N only), copied instead
# of seeding again. BONAFIDE_BIN (default: build .build/release/bonafide) is the binary measured; BEFORE_BIN, when set, is timed on
# the same databases first and the ratio printed. The network algorithm alone at 100,000 organizations and more is
# `benchmarks/trust.sh` (`bonafide trust rank`).
set -euo pipefail
cd "$(dirname "$0")/.."
SCALES=${*:-10 100}
PORT=${BENCH_PORT:-8097}
BIN=${BONAFIDE_BIN:-.build/release/bonafide}
command -v sqlite3 >/dev/null || { echo "sqlite3 is missing: apt-get install sqlite3" >&2; exit 1; }
[ -n "${BONAFIDE_BIN:-}" ] || swift build -c release --product bonafide >/dev/null
WORK=$(mktemp -d /tmp/bonafide-trust-recompute.XXXXXX)
SERVER=
stop_server() {
  if [ -n "$SERVER" ]; then kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; SERVER=; fi
}
trap 'stop_server; rm -rf "$WORK"' EXIT
BASE="http://127.0.0.1:$PORT"
RESULTS="$WORK/results.tsv" # N, binary, full s, views, new-evidence s, views stored, organizations, queued, s, s from claim
: >"$RESULTS"

sql() { sqlite3 -cmd ".timeout 10000" "$DATA/bonafide.sqlite" "$1"; }
clock() { date +%s.%N; }
since() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.2f}')" "$1" "$2"; }
drained() { # waits until the trust queue is empty, at most $1 seconds
  local deadline=$(($(date +%s) + $1))
  while [ "$(sql 'SELECT COUNT(*) FROM trust_queue')" != 0 ]; do
    [ "$(date +%s)" -lt "$deadline" ] || { echo "   the queue was not empty after $1 s" >&2; return 1; }
    sleep 0.05
  done
}

run() { # label binary: one timed run on a fresh copy of the seeded database
  local label=$1 binary=$2
  DATA="$WORK/n$N-$label"
  rm -rf "$DATA"
  cp -r "$WORK/n$N-seed" "$DATA"
  BONAFIDE_TRUST_RECOMPUTE_SECONDS=1 LOG_LEVEL=warning "$binary" serve --data "$DATA" --port "$PORT" >"$DATA/server.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 400); do curl -fsS "$BASE/healthz" >/dev/null 2>&1 && break; sleep 0.05; done
  local start
  start=$(clock)
  drained 3600
  local full
  full=$(since "$start" "$(clock)")
  local views
  views=$(sql "SELECT COUNT(*) FROM trust_opinions")
  echo "   $label: full recompute of the seeded pairs $full s ($views views)"

  # The organization whose view most others hold, and one it has a view of: its rating reaches the most views.
  local rater subject email token before
  rater=$(sql "SELECT subject_organization_id FROM trust_opinions GROUP BY 1 ORDER BY COUNT(*) DESC, 1 LIMIT 1")
  subject=$(sql "SELECT subject_organization_id FROM trust_opinions WHERE viewer_organization_id = '$rater'
    ORDER BY (SELECT COUNT(*) FROM trust_opinions o WHERE o.subject_organization_id = trust_opinions.subject_organization_id) DESC, 1 LIMIT 1")
  email=$(sql "SELECT email FROM users WHERE organization_id = '$rater' ORDER BY email LIMIT 1")
  token=$(curl -fsS -X POST "$BASE/api/v1/auth/login" -H 'content-type: application/json' \
    -d "{\"email\":\"$email\",\"password\":\"bonafide-demo\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
  before=$(sql "SELECT COUNT(*) FROM trust_snapshots")
  local asked
  asked=$(clock)
  curl -fsS -o /dev/null -X POST "$BASE/api/v1/trust/$subject/ratings" -H "Authorization: Bearer $token" \
    -H 'content-type: application/json' -d '{"rating":-10,"comment":"Benchmark: one new piece of evidence"}'
  drained 600
  local done_at
  done_at=$(clock)
  # The first batch's computed_at is when the job took the new evidence up (it wakes once a second).
  local first stored organizations
  first=$(sql "SELECT MIN(computed_at) FROM (SELECT computed_at FROM trust_snapshots ORDER BY rowid DESC LIMIT $(($(sql 'SELECT COUNT(*) FROM trust_snapshots') - before)))")
  stored=$(($(sql "SELECT COUNT(*) FROM trust_snapshots") - before))
  organizations=$(sql "SELECT COUNT(DISTINCT viewer_organization_id) FROM (SELECT viewer_organization_id FROM trust_snapshots ORDER BY rowid DESC LIMIT $stored)")
  local evidence
  evidence=$(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.3f}')" "$first" "$done_at")
  echo "   $label: after one new rating: $evidence s from the first batch to an empty queue ($(since "$asked" "$done_at") s from the POST), $stored views stored, of $organizations organizations"

  # Many organizations' views at once: one view of each of up to 500 organizations (those that hold one) queued
  # together, as evidence about a subject many know would queue them.
  local queued
  sql "INSERT INTO trust_queue (id, viewer_organization_id, subject_organization_id, queued_at)
    SELECT upper(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-8' ||
                 substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6))),
           viewer_organization_id, MIN(subject_organization_id), $(date +%s.%N)
    FROM trust_opinions GROUP BY viewer_organization_id ORDER BY viewer_organization_id LIMIT 500"
  queued=$(sql "SELECT COUNT(*) FROM trust_queue")
  local many_start many claimed_at= left
  many_start=$(clock)
  # The job's first claim: a row held, or fewer rows waiting (a batch already done).
  local give_up=$(($(date +%s) + 600))
  while [ -z "$claimed_at" ]; do
    left=$(sql "SELECT COUNT(*) || ' ' || COUNT(claimed_until) FROM trust_queue")
    if [ "${left#* }" != 0 ] || [ "${left% *}" -lt "$queued" ] || [ "$queued" = 0 ] || [ "$(date +%s)" -ge "$give_up" ]; then
      claimed_at=$(clock)
    else
      sleep 0.01
    fi
  done
  drained 600
  local done_many
  done_many=$(clock)
  many=$(since "$many_start" "$done_many")
  local from_claim
  from_claim=$(since "$claimed_at" "$done_many")
  echo "   $label: $queued organizations' views queued at once: $many s until the queue was empty ($from_claim s from the job's first claim; inserted behind the server's back, they wait for its once-a-second poll)"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$N" "$label" "$full" "$views" "$evidence" "$stored" "$organizations" "$queued" "$many" "$from_claim" >>"$RESULTS"
  stop_server
  rm -rf "$DATA"
}

for N in $SCALES; do
  DATA="$WORK/n$N-seed"
  if [ -n "${SEED_DIR:-}" ]; then
    echo "== N=$N: copying the seeded $SEED_DIR"
    cp -r "$SEED_DIR" "$DATA"
  else
    mkdir -p "$DATA"
    echo "== N=$N: seeding"
    LOG_LEVEL=warning "$BIN" demo --scale "$N" --data "$DATA" | tail -1 | sed 's/^/   /'
  fi
  [ -z "${BEFORE_BIN:-}" ] || run before "$BEFORE_BIN"
  run now "$BIN"
  rm -rf "$WORK/n$N-seed"
done

echo
echo "| N | binary | full recompute (s) | views | after one rating (s) | views stored | of organizations | views queued at once | until empty (s) | from the first claim (s) |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
while IFS=$'\t' read -r n label full views evidence stored organizations queued many from_claim; do
  echo "| $n | $label | $full | $views | $evidence | $stored | $organizations | $queued | $many | $from_claim |"
done <"$RESULTS"
if [ -n "${BEFORE_BIN:-}" ]; then
  python3 - "$RESULTS" <<'PY'
import sys
rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1])]
by = {(r[0], r[1]): r for r in rows}
for n in dict.fromkeys(r[0] for r in rows):
    b, a = by.get((n, "before")), by.get((n, "now"))
    if b and a:
        print(f"N={n}: full recompute {float(b[2]) / max(float(a[2]), 1e-9):.1f}x faster, "
              f"after one rating {float(b[4]) / max(float(a[4]), 1e-9):.1f}x faster, "
              f"{a[7]} views at once {float(b[8]) / max(float(a[8]), 1e-9):.1f}x faster "
              f"({float(b[9]) / max(float(a[9]), 1e-9):.1f}x from the first claim)")
PY
fi
