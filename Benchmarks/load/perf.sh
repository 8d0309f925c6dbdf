#!/usr/bin/env bash
# Where `infinity serve`'s CPU goes under the load script:
#   bash Benchmarks/load/perf.sh BINARY [ACK] [OUTPUT] [FLAGS...]
# Starts BINARY's `serve --ack ACK` (default durable) on a fresh data folder, runs the load script's
# wrk for 10 s, and records the server with `perf record -g` for 6 s of it into OUTPUT (default
# /tmp/infinity-serve.perf.data); prints wrk's "rate p99". Read it with, for instance,
# `perf report -i OUTPUT --children --sort sym -g none`. Needs Debian's perf, wrk and nginx.
set -euo pipefail
cd "$(dirname "$0")/../.."
binary=$1
ack=${2:-durable}
output=${3:-/tmp/infinity-serve.perf.data}
shift $(($# < 3 ? $# : 3))
duration=10
source Benchmarks/load/lib.sh
ensure_load_tools
command -v perf >/dev/null || { apt-get update -qq && apt-get install -y -qq linux-perf; }
data=$(mktemp -d /tmp/infinity-load.XXXXXX)
trap 'kill $serve_pid 2>/dev/null || true; rm -rf "$data"' EXIT
"$binary" sites add example.com --data "$data" >/dev/null
start_serve "$binary" "$data" "$ack" "$@"
run_wrk http://127.0.0.1:18080 >"$data/rate" &
wrk_pid=$!
sleep 2
perf record -F 2000 -g -p "$serve_pid" -o "$output" -- sleep 6 >"$data/perf.log" 2>&1
wait $wrk_pid
kill -TERM $serve_pid
wait $serve_pid || true
cat "$data/rate"
