"""The many-row answer end to end (issue 18, item 5): one day, visitors by hour and country,
every row, from a warm `infinity serve` over HTTP against DuckDB holding only that day's page views.

    python3 many_rows_http.py HITS.ndjson DAY URL KEY [ROUNDS]

HITS.ndjson: `infinity journal dump --format ndjson` covering DAY (UTC); URL: the server's base
URL; KEY: a Stats API key. Rounds alternate DuckDB (2 threads, in this process, hour precomputed),
curl (its own time_total: connect, request, the whole body) and urllib (connect, request, body,
and the JSON parsed into Python rows); medians after two warm-up rounds. Run it with the test
oracle's Python (`.build/oracle/bin/python3`, which has DuckDB).
"""
import json
import statistics
import subprocess
import sys
import time
import urllib.request

import duckdb

hits, day, url, key = sys.argv[1:5]
rounds = int(sys.argv[5]) if len(sys.argv) > 5 else 27
con = duckdb.connect()
con.execute("set threads=2")
con.execute(
    "create table hits as select *, hour(cast(time as timestamp)) as hr from read_json(?, format='newline_delimited') "
    "where cast(time as timestamp) >= cast(? as date) and cast(time as timestamp) < cast(? as date) + 1 "
    "and name = 'pageview'",
    [hits, day, day],
)
question = "select hr, country, count(distinct visitor_id) from hits group by all"
body = json.dumps(
    {"site_id": "example.com", "metrics": ["visitors"], "date_range": [day, day],
     "dimensions": ["time:hour", "visit:country"]}
)
endpoint = url.rstrip("/") + "/api/v2/query"


def duck():
    start = time.perf_counter()
    rows = con.execute(question).fetchall()
    return (time.perf_counter() - start) * 1000, len(rows)


def curl():
    out = subprocess.run(
        ["curl", "-s", "-o", "/dev/null", "-w", "%{time_total}", "-H", "Authorization: Bearer " + key,
         "-H", "Content-Type: application/json", "-d", body, endpoint],
        capture_output=True, text=True, check=True,
    ).stdout
    return float(out) * 1000


def parsed():
    start = time.perf_counter()
    request = urllib.request.Request(
        endpoint, data=body.encode(), headers={"Authorization": "Bearer " + key, "Content-Type": "application/json"}
    )
    answer = json.loads(urllib.request.urlopen(request).read())
    return (time.perf_counter() - start) * 1000, len(answer["results"]), answer["meta"].get("time_ms")


times = {"duckdb": [], "curl": [], "urllib": [], "server": []}
for round in range(rounds):
    d, duck_rows = duck()
    c = curl()
    u, our_rows, server = parsed()
    if duck_rows != our_rows:
        sys.exit(f"different answers: DuckDB {duck_rows} rows, Infinity {our_rows}")
    if round >= 2:
        times["duckdb"].append(d), times["curl"].append(c), times["urllib"].append(u), times["server"].append(server)
m = {name: statistics.median(values) for name, values in times.items()}
print(f"page views of the day in DuckDB: {con.execute('select count(*) from hits').fetchall()[0][0]}; rows: {our_rows}")
print(f"DuckDB {m['duckdb']:.1f} ms | curl {m['curl']:.1f} ms ({m['curl'] / m['duckdb']:.2f}x) | "
      f"urllib + JSON parse {m['urllib']:.1f} ms ({m['urllib'] / m['duckdb']:.2f}x) | server's time_ms {m['server']:.1f}")
