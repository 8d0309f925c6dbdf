"""Times the dashboard's first render in Debian's chromium (headless): from navigation to every
headline card and the four main panels being filled. Prints one line of JSON per run.

Usage: first_render.py CHROMIUM URL [RUNS]
(URL is typically a shared link with ?range=…, so no login is involved.)
"""
import atexit
import json
import re
import subprocess
import sys
import tempfile
import time
import urllib.request

import websocket

chromium, url = sys.argv[1:3]
runs = int(sys.argv[3]) if len(sys.argv) > 3 else 5
browser = subprocess.Popen(
    [chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
     "--remote-debugging-port=0", "--user-data-dir=" + tempfile.mkdtemp(), "--window-size=1280,1800", "about:blank"],
    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
atexit.register(browser.kill)  # never leave a browser behind, whatever happens
port = None
while port is None:
    match = re.search(r"ws://127\.0\.0\.1:(\d+)/", browser.stderr.readline())
    port = int(match.group(1)) if match else None
page = next(p for p in json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json")) if p["type"] == "page")
ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=60)
counter = 0


def send(method, params=None):
    global counter
    counter += 1
    ws.send(json.dumps({"id": counter, "method": method, "params": params or {}}))
    while True:
        message = json.loads(ws.recv())
        if message.get("id") == counter:
            return message.get("result", {})


LOADED = ("document.querySelectorAll('.card[data-raw]').length === 6 && "
          "['page','source','country','device'].every(p => document.querySelector(`[data-panel=${p}] tr.row`))")
send("Runtime.enable")
send("Page.enable")
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
browser.terminate()
