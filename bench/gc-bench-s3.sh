#!/usr/bin/env bash
# Times `berth gc` against distribution's `docker-registry garbage-collect` on S3: identical copies
# of the synthetic store (gc/src/test/java/io/berth/gc/bench/SyntheticStore.java) in two buckets of
# one s3proxy 2.6.0 (filesystem-nio2 backend, on this machine), the same driver keys for both.
# The first copy is made with `berth migrate` (V2 → V2 over the S3 API), the second by copying
# that bucket's directory with its xattrs; neither is timed. Afterwards both
# buckets' blob sets are compared through s3proxy's backing directory.
#
# Usage: bench/gc-bench-s3.sh [repositories=200] [manifests=2000] [blobs=10000]
# Env: OUT (default /tmp/berth-gc-bench-s3), MODE ("-m" default, or "plain"), WORKERS (berth --workers),
#      LATENCY_MS (both collectors reach s3proxy through bench/LatencyProxy.java, which waits that
#      long before each request: the round trip to a cloud S3 that a local s3proxy does not cost).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
repos=${1:-200}; manifests=${2:-2000}; blobs=${3:-10000}
out="${OUT:-/tmp/berth-gc-bench-s3}"; mode="${MODE:--m}"
command -v docker-registry >/dev/null || { echo "needs docker-registry (apt-get install docker-registry)"; exit 2; }
timev=""; [ -x /usr/bin/time ] && timev=/usr/bin/time
mkdir -p "$out"
jar="$here/server/target/berth.jar"
[ -f "$jar" ] || (cd "$here" && mvn -q -B -DskipTests -pl server -am package)
(cd "$here" && mvn -q -B -pl test-servers/s3proxy package)

gen="$out/store-$repos-$manifests-$blobs"
if [ ! -d "$gen" ]; then
  java "$here/gc/src/test/java/io/berth/gc/bench/SyntheticStore.java" "$gen.tmp" "$repos" "$manifests" "$blobs"
  mv "$gen.tmp" "$gen"
fi

port=9590; data="$out/s3proxy-data"; key=bench-access; secret=bench-secret
rm -rf "$data"; mkdir -p "$data"
cat > "$out/s3proxy.properties" <<PROPS
s3proxy.endpoint=http://127.0.0.1:$port
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=$key
s3proxy.credential=$secret
jclouds.provider=filesystem-nio2
jclouds.identity=$key
jclouds.credential=$secret
jclouds.filesystem.basedir=$data
PROPS
cat > "$out/logback.xml" <<'XML'
<configuration><appender name="OUT" class="ch.qos.logback.core.ConsoleAppender"><encoder><pattern>%msg%n</pattern></encoder></appender><root level="WARN"><appender-ref ref="OUT"/></root></configuration>
XML
java -Dlogback.configurationFile="$out/logback.xml" -cp "$(cat "$here/test-servers/s3proxy/target/classpath.txt")" \
  org.gaul.s3proxy.Main --properties "$out/s3proxy.properties" > "$out/s3proxy.log" 2>&1 &
s3pid=$!
SERVER_PID=$s3pid
trap 'kill $s3pid 2>/dev/null || true' EXIT
for _ in $(seq 120); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.5; done

url() { echo "s3://$1?endpoint=http://127.0.0.1:${2:-$port}&region=us-east-1&forcepathstyle=true&accesskey=$key&secretkey=$secret&secure=false"; }
mkdir -p "$data/dist" # filesystem-nio2: a bucket is a directory, its objects' metadata in xattrs
echo "copying the store into bucket dist ..."
java -jar "$jar" migrate --quiet --from "file://$gen" --to "$(url dist)" --report "$out/copy-dist.json" > "$out/copy-dist.log" 2>&1 \
  || { echo "copy into dist failed: see $out/copy-dist.log"; exit 1; }
echo "copying bucket dist to bucket berth ..."
cp -a "$data/dist" "$data/berth" # the same objects, ETags and times

gcport=$port
if [ -n "${LATENCY_MS:-}" ]; then
  gcport=9591
  java "$here/bench/LatencyProxy.java" "$gcport" "$port" "$LATENCY_MS" > "$out/latency-proxy.log" 2>&1 &
  proxypid=$!
  trap 'kill $s3pid $proxypid 2>/dev/null || true' EXIT
  for _ in $(seq 60); do grep -q listening "$out/latency-proxy.log" 2>/dev/null && break; sleep 0.5; done
fi
cat > "$out/config.yml" <<YML
version: 0.1
log: {level: error}
storage:
  s3: {region: us-east-1, regionendpoint: 'http://127.0.0.1:$gcport', forcepathstyle: true, bucket: dist,
       accesskey: $key, secretkey: $secret, secure: false, v4auth: true}
  delete: {enabled: true}
http: {addr: 127.0.0.1:5999, secret: bench}
YML
. "$here/bench/gc-bench-lib.sh"
sync # the copies' writeback would otherwise land on whichever collector runs first
# as from a cron job's second night: the launcher's class archive (see ./berth) exists already
mkdir -p "$data/warm"
warm_store "$out/warm-store"
java -jar "$jar" migrate --quiet --from "file://$out/warm-store" --to "$(url warm)" > "$out/warm.log" 2>&1
"$here/berth" gc --quiet --grace-period 0 "$(url warm)" >> "$out/warm.log" 2>&1
collect_both "$(url berth "$gcport")"

summarize "$data/dist/docker/registry/v2/blobs" "$data/berth/docker/registry/v2/blobs" \
  " on s3proxy${LATENCY_MS:+, $LATENCY_MS ms before each request}"
