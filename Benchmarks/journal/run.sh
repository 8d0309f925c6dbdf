#!/usr/bin/env bash
# Journal size and read speed by how it was written (issue 18, items 1-2), in one run:
#   live-like  blocks of 21 records (a busy server's group commits), linked in chains
#   compacted  the same journal after `infinity journal compact` (LZ4HC, blocks of 8,192), with
#              one more day in full blocks as its open segment
#   bulk       the same traffic (and the extra day) written in blocks of 8,192 (generate, import)
#   bulk-hc    bulk after `infinity journal compact` (its sealed full blocks recompressed with LZ4HC)
# Sizes come from `infinity journal stat`; read speed from `infinity rebuild` (decode and fold,
# 2 jobs), medians of interleaved rounds. Sizes do not depend on the machine's load.
#   bash Benchmarks/journal/run.sh [days] [hits-per-day] [rounds]
set -euo pipefail
cd "$(dirname "$0")/../.."
days="${1:-30}"; per_day="${2:-96000}"; rounds="${3:-5}"
swift build -c release --product infinity >/dev/null
bin=.build/release/infinity
work=$(mktemp -d "${TMPDIR:-/tmp}/infinity-bench-journal.XXXXXX")
trap 'rm -rf "$work"' EXIT
gen() { $bin generate --data "$work/$1" --site example.com --days "$days" --hits-per-day "$per_day" \
  --start 2026-10-01 --sync none --progress none "${@:2}" >/dev/null; }
gen live --block-records 21
gen compacted --block-records 21
gen bulk
gen bulk-hc
# One more day in full blocks seals the small-block segments, so that compaction reaches all of
# them and the read speeds compare full LZ4HC blocks with full LZ4 blocks (bulk gets the same day).
extra() { $bin generate --data "$work/$1" --site example.com --days 1 --hits-per-day "$per_day" \
  --start 2026-12-01 --sync none --progress none >/dev/null; }
extra compacted; extra bulk; extra bulk-hc
/usr/bin/time -f "compaction of the sealed small-block segments: %e s, %M kB peak RSS" \
  $bin journal compact --data "$work/compacted" 2>&1 >/dev/null | grep -v " info "
/usr/bin/time -f "recompression of the sealed bulk segments: %e s, %M kB peak RSS" \
  $bin journal compact --data "$work/bulk-hc" 2>&1 >/dev/null | grep -v " info "
stat() { $bin journal stat --data "$work/$1" --format json; }
field() { sed "s/.*\"$2\":\([0-9.]*\).*/\1/" <<<"$1"; }
for kind in live compacted bulk bulk-hc; do
  s=$(stat $kind)
  printf '%-10s records %s  bytes/record %s  sealed %s  open %s\n' "$kind" "$(field "$s" records)" \
    "$(field "$s" bytes_per_record)" "$(field "$s" sealed_bytes_per_record)" "$(field "$s" open_bytes_per_record)"
done
declare -A times
for round in $(seq "$rounds"); do
  for kind in live compacted bulk bulk-hc; do
    start=$(date +%s.%N)
    $bin rebuild --data "$work/$kind" --progress none >/dev/null 2>&1
    times[$kind]+="$(echo "$(date +%s.%N) - $start" | bc) "
  done
done
for kind in live compacted bulk bulk-hc; do
  records=$(field "$(stat $kind)" records)
  median=$(tr ' ' '\n' <<<"${times[$kind]}" | grep . | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  printf '%-10s rebuild median %.3f s  %.2f M hits/s  (rounds: %s)\n' "$kind" "$median" \
    "$(echo "$records / $median / 1000000" | bc -l)" "${times[$kind]}"
done
