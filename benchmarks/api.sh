#!/usr/bin/env bash
# Reads with wrk against a release build serving the demo on SQLite, each beside /healthz in the same run: the
# authenticated API lists (bearer token) and the web dashboard and partnership page (signed-in session).
# Prints requests/s, p99 and each one's ratio to /healthz (aim: >= 0.5, p99 under 20 ms at 32 connections).
#   benchmarks/api.sh [seconds] [connections]
# BONAFIDE_BIN: the binary to serve with (default: build .build/release/bonafide).
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_RUN=${1:-10}
CONNECTIONS=${2:-32}
PORT=${BENCH_PORT:-8092}
BIN=${BONAFIDE_BIN:-.build/release/bonafide}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
[ -n "${BONAFIDE_BIN:-}" ] || swift build -c release --product bonafide >/dev/null
DATA=$(mktemp -d /tmp/bonafide-bench.XXXXXX)
LOG_LEVEL=warning "$BIN" serve --demo --data "$DATA" --port "$PORT" >"$DATA/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; wait $SERVER 2>/dev/null || true; rm -rf "$DATA"' EXIT
BASE="http://127.0.0.1:$PORT"
for _ in $(seq 1 120); do curl -fsS "$BASE/healthz" >/dev/null 2>&1 && break; sleep 0.5; done
TOKEN=$(curl -fsS -X POST "$BASE/api/v1/auth/login" -H 'content-type: application/json' \
  -d '{"email":"alice@northwind.example","password":"bonafide-demo"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
AUTH="Authorization: Bearer $TOKEN"
PID=$(curl -fsS "$BASE/api/v1/partnerships" -H "$AUTH" \
  | python3 -c 'import json,sys; print([p["id"] for p in json.load(sys.stdin) if p["name"]=="Acme storefront redesign"][0])')
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
count() { curl -fsS "$BASE$1" -H "$AUTH" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(len(d) if isinstance(d, list) else "-")'; }

run() { # label path [header]
  local out
  if [ $# -eq 3 ]; then out=$(wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --latency -H "$3" "$BASE$2")
  else out=$(wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --latency "$BASE$2"); fi
  local rps p99 errors
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  errors=$(echo "$out" | awk '/Non-2xx/ {print $5}')
  printf "%-48s %12s %10s %8s" "$1" "$rps" "$p99" "${errors:-0}"
  python3 -c "import sys; print(f'{float(sys.argv[1]) / float(sys.argv[2]):8.3f}')" "$rps" "${HEALTH_RPS:-$rps}"
}
curl -fsS "$BASE/healthz" >/dev/null
# Both pages must answer 200 with the session (a redirect to the sign-in page would count as an answer in wrk).
for page in /dashboard "/partnerships/$PID"; do
  [ "$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $COOKIE" "$BASE$page")" = 200 ] || { echo "$page did not answer 200 signed in" >&2; exit 1; }
done
echo "wrk -t2 -c$CONNECTIONS -d${SECONDS_PER_RUN}s, $(basename "$BIN"), SQLite, $(nproc) cores shared by server and wrk"
printf "%-48s %12s %10s %8s %8s\n" "endpoint" "requests/s" "p99" "non-2xx" "ratio"
HEALTH_RPS=$(wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" "$BASE/healthz" | awk '/Requests\/sec/ {print $2}')
printf "%-48s %12s\n" "GET /healthz" "$HEALTH_RPS"
run "GET commitments ($(count "/api/v1/partnerships/$PID/commitments"), token)" "/api/v1/partnerships/$PID/commitments" "$AUTH"
run "GET partnerships ($(count /api/v1/partnerships), token)" /api/v1/partnerships "$AUTH"
run "GET messages ($(count "/api/v1/partnerships/$PID/messages"), token)" "/api/v1/partnerships/$PID/messages" "$AUTH"
run "GET notifications (token)" /api/v1/notifications "$AUTH"
run "GET dashboard (token)" /api/v1/dashboard "$AUTH"
run "web dashboard (session)" /dashboard "Cookie: $COOKIE"
run "web partnership page (session)" "/partnerships/$PID" "Cookie: $COOKIE"
