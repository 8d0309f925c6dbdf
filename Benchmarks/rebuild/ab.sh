#!/usr/bin/env bash
# Rebuild of 20 M hits (issue 18, item 4), interleaved between builds:
#   bash Benchmarks/rebuild/ab.sh ROUNDS BINARY...
# Each binary rebuilds a journal it generated itself (builds of other journal formats read only
# their own), once, and kept in $DATA_ROOT (default /tmp/infinity-rebuild) under the binary's
# checksum:
#   generate --site example.com --site shop.example --days 30 --hits-per-day 333000
#            --start 2026-10-01 --sync none      (19,972,233 hits), then `journal compact` where the
#            build has it.
# With DATA=FOLDER, every binary rebuilds that data folder instead (builds of one journal format).
# Each round runs `rebuild --jobs 2` once with every binary, one after another, so that the
# machine's load reaches all alike. Per run: wall time, M hits/s, CPU time (user + system) and
# peak RSS; at the end the medians and each binary's wall time as a share of the first binary's,
# round by round (a ratio holds on a shared machine whose speed changes from hour to hour).
# Build an older binary in a worktree: git worktree add /tmp/old REV && (cd /tmp/old && swift build
# -c release --product infinity).
set -euo pipefail
if [ $# -lt 2 ]; then
  echo "usage: bash Benchmarks/rebuild/ab.sh ROUNDS BINARY... (DATA=FOLDER to rebuild one data folder)" >&2
  exit 2
fi
rounds=$1
shift
data_root=${DATA_ROOT:-/tmp/infinity-rebuild}
mkdir -p "$data_root"
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# The data folder of binary $1, generated on first use.
data_for() {
  if [ -n "${DATA:-}" ]; then echo "$DATA" && return; fi
  local folder="$data_root/$(sha256sum "$1" | cut -c1-16)"
  if [ ! -e "$folder/ready" ]; then
    rm -rf "$folder" && mkdir -p "$folder"
    echo "generating 20 M hits with $1 into $folder (a few minutes)" >&2
    "$1" generate --site example.com --site shop.example --days 30 --hits-per-day 333000 \
      --start 2026-10-01 --sync none --data "$folder/data" >/dev/null
    if "$1" journal compact --help >/dev/null 2>&1; then "$1" journal compact --data "$folder/data" >/dev/null; fi
    touch "$folder/ready"
  fi
  echo "$folder/data"
}

declare -a data
for binary in "$@"; do data+=("$(data_for "$binary")"); done
hits=$("$1" journal stat --data "${data[0]}" --format json | sed 's/.*"records":\([0-9]*\).*/\1/')
echo "rebuilding $hits records with $# builds, $rounds interleaved rounds"
declare -A all_walls all_cpus all_shares
for round in $(seq "$rounds"); do
  line="round $round:"
  first_wall=""
  index=0
  for binary in "$@"; do
    start=$(date +%s.%N)
    /usr/bin/time -f "%M %U %S" -o "$data_root/time.txt" \
      "$binary" rebuild --data "${data[$index]}" --jobs 2 --progress none >/dev/null
    end=$(date +%s.%N)
    read -r rss user system <"$data_root/time.txt"
    wall=$(echo "$end - $start" | bc)
    cpu=$(echo "$user + $system" | bc)
    first_wall=${first_wall:-$wall}
    share=$(echo "scale=3; $wall / $first_wall" | bc)
    all_walls[$index]+="$wall "
    all_cpus[$index]+="$cpu "
    all_shares[$index]+="$share "
    line+=$(printf '  %s %.2f s %.2f M/s cpu %.2f s %d MB (%s)' "$(basename "$binary")" "$wall" \
      "$(echo "$hits / $wall / 1000000" | bc -l)" "$cpu" $((rss / 1024)) "$share")
    index=$((index + 1))
  done
  echo "$line"
done
echo "medians of $rounds interleaved rounds (share: wall time ÷ the first binary's in the same round):"
index=0
for binary in "$@"; do
  wall=$(tr ' ' '\n' <<<"${all_walls[$index]}" | grep . | median)
  printf '  %-24s %6.2f s  %5.2f M hits/s  cpu %6.2f s  share %s (%s)\n' "$(basename "$binary")" "$wall" \
    "$(echo "$hits / $wall / 1000000" | bc -l)" "$(tr ' ' '\n' <<<"${all_cpus[$index]}" | grep . | median)" \
    "$(tr ' ' '\n' <<<"${all_shares[$index]}" | grep . | median)" \
    "$(tr ' ' '\n' <<<"${all_shares[$index]}" | grep . | sort -g | sed -n '1p;$p' | paste -sd ' ' | sed 's/ / to /')"
  index=$((index + 1))
done
