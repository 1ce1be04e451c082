#!/usr/bin/env bash
# Runs regbench (../shared/bench/regbench) against Berth and distribution's registry (Debian
# docker-registry) one after the other, each on an empty filesystem store with the same config,
# and prints the ratios Berth/distribution plus peak RSS. Usage: bench/compare.sh [regbench args]
# (default: all scenarios at regbench's default sizes). Results land in $OUT (default /tmp/berth-bench).
# BACKEND=s3mock runs both registries on S3 instead: one Adobe S3Mock (from the classpath that
# test-servers/s3mock resolves), a fresh bucket for each registry, the same driver keys for both.
# LATENCY_MS (with BACKEND=s3mock) puts both registries behind bench/LatencyProxy.java, which waits
# that long before each request to S3Mock: the round trip to a cloud S3 that a local server lacks.
# SECURE=1 puts TLS (a generated self-signed certificate) and htpasswd auth (bcrypt) on both;
# regbench then runs with -insecure -user bench -pass bench.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
out="${OUT:-/tmp/berth-bench}"
rb_src="$here/../shared/bench/regbench"
mkdir -p "$out"
command -v go >/dev/null || { echo "needs golang-go (apt-get install golang-go)"; exit 2; }
command -v docker-registry >/dev/null || { echo "needs docker-registry (apt-get install docker-registry)"; exit 2; }
(cd "$rb_src" && go build -o "$out/regbench" .)
(cd "$here" && mvn -q -B -DskipTests -pl server -am package)
backend="${BACKEND:-filesystem}"
s3pid=""
if [ "$backend" = s3mock ]; then
  (cd "$here" && mvn -q -B -pl test-servers/s3mock package)
  s3port=9390
  rm -rf "$out/s3mock-data" # a bucket left by an earlier run would hold its uploads and keys
  java -Xmx1g -cp "$(cat "$here/test-servers/s3mock/target/classpath.txt")" com.adobe.testing.s3mock.S3MockApplication \
    --com.adobe.testing.s3mock.httpPort=$s3port --server.port=9391 --server.address=127.0.0.1 \
    --com.adobe.testing.s3mock.store.root="$out/s3mock-data" --spring.main.banner-mode=off \
    --logging.level.root=WARN > "$out/s3mock.log" 2>&1 &
  s3pid=$!
  trap 'kill $s3pid 2>/dev/null || true' EXIT
  for _ in $(seq 120); do curl -s "http://127.0.0.1:$s3port/" >/dev/null && break; sleep 0.5; done
  s3endpoint=$s3port
  if [ -n "${LATENCY_MS:-}" ]; then
    s3endpoint=9392
    java "$here/bench/LatencyProxy.java" $s3endpoint $s3port "$LATENCY_MS" > "$out/latency-proxy.log" 2>&1 &
    proxypid=$!
    trap 'kill $s3pid $proxypid 2>/dev/null || true' EXIT
    for _ in $(seq 60); do grep -q listening "$out/latency-proxy.log" 2>/dev/null && break; sleep 0.5; done
  fi
fi
storage_yml() { # name store-dir
  if [ "$backend" = s3mock ]; then
    curl -sf -X PUT "http://127.0.0.1:$s3port/bench-$1" >/dev/null
    echo "  s3: {region: us-east-1, regionendpoint: 'http://127.0.0.1:$s3endpoint', forcepathstyle: true, bucket: bench-$1, accesskey: bench, secretkey: bench, secure: false, v4auth: true, chunksize: 16777216}"
  else
    echo "  filesystem: {rootdirectory: $2}"
  fi
}
args=("$@"); [ ${#args[@]} -gt 0 ] || args=(all)
scheme=http; secure_yml=""; rb_auth=()
if [ "${SECURE:-0}" = 1 ]; then
  command -v openssl >/dev/null || { echo "SECURE=1 needs openssl"; exit 2; }
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
    -keyout "$out/tls.key" -out "$out/tls.crt" 2>/dev/null
  # a bcrypt entry, made with the bcrypt library inside berth.jar
  cat > "$out/Htpasswd.java" <<'JAVA'
public class Htpasswd { public static void main(String[] a) {
  System.out.println(a[0] + ":" + new String(at.favre.lib.crypto.bcrypt.BCrypt.withDefaults().hash(10, a[1].toCharArray()))); } }
JAVA
  java -cp "$here/server/target/berth.jar" "$out/Htpasswd.java" bench bench > "$out/htpasswd"
  scheme=https
  secure_yml="auth: {htpasswd: {realm: bench, path: $out/htpasswd}}"
  rb_auth=(-insecure -user bench -pass bench)
fi

run_one() { # name port command...
  local name=$1 port=$2; shift 2
  local store="$out/$name-store"; rm -rf "$store"; mkdir -p "$store"
  cat > "$out/$name.yml" <<YML
version: 0.1
log: {level: warn, accesslog: {disabled: true}}
storage:
$(storage_yml "$name" "$store")
  delete: {enabled: true}
  redirect: {disable: true}
  cache: {blobdescriptor: inmemory}
http: {addr: 127.0.0.1:$port, secret: bench$([ "$scheme" = https ] && echo ", tls: {certificate: $out/tls.crt, key: $out/tls.key}")}
$secure_yml
YML
  env -u AWS_CA_BUNDLE "$@" "$out/$name.yml" > "$out/$name.log" 2>&1 &
  local pid=$!
  for _ in $(seq 100); do curl -sk -o /dev/null "$scheme://127.0.0.1:$port/v2/" && break; sleep 0.2; done
  local rss_max=0
  ( while kill -0 $pid 2>/dev/null; do
      r=$(awk '/VmRSS/{print $2}' /proc/$pid/status 2>/dev/null || echo 0); echo "$r"; sleep 0.5
    done ) > "$out/$name.rss" &
  local sampler=$!
  "$out/regbench" -url "$scheme://127.0.0.1:$port" ${rb_auth[@]+"${rb_auth[@]}"} -registry-pid $pid -json "$out/$name.json" "${args[@]}" \
    > "$out/$name.txt" 2>&1 || echo "regbench reported errors against $name (see $out/$name.txt)"
  awk '/VmHWM/{print $2}' /proc/$pid/status > "$out/$name.hwm" 2>/dev/null || true
  if [ "$name" = berth ] && command -v jcmd >/dev/null; then jcmd $pid GC.heap_info > "$out/$name.heap" 2>&1 || true; fi
  kill $pid; wait $pid 2>/dev/null || true; kill $sampler 2>/dev/null || true
}

run_one distribution 5401 docker-registry serve
run_one berth 5402 "$here/berth" serve # the launcher, with its JVM options; BERTH_JAVA_OPTS adds more

python3 - "$out" <<'PY'
import json, sys, os
out = sys.argv[1]
b = json.load(open(f"{out}/berth.json")); d = json.load(open(f"{out}/distribution.json"))
def ops(r):
    m = {}
    for s in r["results"]:
        for o in s["ops"]:
            m[(s["name"], o["op"])] = o
    return m
bo, do = ops(b), ops(d)
print(f"{'scenario':14} {'operation':26} {'berth':>12} {'distribution':>12} {'ratio':>7}  cpu-s b/d")
for k in bo:
    if k not in do: continue
    x, y = bo[k], do[k]
    unit = "mb_per_s" if x.get("mb_per_s") and k[0] in ("push-blob", "pull-blob", "push-images") else "ops_per_s"
    bv, dv = x.get(unit) or 0, y.get(unit) or 0
    ratio = bv / dv if dv else float("nan")
    print(f"{k[0]:14} {k[1]:26} {bv:10.1f}{'MB' if unit=='mb_per_s' else '/s'} {dv:10.1f}{'MB' if unit=='mb_per_s' else '/s'} {ratio:7.2f}  {x.get('registry_cpu_s',0):.1f}/{y.get('registry_cpu_s',0):.1f}")
for n in ("berth", "distribution"):
    rss = [int(l) for l in open(f"{out}/{n}.rss") if l.strip().isdigit()]
    print(f"{n}: peak RSS sampled {max(rss)//1024 if rss else 0} MiB, VmHWM {int(open(f'{out}/{n}.hwm').read().strip() or 0)//1024} MiB")
PY
