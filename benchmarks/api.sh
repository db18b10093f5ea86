#!/usr/bin/env bash
# Reads a partnership's commitments with a bearer token, beside /healthz in the same run, with wrk
# against a release build serving the demo on SQLite. Prints requests/s, p99 and the ratio.
#   benchmarks/api.sh [seconds] [connections]
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_RUN=${1:-10}
CONNECTIONS=${2:-32}
PORT=${BENCH_PORT:-8092}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
swift build -c release --product bonafide >/dev/null
DATA=$(mktemp -d /tmp/bonafide-bench.XXXXXX)
LOG_LEVEL=warning .build/release/bonafide serve --demo --data "$DATA" --port "$PORT" >"$DATA/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; wait $SERVER 2>/dev/null || true; rm -rf "$DATA"' EXIT
BASE="http://127.0.0.1:$PORT"
for _ in $(seq 1 120); do curl -fsS "$BASE/healthz" >/dev/null 2>&1 && break; sleep 0.5; done
TOKEN=$(curl -fsS -X POST "$BASE/api/v1/auth/login" -H 'content-type: application/json' \
  -d '{"email":"alice@northwind.example","password":"bonafide-demo"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
PID=$(curl -fsS "$BASE/api/v1/partnerships" -H "Authorization: Bearer $TOKEN" \
  | python3 -c 'import json,sys; print([p["id"] for p in json.load(sys.stdin) if p["name"]=="Acme storefront redesign"][0])')
COUNT=$(curl -fsS "$BASE/api/v1/partnerships/$PID/commitments" -H "Authorization: Bearer $TOKEN" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')

run() { # name url [header]
  local out
  if [ $# -eq 3 ]; then out=$(wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --latency -H "$3" "$2")
  else out=$(wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --latency "$2"); fi
  local rps p99 errors
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  errors=$(echo "$out" | awk '/Non-2xx/ {print $5}')
  echo "$1 $rps $p99 ${errors:-0}"
}
curl -fsS "$BASE/healthz" >/dev/null  # warm
HEALTH=$(run healthz "$BASE/healthz")
LIST=$(run commitments "$BASE/api/v1/partnerships/$PID/commitments" "Authorization: Bearer $TOKEN")
echo "wrk -t2 -c$CONNECTIONS -d${SECONDS_PER_RUN}s, release build, SQLite, $(nproc) cores shared by server and wrk"
printf "%-40s %12s %10s %8s\n" "endpoint" "requests/s" "p99" "non-2xx"
read -r _ hr hp he <<<"$HEALTH"; read -r _ lr lp le <<<"$LIST"
printf "%-40s %12s %10s %8s\n" "GET /healthz" "$hr" "$hp" "$he"
printf "%-40s %12s %10s %8s\n" "GET commitments ($COUNT, with token)" "$lr" "$lp" "$le"
python3 -c "print(f'ratio commitments/healthz: {float(\"$lr\")/float(\"$hr\"):.3f}')"
