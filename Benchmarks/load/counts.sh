#!/usr/bin/env bash
# Allocations and reference-count operations per hit, by thread, under the load script:
#   bash Benchmarks/load/counts.sh BINARY [ACK]
# Starts BINARY's `serve --ack ACK` (default durable) on a fresh data folder, counts every call of
# malloc, swift_retain, swift_bridgeObjectRetain (strings) and swift_allocObject with uprobes
# (`perf stat --per-thread`) while the load script's wrk runs for 5 s, and divides each count by
# the records the journal holds afterwards. The probes slow the server about tenfold, so the
# writer's blocks are smaller than without them and its per-hit counts higher; the event loops'
# counts are per request and do not depend on that. Needs Debian's perf, wrk and nginx; root.
set -euo pipefail
cd "$(dirname "$0")/../.."
binary=$1
ack=${2:-durable}
duration=5
source Benchmarks/load/lib.sh
ensure_load_tools
command -v perf >/dev/null || { apt-get update -qq && apt-get install -y -qq linux-perf; }
libc=$(ldd "$binary" | awk '/libc.so.6/ {print $3}')
swiftcore=$(ldd "$binary" | awk '/libswiftCore.so/ {print $3}')
perf probe -q -x "$libc" malloc 2>/dev/null || true
for symbol in swift_retain swift_bridgeObjectRetain swift_allocObject; do
  perf probe -q -x "$swiftcore" $symbol 2>/dev/null || true
done
data=$(mktemp -d /tmp/infinity-counts.XXXXXX)
trap 'kill $serve_pid 2>/dev/null || true; rm -rf "$data"' EXIT
"$binary" sites add example.com --data "$data" >/dev/null
start_serve "$binary" "$data" "$ack"
perf stat --per-thread -x, -o "$data/stat" -p "$serve_pid" \
  -e probe_libc:malloc,probe_libswiftCore:swift_retain,probe_libswiftCore:swift_bridgeObjectRetain,probe_libswiftCore:swift_allocObject &
perf_pid=$!
sleep 0.3
run_wrk http://127.0.0.1:18080 >"$data/rate"
kill -INT $perf_pid
wait $perf_pid || true
kill -TERM $serve_pid
wait $serve_pid || true
records=$("$binary" journal stat --data "$data" --format json | sed 's/.*"records":\([0-9]*\).*/\1/')
echo "$records records ($(cut -d' ' -f1 "$data/rate")/s under the probes)"
# Threads by name; the event loops' counts summed (each takes about half of the requests).
awk -F, -v n="$records" '/probe_/ {
    thread = $1; sub(/-[0-9]+$/, "", thread); sub(/-#[0-9]+$/, "", thread)
    event = $4; sub(/.*:/, "", event)
    total[thread " " event] += $2
  }
  END { for (key in total) if (total[key] > n / 20) printf "%-34s %7.1f per hit\n", key, total[key] / n }' \
  "$data/stat" | sort
