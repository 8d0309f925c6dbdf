#!/usr/bin/env bash
# Load benchmark of `infinity serve` (issue 4), side by side with nginx in the same run.
#   bash Benchmarks/load/run.sh [duration-seconds]
# Needs Debian's wrk and nginx (installed if missing). Drives loopback only, bounded in time.
set -euo pipefail
cd "$(dirname "$0")/../.."
duration="${1:-20}"
for p in wrk nginx; do command -v $p >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk nginx-light; }; done
swift build -c release --product infinity >/dev/null
data=$(mktemp -d /tmp/infinity-load.XXXXXX)
.build/release/infinity sites add example.com --data "$data" >/dev/null
run_wrk() { wrk -t2 -c64 -d"${duration}s" --latency -s Benchmarks/load/events.lua "$1" | grep RESULT; }

for ack in durable buffered; do
  rm -rf "$data/journal"
  .build/release/infinity serve --data "$data" --listen 127.0.0.1:18080 --trusted-proxy 127.0.0.1 --ack $ack 2>"$data/serve.log" &
  pid=$!
  for i in $(seq 1 50); do grep -q "listening on" "$data/serve.log" && break; sleep 0.2; done
  echo "infinity serve --ack $ack: $(run_wrk http://127.0.0.1:18080)"
  rss=$(grep VmHWM /proc/$pid/status | awk '{print $2}')
  kill -TERM $pid; wait $pid || true
  stat=$(.build/release/infinity journal stat --data "$data" --format json)
  records=$(sed 's/.*"records":\([0-9]*\).*/\1/' <<<"$stat")
  blocks=$(sed 's/.*"blocks":\([0-9]*\).*/\1/' <<<"$stat")
  per_record=$(sed 's/.*"bytes_per_record":\([0-9.]*\).*/\1/' <<<"$stat")
  echo "  journal records: $records in $blocks blocks, $(printf %.1f "$per_record") bytes a record (open segment), peak RSS: ${rss} kB"
  # No client address that wrk sent may be on disk (events.lua: counters 1..5 give these).
  for ip in 12.1.1.2 13.2.2.3 14.3.3.4 15.4.4.5 16.5.5.6; do
    if grep -rqF "$ip" "$data"; then echo "  PRIVACY FAILURE: $ip found under $data"; exit 1; fi
  done
  echo "  no client address found under the data folder"
done

mkdir -p /tmp/infinity-bench-nginx
nginx -c "$PWD/Benchmarks/load/nginx.conf"
echo "nginx 204 (access log on): $(run_wrk http://127.0.0.1:18090)"
nginx -c "$PWD/Benchmarks/load/nginx.conf" -s stop
grep -c . /tmp/infinity-bench-nginx/access.log | sed 's/^/  nginx access log lines: /'
rm -rf "$data" /tmp/infinity-bench-nginx
