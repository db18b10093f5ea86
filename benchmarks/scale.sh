#!/usr/bin/env bash
# How pages and lists grow with the data. For each N: a fresh database seeded with `bonafide demo --scale N` (N times
# the demo: 5N organizations, about 30N partnerships with up to a year of work each), timed; then the server on it,
# signed in as Alice (an API token, and a web session through the form), and wrk against the main pages and API lists,
# each alone (p50/p95/p99 and requests/s). Last, one table: p95 per endpoint at each N and its growth from the
# smallest N to the largest (aim: every page under 100 ms at N=100, growing with what it shows, not with the
# database), with what each answer weighs, the seed time and the database size.
#   benchmarks/scale.sh [seconds] [connections]                   SQLite (WAL, synchronous=FULL)
#   BENCH_DB=postgres benchmarks/scale.sh [seconds] [connections] a throwaway PostgreSQL (fsync on), one database per N
# SCALES (default "1 10 100"): the sizes. TRUST_WAIT (default 900): seconds to wait, once the server is up, for the
# background trust recompute of the seeded pairs to finish before timing (0: time at once, with it running).
# BONAFIDE_BIN: the binary to serve with (default: build .build/release/bonafide).
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_RUN=${1:-5}
CONNECTIONS=${2:-8}
SCALES=${SCALES:-1 10 100}
PORT=${BENCH_PORT:-8096}
TRUST_WAIT=${TRUST_WAIT:-900}
BIN=${BONAFIDE_BIN:-.build/release/bonafide}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
if [ "${BENCH_DB:-sqlite}" = postgres ] && [ -z "${PG_URL:-}" ]; then
  exec env PG_FSYNC=on scripts/with-postgres "$0" "$@"
fi
[ -n "${BONAFIDE_BIN:-}" ] || swift build -c release --product bonafide >/dev/null
WORK=$(mktemp -d /tmp/bonafide-scale.XXXXXX)
SERVER=
stop_server() {
  if [ -n "$SERVER" ]; then kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; SERVER=; fi
}
trap 'stop_server; rm -rf "$WORK"' EXIT
BASE="http://127.0.0.1:$PORT"
RESULTS="$WORK/results.tsv" # N, endpoint, p50 ms, p95 ms, p99 ms, requests/s, non-2xx, bytes of one answer
SEEDS="$WORK/seeds.tsv"     # N, seconds, rows, database bytes, seconds until the trust queue was empty (or "-")
: >"$RESULTS"
: >"$SEEDS"
if [ -n "${PG_URL:-}" ]; then DB="PostgreSQL (fsync on)"; else DB="SQLite (WAL, synchronous=FULL)"; fi

# wrk prints its own percentiles without p95; this reports p50, p95, p99 (ms), requests/s and non-2xx answers.
cat >"$WORK/report.lua" <<'LUA'
done = function(summary, latency, requests)
  io.write(string.format("RESULT %.3f %.3f %.3f %.1f %d\n", latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, summary.requests / (summary.duration / 1e6), summary.errors.status))
end
LUA

sql() { # a query against the current database, one value out
  if [ -n "${PG_URL:-}" ]; then psql "$DATABASE_URL" -Atqc "$1"; else sqlite3 -cmd ".timeout 5000" "$DATA/bonafide.sqlite" "$1"; fi
}

for N in $SCALES; do
  DATA="$WORK/n$N"
  mkdir -p "$DATA"
  if [ -n "${PG_URL:-}" ]; then
    psql "$PG_URL" -qc "CREATE DATABASE scale_$N" >/dev/null
    export DATABASE_URL="${PG_URL%/*}/scale_$N"
  fi
  echo "== N=$N: seeding ($DB)"
  START=$(date +%s.%N)
  LOG_LEVEL=warning "$BIN" demo --scale "$N" --data "$DATA" | tee "$DATA/seed.log" | sed 's/^/   /'
  SEED_SECONDS=$(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$START" "$(date +%s.%N)")
  ROWS=$(sed -n 's/.*; \([0-9,]*\) rows in .*/\1/p' "$DATA/seed.log" | tr -d , | head -1)
  if [ -n "${PG_URL:-}" ]; then
    DB_BYTES=$(sql "SELECT pg_database_size(current_database())")
  else
    DB_BYTES=$(stat -c %s "$DATA"/bonafide.sqlite* | awk '{s += $1} END {print s}')
  fi
  echo "   seeded in $SEED_SECONDS s, ${ROWS:-?} rows, database $((DB_BYTES / 1048576)) MiB"

  LOG_LEVEL=warning "$BIN" serve --data "$DATA" --port "$PORT" >"$DATA/server.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 240); do curl -fsS "$BASE/healthz" >/dev/null 2>&1 && break; sleep 0.5; done
  curl -fsS "$BASE/healthz" >/dev/null || { echo "the server did not start:" >&2; cat "$DATA/server.log" >&2; exit 1; }

  # The seed queues every pair of partners for the background trust recompute, as a year of evidence would; timing
  # pages while it runs would measure the recompute too.
  TRUST="-"
  if [ "$TRUST_WAIT" -gt 0 ] && { [ -n "${PG_URL:-}" ] || command -v sqlite3 >/dev/null; }; then
    WAIT_START=$(date +%s)
    while :; do
      QUEUED=$(sql "SELECT COUNT(*) FROM trust_queue" 2>/dev/null || echo "?")
      ELAPSED=$(($(date +%s) - WAIT_START))
      if [ "$QUEUED" = 0 ]; then TRUST=$ELAPSED; echo "   trust recompute of the seeded pairs done after $ELAPSED s"; break; fi
      if [ "$ELAPSED" -ge "$TRUST_WAIT" ]; then
        echo "   trust recompute still has $QUEUED pairs queued after $ELAPSED s: timing with it running"
        break
      fi
      [ $((ELAPSED % 30)) -lt 2 ] && echo "   waiting for the trust recompute: $QUEUED pairs queued ($ELAPSED s)"
      sleep 2
    done
  fi

  TOKEN=$(curl -fsS -X POST "$BASE/api/v1/auth/login" -H 'content-type: application/json' \
    -d '{"email":"alice@northwind.example","password":"bonafide-demo"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
  AUTH="Authorization: Bearer $TOKEN"
  # Alice's partnership with the most commitments, and the organization on its other side.
  BIGGEST=$(python3 - "$BASE" "$TOKEN" <<'PY'
import json, sys, urllib.request
base, token = sys.argv[1:]
def get(path):
    request = urllib.request.Request(base + path, headers={"Authorization": "Bearer " + token})
    return json.load(urllib.request.urlopen(request))
working = [p for p in get("/api/v1/partnerships") if p["status"] in ("active", "ended")]
best = max(working, key=lambda p: len(get(f"/api/v1/partnerships/{p['id']}/commitments")))
other = best["partner"]["id"] if best["organization"]["name"] == "Northwind Studio" else best["organization"]["id"]
print(best["id"], other)
PY
  )
  read -r PID OTHER <<<"$BIGGEST"
  # The web pages need a session: sign in through the form as a browser does (its hidden CSRF field included).
  COOKIE=$(python3 - "$BASE" <<'PY'
import re, sys, urllib.parse, urllib.request, http.cookiejar
base = sys.argv[1]
jar = http.cookiejar.CookieJar()
class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args): return None
opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
page = opener.open(base + "/login").read().decode()
form = re.search(r'<form[^>]*action="/login[^"]*"[^>]*>(.*?)</form>', page, re.S).group(1)
fields = dict(re.findall(r'<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"', form))
fields.update(email="alice@northwind.example", password="bonafide-demo")
try:
    opener.open(base + "/login", urllib.parse.urlencode(fields).encode())
except urllib.error.HTTPError as e:
    assert e.code in (302, 303), e.code
print("; ".join(f"{c.name}={c.value}" for c in jar))
PY
  )

  run() { # label path [header]
    local header=() status bytes out
    if [ $# -ge 3 ]; then header=(-H "$3"); fi
    # One request first: it must answer 200 (a redirect to the sign-in page would count as an answer in wrk), and it
    # computes whatever a page computes once on first view.
    read -r status bytes < <(curl -s -o /dev/null -w '%{http_code} %{size_download}\n' "${header[@]}" "$BASE$2")
    if [ "$status" != 200 ]; then
      printf "   %-36s answered %s, not timed\n" "$1" "$status"
      return
    fi
    out=$(wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --timeout 10s -s "$WORK/report.lua" "${header[@]}" "$BASE$2" | awk '/^RESULT/ {print $2, $3, $4, $5, $6}')
    read -r p50 p95 p99 rps errors <<<"$out"
    printf "   %-36s %9s %9s %9s %10s %8s %10s\n" "$1" "$p50" "$p95" "$p99" "$rps" "$errors" "$bytes"
    printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n" "$N" "$1" "$p50" "$p95" "$p99" "$rps" "$errors" "$bytes" >>"$RESULTS"
  }
  echo "   wrk -t2 -c$CONNECTIONS -d${SECONDS_PER_RUN}s, $(nproc) cores shared by server, database and wrk"
  printf "   %-36s %9s %9s %9s %10s %8s %10s\n" endpoint "p50 ms" "p95 ms" "p99 ms" requests/s non-2xx bytes
  run "GET /healthz" /healthz
  run "API partnerships" /api/v1/partnerships "$AUTH"
  run "API dashboard" /api/v1/dashboard "$AUTH"
  run "API commitments (biggest partnership)" "/api/v1/partnerships/$PID/commitments" "$AUTH"
  run "API messages (biggest partnership)" "/api/v1/partnerships/$PID/messages" "$AUTH"
  run "API timeline (biggest partnership)" "/api/v1/partnerships/$PID/timeline" "$AUTH"
  run "API organization search" "/api/v1/search/organizations?skill=design" "$AUTH"
  run "web dashboard" /dashboard "Cookie: $COOKIE"
  run "web partnerships" /partnerships "Cookie: $COOKIE"
  run "web partnership page (biggest)" "/partnerships/$PID" "Cookie: $COOKIE"
  run "web organization profile" "/organizations/$OTHER" "Cookie: $COOKIE"
  run "web search" "/search?q=report" "Cookie: $COOKIE"
  stop_server
  printf "%s\t%s\t%s\t%s\t%s\n" "$N" "$SEED_SECONDS" "${ROWS:-0}" "$DB_BYTES" "$TRUST" >>"$SEEDS"
done

echo
echo "== p95 in ms by N ($DB, $(basename "$BIN"), wrk -c$CONNECTIONS -d${SECONDS_PER_RUN}s)"
python3 - "$RESULTS" "$SEEDS" <<'PY'
import csv, sys
results, seeds = sys.argv[1:]
rows = list(csv.reader(open(results), delimiter="\t"))
scales = sorted({int(r[0]) for r in rows}) or sorted({int(r[0]) for r in csv.reader(open(seeds), delimiter="\t")})
endpoints = list(dict.fromkeys(r[1] for r in rows))
p95 = {(int(r[0]), r[1]): float(r[3]) for r in rows}
size = {(int(r[0]), r[1]): int(r[7]) for r in rows}
first, last = scales[0], scales[-1]
head = f"{'endpoint':38}" + "".join(f"{'N=' + str(n):>10}" for n in scales) + f"{'growth':>9}{'bytes growth':>14}"
print(head)
for e in endpoints:
    cells = "".join(f"{p95[(n, e)]:10.2f}" if (n, e) in p95 else f"{'-':>10}" for n in scales)
    growth = f"{p95[(last, e)] / p95[(first, e)]:8.1f}x" if (first, e) in p95 and (last, e) in p95 and p95[(first, e)] > 0 else f"{'-':>9}"
    bytes_growth = f"{size[(last, e)] / size[(first, e)]:13.1f}x" if (first, e) in size and (last, e) in size and size[(first, e)] else f"{'-':>14}"
    print(f"{e:38}{cells}{growth}{bytes_growth}")
seed = {int(r[0]): r for r in csv.reader(open(seeds), delimiter="\t")}
def line(label, value):
    print(f"{label:38}" + "".join(f"{value(seed[n]):>10}" if n in seed else f"{'-':>10}" for n in scales))
line("seed time (s)", lambda r: r[1])
line("rows written", lambda r: f"{int(r[2]):,}")
line("rows/s", lambda r: f"{int(int(r[2]) / max(float(r[1]), 0.001)):,}")
line("database (MiB)", lambda r: f"{int(r[3]) / 1048576:.0f}")
line("trust recompute after start (s)", lambda r: r[4])
print(f"growth: p95 at N={last} / p95 at N={first}; bytes growth: the same for the size of one answer (what the page shows)")
PY
