#!/usr/bin/env bash
# Times `berth gc` against distribution's `docker-registry garbage-collect` on identical copies of
# a synthetic filesystem store (gc/src/test/java/io/berth/gc/bench/SyntheticStore.java), and
# checks both deleted the same blobs. Prints wall time, peak RSS and the ratio.
#
# Usage: bench/gc-bench.sh [repositories=2000] [manifests=20000] [blobs=100000]
# Env: OUT (work dir, default /tmp/berth-gc-bench), MODE ("-m" for --delete-untagged, the default,
#      or "plain"), WORKERS (berth --workers; default: its own), BERTH_JAVA_OPTS.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
repos=${1:-2000}; manifests=${2:-20000}; blobs=${3:-100000}
out="${OUT:-/tmp/berth-gc-bench}"; mode="${MODE:--m}"
command -v docker-registry >/dev/null || { echo "needs docker-registry (apt-get install docker-registry)"; exit 2; }
timev=""; if [ -x /usr/bin/time ]; then timev=/usr/bin/time; else echo "note: /usr/bin/time missing (apt-get install time): no peak RSS"; fi
mkdir -p "$out"
jar="$here/server/target/berth.jar"
[ -f "$jar" ] || (cd "$here" && mvn -q -B -DskipTests -pl server -am package)

gen="$out/store-$repos-$manifests-$blobs"
if [ ! -d "$gen" ]; then
  java "$here/gc/src/test/java/io/berth/gc/bench/SyntheticStore.java" "$gen.tmp" "$repos" "$manifests" "$blobs"
  mv "$gen.tmp" "$gen"
fi
rm -rf "$out/dist" "$out/berth"
cp -a "$gen" "$out/dist"; cp -a "$gen" "$out/berth"
sync
cat > "$out/config.yml" <<YML
version: 0.1
log: {level: error}
storage:
  filesystem: {rootdirectory: $out/dist}
  delete: {enabled: true}
http: {addr: 127.0.0.1:5999, secret: bench}
YML

. "$here/bench/gc-bench-lib.sh"
# as from a cron job's second night: the launcher's class archive (see ./berth) exists already
warm_store "$out/warm-store"
"$here/berth" gc --quiet --grace-period 0 "file://$out/warm-store" > "$out/warm.log" 2>&1
# cold-ish caches for both: drop what we can without root privileges (nothing), so run each once
# on its own copy; the copies were just written, so both start with a warm page cache.
collect_both "file://$out/berth"

summarize "$out/dist/docker/registry/v2/blobs" "$out/berth/docker/registry/v2/blobs" " at $gen"
