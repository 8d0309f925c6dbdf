"""DuckDB for the query benchmark: answers SQL from standard input, one JSON request a line, so the
Swift benchmark measures DuckDB and Infinity Metrics in the same run with the same clock.

Usage: duckdb_server.py DATABASE.duckdb HITS.csv
The first run loads HITS.csv (written by the benchmark from the journal) into a native table `hits`;
later runs reuse the database file. Then: one line `{"ready": ...}`, and for each input line
`{"sql": "..."}` one output line `{"rows": [[...], ...]}` (values as text).
"""
import json
import os
import sys

import duckdb

database, csv = sys.argv[1:3]
db = duckdb.connect(database)
tables = {row[0] for row in db.execute("select table_name from information_schema.tables").fetchall()}
if "hits" not in tables:
    db.execute(f"""create table hits as select * from read_csv('{csv}', header = true, columns = {{
        'day': 'DATE', 'ts': 'BIGINT', 'visitor': 'UBIGINT', 'name': 'VARCHAR', 'pathname': 'VARCHAR',
        'source': 'VARCHAR', 'channel': 'VARCHAR', 'country': 'VARCHAR', 'browser': 'VARCHAR', 'os': 'VARCHAR',
        'device': 'VARCHAR'}})""")
    db.execute("checkpoint")
    os.remove(csv)
threads = db.execute("select current_setting('threads')").fetchone()[0]
count = db.execute("select count(*) from hits").fetchone()[0]
print(json.dumps({"ready": True, "version": duckdb.__version__, "threads": threads, "rows": count}), flush=True)
for line in sys.stdin:
    request = json.loads(line)
    rows = db.execute(request["sql"]).fetchall()
    print(json.dumps({"rows": [[str(value) for value in row] for row in rows]}), flush=True)
