#!/usr/bin/env bash
# Access-log import against GoAccess (issue 18, item 6), in one run:
#   infinity   `infinity import access-log` into a fresh data folder: parse, anonymize, journal
#              (fsync per block), the exactly-once ledger, and the imported days folded into rollups
#   beside     the same import while `infinity serve` runs on the data folder: the import hands its
#              hits to the server (data/spool), which stores them; timed until the import returns,
#              which is once the server stored the last batch (its worker folds them after)
#   goaccess   GoAccess (the distribution's package) reading the same file into a JSON report
# The log: the real Apache log of Tests/Fixtures/logs repeated COPIES times, each copy shifted by
# 4 days (distinct lines). Medians of interleaved rounds.
#   bash Benchmarks/import/run.sh [copies] [rounds]
set -euo pipefail
cd "$(dirname "$0")/../.."
copies="${1:-100}"; rounds="${2:-5}"
command -v goaccess >/dev/null || { echo "GoAccess is missing: apt-get install goaccess" >&2; exit 1; }
swift build -c release --product infinity >/dev/null
bin=.build/release/infinity
work=$(mktemp -d "${TMPDIR:-/tmp}/infinity-bench-import.XXXXXX")
trap 'rm -rf "$work"' EXIT
python3 - "$copies" Tests/Fixtures/logs/elastic-apache_logs "$work/big.log" <<'PY'
import sys, re, datetime
copies, source, target = int(sys.argv[1]), sys.argv[2], sys.argv[3]
lines = open(source, encoding="utf-8", errors="replace").read().splitlines()
stamp = re.compile(r"\[(\d\d/\w\w\w/\d{4}):")
with open(target, "w", encoding="utf-8") as out:
    for copy in range(copies):
        for line in lines:
            def shift(match):
                day = datetime.datetime.strptime(match.group(1), "%d/%b/%Y") + datetime.timedelta(days=4 * copy)
                return "[" + day.strftime("%d/%b/%Y") + ":"
            out.write(stamp.sub(shift, line, count=1) + "\n")
PY
lines=$(wc -l <"$work/big.log")
echo "log: $lines lines, $(du -m "$work/big.log" | cut -f1) MB; $(goaccess --version | head -1)"
declare -A times
for round in $(seq "$rounds"); do
  rm -rf "$work/data"
  $bin sites add elastic.example --data "$work/data" >/dev/null
  start=$(date +%s.%N)
  $bin import access-log "$work/big.log" --site elastic.example --data "$work/data" --progress none >/dev/null 2>&1
  times[infinity]+="$(echo "$(date +%s.%N) - $start" | bc) "
  rm -rf "$work/data"
  $bin sites add elastic.example --data "$work/data" >/dev/null
  $bin serve --data "$work/data" --listen 127.0.0.1:0 2>"$work/serve.log" &
  server=$!
  until grep -q "listening on" "$work/serve.log"; do sleep 0.05; done
  start=$(date +%s.%N)
  $bin import access-log "$work/big.log" --site elastic.example --data "$work/data" --progress none >/dev/null 2>&1
  times[beside]+="$(echo "$(date +%s.%N) - $start" | bc) "
  kill -TERM $server; wait $server || true
  start=$(date +%s.%N)
  goaccess "$work/big.log" --log-format=COMBINED --no-global-config -o "$work/report.json" >/dev/null 2>&1
  times[goaccess]+="$(echo "$(date +%s.%N) - $start" | bc) "
done
for tool in infinity beside goaccess; do
  median=$(tr ' ' '\n' <<<"${times[$tool]}" | grep . | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  printf '%-9s median %.2f s  %.0f k lines/s  (rounds: %s)\n' "$tool" "$median" \
    "$(echo "$lines / $median / 1000" | bc -l)" "${times[$tool]}"
done
