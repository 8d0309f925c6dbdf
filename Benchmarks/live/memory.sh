#!/usr/bin/env bash
# Memory and CPU of `infinity serve` with a big open day, while hits trickle in:
#   bash Benchmarks/live/memory.sh [hits-in-the-day] [rounds] [BINARY...]
# Generates one site-day of `hits-in-the-day` hits (default 2,000,000) for today, builds its
# rollups, then per round and binary (default: this checkout's release build) runs `serve` on it and
# sends one hit a second for 40 s. Each catch-up refolds the whole open day, so this shows what a
# busy site's server holds between catch-ups (RSS), at its peak (VmHWM), the CPU it spends (all
# threads, from /proc) and the last catch-up's seconds (`infinity_rollups_catch_up_seconds`).
# Binaries alternate round by round. Loopback only.
set -euo pipefail
cd "$(dirname "$0")/../.."
hits="${1:-2000000}"
rounds="${2:-2}"
shift $(($# < 2 ? $# : 2))
binaries=("$@")
if [ ${#binaries[@]} -eq 0 ]; then
  swift build -c release --product infinity >/dev/null
  binaries=(.build/release/infinity)
fi
data=$(mktemp -d /tmp/infinity-live.XXXXXX)
trap 'kill $serve_pid 2>/dev/null || true; rm -rf "$data"' EXIT
serve_pid=
"${binaries[0]}" generate --data "$data" --site example.com --days 1 --hits-per-day "$hits" \
  --start "$(date -u +%F)" >/dev/null
event='{"n":"pageview","u":"https://example.com/trickle","d":"example.com"}'
agent='Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0'
kb() { awk -v key="$1:" '$1 == key {print $2}' /proc/$serve_pid/status; }
start_serve() {
  "$1" serve --data "$data" --listen 127.0.0.1:18183 >"$data/serve.log" 2>&1 &
  serve_pid=$!
  for _ in $(seq 1 50); do grep -q "listening on" "$data/serve.log" && break; sleep 0.2; done
}
# One start first seals the generated segment; compacting it now keeps that work (done by the
# first server's housekeeping otherwise) out of the rounds.
start_serve "${binaries[0]}"
kill -TERM $serve_pid
wait $serve_pid || true
"${binaries[0]}" journal compact --data "$data" >/dev/null
"${binaries[0]}" rebuild --data "$data" >/dev/null
for round in $(seq "$rounds"); do
  for binary in "${binaries[@]}"; do
    start_serve "$binary"
    for _ in $(seq 1 40); do
      curl -s -o /dev/null -X POST http://127.0.0.1:18183/api/event -H 'Content-Type: application/json' \
        -H "User-Agent: $agent" -d "$event"
      sleep 1
    done
    catch_up=$(curl -s http://127.0.0.1:18183/metrics | awk '$1 == "infinity_rollups_catch_up_seconds" {print $2}')
    cpu=$(awk '{printf "%.2f", ($14 + $15) / 100}' /proc/$serve_pid/stat)
    printf 'round %s  %-28s RSS %4d MB  peak %4d MB  CPU %5s s in 40 s  last catch-up %.3f s\n' "$round" "$binary" \
      $(($(kb VmRSS) / 1024)) $(($(kb VmHWM) / 1024)) "$cpu" "$catch_up"
    kill -TERM $serve_pid
    wait $serve_pid || true
  done
done
