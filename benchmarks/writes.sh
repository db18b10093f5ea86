#!/usr/bin/env bash
# Durable writes through the API, beside /healthz in the same run: posting a message and proposing a
# commitment (each with its log entry, trust queue row, webhook and notification rows), with wrk against a
# release build serving the demo, on SQLite (WAL, synchronous=FULL) or on a throwaway PostgreSQL server with
# fsync on. Prints requests/s, p99, the ratio to /healthz, and checks that every acknowledged write is there.
#   benchmarks/writes.sh [seconds] [connections]                 SQLite
#   BENCH_DB=postgres benchmarks/writes.sh [seconds] [connections] PostgreSQL (fsync on)
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_RUN=${1:-10}
CONNECTIONS=${2:-32}
PORT=${BENCH_PORT:-8094}
BIN=${BONAFIDE_BIN:-.build/release/bonafide}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
if [ "${BENCH_DB:-sqlite}" = postgres ] && [ -z "${PG_URL:-}" ]; then
  exec env PG_FSYNC=on scripts/with-postgres "$0" "$@"
fi
[ -n "${BONAFIDE_BIN:-}" ] || swift build -c release --product bonafide >/dev/null
DATA=$(mktemp -d /tmp/bonafide-writes.XXXXXX)
if [ -n "${PG_URL:-}" ]; then export DATABASE_URL="$PG_URL"; DB="PostgreSQL (fsync on)"; else DB="SQLite (WAL, synchronous=FULL)"; fi
LOG_LEVEL=warning "$BIN" serve --demo --data "$DATA" --port "$PORT" >"$DATA/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; wait $SERVER 2>/dev/null || true; rm -rf "$DATA"' EXIT
BASE="http://127.0.0.1:$PORT"
for _ in $(seq 1 240); do curl -fsS "$BASE/healthz" >/dev/null 2>&1 && break; sleep 0.5; done
TOKEN=$(curl -fsS -X POST "$BASE/api/v1/auth/login" -H 'content-type: application/json' \
  -d '{"email":"alice@northwind.example","password":"bonafide-demo"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
AUTH="Authorization: Bearer $TOKEN"
PID=$(curl -fsS "$BASE/api/v1/partnerships" -H "$AUTH" \
  | python3 -c 'import json,sys; print([p["id"] for p in json.load(sys.stdin) if p["name"]=="Acme storefront redesign"][0])')
THREAD=$(curl -fsS -X POST "$BASE/api/v1/partnerships/$PID/messages" -H "$AUTH" -H 'content-type: application/json' \
  -d '{"body":"Benchmark thread","subject":"Benchmark"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["threadId"])')
# Every acknowledged write appends one entry to the partnership's log: its size counts what was stored.
log_size() { curl -fsS "$BASE/api/v1/partnerships/$PID/log/checkpoint" -H "$AUTH" | sed -n 2p; }

SCRIPT="$DATA/post.lua"
run() { # name path body [post]
  local out
  if [ "${4:-}" = post ]; then
    cat >"$SCRIPT" <<LUA
wrk.method = "POST"
wrk.body = '$3'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $TOKEN"
LUA
    out=$(wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --latency -s "$SCRIPT" "$BASE$2")
  else
    out=$(wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --latency "$BASE$2")
  fi
  local rps p99 errors total
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  errors=$(echo "$out" | awk '/Non-2xx/ {print $5}')
  total=$(echo "$out" | awk '/requests in/ {print $1}')
  echo "$1 $rps $p99 ${errors:-0} $total"
}
curl -fsS "$BASE/healthz" >/dev/null
HEALTH=$(run healthz /healthz "")
MESSAGES_BEFORE=$(log_size)
POST=$(run messages "/api/v1/partnerships/$PID/messages" "{\"body\":\"A benchmark message with a few words in it.\",\"threadId\":\"$THREAD\"}" post)
MESSAGES_AFTER=$(log_size)
PROPOSE=$(run commitments "/api/v1/partnerships/$PID/commitments" '{"title":"Benchmark deliverable","dueAt":"2031-01-01T12:00:00Z"}' post)
COMMITMENTS_AFTER=$(log_size)

echo "wrk -t2 -c$CONNECTIONS -d${SECONDS_PER_RUN}s, $(basename "$BIN"), $DB, $(nproc) cores shared by server, database and wrk"
printf "%-44s %12s %10s %8s\n" "endpoint" "requests/s" "p99" "non-2xx"
read -r _ hr hp he _ <<<"$HEALTH"; read -r _ mr mp me mt <<<"$POST"; read -r _ cr cp ce ct <<<"$PROPOSE"
printf "%-44s %12s %10s %8s\n" "GET /healthz" "$hr" "$hp" "$he"
printf "%-44s %12s %10s %8s\n" "POST a message (durable)" "$mr" "$mp" "$me"
printf "%-44s %12s %10s %8s\n" "POST a commitment (durable)" "$cr" "$cp" "$ce"
python3 - "$hr" "$mr" "$cr" <<'PY'
import sys
h, m, c = map(float, sys.argv[1:])
print(f"ratio messages/healthz: {m / h:.3f}   commitments/healthz: {c / h:.3f}   (aim: >= 1,000 requests/s each)")
PY
# wrk counts the requests whose answers came back; each answered 201 must have its log entry.
FAILED=0
check() { # name acknowledged before after
  local stored=$(($4 - $3))
  echo "$1: $2 acknowledged, $stored stored"
  if [ "$stored" -lt "$2" ]; then echo "LOST: $1" >&2; FAILED=1; fi
}
check messages $((mt - me)) "$MESSAGES_BEFORE" "$MESSAGES_AFTER"
check commitments $((ct - ce)) "$MESSAGES_AFTER" "$COMMITMENTS_AFTER"
exit $FAILED
