#!/usr/bin/env bash
# Load benchmark of `infinity serve` (issues 4 and 18), side by side with nginx in the same run:
#   bash Benchmarks/load/run.sh [duration-seconds] [rounds]
# Each round runs `serve --ack durable`, `--ack written`, `--ack buffered` and nginx (answering 204
# with its access log on) for the same time, one after another, so that the machine's load reaches
# all four alike; the summary gives medians over rounds and each server's rate as a share of nginx's
# in the same round. Needs Debian's wrk and nginx (installed if missing). Loopback only.
set -euo pipefail
cd "$(dirname "$0")/../.."
duration="${1:-10}"
rounds="${2:-5}"
source Benchmarks/load/lib.sh
ensure_load_tools
swift build -c release --product infinity >/dev/null
data=$(mktemp -d /tmp/infinity-load.XXXXXX)
trap 'rm -rf "$data" /tmp/infinity-bench-nginx' EXIT
.build/release/infinity sites add example.com --data "$data" >/dev/null
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
declare -A rates p99s ratios

for round in $(seq "$rounds"); do
  declare -A result=()
  for ack in durable written buffered; do
    start_serve .build/release/infinity "$data" $ack
    result[$ack]=$(run_wrk http://127.0.0.1:18080)
    rss=$(grep VmHWM /proc/$serve_pid/status | awk '{print $2}')
    kill -TERM $serve_pid; wait $serve_pid || true
    if [ "$round" = "$rounds" ]; then
      stat=$(.build/release/infinity journal stat --data "$data" --format json)
      records=$(sed 's/.*"records":\([0-9]*\).*/\1/' <<<"$stat")
      blocks=$(sed 's/.*"blocks":\([0-9]*\).*/\1/' <<<"$stat")
      per_record=$(sed 's/.*"bytes_per_record":\([0-9.]*\).*/\1/' <<<"$stat")
      printf '  last round, --ack %s: %s records in %s blocks, %.1f bytes a record (open segment), peak RSS %s kB\n' \
        $ack "$records" "$blocks" "$per_record" "$rss"
    fi
    # No client address that wrk sent may be on disk (events.lua: counters 1..5 give these).
    for ip in 12.1.1.2 13.2.2.3 14.3.3.4 15.4.4.5 16.5.5.6; do
      if grep -rqF "$ip" "$data"; then echo "  PRIVACY FAILURE: $ip found under $data"; exit 1; fi
    done
  done
  result[nginx]=$(run_nginx)
  nginx_rate=${result[nginx]% *}
  line="round $round:"
  for name in durable written buffered nginx; do
    rate=${result[$name]% *}
    p99=${result[$name]#* }
    ratio=$(echo "scale=3; $rate / $nginx_rate" | bc)
    rates[$name]+="$rate "
    p99s[$name]+="$p99 "
    ratios[$name]+="$ratio "
    line+="  $name $rate/s p99 ${p99} ms ($ratio)"
  done
  echo "$line"
done
echo "no client address found under the data folder"
echo "medians of $rounds interleaved rounds of ${duration} s:"
for name in durable written buffered nginx; do
  printf '  %-9s %7s hits/s  p99 %6s ms  %s of nginx\n' "$name" \
    "$(tr ' ' '\n' <<<"${rates[$name]}" | grep . | median)" "$(tr ' ' '\n' <<<"${p99s[$name]}" | grep . | median)" \
    "$(tr ' ' '\n' <<<"${ratios[$name]}" | grep . | median)"
done
