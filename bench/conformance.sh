#!/usr/bin/env bash
# Runs the OCI Distribution Spec conformance suite (all four workflows: pull, push, content
# discovery incl. referrers, content management) against a Berth it starts on an empty
# filesystem store with deletes enabled, and prints the suite's summary.
#
# The suite itself is not part of this repository and this script does not obtain or build it:
# pass the path of its compiled test binary (conformance.test) in OCI_CONFORMANCE_BIN. Release
# v1.1.1 was used (the suite at its main branch needs Go 1.24; Debian 12 has 1.19).
#
# Usage: OCI_CONFORMANCE_BIN=/path/to/conformance.test bench/conformance.sh [berth|distribution]
#   berth (default) runs server/target/berth.jar (built if missing); distribution runs Debian's
#   docker-registry with the same config, for comparison. Reports land in $OUT (default
#   /tmp/berth-conformance/<target>): report.html, junit.xml, server.log.
# Exit status: the suite's (0 = every spec passed).
set -uo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
target="${1:-berth}"
bin="${OCI_CONFORMANCE_BIN:-}"
[ -n "$bin" ] && [ -x "$bin" ] || { echo "set OCI_CONFORMANCE_BIN to the suite's built conformance.test (see the comment at the top of $0)"; exit 2; }
out="${OUT:-/tmp/berth-conformance}/$target"
port="${PORT:-5477}"
rm -rf "$out"; mkdir -p "$out/store" "$out/report"

cat > "$out/config.yml" <<YML
version: 0.1
log: {level: info}
storage:
  filesystem: {rootdirectory: $out/store}
  delete: {enabled: true}
http: {addr: 127.0.0.1:$port, secret: conformance}
YML

case "$target" in
  berth)
    jar="$here/server/target/berth.jar"
    [ -f "$jar" ] || (cd "$here" && mvn -B -ntp -q -pl server -am package -DskipTests) || exit 2
    java -jar "$jar" serve "$out/config.yml" > "$out/server.log" 2>&1 & ;;
  distribution)
    command -v docker-registry >/dev/null || { echo "needs docker-registry (apt-get install docker-registry)"; exit 2; }
    env -u AWS_CA_BUNDLE docker-registry serve "$out/config.yml" > "$out/server.log" 2>&1 & ;;
  *) echo "unknown target $target (berth or distribution)"; exit 2 ;;
esac
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null' EXIT
for _ in $(seq 150); do curl -s -o /dev/null "http://127.0.0.1:$port/v2/" && break; sleep 0.2; done
curl -s -o /dev/null "http://127.0.0.1:$port/v2/" || { echo "$target did not start; see $out/server.log"; exit 2; }

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
echo "$target: full log $out/suite.log, report $out/report/report.html"
exit $rc
