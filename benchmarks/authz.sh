#!/usr/bin/env bash
# The access check through the server's own code (release build) on a seeded network, on SQLite and on a
# throwaway PostgreSQL server: latency p50/p99 of checks that read the database (no cache: every question reads
# its rows), the rate with concurrent askers, and the engine alone on tuples already in memory (a cache hit).
#   benchmarks/authz.sh [organizations] [relations]
# Defaults: 100,000 organizations and 1,000,000 relations (seeding takes a few minutes per database).
set -euo pipefail
cd "$(dirname "$0")/.."
ORGS=${1:-100000}
RELATIONS=${2:-1000000}
swift build -c release --product BonafideBench >/dev/null
DATA=$(mktemp -d /tmp/bonafide-authz-bench.XXXXXX)
trap 'rm -rf "$DATA"' EXIT
echo "Bonafide access-check benchmark: $(nproc) cores, $(date -u +%FT%TZ), $ORGS organizations, $RELATIONS relations"
scripts/with-postgres bash -c '.build/release/BonafideBench authz --data "$0" --postgres "$PG_URL" --organizations "$1" --relations "$2"' \
  "$DATA" "$ORGS" "$RELATIONS" 2>&1 | grep --line-buffered -v '\[Migrator\]'
echo "Aims: p99 under 10 ms for a check that reads the database, under 1 ms from memory."
echo "Peers (their reports): Zanzibar p95 under 10 ms; SpiceDB about 6 ms."
