#!/usr/bin/env bash
# A/B of `infinity serve` builds under the load of run.sh, with nginx in the same rounds:
#   bash Benchmarks/load/ab.sh DURATION ROUNDS BINARY[|SERVE-FLAGS]...
# Each round runs nginx, then each binary in an order that rotates from round to round (`--ack
# ${ACK:-durable}`, then its own flags, if any: e.g.
# ".build/release/infinity|--ack written --commit-delay 100") for DURATION seconds. Per run it
# prints hits/s, p99, the share of that round's nginx, the blocks written and the server's CPU time
# per hit (user + system from /proc, which varies far less than throughput on a shared machine) and
# the machine's idle CPU during the run (a server that leaves CPU idle under load waits on something
# else, such as its fsyncs), and the open segment's bytes a record.
# Build the older binary in a worktree: git worktree add /tmp/old REV && (cd /tmp/old && swift build
# -c release --product infinity). Needs Debian's wrk and nginx (installed if missing). Loopback only.
set -euo pipefail
cd "$(dirname "$0")/../.."
duration=$1
rounds=$2
shift 2
source Benchmarks/load/lib.sh
ensure_load_tools
data=$(mktemp -d /tmp/infinity-ab.XXXXXX)
trap 'rm -rf "$data" /tmp/infinity-bench-nginx' EXIT
"${1%%|*}" sites add example.com --data "$data" >/dev/null
for round in $(seq "$rounds"); do
  before=$(cpu_ticks)
  nginx_result=$(run_nginx)
  nginx_idle=$(idle_percent "$before" "$(cpu_ticks)")
  nginx_rate=${nginx_result% *}
  line="round $round:"
  # The order rotates from round to round: whichever ran first after nginx was measurably faster.
  shift_by=$(((round - 1) % $#))
  specs=("$@")
  for spec in "${specs[@]:shift_by}" "${specs[@]:0:shift_by}"; do
    binary=${spec%%|*}
    flags=""
    [ "$spec" != "$binary" ] && flags=${spec#*|}
    # shellcheck disable=SC2086 # the flags are words
    start_serve "$binary" "$data" "${ACK:-durable}" $flags
    before=$(cpu_ticks)
    result=$(run_wrk http://127.0.0.1:18080)
    idle=$(idle_percent "$before" "$(cpu_ticks)")
    rate=${result% *}
    ticks=$(awk '{print $14 + $15}' "/proc/$serve_pid/stat")
    kill -TERM $serve_pid
    wait $serve_pid || true
    stat=$("$binary" journal stat --data "$data" --format json)
    blocks=$(sed 's/.*"blocks":\([0-9]*\).*/\1/' <<<"$stat")
    per_record=$(sed 's/.*"bytes_per_record":\([0-9.]*\).*/\1/' <<<"$stat")
    share=$(echo "scale=3; $rate / $nginx_rate" | bc)
    cpu=$(echo "scale=1; $ticks * 1000000 / $(getconf CLK_TCK) / ($rate * $duration)" | bc)
    line+="  $(basename "$binary")${flags:+ $flags} ${rate}/s p99 ${result#* } ms ($share) ${blocks} blocks"
    line+=" $(printf '%.1f' "$per_record") B/record ${cpu} µs/hit ${idle}% idle"
  done
  echo "$line  nginx ${nginx_rate}/s ${nginx_idle}% idle"
done
