#!/bin/sh
# A ClickHouse server on loopback for development and tests, from the distribution's package.
#   Scripts/clickhouse-local.sh start DIR HTTP_PORT [CLUSTER SHARD_HTTP_PORT...]
#       start one (idempotent: nothing to do if it answers); with CLUSTER, it also knows a cluster of
#       that name (<remote_servers>) whose shards are the local servers on the given HTTP ports
#   Scripts/clickhouse-local.sh stop DIR              stop the one started in DIR
# Its data, logs and config live in DIR; it listens on 127.0.0.1 only: HTTP_PORT, and the next two
# ports for the native protocol and replication.
set -eu
command="$1"; dir="$2"

answers() {
	python3 - "$1" <<'PY'
import sys, urllib.request
try:
    with urllib.request.urlopen("http://127.0.0.1:%s/?query=SELECT%%201" % sys.argv[1], timeout=2) as r:
        sys.exit(0 if r.read().strip() == b"1" else 1)
except Exception:
    sys.exit(1)
PY
}

case "$command" in
start)
	port="$3"
	if answers "$port"; then exit 0; fi
	server=$(command -v clickhouse-server || true)
	if [ -z "$server" ]; then
		echo "clickhouse-server is not installed: run make clickhouse (it installs Debian's package)" >&2
		exit 1
	fi
	mkdir -p "$dir/data" "$dir/log"
	abs=$(cd "$dir" && pwd)
	sed -e "s#/var/log/clickhouse-server/#$abs/log/#g" \
		-e "s#/var/lib/clickhouse/#$abs/data/#g" \
		-e "s#<http_port>8123</http_port>#<http_port>$port</http_port>#" \
		-e "s#<tcp_port>9000</tcp_port>#<tcp_port>$((port + 1))</tcp_port>#" \
		-e "s#<interserver_http_port>9009</interserver_http_port>#<interserver_http_port>$((port + 2))</interserver_http_port>#" \
		-e "s#<listen_host>::1</listen_host>##" \
		/etc/clickhouse-server/config.xml > "$abs/config.xml"
	cp /etc/clickhouse-server/users.xml "$abs/users.xml"
	mkdir -p "$abs/config.d"
	if [ $# -gt 3 ]; then
		cluster="$4"; shift 4
		{
			echo "<yandex><remote_servers><$cluster>"
			for shard in "$@"; do
				echo "<shard><replica><host>127.0.0.1</host><port>$((shard + 1))</port></replica></shard>"
			done
			echo "</$cluster></remote_servers></yandex>"
		} > "$abs/config.d/cluster.xml"
	fi
	sed -i "s#<users_config>users.xml</users_config>#<users_config>$abs/users.xml</users_config>#" "$abs/config.xml"
	setsid "$server" --config-file="$abs/config.xml" > "$abs/log/stdout.log" 2>&1 < /dev/null &
	echo $! > "$abs/pid"
	for _ in $(seq 1 120); do
		if answers "$port"; then exit 0; fi
		sleep 0.5
	done
	echo "ClickHouse did not answer on 127.0.0.1:$port within 60 s; see $abs/log/" >&2
	exit 1
	;;
stop)
	if [ -f "$dir/pid" ]; then kill "$(cat "$dir/pid")" 2>/dev/null || true; rm -f "$dir/pid"; fi
	;;
*)
	echo "usage: $0 start DIR HTTP_PORT | stop DIR" >&2
	exit 64
	;;
esac
