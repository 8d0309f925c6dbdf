#!/usr/bin/env bash
# A/B of `infinity serve` builds under the load of run.sh, with nginx in the same rounds:
#   bash Benchmarks/load/ab.sh DURATION ROUNDS BINARY...
# Each round runs nginx, then each binary (`--ack ${ACK:-durable}`) for DURATION seconds. Per run it
# prints hits/s, p99, the share of that round's nginx, the blocks written and the server's CPU time
# per hit (user + system from /proc, which varies far less than throughput on a shared machine).
# Build the older binary in a worktree: git worktree add /tmp/old REV && (cd /tmp/old && swift build
# -c release --product infinity). Needs Debian's wrk and nginx (installed if missing). Loopback only.
set -euo pipefail
cd "$(dirname "$0")/../.."
duration=$1
rounds=$2
shift 2
for p in wrk nginx bc; do command -v $p >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk nginx-light bc; }; done
data=$(mktemp -d /tmp/infinity-ab.XXXXXX)
trap 'rm -rf "$data" /tmp/infinity-bench-nginx' EXIT
"$1" sites add example.com --data "$data" >/dev/null
mkdir -p /tmp/infinity-bench-nginx
run_wrk() {
  wrk -t2 -c64 -d"${duration}s" --latency -s Benchmarks/load/events.lua "$1" | grep RESULT \
    | sed 's/.*rate=\([0-9]*\).*p99_ms=\([0-9.]*\).*/\1 \2/'
}
for round in $(seq "$rounds"); do
  rm -f /tmp/infinity-bench-nginx/access.log
  nginx -c "$PWD/Benchmarks/load/nginx.conf"
  nginx_result=$(run_wrk http://127.0.0.1:18090)
  nginx_rate=${nginx_result% *}
  nginx -c "$PWD/Benchmarks/load/nginx.conf" -s stop 2>/dev/null
  while [ -e /tmp/infinity-bench-nginx/nginx.pid ]; do sleep 0.1; done
  line="round $round:"
  for binary in "$@"; do
    rm -rf "$data/journal"
    "$binary" serve --data "$data" --listen 127.0.0.1:18080 --trusted-proxy 127.0.0.1 --ack "${ACK:-durable}" \
      2>"$data/serve.log" &
    pid=$!
    for i in $(seq 1 50); do grep -q "listening on" "$data/serve.log" && break; sleep 0.2; done
    result=$(run_wrk http://127.0.0.1:18080)
    rate=${result% *}
    ticks=$(awk '{print $14 + $15}' "/proc/$pid/stat")
    kill -TERM $pid
    wait $pid || true
    blocks=$("$binary" journal stat --data "$data" --format json | sed 's/.*"blocks":\([0-9]*\).*/\1/')
    share=$(echo "scale=3; $rate / $nginx_rate" | bc)
    cpu=$(echo "scale=1; $ticks * 1000000 / $(getconf CLK_TCK) / ($rate * $duration)" | bc)
    line+="  $(basename "$binary") ${rate}/s p99 ${result#* } ms ($share) ${blocks} blocks ${cpu} µs/hit"
  done
  echo "$line  nginx ${nginx_rate}/s"
done
