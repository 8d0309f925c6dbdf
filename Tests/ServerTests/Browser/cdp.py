"""A headless chromium driven through the DevTools protocol (the few calls the dashboard checks need)."""
import atexit
import json
import re
import subprocess
import tempfile
import time
import urllib.request

import websocket


class Browser:
    """Starts `chromium` headless and talks to its first page."""

    def __init__(self, chromium, width=1280, height=1800):
        self.process = subprocess.Popen(
            [chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
             "--no-first-run", "--remote-debugging-port=0", "--user-data-dir=" + tempfile.mkdtemp(),
             f"--window-size={width},{height}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        atexit.register(self.process.kill)  # never leave a browser behind, whatever happens
        port = None
        deadline = time.time() + 60
        while port is None and time.time() < deadline:
            match = re.search(r"DevTools listening on ws://127\.0\.0\.1:(\d+)/", self.process.stderr.readline())
            port = int(match.group(1)) if match else None
        if port is None:
            raise SystemExit("chromium did not start")
        pages = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json"))
        page = next(p for p in pages if p["type"] == "page")
        self.socket = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=60)
        self.counter = 0
        self.send("Page.enable")
        self.send("Runtime.enable")

    def send(self, method, params=None):
        self.counter += 1
        self.socket.send(json.dumps({"id": self.counter, "method": method, "params": params or {}}))
        while True:
            message = json.loads(self.socket.recv())
            if message.get("id") == self.counter:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def evaluate(self, expression):
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True})
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression, what, seconds=30, interval=0.1):
        end = time.time() + seconds
        while time.time() < end:
            try:
                if self.evaluate(expression):
                    return
            except RuntimeError:
                pass
            time.sleep(interval)
        raise SystemExit(f"timed out waiting for {what}; page: {self.evaluate('document.body.innerText')[:500]}")

    def navigate(self, url):
        self.send("Page.navigate", {"url": url})

    def close(self):
        self.socket.close()
        self.process.terminate()
