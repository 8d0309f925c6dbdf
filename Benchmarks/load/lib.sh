# Shared by run.sh and ab.sh (sourced from the repository's root, with $duration set).

# Debian's wrk, nginx and bc, installed if missing.
ensure_load_tools() {
  for p in wrk nginx bc; do
    command -v $p >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk nginx-light bc; }
  done
}

# "rate p99" of one wrk run against $1.
run_wrk() {
  wrk -t2 -c64 -d"${duration}s" --latency -s Benchmarks/load/events.lua "$1" | grep RESULT \
    | sed 's/.*rate=\([0-9]*\).*p99_ms=\([0-9.]*\).*/\1 \2/'
}

# "rate p99" of nginx answering 204 with its access log on, started and stopped around one wrk run.
run_nginx() {
  rm -f /tmp/infinity-bench-nginx/access.log
  mkdir -p /tmp/infinity-bench-nginx
  nginx -c "$PWD/Benchmarks/load/nginx.conf"
  run_wrk http://127.0.0.1:18090
  nginx -c "$PWD/Benchmarks/load/nginx.conf" -s stop 2>/dev/null
  while [ -e /tmp/infinity-bench-nginx/nginx.pid ]; do sleep 0.1; done
}

# Starts `$1 serve` on a fresh journal in data folder $2 with --ack $3 and any further flags, waits
# until it listens, and sets serve_pid.
start_serve() {
  local binary=$1 folder=$2 ack=$3
  shift 3
  rm -rf "$folder/journal"
  "$binary" serve --data "$folder" --listen 127.0.0.1:18080 --trusted-proxy 127.0.0.1 --ack "$ack" "$@" 2>"$folder/serve.log" &
  serve_pid=$!
  for _ in $(seq 1 50); do grep -q "listening on" "$folder/serve.log" && break; sleep 0.2; done
}

# The machine's CPU counters (busy, all) in clock ticks, from /proc/stat; idle and iowait count as
# not busy.
cpu_ticks() {
  awk '/^cpu / {all = 0; for (i = 2; i <= NF; i++) all += $i; print all - $5 - $6, all}' /proc/stat
}

# The share of the machine's CPU left idle between two cpu_ticks outputs ("busy all" each), in %.
idle_percent() {
  local busy1 all1 busy2 all2
  read -r busy1 all1 <<<"$1"
  read -r busy2 all2 <<<"$2"
  echo $((100 - 100 * (busy2 - busy1) / (all2 - all1)))
}
