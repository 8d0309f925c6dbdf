"""An outside oracle for `infinity query`: the same records in DuckDB, the documented definitions
(Docs/projections.md) as SQL, and the answers as JSON.

Usage: oracle.py HITS.ndjson ZONES.json CASES.json [DEFINITIONS.json] > EXPECTED.json

DEFINITIONS.json, if given, holds goals and funnels as `infinity goals list --format json` and
`infinity funnels list --format json` print them, except that funnel steps are Stats API filters.

Local days and hours come from Python's zoneinfo, visits from SQL window functions; nothing here
shares code with the Swift implementation.
"""
import csv
import json
import re
import sys
import tempfile
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import duckdb

hits_path, zones_path, cases_path = sys.argv[1:4]
zones = {site: ZoneInfo(name) for site, name in json.load(open(zones_path)).items()}
cases = json.load(open(cases_path))
definitions = json.load(open(sys.argv[4])) if len(sys.argv) > 4 else {"goals": [], "funnels": []}

rows = []
for line in open(hits_path):
    h = json.loads(line)
    local = datetime.fromtimestamp(h["timestamp"] / 1000, zones[h["site"]])
    revenue = h["revenue"] or {}
    rows.append((
        h["seq"], h["timestamp"], h["site"], local.date().isoformat(), local.hour, h["name"], h["hostname"],
        h["pathname"], h["referrer"], h["source"], h["channel"], h["utm_source"], h["utm_medium"],
        h["utm_campaign"], h["utm_content"], h["utm_term"], h["country"], h["browser"], h["browser_version"],
        h["os"], h["os_version"], h["device"], h["screen"], h["visitor_id"], h["interactive"], h["imported"],
        revenue.get("amount"), revenue.get("currency"), json.dumps(h["props"]),
    ))

db = duckdb.connect()
db.execute("""create table hits (seq bigint, ts bigint, site varchar, local_day date, hour int, name varchar,
  hostname varchar, pathname varchar, referrer varchar, source varchar, channel varchar, utm_source varchar,
  utm_medium varchar, utm_campaign varchar, utm_content varchar, utm_term varchar, country varchar,
  browser varchar, browser_version varchar, os varchar, os_version varchar, device varchar, screen varchar,
  visitor_id varchar, interactive boolean, imported boolean, revenue bigint, currency varchar, props json)""")
# Rows go in through a CSV file: DuckDB's executemany inserts one row at a time (tens of seconds).
with tempfile.NamedTemporaryFile("w", suffix=".csv", newline="") as staged:
    csv.writer(staged).writerows(
        ["\\N" if v is None else v for v in row] for row in rows)
    staged.flush()
    db.execute(f"copy hits from '{staged.name}' (format csv, header false, nullstr '\\N', quote '\"', escape '\"')")

# Engagement reports take no part in visits (Docs/projections.md): set aside, attached below.
db.execute("create table reports as select * from hits where name = 'engagement'")
db.execute("delete from hits where name = 'engagement'")

# Visits: a new one after more than 30 minutes of silence, per site, local day and visitor.
db.execute("""create table v as select *,
  site || '|' || local_day || '|' || visitor_id || '|' || sum(new_visit) over w_visitor as session_id
  from (select *, case when ts - lag(ts) over w_visitor <= 1800000 then 0 else 1 end as new_visit
        from hits window w_visitor as (partition by site, local_day, visitor_id order by ts, seq))
  window w_visitor as (partition by site, local_day, visitor_id order by ts, seq
                       rows between unbounded preceding and current row)""")
first_hit = ["source", "referrer", "channel", "utm_source", "utm_medium", "utm_campaign", "utm_content",
             "utm_term", "country", "browser", "os", "device", "screen"]
session_columns = ",\n".join(f"first_value({c}) over w_first as s_{c}" for c in first_hit)
db.execute(f"""create table a as select *,
  case when s_browser = '' or s_browser_v = '' then s_browser else s_browser || ' ' || s_browser_v end
    as s_browser_version,
  case when s_os = '' or s_os_v = '' then s_os else s_os || ' ' || s_os_v end as s_os_version
  from (select *, {session_columns},
    first_value(browser_version) over w_first as s_browser_v,
    first_value(os_version) over w_first as s_os_v,
    first_value(pathname) over (partition by session_id order by (name <> 'pageview'), ts, seq) as s_entry,
    first_value(pathname) over (partition by session_id order by (name = 'pageview') desc, ts desc, seq desc)
      as s_exit,
    (count(*) filter (where name = 'pageview') over (partition by session_id) = 1
     and count(*) filter (where name <> 'pageview' and interactive) over (partition by session_id) = 0) as bounce,
    max(ts) over (partition by session_id) - min(ts) over (partition by session_id) as duration
    from v window w_first as (partition by session_id order by ts, seq))""")

# Each report belongs to the visit of its visitor that began last at or before it (an ASOF join);
# it carries that visit's session values, and its own page and host name; no goal, no property.
session_values = ", ".join(f"s.s_{c}" for c in first_hit)
db.execute(f"""create table e as select r.seq, r.ts, r.site, r.local_day, r.hour, NULL::varchar as name,
    r.hostname, r.pathname, NULL::bigint as revenue, NULL::varchar as currency, '{{}}'::json as props,
    r.visitor_id, false as imported, s.session_id, s.s_entry, s.s_exit, s.s_browser_version, s.s_os_version,
    {session_values},
    coalesce(json_extract_string(r.props, '$.engaged')::bigint, 0) as seconds,
    coalesce(json_extract_string(r.props, '$.scroll')::bigint, 0) as scroll
  from reports r asof join (select distinct on (session_id) session_id, site, local_day, visitor_id,
      min(ts) over (partition by session_id) as start_ts, s_entry, s_exit, s_browser_version, s_os_version,
      {", ".join("s_" + c for c in first_hit)} from a) s
    on r.site = s.site and r.local_day = s.local_day and r.visitor_id = s.visitor_id and r.ts >= s.start_ts""")

# The deepest scroll of each page in each visit, for scroll-depth goals.
db.execute("create table scrolled as select session_id || '|' || pathname as unit, max(scroll) as depth "
           "from e group by all")

COLUMNS = {
    "page": "pathname", "hostname": "hostname", "goal": "case when name <> 'pageview' then name end",
    "entry_page": "s_entry", "exit_page": "s_exit", "browser_version": "s_browser_version",
    "os_version": "s_os_version", "currency": "currency",
}
for c in first_hit:
    COLUMNS[c] = f"s_{c}"


def column(name):
    for prefix in ("visit:", "event:"):
        if name.startswith(prefix):
            name = name[len(prefix):]
    if name.startswith("props:"):
        return f"json_extract_string(props, '$.{name[6:]}')"
    return COLUMNS[name]


def quote(text):
    return "'" + text.replace("'", "''") + "'"


def glob_regex(pattern):
    """A goal's path pattern as a regular expression: ** any characters, * any but /."""
    out = ""
    for index, part in enumerate(pattern.split("**")):
        if index:
            out += ".*"
        out += "[^/]*".join(re.escape(piece) for piece in part.split("*"))
    return "^" + out + "$"


def goal_condition(goal):
    if goal["kind"] == "event":
        parts = [f"name = {quote(goal['event'])}"]
        for key, value in sorted((goal.get("properties") or {}).items()):
            parts.append(f"coalesce(json_extract_string(props, '$.{key}') = {quote(value)}, false)")
        return "(" + " and ".join(parts) + ")"
    page = f"(name = 'pageview' and regexp_full_match(pathname, {quote(glob_regex(goal['path']))}))"
    if goal["kind"] == "scroll":
        deep = f"select unit from scrolled where depth >= {int(goal['scrollDepth'])}"
        return f"({page} and session_id || '|' || pathname in ({deep}))"
    return page


def defined_goals(site):
    return {g["name"]: g for g in definitions["goals"] if g["site"] == site}


def condition(f, site=None):
    op = f[0]
    if op in ("and", "or"):
        return "(" + f" {op} ".join(condition(p, site) for p in f[1]) + ")"
    if op == "not":
        return f"(not {condition(f[1], site)})"
    goals = defined_goals(site)
    if f[1] in ("goal", "event:goal") and op in ("is", "is_not") and any(v in goals for v in f[2]):
        named = [goal_condition(goals[v]) for v in f[2] if v in goals]
        events = [v for v in f[2] if v not in goals]
        if events:
            named.append(f"coalesce(name <> 'pageview' and name in ({', '.join(quote(v) for v in events)}), false)")
        test = "(" + " or ".join(named) + ")"
        return f"(not {test})" if op == "is_not" else test
    col, values = column(f[1]), f[2]
    if op in ("is", "is_not"):
        test = f"{col} in ({', '.join(quote(v) for v in values)})"
    elif op in ("contains", "contains_not"):
        test = "(" + " or ".join(f"contains(lower({col}), {quote(v.lower())})" for v in values) + ")"
    else:
        test = "(" + " or ".join(f"regexp_matches({col}, {quote(v)})" for v in values) + ")"
    test = f"coalesce({test}, false)"
    return f"(not {test})" if op.endswith("_not") else test


def without_goals(f):
    if f[0] in ("and", "or"):
        parts = [p for p in (without_goals(p) for p in f[1]) if p is not None]
        if f[0] == "or" and len(parts) != len(f[1]):
            return None
        return [f[0], parts] if parts else None
    if f[0] == "not":
        inner = without_goals(f[1])
        return ["not", inner] if inner is not None else None
    return None if f[1] in ("goal", "event:goal") else f


TIME = {
    "time": "strftime(local_day, '%Y-%m-%d')", "time:day": "strftime(local_day, '%Y-%m-%d')",
    "time:hour": "strftime(local_day, '%Y-%m-%d') || ' ' || lpad(hour::varchar, 2, '0') || ':00'",
    "time:week": "strftime(local_day - (isodow(local_day) - 1)::int, '%Y-%m-%d')",
    "time:month": "strftime(date_trunc('month', local_day), '%Y-%m-%d')",
}


def selection(site, first, last, filters, dims):
    """The WHERE conditions of a question, its group keys (`expr as kN`) and their names, and the
    conditions that leave out rows without a value of a dimension."""
    where = [f"site = {quote(site)}", f"local_day between '{first}' and '{last}'"]
    where += [condition(f, site) for f in filters]
    groups = [TIME.get(d) or f"coalesce({column(d)}, '')" for d in dims]
    keys = [f"{g} as k{i}" for i, g in enumerate(groups)]
    key_names = [f"k{i}" for i in range(len(groups))]
    not_null = [f"{column(d)} is not null" for d in dims if d not in TIME]
    return where, keys, key_names, not_null


def aggregate(site, first, last, filters, dims):
    where, keys, key_names, not_null = selection(site, first, last, filters, dims)
    sql = f"""with f as (select * from a where {' and '.join(where + not_null)}),
      s as (select {', '.join(keys + ['session_id', 'local_day', 'visitor_id'])},
              any_value(bounce) as b, any_value(duration) as d,
              count(*) filter (where name = 'pageview') as pv, count(*) filter (where name <> 'pageview') as ev,
              coalesce(sum(revenue), 0) as rev
            from f group by all)
      select {', '.join(key_names + [''])} count(distinct local_day || visitor_id) as visitors, count(*) as visits,
        sum(pv) as pageviews, sum(ev) as events, sum(b::int) as bounces, sum(d) as duration, sum(rev) as revenue
      from s {'group by ' + ', '.join(key_names) if key_names else ''}"""
    sql = sql.replace(", ,", ",").replace("select , ", "select ")
    result = {}
    for row in db.execute(sql).fetchall():
        n = len(key_names)
        result[tuple(row[:n])] = dict(zip(["visitors", "visits", "pageviews", "events", "bounces", "duration",
                                           "revenue"], [v or 0 for v in row[n:]]))
    return result


def engagement(site, first, last, filters, dims):
    """Per key: the units (one page in one visit: matching reports, seconds summed, deepest scroll,
    in the hour and day of the first), their seconds and their scroll."""
    where, keys, key_names, not_null = selection(site, first, last, filters, dims)
    sql = f"""with m as (select * from e where {' and '.join(where)}),
      u as (select session_id, pathname, sum(seconds) as seconds, max(scroll) as scroll,
              arg_min(hour, (ts, seq)) as hour, arg_min(local_day, (ts, seq)) as local_day,
              arg_min(hostname, (ts, seq)) as hostname
            from m group by session_id, pathname),
      j as (select u.seconds, u.scroll, u.hour, u.local_day, u.hostname, u.pathname,
              x.* exclude (pathname, hostname, hour, local_day, seconds, scroll, seq, ts)
            from u join (select distinct on (session_id) * from m) x using (session_id))
      select {', '.join(key_names + [''])} count(*), sum(seconds), sum(scroll)
      from (select {', '.join(keys + ['seconds', 'scroll'])} from j {'where ' + ' and '.join(not_null) if not_null else ''})
      {'group by ' + ', '.join(key_names) if key_names else ''}"""
    sql = sql.replace(", ,", ",").replace("select , ", "select ").replace("select  count", "select count")
    result = {}
    for row in db.execute(sql).fetchall():
        n = len(key_names)
        result[tuple(row[:n])] = {"engagements": row[n] or 0, "engaged_seconds": row[n + 1] or 0,
                                  "scroll_depth": row[n + 2] or 0}
    return result


def value(metric, m, total, base):
    def ratio(a, b, scale=1.0):
        return None if not b else a / b * scale
    return {
        "visitors": m["visitors"], "visits": m["visits"], "pageviews": m["pageviews"], "events": m["events"],
        "views_per_visit": ratio(m["pageviews"], m["visits"]), "bounce_rate": ratio(m["bounces"], m["visits"], 100),
        "visit_duration": ratio(m["duration"], m["visits"], 0.001), "revenue": m["revenue"] / 100,
        "percentage": ratio(m["visitors"], total["visitors"], 100),
        "conversion_rate": ratio(m["visitors"], base["visitors"], 100),
        "time_on_page": ratio(m.get("engaged_seconds", 0), m.get("engagements", 0)),
        "scroll_depth": ratio(m.get("scroll_depth", 0), m.get("engagements", 0)),
    }[metric]


def funnel(request, first, last):
    """Visitors at each step: per visit, hits in time order, each hit completing at most the next step."""
    site, filters = request["site_id"], request.get("filters", [])
    assert not filters, "the oracle's funnels take no other filters"
    steps = next(f["steps"] for f in definitions["funnels"] if f["site"] == site and f["name"] == request["funnel"])
    where = [f"site = {quote(site)}", f"local_day between '{first}' and '{last}'"]
    flags = ", ".join(f"coalesce({condition(step, site)}, false)" for step in steps)
    sql = f"""select local_day, visitor_id, session_id, list([{flags}] order by ts, seq)
              from a where {' and '.join(where)} group by all"""
    reached = [set() for _ in steps]
    for day, visitor, _, hits in db.execute(sql).fetchall():
        step = 0
        for flags_of_hit in hits:
            if flags_of_hit[step]:
                reached[step].add((day, visitor))
                step += 1
                if step == len(steps):
                    break
    first_count = len(reached[0])
    return [{"dimensions": [str(index)], "metrics": [len(r), len(r) / first_count * 100 if first_count else None]}
            for index, r in enumerate(reached)]


def answer(request, first, last):
    if "funnel" in request:
        return funnel(request, first, last)
    site, filters = request["site_id"], request.get("filters", [])
    dims = request.get("dimensions", [])
    time_dims = [d for d in dims if d in TIME]
    goals = defined_goals(site)
    if goals and [d for d in dims if d not in TIME] in (["goal"], ["event:goal"]):
        # A breakdown by defined goals: one row per goal, each counted with the goal as a filter.
        totals = aggregate(site, first, last, filters, time_dims)
        base_filters = [g for g in (without_goals(f) for f in filters) if g is not None]
        bases = aggregate(site, first, last, base_filters, time_dims)
        zero = dict(visitors=0, visits=0, pageviews=0, events=0, bounces=0, duration=0, revenue=0)
        out = []
        for name in goals:
            for key, m in aggregate(site, first, last, filters + [["is", "goal", [name]]], time_dims).items():
                labels = [name if d not in TIME else key[time_dims.index(d)] for d in dims]
                out.append({"dimensions": labels, "metrics": [
                    value(x, m, totals.get(key, zero), bases.get(key, zero)) for x in request["metrics"]]})
        return out
    groups = aggregate(site, first, last, filters, dims)
    if {"time_on_page", "scroll_depth"} & set(request["metrics"]):
        zero = dict(visitors=0, visits=0, pageviews=0, events=0, bounces=0, duration=0, revenue=0)
        for key, numbers in engagement(site, first, last, filters, dims).items():
            groups[key] = dict(groups.get(key, zero), **numbers)
    totals = aggregate(site, first, last, filters, time_dims)
    base_filters = [g for g in (without_goals(f) for f in filters) if g is not None]
    bases = aggregate(site, first, last, base_filters, time_dims)
    zero = dict(visitors=0, visits=0, pageviews=0, events=0, bounces=0, duration=0, revenue=0)
    out = []
    for key, m in groups.items():
        bucket = tuple(k for k, d in zip(key, dims) if d in TIME)
        out.append({"dimensions": list(key), "metrics": [
            value(x, m, totals.get(bucket, zero), bases.get(bucket, zero)) for x in request["metrics"]]})
    return out


expected = []
for request in cases:
    first, last = request["date_range"]
    result = {"results": answer(request, first, last)}
    mode = request.get("include", {}).get("comparisons", {}).get("mode")
    if mode == "previous_period":
        d0, d1 = date.fromisoformat(first), date.fromisoformat(last)
        length = (d1 - d0).days + 1
        result["previous"] = answer(request, (d0 - timedelta(days=length)).isoformat(),
                                    (d0 - timedelta(days=1)).isoformat())
    expected.append(result)
json.dump(expected, sys.stdout)
