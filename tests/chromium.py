"""Open a page in a real headless Chromium with the network blocked, through the DevTools
protocol (websocket-client), and report what it requested, logged and holds.

Chromium is Debian's ``chromium`` package (``scripts/install-chromium.sh``); every host name
resolves to nothing and every proxied request goes to a closed port, so only file:// (and the
DevTools socket on 127.0.0.1) can work.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from base64 import b64decode
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import websocket

CHROMIUM = os.environ.get("EHELSEKG_CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
    "--proxy-server=127.0.0.1:9",
    "--window-size=1600,1000",
    "--remote-debugging-port=0",
    "--remote-allow-origins=*",
]


def available() -> bool:
    return shutil.which(CHROMIUM) is not None or Path(CHROMIUM).exists()


@dataclass
class PageReport:
    """What happened while a page loaded."""

    requests: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    load_seconds: float = 0.0


class Browser:
    """One Chromium process with a fresh profile, driven over the DevTools protocol."""

    def __init__(self) -> None:
        self.profile = tempfile.mkdtemp(prefix="ehelsekg-chromium-")
        self.process = subprocess.Popen(
            [CHROMIUM, *FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        endpoint = self._endpoint()
        self.socket = websocket.create_connection(endpoint, timeout=30)
        self._next = 0
        self.events: list[dict[str, Any]] = []
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)[
            "sessionId"
        ]
        for domain in ("Page", "Network", "Runtime", "Log"):
            self.call(f"{domain}.enable", session=True)

    def _endpoint(self) -> str:
        assert self.process.stderr is not None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            line = self.process.stderr.readline()
            match = re.search(r"DevTools listening on (ws://\S+)", line)
            if match:
                return match.group(1)
            if not line and self.process.poll() is not None:
                break
        raise RuntimeError("Chromium did not start its DevTools endpoint")

    def call(self, method: str, *, session: bool = False, **params: Any) -> dict[str, Any]:
        self._next += 1
        message: dict[str, Any] = {"id": self._next, "method": method, "params": params}
        if session:
            message["sessionId"] = self.session
        self.socket.send(json.dumps(message))
        while True:
            reply = json.loads(self.socket.recv())
            if reply.get("id") == self._next:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                result: dict[str, Any] = reply.get("result", {})
                return result
            self.events.append(reply)

    def evaluate(self, expression: str) -> Any:
        result = self.call(
            "Runtime.evaluate", session=True, expression=expression, returnByValue=True
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def evaluate_async(self, expression: str, *, timeout: float = 60.0) -> Any:
        """Evaluate an expression that gives a Promise and return what it resolves to."""
        self.socket.settimeout(timeout)
        try:
            result = self.call(
                "Runtime.evaluate",
                session=True,
                expression=expression,
                returnByValue=True,
                awaitPromise=True,
            )
        finally:
            self.socket.settimeout(30)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression[:200]}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def window(self, width: int, height: int) -> None:
        """Size the page's window in CSS pixels (device scale 1), as a laptop on a projector."""
        self.call(
            "Emulation.setDeviceMetricsOverride",
            session=True,
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=False,
        )

    def open(self, target: Path | str, *, ready: str, timeout: float = 30.0) -> PageReport:
        """Load a file (or a URL) and wait until the JavaScript expression ``ready`` is true."""
        self.events.clear()
        started = time.monotonic()
        url = target.resolve().as_uri() if isinstance(target, Path) else target
        self.call("Page.navigate", session=True, url=url)
        while time.monotonic() - started < timeout:
            if self.evaluate(f"Boolean({ready})"):
                break
            time.sleep(0.05)
        else:
            raise TimeoutError(f"{url}: {ready} never became true")
        report = PageReport(load_seconds=time.monotonic() - started)
        self.socket.settimeout(0.3)
        try:
            while True:
                self.events.append(json.loads(self.socket.recv()))
        except websocket.WebSocketTimeoutException:
            pass
        finally:
            self.socket.settimeout(30)
        for event in self.events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Network.requestWillBeSent":
                report.requests.append(params["request"]["url"])
            elif method == "Network.loadingFailed":
                report.failed.append(f"{params.get('errorText')} {params.get('requestId')}")
            elif method == "Runtime.exceptionThrown":
                report.console_errors.append(json.dumps(params["exceptionDetails"])[:500])
            elif method == "Runtime.consoleAPICalled" and params.get("type") in {"error", "assert"}:
                report.console_errors.append(json.dumps(params.get("args"))[:500])
            elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
                report.console_errors.append(params["entry"].get("text", ""))
            elif method == "Page.javascriptDialogOpening":
                report.dialogs.append(params.get("message", ""))
        return report

    def screenshot(self, path: Path) -> None:
        data = self.call("Page.captureScreenshot", session=True, format="png")["data"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b64decode(data))

    def close(self) -> None:
        with contextlib.suppress(Exception):  # the browser may already be gone
            self.call("Browser.close")
        self.socket.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.profile, ignore_errors=True)


#: Every label a vis-network screen draws on the first screen, with its size in CSS pixels
#: (the label's font size times the network's scale) and its box in window coordinates.
NETWORK_LABELS_JS = """(() => {
  const net = window.ehelsekgNetwork, scale = net.getScale();
  const box = document.getElementById('view-network').getBoundingClientRect();
  const out = [];
  const add = (module, text, kind) => {
    const size = module && module.size;
    if (!text || !size || !size.width) { return; }
    const a = net.canvasToDOM({x: size.left, y: size.top});
    const b = net.canvasToDOM({x: size.left + size.width, y: size.top + size.height});
    const r = {left: a.x + box.left, top: a.y + box.top, right: b.x + box.left,
               bottom: b.y + box.top};
    if (r.right <= box.left || r.left >= box.right || r.bottom <= box.top ||
        r.top >= Math.min(box.bottom, innerHeight)) { return; }
    const inside = r.left >= box.left - 1 && r.right <= box.right + 1 && r.top >= box.top - 1 &&
      r.bottom <= Math.min(box.bottom, innerHeight) + 1;
    out.push({text: String(text), px: module.fontOptions.size * scale, kind: kind, inside: inside,
              left: r.left, top: r.top, right: r.right, bottom: r.bottom});
  };
  for (const id of net.body.nodeIndices) {
    const node = net.body.nodes[id];
    if (!node.options.hidden) { add(node.labelModule, node.options.label, 'node'); }
  }
  for (const id of net.body.edgeIndices) {
    const edge = net.body.edges[id];
    if (edge.connected) { add(edge.labelModule, edge.options.label, 'edge'); }
  }
  return out;
})()"""

#: Every piece of text the page shows as HTML or SVG inside the window, with its computed
#: font size and box (hidden elements and text outside the first screen are left out).
DOM_LABELS_JS = """(() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const text = walker.currentNode;
    if (!text.textContent.trim()) { continue; }
    const el = text.parentElement;
    if (!el || el.closest('script, style, title, option')) { continue; }
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.display === 'none') { continue; }
    const range = document.createRange();
    range.selectNodeContents(text);
    const r = range.getBoundingClientRect();
    if (!r.width || r.bottom <= 0 || r.top >= innerHeight || r.right <= 0 || r.left >= innerWidth) {
      continue;
    }
    // SVG text is drawn at its font size times the SVG's own scale (viewBox, transforms).
    const svgScale = el instanceof SVGElement && el.getScreenCTM() ? el.getScreenCTM().a : 1;
    out.push({text: text.textContent.trim().slice(0, 80), px: parseFloat(style.fontSize) * svgScale,
              kind: el.namespaceURI.endsWith('svg') ? 'svg' : 'html', left: r.left, top: r.top,
              right: r.right, bottom: r.bottom});
  }
  return out;
})()"""

#: All text a council member can see or hover: visible text, canvas labels and tooltips.
SHOWN_TEXT_JS = """(() => {
  const parts = [document.body.innerText, document.title];
  document.querySelectorAll('title, [aria-label]').forEach(
    (el) => parts.push(el.textContent, el.getAttribute('aria-label') || ''));
  const net = window.ehelsekgNetwork;
  if (net) {
    const tip = (item) => (item.title ? item.title.textContent : '');
    net.body.data.nodes.forEach((n) => parts.push(n.label || '', tip(n)));
    net.body.data.edges.forEach((e) => parts.push(e.label || '', tip(e)));
  }
  return parts.join('\\n');
})()"""

AXE_RUN_JS = """axe.run(document, {runOnly: {type: 'tag',
  values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}}).then((r) => r.violations.map(
  (v) => ({id: v.id, impact: v.impact, help: v.help,
           nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' '))})))"""


def overlaps(labels: list[dict[str, Any]], tolerance: float = 1.0) -> list[tuple[str, str]]:
    """Pairs of labels whose boxes overlap by more than ``tolerance`` px both ways."""
    found = []
    for i, a in enumerate(labels):
        for b in labels[i + 1 :]:
            dx = min(a["right"], b["right"]) - max(a["left"], b["left"])
            dy = min(a["bottom"], b["bottom"]) - max(a["top"], b["top"])
            if dx > tolerance and dy > tolerance:
                found.append((a["text"], b["text"]))
    return found


def axe_violations(browser: Browser, axe_source: str) -> list[dict[str, Any]]:
    """Serious and critical WCAG 2.1 A/AA violations axe-core finds on the open page."""
    browser.evaluate(axe_source)
    found = browser.evaluate_async(AXE_RUN_JS)
    return [v for v in found if v["impact"] in {"serious", "critical"}]
