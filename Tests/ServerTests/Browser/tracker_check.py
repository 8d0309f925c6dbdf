"""Loads the tracker (/js/script.js of a running `infinity serve`) into a page in Debian's chromium
(headless), reads, scrolls, hides the tab, navigates inside the page, and prints what the page measured,
for the Swift test to compare with what the server counted.

Usage: tracker_check.py CHROMIUM SERVER_URL
"""
import http.server
import json
import re
import sys
import threading
import time
import urllib.request

from cdp import Browser

chromium, server = sys.argv[1:3]

PAGE = f"""<!doctype html><html><head><meta charset="utf-8"><title>Article</title>
<script defer data-domain="example.com" data-allow-local src="{server}/js/script.js"></script></head>
<body style="margin:0"><div style="height:6000px">A long article.</div></body></html>"""


class Pages(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = PAGE.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


site = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Pages)
threading.Thread(target=site.serve_forever, daemon=True).start()
origin = f"http://127.0.0.1:{site.server_address[1]}"

browser = Browser(chromium, width=1000, height=800)
evaluate, wait_for = browser.evaluate, browser.wait_for
report = {}
# Headless chromium names itself HeadlessChrome, which the server rightly counts as a bot.
browser.send("Emulation.setUserAgentOverride", {"userAgent": (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36")})

browser.navigate(origin + "/article")
wait_for("typeof window.infinity === 'function'", "the tracker to load")
# Hiding the tab is what sends a report. (Headless chromium does not deliver requests sent while a
# page unloads, so the test hides the page instead of closing it: the same handler runs. The
# event bubbles, as the browser's own visibilitychange does.)
HIDE = ("Object.defineProperty(document, 'hidden', {configurable: true, get: () => true});"
        "document.dispatchEvent(new Event('visibilitychange', {bubbles: true}))")
SHOW = ("Object.defineProperty(document, 'hidden', {configurable: true, get: () => false});"
        "document.dispatchEvent(new Event('visibilitychange', {bubbles: true}))")
DEPTH = "Math.floor((window.scrollY + window.innerHeight) / document.documentElement.scrollHeight * 100)"
# Read for a moment (engaged time), scroll to about the middle, hide the tab.
started = evaluate("performance.now()")
time.sleep(1.5)
evaluate("window.scrollTo(0, 2600)")
wait_for("window.scrollY >= 2600", "the scroll")
report["article_scroll"] = evaluate(DEPTH)
evaluate(HIDE)
report["article_visible_ms"] = evaluate("performance.now()") - started
# Back, to the top, then a single-page-app navigation to /next, which is hidden at once.
evaluate(SHOW)
evaluate("window.scrollTo(0, 0)")
wait_for("window.scrollY === 0", "the scroll back")
evaluate("history.pushState({}, '', '/next')")
report["next_scroll"] = evaluate(DEPTH)
evaluate(HIDE)
# The browser stays until the server has accepted both page views and both reports.


def accepted():
    text = urllib.request.urlopen(server + "/metrics").read().decode()
    match = re.search(r"^infinity_hits_accepted_total (\S+)", text, re.M)
    return float(match.group(1)) if match else 0


deadline = time.time() + 30
while accepted() < 4 and time.time() < deadline:
    time.sleep(0.1)
report["accepted"] = accepted()
print(json.dumps(report))
browser.close()
site.shutdown()
