#!/usr/bin/env bash
# Scale-out figures (issue 17), measured in one run on this machine:
#   1. the query oracle set on 10 M hits: the embedded engine against ClickHouse, per question;
#   2. HTTP ingest with durable acknowledgement: one node against two nodes sharing one ClickHouse
#      (both replicating), interleaved rounds.
#   bash Benchmarks/scale-out/run.sh [hits] [ingest-seconds] [ingest-rounds] [query-rounds] [parts]
# parts: "queries ingest" (default), or one of them.
# Needs `make clickhouse` (ClickHouse on 127.0.0.1:18123) and Debian's wrk (installed if missing).
set -euo pipefail
cd "$(dirname "$0")/../.."
hits="${1:-10000000}"; seconds="${2:-15}"; rounds="${3:-5}"; query_rounds="${4:-3}"; parts="${5:-queries ingest}"
url="${INFINITY_CLICKHOUSE:-http://127.0.0.1:18123}"
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
swift build -c release --product infinity >/dev/null
bin=.build/release/infinity
ch() { curl -sf "$url/" --data-binary "$1"; }

# 1. Queries. Two sites (UTC and New York) over the oracle's 14 days, as the oracle test has them.
data="${TMPDIR:-/tmp}/infinity-bench-scaleout-$hits"
database="bench_scaleout_$hits"
if [ ! -f "$data/ready" ]; then
  rm -rf "$data"
  $bin generate --data "$data" --site example.com --site shop.example@America/New_York --days 14 \
    --hits-per-day $((hits / 28)) --start 2026-10-25 --sync none >/dev/null
  $bin rebuild --data "$data" >/dev/null
  ch "DROP DATABASE IF EXISTS $database"
  $bin replicate --data "$data" --clickhouse "$url" --database "$database" --node bench --once
  touch "$data/ready"
fi
echo "records: $($bin journal stat --data "$data" --format json | sed 's/.*"records":\([0-9]*\).*/\1/'), in ClickHouse: $(ch "SELECT count() FROM $database.infinity_hits_v1")"
case "$parts" in *queries*) python3 Benchmarks/scale-out/oracle_queries.py $bin "$data" "$url" "$database" \
  Tests/InfinityCLITests/Oracle/cases.jsonl "$query_rounds" ;; esac
case "$parts" in *ingest*) ;; *) exit 0 ;; esac

# 2. Ingest: one node, then two, alternating; wrk's 64 connections split over the nodes.
run_wrk() { wrk -t1 -c"$2" -d"${seconds}s" --latency -s Benchmarks/load/events.lua "$1" | grep RESULT; }
work=$(mktemp -d /tmp/infinity-scaleout.XXXXXX)
start_node() {  # folder port node database
  mkdir -p "$1"; $bin sites add example.com --data "$1" >/dev/null 2>&1 || true
  $bin serve --data "$1" --listen "127.0.0.1:$2" --trusted-proxy 127.0.0.1 --ack durable \
    --clickhouse "$url" --clickhouse-database "$4" --node "$3" 2>"$1/serve.log" &
  echo $! > "$1/pid"
  for _ in $(seq 1 100); do grep -q "listening on" "$1/serve.log" && return; sleep 0.1; done
}
stop_node() { kill -TERM "$(cat "$1/pid")"; wait "$(cat "$1/pid")" || true; }
for round in $(seq 1 "$rounds"); do
  for nodes in 1 2; do
    db="bench_nodes_${round}_$nodes"; ch "DROP DATABASE IF EXISTS $db"
    rm -rf "$work/a" "$work/b"
    start_node "$work/a" 18181 a "$db"
    if [ "$nodes" = 1 ]; then
      result=$(run_wrk http://127.0.0.1:18181 64)
      rate=$(echo "$result" | sed 's/.*rate=\([0-9]*\).*/\1/'); p99=$(echo "$result" | sed 's/.*p99_ms=\([0-9.]*\).*/\1/')
    else
      start_node "$work/b" 18182 b "$db"
      run_wrk http://127.0.0.1:18181 32 > "$work/wa" &
      other=$!
      run_wrk http://127.0.0.1:18182 32 > "$work/wb"
      wait "$other"
      rate=$(( $(sed 's/.*rate=\([0-9]*\).*/\1/' "$work/wa") + $(sed 's/.*rate=\([0-9]*\).*/\1/' "$work/wb") ))
      p99="$(sed 's/.*p99_ms=\([0-9.]*\).*/\1/' "$work/wa")/$(sed 's/.*p99_ms=\([0-9.]*\).*/\1/' "$work/wb")"
    fi
    # Every accepted hit reaches ClickHouse once before the node stops.
    for _ in $(seq 1 300); do
      journal=0; for f in "$work/a" "$work/b"; do [ -d "$f/journal" ] && journal=$((journal + $($bin journal stat --data "$f" --format json | sed 's/.*"records":\([0-9]*\).*/\1/'))); done
      [ "$(ch "SELECT count() FROM $db.infinity_hits_v1")" = "$journal" ] && break; sleep 0.2
    done
    stop_node "$work/a"; [ "$nodes" = 2 ] && stop_node "$work/b"
    echo "round $round, $nodes node(s): $rate hits/s acknowledged durably, p99 ${p99} ms; journal records $journal, ClickHouse rows $(ch "SELECT count() FROM $db.infinity_hits_v1")"
    ch "DROP DATABASE $db"
  done
done
rm -rf "$work"
