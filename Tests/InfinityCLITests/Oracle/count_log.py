"""An independent count of a combined-format access log with the import rules of Docs/import.md.

Usage: count_log.py LOG INFINITY_BINARY > counts.json
Prints lines, page views and skipped lines by reason, page views per path, and distinct visitors
(client address + user agent) per UTC day among page views. Which agents are bots or app clients
is asked of `infinity user-agent` (the classifier's own accuracy is measured by
UserAgentAccuracyTests); everything else is counted here, independently of the importer.
"""
import json
import re
import subprocess
import sys
from collections import Counter, defaultdict
from datetime import datetime

log_path, binary = sys.argv[1:3]
kinds = {}


def classify_all(agents):
    agents = sorted(agents)
    text = "".join(a + "\n" for a in agents)
    out = subprocess.run([binary, "user-agent", "--stdin", "--format", "tsv"], input=text.encode("utf-8"),
                         capture_output=True, check=True).stdout.decode("utf-8").split("\n")
    rows = [line.split("\t") for line in out if line]
    assert len(rows) == len(agents), (len(rows), len(agents))
    for agent, row in zip(agents, rows):
        kinds[agent] = row[0]


line_re = re.compile(
    r'^(\S+) \S+ \S+ \[([^\]]+)\] "((?:[^"\\]|\\.)*)" (\d{3}) (\d+|-) "((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)"$')
pages = {"", "html", "htm", "php", "asp", "aspx", "jsp", "shtml", "xhtml", "cgi"}


KEPT_ESCAPES = {0x2F, 0x3F, 0x23, 0x25}  # / ? # % keep the path's structure


def decode_path(path):
    """Percent-escapes decoded as Docs/api.md says: a run of escapes is decoded when it is valid
    UTF-8 and holds no structure-changing or control character; anything else stays as sent."""
    out = []
    i = 0
    while i < len(path):
        run = []
        j = i
        while j + 2 < len(path) + 0 and path[j] == "%" and re.fullmatch(r"[0-9A-Fa-f]{2}", path[j + 1:j + 3]):
            value = int(path[j + 1:j + 3], 16)
            if value in KEPT_ESCAPES or value < 0x20 or value == 0x7F:
                break
            run.append(value)
            j += 3
        if not run:
            out.append(path[i])
            i += 1
            continue
        try:
            out.append(bytes(run).decode("utf-8"))
        except UnicodeDecodeError:
            out.append(path[i:j])
        i = j
    return "".join(out)


def parse(raw):
    text = raw.rstrip(b"\n").rstrip(b"\r").decode("utf-8", "replace")
    return line_re.match(text)


with open(log_path, "rb") as handle:
    seen = set()
    for raw in handle:
        m = parse(raw)
        if m:
            agent = m.group(7).replace('\\"', '"').replace("\\\\", "\\")
            seen.add("" if agent == "-" else agent)
classify_all(seen)

counts = Counter()
per_page = Counter()
visitors = defaultdict(set)
lines = 0
with open(log_path, "rb") as handle:
    for raw in handle:
        lines += 1
        text = raw.rstrip(b"\n").rstrip(b"\r").decode("utf-8", "replace")
        m = line_re.match(text)
        if not m:
            counts["malformed"] += 1
            continue
        client, stamp, request, status, _size, referrer, agent = m.groups()
        agent = agent.replace('\\"', '"').replace("\\\\", "\\")
        parts = request.split()
        method, target = (parts[0], parts[1]) if 2 <= len(parts) <= 3 else ("", "")
        if method != "GET":
            counts["method"] += 1
            continue
        if not 200 <= int(status) <= 299:
            counts["status"] += 1
            continue
        path = target.split("?")[0]
        segment = path.split("/")[-1]
        ext = segment.rsplit(".", 1)[1].lower() if "." in segment[1:] else ""
        if ext not in pages:
            counts["asset"] += 1
            continue
        kind = kinds["" if agent == "-" else agent]
        if kind != "browser":
            counts["bot" if kind == "bot" else "app-client"] += 1
            continue
        counts["pageviews"] += 1
        per_page[decode_path(path.split("#")[0])] += 1
        day = datetime.strptime(stamp, "%d/%b/%Y:%H:%M:%S %z").utctimetuple()
        visitors["%04d-%02d-%02d" % (day.tm_year, day.tm_mon, day.tm_mday)].add((client, agent))

json.dump({
    "lines": lines, "pageviews": counts["pageviews"],
    "skipped": {k: counts[k] for k in ("malformed", "method", "status", "asset", "bot", "app-client")},
    "pages": per_page, "daily_visitors": {d: len(v) for d, v in visitors.items()},
}, sys.stdout)
