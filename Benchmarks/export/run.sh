#!/usr/bin/env bash
# A site's hits exported three ways, in one run (issue 20, item 4):
#   csv       infinity export --format csv
#   parquet   infinity export --format parquet (our writer: PLAIN values, gzip pages)
#   duckdb    DuckDB turning that CSV into Parquet (COPY … TO … (FORMAT PARQUET), its default
#             Snappy codec), the peer a data person would otherwise use
# Sizes from the files; seconds as medians of interleaved rounds. Also: Plausible's CSV export of
# the same days imported into an empty data folder (infinity import plausible), and a query over
# the imported days against the same query over the site's own days.
#   bash Benchmarks/export/run.sh [days] [hits-per-day] [rounds]
# Needs DuckDB's Python package: `make oracle` installs it into .build/oracle.
set -euo pipefail
cd "$(dirname "$0")/../.."
days="${1:-14}"; per_day="${2:-100000}"; rounds="${3:-5}"
python=.build/oracle/bin/python3
swift build -c release --product infinity >/dev/null
bin=.build/release/infinity
work=$(mktemp -d "${TMPDIR:-/tmp}/infinity-bench-export.XXXXXX")
trap 'rm -rf "$work"' EXIT
$bin sites add example.com --data "$work/site" >/dev/null
$bin generate --data "$work/site" --site example.com --days "$days" --hits-per-day "$per_day" \
  --start 2026-10-01 --sync none --progress none >/dev/null
$bin rebuild --data "$work/site" --progress none >/dev/null 2>&1
last=$(date -u -d "2026-10-01 + $((days - 1)) days" +%F)
range="2026-10-01..$last"
seconds() { local start; start=$(date +%s.%N); "$@" >/dev/null 2>&1; echo "$(date +%s.%N) - $start" | bc; }
declare -A times
for round in $(seq "$rounds"); do
  times[csv]+="$(seconds $bin export example.com --data "$work/site" --range "$range" --format csv --output "$work/hits.csv") "
  times[parquet]+="$(seconds $bin export example.com --data "$work/site" --range "$range" --format parquet --output "$work/hits.parquet") "
  times[duckdb]+="$(seconds $python -c "import duckdb; duckdb.sql(\"COPY (SELECT * FROM read_csv('$work/hits.csv', header=true)) TO '$work/duck.parquet' (FORMAT PARQUET)\")") "
done
median() { tr ' ' '\n' <<<"$1" | grep . | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
hits=$($python -c "import duckdb; print(duckdb.sql(\"SELECT count(*) FROM read_parquet('$work/hits.parquet')\").fetchall()[0][0])")
echo "hits: $hits"
for kind in csv parquet duckdb; do
  file=$work/hits.$kind; [ "$kind" = duckdb ] && file=$work/duck.parquet; [ "$kind" = parquet ] && file=$work/hits.parquet
  size=$(stat -c %s "$file")
  printf '%-8s %12d bytes  %6.2f bytes/hit  median %s s  (rounds: %s)\n' "$kind" "$size" \
    "$(echo "$size / $hits" | bc -l)" "$(median "${times[$kind]}")" "${times[$kind]}"
done
# Moving in: the site's Plausible export into an empty folder.
$bin export example.com --data "$work/site" --range "$range" --format plausible-csv --output "$work/p.zip" 2>/dev/null
$bin sites add example.com --data "$work/imported" >/dev/null
start=$(date +%s.%N)
$bin import plausible "$work/p.zip" --site example.com --data "$work/imported" >/dev/null
echo "import plausible of $(stat -c %s "$work/p.zip") bytes: $(echo "$(date +%s.%N) - $start" | bc) s"
declare -A q
for round in $(seq "$rounds"); do
  for kind in site imported; do
    q[$kind]+="$(seconds $bin query example.com --data "$work/$kind" --range "$range" --by page --format csv) "
  done
done
for kind in site imported; do echo "query --by page over $kind days: median $(median "${q[$kind]}") s (rounds: ${q[$kind]})"; done
