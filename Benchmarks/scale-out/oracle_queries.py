"""Times the query oracle set (Tests/InfinityCLITests/Oracle/cases.jsonl) on both engines over the
same hits: the embedded engine (`infinity query --data`, as one command runs it) and ClickHouse
(`infinity query --clickhouse`). Rounds are interleaved (the engine order alternates), each answer
is checked equal between the engines, and the time is the engine's own (`meta.time_ms`: the
query, without the process start both share). Prints a Markdown table of medians and ratios.

Usage: oracle_queries.py INFINITY DATA CLICKHOUSE_URL DATABASE CASES [ROUNDS]
"""
import json
import statistics
import subprocess
import sys
import tempfile

infinity, data, url, database, cases_path = sys.argv[1:6]
rounds = int(sys.argv[6]) if len(sys.argv) > 6 else 5
cases = [line for line in open(cases_path) if line.strip()]
engines = {
    "local": [],
    "clickhouse": ["--clickhouse", url, "--clickhouse-database", database],
}
times = {(i, e): [] for i in range(len(cases)) for e in engines}
checked = set()


def ask(index, engine):
    with tempfile.NamedTemporaryFile("w", suffix=".json") as f:
        f.write(cases[index])
        f.flush()
        run = subprocess.run([infinity, "query", "--data", data, "--json", f.name, "--format", "json"]
                             + engines[engine], capture_output=True, text=True)
    if run.returncode != 0:
        sys.exit(f"case {index} on {engine} failed: {run.stderr.strip()[:500]}")
    return json.loads(run.stdout)


for r in range(rounds):
    for index in range(len(cases)):
        order = list(engines) if (r + index) % 2 == 0 else list(reversed(engines))
        answers = {}
        for engine in order:
            answer = ask(index, engine)
            times[(index, engine)].append(answer["meta"]["time_ms"])
            answers[engine] = (answer["results"], answer["totals"])
        if index not in checked:
            if answers["local"] != answers["clickhouse"]:
                sys.exit(f"case {index}: the engines' answers differ")
            checked.add(index)
    print(f"round {r + 1} of {rounds} done", file=sys.stderr)

print("| # | question | local ms | ClickHouse ms | ClickHouse / local |")
print("|---|---|---|---|---|")
ratios = []
for index, line in enumerate(cases):
    request = json.loads(line)
    what = ", ".join(request.get("dimensions", []) or ["totals"])
    if request.get("filters"):
        what += " · filter " + json.dumps(request["filters"])[:60]
    if request.get("include"):
        what += " · compared"
    local = statistics.median(times[(index, "local")])
    remote = statistics.median(times[(index, "clickhouse")])
    ratios.append(remote / local)
    print(f"| {index} | {request['site_id']} {request['date_range'][0]}…{request['date_range'][1]}: {what} "
          f"| {local:.1f} | {remote:.0f} | {remote / local:.0f}× |")
print(f"\nMedian ratio ClickHouse / local over {len(cases)} questions: {statistics.median(ratios):.0f}× "
      f"(range {min(ratios):.0f}×–{max(ratios):.0f}×); every answer equal on both engines.")
