#!/usr/bin/env bash
# `bonafide vault encrypt|decrypt` (release build) side by side with age (Debian's package) on the same random
# file, whole processes reading a file and writing a file (`> out`, in VAULT_DIR: tmpfs by default, so the tools are
# measured and not the disk), with `openssl speed -evp aes-256-gcm` as the machine's raw AEAD limit and the peak
# memory of each process (GNU time), then the ratios. bonafide's decrypt releases nothing until the whole file
# authenticates (it stages the output and renames it into place); age writes each chunk as it goes.
#   benchmarks/vault.sh            # 1 GiB
#   VAULT_MIB=2048 benchmarks/vault.sh
# Environment: BONAFIDE_BIN (default: builds .build/release/bonafide), VAULT_MIB (file size, default 1024), RUNS
# (each timing is the best of this many runs, default 3),
# VAULT_DIR (scratch folder, default a new one under /dev/shm, else /tmp; needs about 5x the file size free).
# Needs age, openssl and GNU time (apt-get install age time).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${BONAFIDE_BIN:-}" ]; then
  swift build -c release --product bonafide >&2
  BONAFIDE_BIN=.build/release/bonafide
fi
BIN=$(realpath "$BONAFIDE_BIN")
MIB=${VAULT_MIB:-1024}
SCRATCH=/tmp
[ -d /dev/shm ] && [ "$(df -k --output=avail /dev/shm | tail -1)" -gt $((MIB * 1024 * 6)) ] && SCRATCH=/dev/shm
DIR=${VAULT_DIR:-$(mktemp -d "$SCRATCH/bonafide-vault-bench.XXXXXX")}
trap 'rm -rf "$DIR"' EXIT
cd "$DIR"
echo "== $MIB MiB of random bytes in $DIR"
head -c "$((MIB * 1048576))" /dev/urandom > plain
"$BIN" vault keygen --out bf.key > bf.pub
age-keygen -o age.key 2> /dev/null
AGE_PUB=$(grep -o 'age1[0-9a-z]*' age.key | head -1)

# The best of RUNS runs (default 3) of a command with stdin/stdout files: seconds and the largest peak resident KiB.
run() { # name infile outfile cmd...
  local name=$1 in=$2 out=$3 best="" most=0; shift 3
  for _ in $(seq "${RUNS:-3}"); do
    [ "$out" = /dev/null ] || rm -f "$out"
    /usr/bin/time -f "%e %M" -o "$name.time" "$@" < "$in" > "$out"
    read -r secs kib < "$name.time"
    if [ -z "$best" ] || [ "$(echo "$secs < $best" | bc -l)" = 1 ]; then best=$secs; fi
    [ "$kib" -gt "$most" ] && most=$kib
  done
  printf '%-22s %8.2f s  %8.0f MB/s  peak %6.0f MiB\n' "$name" "$best" "$(echo "$MIB * 1.048576 / $best" | bc -l)" "$(echo "$most / 1024" | bc -l)"
  echo "$best" > "$name.secs"
}

# Files for the decryptions, and a check that both tools give back the input byte for byte (not timed).
"$BIN" vault encrypt --to "$(cat bf.pub)" < plain > bf.enc
age -r "$AGE_PUB" < plain > age.enc
"$BIN" vault decrypt --key bf.key < bf.enc | cmp - plain
age -d -i age.key < age.enc | cmp - plain
echo "both give back the input byte for byte"
# Timed: the input from the page cache, the output a new file beside it (removed before each run) as in
# `decrypt < in > out`; then decryption to /dev/null, where bonafide cannot stage the output beside a file and
# instead checks every chunk before decrypting again (two passes; age's one pass writes before the end checks out).
cat plain bf.enc age.enc > /dev/null
run "bonafide encrypt" plain out "$BIN" vault encrypt --to "$(cat bf.pub)"
run "age encrypt" plain out age -r "$AGE_PUB"
run "bonafide decrypt" bf.enc out "$BIN" vault decrypt --key bf.key
cmp out plain
run "age decrypt" age.enc out age -d -i age.key
rm -f out
run "bonafide decrypt null" bf.enc /dev/null "$BIN" vault decrypt --key bf.key
run "age decrypt null" age.enc /dev/null age -d -i age.key
RAW=$(openssl speed -evp aes-256-gcm -seconds 3 -bytes 65536 2>/dev/null | awk '/^AES-256-GCM|^aes-256-gcm/ {print $NF}' | tr -d 'k')
RAW_MBS=$(echo "$RAW * 1000 / 1000000" | bc -l)
printf 'openssl aes-256-gcm (64 KiB blocks, one core): %.0f MB/s\n' "$RAW_MBS"
enc_ratio=$(echo "$(cat 'age encrypt.secs') / $(cat 'bonafide encrypt.secs')" | bc -l)
dec_ratio=$(echo "$(cat 'age decrypt.secs') / $(cat 'bonafide decrypt.secs')" | bc -l)
null_ratio=$(echo "$(cat 'age decrypt null.secs') / $(cat 'bonafide decrypt null.secs')" | bc -l)
printf 'bonafide vs age: encrypt %.2fx, decrypt %.2fx, decrypt to /dev/null %.2fx (above 1: bonafide faster)\n' "$enc_ratio" "$dec_ratio" "$null_ratio"
printf 'bonafide vs the raw limit: encrypt %.2fx, decrypt %.2fx slower\n' \
  "$(echo "$RAW_MBS / ($MIB * 1.048576 / $(cat 'bonafide encrypt.secs'))" | bc -l)" \
  "$(echo "$RAW_MBS / ($MIB * 1.048576 / $(cat 'bonafide decrypt.secs'))" | bc -l)"
