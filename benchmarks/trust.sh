#!/usr/bin/env bash
# `bonafide trust rank` (release build) side by side with python-igraph's personalized_pagerank
# (PRPACK), networkx's pagerank and a plain scipy power iteration, on one generated rating graph:
# end-to-end wall time (process start to scores written), read+build and compute time, peak RSS
# and the ratios; our scores checked against igraph's in the same run (fails above 1e-6 in L1);
# this machine's memory bandwidth measured in the same run and the bound it puts on the compute;
# and the incremental update after one new rating against a full recompute.
#   benchmarks/trust.sh [nodes] [edges]        (default 1,000,000 nodes and 10,000,000 ratings)
# Environment:
#   BONAFIDE_BIN      binary to run; when unset the script builds it and runs .build/release/bonafide.
#                     Without a binary that knows `trust rank`, only the peers run.
#   SKIP_NETWORKX=1   leave networkx out (at full size it takes 2-2.5 minutes and 5.5 GB)
#   TRUST_SEEDS=100   seed nodes; TRUST_RNG_SEED=1 the generator's seed
#   TRUST_RESTART=0.15 TRUST_TOLERANCE=1e-10 (teleport probability; L1 change that ends the iteration)
#   TRUST_BENCH_CACHE generated graphs are kept here between runs (default /tmp/bonafide-trust-bench)
#   TRUST_MAX_L1=1e-6 largest L1 difference from igraph's scores accepted
# Needs python3 with numpy, scipy, pandas, python-igraph and networkx (pip install numpy scipy
# pandas python-igraph networkx), gcc with OpenMP and GNU time (/usr/bin/time).
set -euo pipefail
cd "$(dirname "$0")/.."
NODES=${1:-1000000}
EDGES=${2:-10000000}
SEEDS=${TRUST_SEEDS:-100}
RNG_SEED=${TRUST_RNG_SEED:-1}
RESTART=${TRUST_RESTART:-0.15}
TOLERANCE=${TRUST_TOLERANCE:-1e-10}
MAX_L1=${TRUST_MAX_L1:-1e-6}
HERE=benchmarks

[ -x /usr/bin/time ] || { echo "GNU time is missing: apt-get install time" >&2; exit 1; }
command -v gcc >/dev/null || { echo "gcc is missing: apt-get install gcc" >&2; exit 1; }
python3 -c 'import numpy, scipy, pandas, igraph, networkx' 2>/dev/null ||
  { echo "python3 needs numpy, scipy, pandas, python-igraph and networkx: pip install numpy scipy pandas python-igraph networkx" >&2; exit 1; }

if [ -z "${BONAFIDE_BIN:-}" ]; then
  swift build -c release --product bonafide >/dev/null
  BONAFIDE_BIN=.build/release/bonafide
fi
HAVE_BONAFIDE=1
if [ ! -x "$BONAFIDE_BIN" ]; then
  echo "note: $BONAFIDE_BIN does not exist; running the peers only." >&2
  HAVE_BONAFIDE=0
elif ! "$BONAFIDE_BIN" trust rank --help 2>&1 | grep -q -e '--edges'; then
  echo "note: $BONAFIDE_BIN does not know \`trust rank\` yet; running the peers only." >&2
  HAVE_BONAFIDE=0
fi

RUN=$(mktemp -d /tmp/bonafide-trust-run.XXXXXX)
trap 'rm -rf "$RUN"' EXIT
echo "Bonafide trust benchmark: $(nproc) cores, $(date -u +%FT%TZ), load average $(cut -d' ' -f1-3 /proc/loadavg)"
awk '$1 > 0.5 {print "warning: the machine is busy (load " $1 "); timings will be noisy"}' /proc/loadavg

# Graph, cached by its parameters.
# Bump the trailing version whenever trust_gen.py changes what it generates.
CACHE=${TRUST_BENCH_CACHE:-/tmp/bonafide-trust-bench}/n$NODES-m$EDGES-k$SEEDS-s$RNG_SEED-v1
if [ ! -s "$CACHE/meta.json" ]; then
  echo "generating $NODES nodes / $EDGES ratings into $CACHE"
  mkdir -p "$CACHE"
  python3 $HERE/trust_gen.py --nodes "$NODES" --edges "$EDGES" --seeds "$SEEDS" --seed "$RNG_SEED" --out "$CACHE" >/dev/null
fi
python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); print("graph: %.0f MB of CSV, generated in %s s" % (m["bytes"]/1e6, m["generation_seconds"]))' "$CACHE/meta.json"
cp "$CACHE/meta.json" "$RUN/meta.json"
E=$CACHE/edges.csv S=$CACHE/seeds.txt U=$CACHE/update.csv
cat "$E" >/dev/null  # every tool reads it from the page cache

# measure NAME OUTPUT COMMAND...: wall clock around the process, GNU time for peak RSS and CPU.
# Writes RUN/NAME.{wall,time,err}; returns the command's exit status.
measure() {
  local name=$1 out=$2 t0 t1 rc=0
  shift 2
  t0=$(date +%s.%N)
  /usr/bin/time -v -o "$RUN/$name.time" "$@" >"$out" 2>"$RUN/$name.err" || rc=$?
  t1=$(date +%s.%N)
  echo "$t0 $t1 $rc" >"$RUN/$name.wall"
  grep -E '^timings(-update)?:' "$RUN/$name.err" | sed "s/^/  $name /" || true
  if [ $rc -ne 0 ]; then
    echo "  $name exited with $rc:" >&2
    grep -v -E '^timings(-update)?:' "$RUN/$name.err" | tail -n 20 >&2 || true
  fi
  return $rc
}

echo "memory bandwidth:"
gcc -O3 -march=native -fopenmp $HERE/membw.c -o "$RUN/membw"
"$RUN/membw" "$NODES" "$EDGES" | tee "$RUN/membw.out" | sed 's/^/  /'

FAILED=0
echo "runs:"
if [ $HAVE_BONAFIDE = 1 ]; then
  measure bonafide "$RUN/bonafide.csv" "$BONAFIDE_BIN" trust rank --edges "$E" --seeds "$S" \
    --restart "$RESTART" --tolerance "$TOLERANCE" --timings || FAILED=1
fi
measure igraph "$RUN/igraph.stdout" python3 $HERE/trust_peers.py igraph --edges "$E" --seeds "$S" \
  --out "$RUN/igraph.csv" --restart "$RESTART"
if [ "${SKIP_NETWORKX:-0}" != 1 ]; then
  measure networkx "$RUN/networkx.stdout" python3 $HERE/trust_peers.py networkx --edges "$E" --seeds "$S" \
    --out "$RUN/networkx.csv" --restart "$RESTART" --tolerance "$TOLERANCE" || FAILED=1
fi
measure scipy "$RUN/scipy.stdout" python3 $HERE/trust_peers.py scipy --edges "$E" --seeds "$S" \
  --out "$RUN/scipy.csv" --restart "$RESTART" --tolerance "$TOLERANCE" || FAILED=1
# One new rating: igraph adds the edge and recomputes in full (a run of its own, so that the one above
# stays end to end); bonafide updates incrementally if it can.
measure igraph-update "$RUN/igraph-update.stdout" python3 $HERE/trust_peers.py igraph --edges "$E" --seeds "$S" \
  --out /dev/null --restart "$RESTART" --update "$U" --update-out "$RUN/igraph-update.csv"
if [ $HAVE_BONAFIDE = 1 ]; then
  if ! measure bonafide-update "$RUN/bonafide-update.csv" "$BONAFIDE_BIN" trust rank --edges "$E" --seeds "$S" \
    --restart "$RESTART" --tolerance "$TOLERANCE" --update "$U" --timings; then
    echo "  (incremental update not available)"
  elif ! grep -q '^timings-update:' "$RUN/bonafide-update.err"; then
    echo "  (incremental update not available: no timings-update line)"
  fi
fi

echo "scores against igraph's (L1 at most $MAX_L1):"
check() { # label file [reference]
  local res
  res=$(python3 $HERE/trust_peers.py compare "${3:-$RUN/igraph.csv}" "$2" --max-l1 "$MAX_L1") || FAILED=1
  printf "  %-34s %s\n" "$1" "$res"
}
if [ $HAVE_BONAFIDE = 1 ] && [ -s "$RUN/bonafide.csv" ]; then check bonafide "$RUN/bonafide.csv"; fi
[ -s "$RUN/networkx.csv" ] && check networkx "$RUN/networkx.csv"
[ -s "$RUN/scipy.csv" ] && check "scipy power iteration" "$RUN/scipy.csv"
if [ -s "$RUN/bonafide-update.err" ] && grep -q '^timings-update:' "$RUN/bonafide-update.err"; then
  # The --update run prints scores too: those after the new rating should match igraph's after it.
  if python3 $HERE/trust_peers.py compare "$RUN/igraph-update.csv" "$RUN/bonafide-update.csv" --max-l1 "$MAX_L1" >/dev/null; then
    check "bonafide --update (after the rating)" "$RUN/bonafide-update.csv" "$RUN/igraph-update.csv"
  elif python3 $HERE/trust_peers.py compare "$RUN/igraph.csv" "$RUN/bonafide-update.csv" --max-l1 "$MAX_L1" >/dev/null; then
    check "bonafide --update (before the rating)" "$RUN/bonafide-update.csv"
    echo "  note: the --update run printed the scores from before the new rating"
  else
    check "bonafide --update (after the rating)" "$RUN/bonafide-update.csv" "$RUN/igraph-update.csv"
    echo "  the --update run's scores match igraph's neither before nor after the new rating"
  fi
fi

python3 $HERE/trust_peers.py report "$RUN" --restart "$RESTART" --tolerance "$TOLERANCE"
if [ $FAILED = 1 ]; then
  echo "FAILED: a run failed or scores differ from igraph's (see above)" >&2
  exit 1
fi
echo "Aim: faster than igraph end to end and in compute, on both cores, within a small factor of the bandwidth bound."
echo "Issue's figures on its machine: igraph ~11 s graph build + ~1 s compute; networkx ~51 s."
