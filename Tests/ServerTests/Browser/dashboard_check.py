"""Drives Debian's chromium (headless) through the dashboard with the DevTools protocol and prints
what the page shows, for the Swift test to compare with `infinity query`.

Usage: dashboard_check.py CHROMIUM BASE_URL EMAIL PASSWORD SHARE_PATH SCREENSHOT_PNG
"""
import atexit
import base64
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request

import websocket

chromium, base, email, password, share, screenshot = sys.argv[1:7]
profile = tempfile.mkdtemp(prefix="infinity-chromium-")
browser = subprocess.Popen(
    [chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
     "--remote-debugging-port=0", f"--user-data-dir={profile}", "--window-size=1280,1800", "about:blank"],
    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
atexit.register(browser.kill)  # never leave a browser behind, whatever happens
port = None
deadline = time.time() + 60
while port is None and time.time() < deadline:
    line = browser.stderr.readline()
    match = re.search(r"DevTools listening on ws://127\.0\.0\.1:(\d+)/", line)
    if match:
        port = int(match.group(1))
if port is None:
    sys.exit("chromium did not start")
pages = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json"))
target = next(p for p in pages if p["type"] == "page")
ws = websocket.create_connection(target["webSocketDebuggerUrl"], timeout=60)
counter = 0


def send(method, params=None):
    global counter
    counter += 1
    ws.send(json.dumps({"id": counter, "method": method, "params": params or {}}))
    while True:
        message = json.loads(ws.recv())
        if message.get("id") == counter:
            if "error" in message:
                raise RuntimeError(f"{method}: {message['error']}")
            return message["result"]


def evaluate(expression):
    result = send("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True})
    if "exceptionDetails" in result:
        raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
    return result["result"].get("value")


def wait_for(expression, what, seconds=30):
    end = time.time() + seconds
    while time.time() < end:
        try:
            if evaluate(expression):
                return
        except RuntimeError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"timed out waiting for {what}; page: {evaluate('document.body.innerText')[:500]}")


def navigate(url):
    send("Page.navigate", {"url": url})
    time.sleep(0.2)
    wait_for("document.readyState === 'complete'", "the page to load")


LOADED = ("document.querySelectorAll('.card[data-raw]').length === 6 && "
          "['page','source','country','device'].every(p => document.querySelector(`[data-panel=${p}] tr.row, "
          "[data-panel=${p}] p.muted:not(:empty)`) && !document.querySelector(`[data-panel=${p}]`).innerText.includes('Loading'))")


def read_page():
    return evaluate("""(() => {
      const headline = {};
      document.querySelectorAll('.card[data-metric]').forEach(c => headline[c.dataset.metric] = c.dataset.raw === '' ? null : Number(c.dataset.raw));
      const top = {};
      for (const p of ['page', 'source', 'country', 'device']) {
        top[p] = [...document.querySelectorAll(`[data-panel=${p}] tr.row`)].slice(0, 5).map(r =>
          [r.dataset.value, Number(r.querySelector('td[data-metric=visitors]').dataset.raw)]);
      }
      return {headline, top, chips: [...document.querySelectorAll('.chip')].map(c => c.dataset.filter)};
    })()""")


send("Page.enable")
send("Runtime.enable")
report = {}

navigate(base + "/")
wait_for("document.querySelector('form.login')", "the login form")
evaluate(f"""(() => {{
  document.querySelector('input[name=email]').value = {json.dumps(email)};
  document.querySelector('input[name=password]').value = {json.dumps(password)};
  document.querySelector('form.login').requestSubmit();
}})()""")
wait_for(LOADED, "the dashboard after login")
report["logged_in"] = read_page()
shot = send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})
os.makedirs(os.path.dirname(screenshot), exist_ok=True)
with open(screenshot, "wb") as handle:
    handle.write(base64.b64decode(shot["data"]))

clicked = evaluate("(() => { const row = document.querySelector('[data-panel=country] tr.row'); row.click(); return row.dataset.value; })()")
report["clicked"] = clicked
wait_for(f"document.querySelector('.chip[data-filter=\"country:{clicked}\"]') && ({LOADED})", "the filtered dashboard")
report["filtered"] = read_page()
report["url"] = evaluate("location.search")

navigate(base + share)
wait_for(LOADED, "the shared dashboard")
report["shared"] = read_page()
report["shared_has_logout"] = evaluate("[...document.querySelectorAll('button')].some(b => b.textContent === 'Log out')")

print(json.dumps(report))
ws.close()
browser.terminate()
