#!/usr/bin/env bash
# Copy throughput of `StoreCopier` (migrate.copy) against the machine's limit for the same bytes.
# Generates a filesystem store of ~$MIB MiB of random layers ($BLOB_MIB MiB each), then times:
#   baseline: every blob `cat | tee copy | sha256sum` (read + hash + write), sequential and $WORKERS-way,
#             and $WORKERS-way with openssl's sha256 and an fsync per copy (closer to what Berth does)
#   berth   : filesystem → filesystem, and filesystem → s3proxy (filesystem-nio2 backend, same machine)
# Usage: bench/copy-bench.sh   (env: MIB=1024 BLOB_MIB=32 WORKERS=2 OUT=/tmp/berth-copy-bench)
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
out="${OUT:-/tmp/berth-copy-bench}"; mib="${MIB:-1024}"; blob_mib="${BLOB_MIB:-32}"; workers="${WORKERS:-2}"
mkdir -p "$out"
cd "$here"
mvn -q -B -ntp -o -pl test-servers/s3proxy package
mvn -q -B -ntp -o -pl migrate -am test-compile -DskipTests
mvn -q -B -ntp -o -pl migrate dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$out/cp.txt"
cp="$here/migrate/target/test-classes:$here/migrate/target/classes:$here/core/target/classes:$here/gc/target/classes"
cp="$cp:$here/storage-drivers/target/classes:$here/storage-drivers/target/test-classes:$(cat "$out/cp.txt")"
java_run() { java -Dberth.s3proxy.classpath="$here/test-servers/s3proxy/target/classpath.txt" -cp "$cp" \
  io.berth.migrate.copy.CopyBench "$@"; }

src="$out/src"
if [ ! -d "$src/docker" ]; then java_run generate "$src" "$mib" "$blob_mib"; fi
blobs=$(find "$src/docker/registry/v2/blobs" -name data)
bytes=$(cat $blobs | wc -c)
echo "store: $(echo "$blobs" | wc -l) blobs, $((bytes / 1048576)) MiB; $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
cat $blobs > /dev/null # same page-cache state for everyone: all of it cached

rate() { awk -v b="$bytes" -v s="$1" 'BEGIN { printf "%.0f MiB/s", b / 1048576 / s }'; }
timed() { local t0 t1; t0=$(date +%s.%N); "$@"; t1=$(date +%s.%N); awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }'; }

rm -rf "$out/base"; mkdir -p "$out/base"
t=$(timed bash -c 'for f in $0; do cat "$f" | tee "$1/$(basename "$(dirname "$f")")" | sha256sum > /dev/null; done' \
  "$blobs" "$out/base")
echo "baseline cat | tee copy | sha256sum, sequential: ${t}s $(rate "$t")"
rm -rf "$out/base"; mkdir -p "$out/base"
t=$(timed bash -c 'echo "$0" | xargs -P "$2" -I{} sh -c "cat {} | tee $1/\$(basename \$(dirname {})) | sha256sum > /dev/null"' \
  "$blobs" "$out/base" "$workers")
echo "baseline cat | tee copy | sha256sum, $workers in parallel: ${t}s $(rate "$t")"
rm -rf "$out/base"; mkdir -p "$out/base"
# the same with a faster hash (coreutils' sha256sum here does not use the CPU's SHA instructions)
# and each copy fsync'ed, as Berth's writer does before a blob becomes visible
cat > "$out/one.sh" <<'SH'
f=$(mktemp -p "$1"); tee "$f" < "$2" | openssl dgst -sha256 > /dev/null; sync -d "$f"
SH
t=$(timed bash -c 'echo "$0" | xargs -P "$2" -n1 sh "$3" "$1"' "$blobs" "$out/base" "$workers" "$out/one.sh")
echo "baseline cat | tee copy | openssl dgst -sha256 + fsync, $workers in parallel: ${t}s $(rate "$t")"
rm -rf "$out/base"

rm -rf "$out/dst"
echo -n "berth filesystem → filesystem, $workers workers: "; java_run copy "$src" "fs:$out/dst" "$workers" 2>/dev/null
rm -rf "$out/dst"
echo -n "berth filesystem → s3proxy, $workers workers: "; java_run copy "$src" s3proxy "$workers" 2>/dev/null
