"""Times the dashboard's first render in Debian's chromium (headless): from navigation to every
headline card and the four main panels being filled. Prints one line of JSON per run.

Usage: first_render.py CHROMIUM URL [RUNS]
(URL is typically a shared link with ?range=…, so no login is involved.)
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../../Tests/ServerTests/Browser"))
from cdp import Browser  # noqa: E402

chromium, url = sys.argv[1:3]
runs = int(sys.argv[3]) if len(sys.argv) > 3 else 5
browser = Browser(chromium)
send = browser.send
LOADED = ("document.querySelectorAll('.card[data-raw]').length === 6 && "
          "['page','source','country','device'].every(p => document.querySelector(`[data-panel=${p}] tr.row`))")
for run in range(runs):
    send("Page.navigate", {"url": "about:blank"})
    start = time.perf_counter()
    send("Page.navigate", {"url": url})
    while True:
        result = send("Runtime.evaluate", {"expression": LOADED, "returnByValue": True})
        if result.get("result", {}).get("value"):
            break
        if time.perf_counter() - start > 30:
            sys.exit("the dashboard did not render within 30 s")
        time.sleep(0.01)
    print(json.dumps({"run": run, "first_render_ms": round((time.perf_counter() - start) * 1000, 1)}))
browser.close()
