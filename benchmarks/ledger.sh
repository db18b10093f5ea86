#!/usr/bin/env bash
# The partnership log through the server's own code (release build), on SQLite and on a throwaway
# PostgreSQL server with fsync on: durable appends one commit each, group-committed and batched
# (1,000 entries a transaction), what the log tables take per million entries, proof latency on a
# large log, and this machine's SHA-256 and fsync rates measured in the same run.
#   benchmarks/ledger.sh [proof-log-size] [appends]
# The default proof log has 10 million entries: building it takes minutes and a few GB of disk
# (entries are stored as their canonical text, ~270 bytes each here; the tree as tiles, ~33 bytes).
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE=${1:-10000000}
APPENDS=${2:-2000}
swift build -c release --product BonafideBench >/dev/null
DATA=$(mktemp -d /tmp/bonafide-ledger-bench.XXXXXX)
trap 'rm -rf "$DATA"' EXIT
echo "Bonafide ledger benchmark: $(nproc) cores, $(date -u +%FT%TZ), data in $DATA"
PG_FSYNC=on scripts/with-postgres bash -c '.build/release/BonafideBench --data "$0" --postgres "$PG_URL" --appends "$1" --proof-log-size "$2"' \
  "$DATA" "$APPENDS" "$SIZE" 2>&1 | grep --line-buffered -v '\[Migrator\]'
echo "Targets on these cores: >= 20,000 durable appends/s batched on both databases; 10M entries < 1.5 GB; proofs < 1 ms p99 at 10M."
echo "Peers (their reports): Tessera ~10,000 appends/s on NVMe with up to 7 cores; Trillian 400-500/s on MySQL."
