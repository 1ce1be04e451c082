#!/usr/bin/env bash
# berth verify's hashing rate against the machine's limit: `openssl dgst -sha256` over the same
# blob files, one process per core, versus `berth verify --workers <cores>`, both from the page
# cache (the files are read once first), best of --rounds runs each. Prints the ratio (aim: >= 85%).
#
#   bench/verify-bench.sh [--size-mib 2048] [--cores N] [--rounds 3] [--dir DIR] [--keep]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
size_mib=2048
cores=$(nproc)
rounds=3
dir=""
keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --size-mib) size_mib=$2; shift 2 ;;
    --cores) cores=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --dir) dir=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    *) echo "usage: $0 [--size-mib N] [--cores N] [--rounds N] [--dir DIR] [--keep]" >&2; exit 2 ;;
  esac
done
for tool in openssl java jq sha256sum; do
  command -v "$tool" >/dev/null || { echo "verify-bench: $tool is required" >&2; exit 2; }
done
if [ -z "$dir" ]; then dir=$(mktemp -d /tmp/berth-verify-bench.XXXXXX); fi
[ "$keep" = 1 ] || trap 'rm -rf "$dir"' EXIT
jar="$here/server/target/berth.jar"
stale="$(find "$here" -path "$here/*/src/main/*" -newer "$jar" -print -quit 2>/dev/null || true)"
if [ ! -f "$jar" ] || [ -n "$stale" ]; then
  echo "verify-bench: building $jar" >&2
  (cd "$here" && mvn -q -B -DskipTests -pl server -am package) >&2
fi

# A store in distribution's layout: layers of 1..64 MiB up to the size asked for, plus 2,000 small
# blobs (configs, manifests: 1..16 KiB), all under blobs/sha256/<xx>/<hex>/data.
store="$dir/store"
blobs="$store/docker/registry/v2/blobs/sha256"
put() { # put FILE: moves a generated file to its content address
  local hex
  hex=$(sha256sum "$1" | cut -c1-64)
  mkdir -p "$blobs/${hex:0:2}/$hex"
  mv "$1" "$blobs/${hex:0:2}/$hex/data"
}
if [ ! -d "$blobs" ]; then
  echo "verify-bench: writing ~${size_mib} MiB of blobs to $store" >&2
  mkdir -p "$dir/gen"
  RANDOM=42
  total=0
  i=0
  while [ $total -lt $((size_mib * 1024 * 1024)) ]; do
    n=$(( (RANDOM % 64 + 1) * 1024 * 1024 + RANDOM ))
    head -c "$n" /dev/urandom > "$dir/gen/$i"; put "$dir/gen/$i"
    total=$((total + n)); i=$((i + 1))
  done
  for j in $(seq 1 2000); do
    head -c $(( RANDOM % 16384 + 1024 )) /dev/urandom > "$dir/gen/s$j"; put "$dir/gen/s$j"
  done
  rmdir "$dir/gen"
fi
files=$(find "$blobs" -type f -name data | wc -l)
bytes=$(find "$blobs" -type f -name data -printf '%s\n' | awk '{s+=$1} END {printf "%.0f", s}')
find "$blobs" -type f -name data -print0 | xargs -0 cat > /dev/null # into the page cache
echo "store: $files blobs, $bytes bytes; $cores cores used; $(nproc) online; $(openssl version)"

# Each side is timed with bash's `time`: wall seconds, and user+system CPU seconds of it and its
# children. On a busy machine the CPU figure (bytes per CPU-second) is the steadier comparison.
TIMEFORMAT='%R %U %S'
rate() { awk -v b="$bytes" -v s="$1" 'BEGIN {printf "%.0f", b / s}'; }
mib() { awk -v x="$1" 'BEGIN {printf "%7.1f", x / 1048576}'; }
best_o=0; best_o_cpu=0; best_b=0; best_b_wall=0; best_b_cpu=0
for r in $(seq 1 "$rounds"); do
  { time (find "$blobs" -type f -name data -print0 | xargs -0 -P "$cores" -n 32 openssl dgst -sha256 > /dev/null) ; } 2> "$dir/time"
  read -r real user sys < "$dir/time"
  o=$(rate "$real"); o_cpu=$(rate "$(awk -v u="$user" -v s="$sys" 'BEGIN {print u + s}')")
  report="$dir/report-$r.json"
  code=0
  { time java ${BERTH_JAVA_OPTS:-} -jar "$jar" verify "file://$store" --workers "$cores" --quiet --report "$report" \
      > "$dir/berth.out" 2> "$dir/berth.err" ; } 2> "$dir/time" || code=$?
  if [ "$code" != 0 ]; then echo "verify-bench: berth verify exited $code" >&2; cat "$dir/berth.out" "$dir/berth.err" >&2; exit 1; fi
  read -r real user sys < "$dir/time"
  hashed=$(jq .totals.bytesHashed "$report")
  [ "$hashed" = "$bytes" ] || { echo "verify-bench: berth hashed $hashed bytes, expected $bytes" >&2; exit 1; }
  b=$(jq .totals.hashBytesPerSecond "$report")
  w=$(rate "$real"); b_cpu=$(rate "$(awk -v u="$user" -v s="$sys" 'BEGIN {print u + s}')")
  echo "round $r: openssl $(mib "$o") MiB/s ($(mib "$o_cpu") per CPU-s) | berth hashing phase $(mib "$b") MiB/s," \
    "whole command $(mib "$w") MiB/s ($(mib "$b_cpu") per CPU-s)"
  [ "$o" -gt "$best_o" ] && best_o=$o
  [ "$o_cpu" -gt "$best_o_cpu" ] && best_o_cpu=$o_cpu
  [ "$b" -gt "$best_b" ] && best_b=$b
  [ "$w" -gt "$best_b_wall" ] && best_b_wall=$w
  [ "$b_cpu" -gt "$best_b_cpu" ] && best_b_cpu=$b_cpu
done
awk -v o="$best_o" -v oc="$best_o_cpu" -v b="$best_b" -v w="$best_b_wall" -v bc="$best_b_cpu" 'BEGIN {
  printf "best of %d: openssl %.1f MiB/s on %d cores (%.1f MiB per CPU-second)\n", '"$rounds"', o / 1048576, '"$cores"', oc / 1048576
  printf "  berth hashing phase   %.1f MiB/s = %.0f%% of openssl\n", b / 1048576, 100 * b / o
  printf "  berth whole command   %.1f MiB/s = %.0f%% of openssl (JVM start, walk and report included)\n", w / 1048576, 100 * w / o
  printf "  berth per CPU-second  %.1f MiB   = %.0f%% of openssl\n", bc / 1048576, 100 * bc / oc }'
