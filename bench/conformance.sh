#!/usr/bin/env bash
# Runs the OCI Distribution Spec conformance suite (all four workflows: pull, push, content
# discovery incl. referrers, content management) against a Berth it starts on an empty store
# (filesystem unless BACKEND says otherwise) with deletes enabled, and prints the suite's summary.
#
# The suite itself is not part of this repository and this script does not obtain or build it:
# pass the path of its compiled test binary (conformance.test) in OCI_CONFORMANCE_BIN. Release
# v1.1.1 was used (the suite at its main branch needs Go 1.24; Debian 12 has 1.19).
#
# Usage: OCI_CONFORMANCE_BIN=/path/to/conformance.test bench/conformance.sh [berth|distribution]
#   berth (default) runs server/target/berth.jar (built if missing); distribution runs Debian's
#   docker-registry with the same config, for comparison. Reports land in $OUT (default
#   /tmp/berth-conformance/<target>): report.html, junit.xml, server.log.
# BACKEND picks the storage: filesystem (default), s3mock (Adobe S3Mock), s3proxy (s3proxy's
#   filesystem-nio2 backend) or azurite (Azurite's blob service). The emulators run from the
#   classpaths that test-servers/s3mock and test-servers/s3proxy resolve, and from
#   test-servers/azurite's npm install (npm ci here when missing), with their data under $OUT.
#   Storage redirects are disabled so the suite never follows a presigned URL; REDIRECT=1 keeps
#   them on (blob GETs then answer 307 to the emulator).
# Exit status: the suite's (0 = every spec passed).
set -uo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
target="${1:-berth}"
bin="${OCI_CONFORMANCE_BIN:-}"
[ -n "$bin" ] && [ -x "$bin" ] || { echo "set OCI_CONFORMANCE_BIN to the suite's built conformance.test (see the comment at the top of $0)"; exit 2; }
backend="${BACKEND:-filesystem}"
out="${OUT:-/tmp/berth-conformance}/$target${BACKEND:+-$backend}"
port="${PORT:-5477}"
sport=$((port + 1)) # the storage emulator's port
rm -rf "$out"; mkdir -p "$out/store" "$out/report"
pids=()
trap 'kill ${pids[@]+"${pids[@]}"} 2>/dev/null; wait 2>/dev/null' EXIT
await() { # url what: any HTTP answer from the process started last will do
  for _ in $(seq 300); do
    curl -s -o /dev/null "$1" && return 0; kill -0 "${pids[-1]}" 2>/dev/null || break; sleep 0.2
  done
  echo "$2 did not start; see $out"; exit 2
}
classpath() { # module: the emulator's runtime classpath, resolved by Maven when missing
  local f="$here/test-servers/$1/target/classpath.txt"
  [ -s "$f" ] || (cd "$here" && mvn -B -ntp -q -pl "test-servers/$1" generate-resources) || exit 2
  cat "$f"
}
s3keys="accesskey: conformance, secretkey: conformance-secret, region: us-east-1, regionendpoint: 'http://127.0.0.1:$sport', forcepathstyle: true, secure: false"
case "$backend" in
  filesystem) storage="filesystem: {rootdirectory: $out/store}" ;;
  s3mock) # accepts any credentials and anonymous bucket creation
    env -u AWS_CA_BUNDLE java -Xmx768m -cp "$(classpath s3mock)" com.adobe.testing.s3mock.S3MockApplication \
      --com.adobe.testing.s3mock.httpPort=$sport --server.port=$((port + 2)) --server.address=127.0.0.1 \
      --com.adobe.testing.s3mock.store.root="$out/store" --spring.main.banner-mode=off \
      --logging.level.root=WARN > "$out/s3mock.log" 2>&1 &
    pids+=($!); await "http://127.0.0.1:$sport/" S3Mock
    curl -sf -X PUT "http://127.0.0.1:$sport/conformance" >/dev/null || { echo "cannot create the bucket"; exit 2; }
    storage="s3: {$s3keys, bucket: conformance}" ;;
  s3proxy) # checks SigV2/V4 signatures: the bucket is made by a signed PUT
    printf '%s\n' "s3proxy.endpoint=http://127.0.0.1:$sport" s3proxy.authorization=aws-v2-or-v4 \
      s3proxy.identity=conformance s3proxy.credential=conformance-secret jclouds.provider=filesystem-nio2 \
      jclouds.identity=conformance jclouds.credential=conformance-secret "jclouds.filesystem.basedir=$out/store" \
      > "$out/s3proxy.properties"
    printf '%s\n' '<configuration><appender name="OUT" class="ch.qos.logback.core.ConsoleAppender"><encoder>' \
      '<pattern>%d{HH:mm:ss.SSS} %-5level %logger{36} - %msg%n</pattern></encoder></appender>' \
      '<root level="WARN"><appender-ref ref="OUT"/></root></configuration>' > "$out/logback.xml"
    env -u AWS_CA_BUNDLE java -Xmx768m -Dlogback.configurationFile="$out/logback.xml" -cp "$(classpath s3proxy)" \
      org.gaul.s3proxy.Main --properties "$out/s3proxy.properties" > "$out/s3proxy.log" 2>&1 &
    pids+=($!); await "http://127.0.0.1:$sport/" s3proxy
    curl -sf -X PUT --aws-sigv4 aws:amz:us-east-1:s3 -u conformance:conformance-secret \
      -H "x-amz-content-sha256: $(printf '' | sha256sum | cut -d' ' -f1)" \
      "http://127.0.0.1:$sport/conformance" >/dev/null || { echo "cannot create the bucket"; exit 2; }
    storage="s3: {$s3keys, bucket: conformance}" ;;
  azurite) # the well-known development account; the container is made with the SDK in berth.jar
    az="$here/test-servers/azurite/node_modules/.bin/azurite-blob"
    [ -x "$az" ] || (cd "$here/test-servers/azurite" && npm ci --no-audit --no-fund >/dev/null) || exit 2
    "$az" --blobHost 127.0.0.1 --blobPort $sport --location "$out/store" --skipApiVersionCheck --loose \
      --silent > "$out/azurite.log" 2>&1 &
    pids+=($!); await "http://127.0.0.1:$sport/" Azurite
    key=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==
    surl="http://127.0.0.1:$sport/devstoreaccount1"
    cat > "$out/MkContainer.java" <<'JAVA'
public class MkContainer { public static void main(String[] a) {
  new com.azure.storage.blob.BlobServiceClientBuilder().endpoint(a[0])
    .credential(new com.azure.storage.common.StorageSharedKeyCredential("devstoreaccount1", a[1]))
    .buildClient().createBlobContainer(a[2]); } }
JAVA
    java -cp "$here/server/target/berth.jar" "$out/MkContainer.java" "$surl" "$key" conformance \
      > "$out/mkcontainer.log" 2>&1 || { echo "cannot create the container; see $out/mkcontainer.log"; exit 2; }
    storage="azure: {accountname: devstoreaccount1, accountkey: '$key', container: conformance, serviceurl: '$surl'}" ;;
  *) echo "unknown BACKEND $backend (filesystem, s3mock, s3proxy or azurite)"; exit 2 ;;
esac

cat > "$out/config.yml" <<YML
version: 0.1
log: {level: info}
storage:
  $storage
  delete: {enabled: true}
  redirect: {disable: $([ "${REDIRECT:-0}" = 1 ] && echo false || echo true)}
http: {addr: 127.0.0.1:$port, secret: conformance}
YML

case "$target" in
  berth)
    jar="$here/server/target/berth.jar"
    [ -f "$jar" ] || (cd "$here" && mvn -B -ntp -q -pl server -am package -DskipTests) || exit 2
    env -u AWS_CA_BUNDLE java -jar "$jar" serve "$out/config.yml" > "$out/server.log" 2>&1 & ;;
  distribution)
    command -v docker-registry >/dev/null || { echo "needs docker-registry (apt-get install docker-registry)"; exit 2; }
    env -u AWS_CA_BUNDLE docker-registry serve "$out/config.yml" > "$out/server.log" 2>&1 & ;;
  *) echo "unknown target $target (berth or distribution)"; exit 2 ;;
esac
pids+=($!)
await "http://127.0.0.1:$port/v2/" "$target"

cd "$out/report"
OCI_ROOT_URL="http://127.0.0.1:$port" \
OCI_NAMESPACE="${OCI_NAMESPACE:-conformance/myorg/myrepo}" \
OCI_CROSSMOUNT_NAMESPACE="${OCI_CROSSMOUNT_NAMESPACE:-conformance/other/repo}" \
OCI_TEST_PULL=1 OCI_TEST_PUSH=1 OCI_TEST_CONTENT_DISCOVERY=1 OCI_TEST_CONTENT_MANAGEMENT=1 \
OCI_DELETE_MANIFEST_BEFORE_BLOBS="${OCI_DELETE_MANIFEST_BEFORE_BLOBS:-1}" \
OCI_AUTOMATIC_CROSSMOUNT="${OCI_AUTOMATIC_CROSSMOUNT:-0}" \
OCI_HIDE_SKIPPED_WORKFLOWS="${OCI_HIDE_SKIPPED_WORKFLOWS:-0}" \
OCI_DEBUG="${OCI_DEBUG:-0}" \
OCI_REPORT_DIR="$out/report" \
  "$bin" -test.v -ginkgo.no-color > "$out/suite.log" 2>&1
rc=$?
# The summary: Ginkgo's pass/fail line and the name of every failed spec.
grep -E '^\s*\[FAIL\]' "$out/suite.log" | sed 's/^\s*//' | sort -u
grep -E '^(Ran [0-9]+ of|FAIL!|SUCCESS!)' "$out/suite.log"
echo "$target on $backend: full log $out/suite.log, report $out/report/report.html"
exit $rc
