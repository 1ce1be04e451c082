# Shared by bench/gc-bench.sh and bench/gc-bench-s3.sh (sourced): timing one collector, both, and
# the summary comparing the two. Expects $here, $out, $timev, $mode and, for summarize, $repos
# $manifests $blobs.

warm_store() { # dir: a tiny synthetic store, for the warm-up run that writes the launcher's class archive
  rm -rf "$1"
  java "$here/gc/src/test/java/io/berth/gc/bench/SyntheticStore.java" "$1" 2 10 40 > /dev/null
}

# CPU seconds (user + system) a process has used so far; 0 when there is none.
cpu_of() { [ -n "${1:-}" ] && [ -r "/proc/$1/stat" ] && awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / hz}' "/proc/$1/stat" || echo 0; }

run() { # name cmd...: wall time to $out/name.secs, /usr/bin/time -v to $out/name.time,
        # and the CPU the storage server ($SERVER_PID, if set) spent meanwhile to $out/name.server-cpu
  local name=$1; shift
  local t0 t1 c0
  c0=$(cpu_of "${SERVER_PID:-}")
  t0=$(date +%s.%N)
  if [ -n "$timev" ]; then "$timev" -v -o "$out/$name.time" "$@" > "$out/$name.log" 2>&1
  else "$@" > "$out/$name.log" 2>&1; fi
  t1=$(date +%s.%N)
  echo "$t0 $t1" | awk '{printf "%.2f", $2 - $1}' > "$out/$name.secs"
  echo "$c0 $(cpu_of "${SERVER_PID:-}")" | awk '{printf "%.2f", $2 - $1}' > "$out/$name.server-cpu"
}

cpu() { # name: the collector's CPU seconds, and the storage server's if one was watched
  local c
  c=$(awk -F': ' '/User time/{u=$2} /System time/{s=$2} END{if (u != "") printf "%.1f s CPU", u + s}' "$out/$1.time" 2>/dev/null || true)
  if [ -n "${SERVER_PID:-}" ]; then c="$c, storage server $(cat "$out/$1.server-cpu") s CPU"; fi
  echo "$c"
}

collect_both() { # berth-storage: times distribution on $out/config.yml, then berth on the given store
  local dflag=() bflag=() wflag=()
  if [ "$mode" = "-m" ]; then dflag=(--delete-untagged); bflag=(-m); fi
  if [ -n "${WORKERS:-}" ]; then wflag=(--workers "$WORKERS"); fi
  run distribution env -u AWS_CA_BUNDLE docker-registry garbage-collect "${dflag[@]}" "$out/config.yml"
  run berth "$here/berth" gc --quiet --grace-period 0 "${bflag[@]}" "${wflag[@]}" \
    --report "$out/berth-report.json" "$1"
}

rss() { [ -f "$out/$1.time" ] && awk -F': ' '/Maximum resident set size/{printf "%.0f MiB", $2/1024}' "$out/$1.time" || echo "?"; }

summarize() { # dist-blobs-dir berth-blobs-dir store-description
  local dblobs=$1 bblobs=$2 where=$3 same d b
  blobset() { (cd "$1" && find . -name data | sort); }
  if diff <(blobset "$dblobs") <(blobset "$bblobs") > "$out/blob-diff.txt"; then same="same blobs left"; else
    same="blob sets DIFFER ($(wc -l < "$out/blob-diff.txt") lines, see $out/blob-diff.txt; expected only where distribution is wrong)"; fi
  d=$(cat "$out/distribution.secs"); b=$(cat "$out/berth.secs")
  echo "store$where: $repos repositories, $manifests manifests, $blobs blobs (mode $mode)"
  echo "distribution garbage-collect: ${d} s, peak RSS $(rss distribution), $(cpu distribution)"
  echo "berth gc:                     ${b} s, peak RSS $(rss berth), $(cpu berth)"
  awk -v d="$d" -v b="$b" 'BEGIN { printf "speed-up: %.1fx\n", d / b }'
  echo "$same; berth: $(grep -o '"blobs" : [0-9]*' "$out/berth-report.json" | tail -1)"
}
