#!/usr/bin/env bash
# Migration throughput against the machine's limit for the same bytes.
#
#   bench/migrate-bench.sh [GZIP_MIB] [XZ_MIB]      (defaults 2048 and 512)
#
# Generates V1 stores (bench/migrate-gen.py) with gzip layers and with xz layers, then for each:
#   limit:   every layer file through `cat | tee copy | sha256sum` (read + sha256 + write), one
#            pipeline per core in parallel, page cache warm;
#   migrate: `berth migrate` file:// -> file://, default workers, page cache warm.
# Prints MB/s (10^6 bytes of stored layers per second) and the ratio.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
gzip_mib="${1:-2048}"
xz_mib="${2:-512}"
work="$(mktemp -d "${TMPDIR:-/tmp}/berth-migrate-bench.XXXXXX")"
trap 'rm -rf "$work"' EXIT
jar="$here/server/target/berth.jar"
if [ ! -f "$jar" ] || [ -n "$(find "$here" -path "$here/*/src/main/*" -newer "$jar" -print -quit)" ]; then
  (cd "$here" && mvn -q -B -o -DskipTests -pl server -am package) >&2
fi

now() { date +%s.%N; }
mbps() { python3 -c "print(f'{$1/1e6/($3-$2):.1f}')"; }

run() { # name mib layer_mib format
  local name=$1 src="$work/$1-v1"
  python3 "$here/bench/migrate-gen.py" "$src" "$2" "$3" "$4"
  local bytes
  bytes=$(find "$src/images" -name layer -printf '%s\n' | awk '{s+=$1} END {print s}')
  find "$src" -type f -exec cat {} + > /dev/null   # warm the page cache for both runs
  mkdir -p "$work/copy"
  local t0 t1
  t0=$(now)
  find "$src/images" -name layer -print0 | xargs -0 -P "$(nproc)" -I{} sh -c \
    'cat "$1" | tee "$2/$(basename "$(dirname "$1")")" | sha256sum > /dev/null' _ {} "$work/copy"
  sync -f "$work/copy" 2>/dev/null || true
  t1=$(now)
  local limit
  limit=$(mbps "$bytes" "$t0" "$t1")
  rm -rf "$work/copy"
  t0=$(now)
  java -jar "$jar" migrate --quiet --from "file://$src" --to "file://$work/$name-v2" \
    --state "$work/$name.db" --report "$work/$name.json"
  t1=$(now)
  local rate
  rate=$(mbps "$bytes" "$t0" "$t1")
  echo "$name: $((bytes / 1000000)) MB stored in $(find "$src/images" -name layer | wc -l) layers;" \
    "limit (cat|tee|sha256sum) $limit MB/s; berth migrate $rate MB/s" \
    "($(python3 -c "print(f'{100*$rate/$limit:.0f}')")% of the limit; engine's own layer-phase figure" \
    "$(python3 -c "import json;print(json.load(open('$work/$name.json'))['summary']['megabytesPerSecond'])") MB/s)"
  rm -rf "$work/$name-v2" "$src"
}

run gzip "$gzip_mib" 32 gzip
run xz "$xz_mib" 32 xz
