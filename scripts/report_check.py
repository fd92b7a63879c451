#!/usr/bin/env python3
"""Opens a searchrec report.html in headless Chromium and checks it as a reader's browser sees it.

Fails (exit 1, saying why) when:
  - the page logs a console error, throws, or Chromium logs an error for it
    (a blocked or failed load, a Content-Security-Policy violation);
  - the page requests anything that is not file:// or data: (the report must work offline);
  - it has no chart, a chart (an <svg> with the chart class) has zero width or height,
    or the number of charts differs from the count the page declares (<main data-chart-count>).
Then takes a full-page screenshot.

Talks to Chromium over the DevTools protocol on a pipe (--remote-debugging-pipe): no port is
opened, and only the Python standard library is used. Exit 2: the check could not run.
"""

import argparse
import base64
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WIDTH = 1280
HEIGHT = 900
ALLOWED_SCHEMES = ("file:", "data:", "about:blank")

CHECK_JS = """
(() => {
  const charts = [...document.querySelectorAll('svg.%(cls)s')].map((s) => {
    const r = s.getBoundingClientRect();
    return { name: s.dataset.chart || '?', width: r.width, height: r.height, children: s.childElementCount };
  });
  const main = document.querySelector('main');
  const external = [...document.querySelectorAll('script[src], link[href], img[src], iframe, object, embed')].length;
  return {
    charts,
    declared: main && main.dataset.chartCount !== undefined ? Number(main.dataset.chartCount) : null,
    scripts: document.scripts.length,
    external,
    title: document.title,
    horizontalOverflow: document.documentElement.scrollWidth > document.documentElement.clientWidth,
  };
})()
"""


class CheckError(Exception):
    """The check could not run (as opposed to: the report failed it)."""


class Browser:
    """A headless Chromium driven over --remote-debugging-pipe (fd 3: commands in, fd 4: replies out)."""

    def __init__(self, binary, profile, deadline):
        self.deadline = deadline
        cmd_r, self.cmd_w = os.pipe()
        self.res_r, res_w = os.pipe()

        def wire_pipes():
            # dup first: the pipe ends may themselves be fds 3 or 4.
            a, b = os.dup(cmd_r), os.dup(res_w)
            os.dup2(a, 3)
            os.dup2(b, 4)

        args = [
            binary,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--remote-debugging-pipe",
            f"--user-data-dir={profile}",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--disable-default-apps",
            "--mute-audio",
            "--hide-scrollbars",
            # Belt and braces: even if the page asked, no name would resolve.
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "about:blank",
        ]
        try:
            self.proc = subprocess.Popen(
                args, preexec_fn=wire_pipes, close_fds=False, stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            )
        except OSError as e:
            raise CheckError(f"cannot start {binary}: {e}") from e
        os.close(cmd_r)
        os.close(res_w)
        self.buffer = b""
        self.next_id = 0
        self.events = []

    def send(self, method, params=None, session=None):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        try:
            os.write(self.cmd_w, json.dumps(message).encode() + b"\0")
        except OSError as e:
            raise CheckError(f"Chromium closed its DevTools pipe ({e}){self.stderr_tail()}") from e
        return self.next_id

    def read_message(self, timeout):
        while b"\0" not in self.buffer:
            remaining = min(timeout, self.deadline - time.monotonic())
            if remaining <= 0:
                return None
            ready, _, _ = select.select([self.res_r], [], [], remaining)
            if not ready:
                return None
            chunk = os.read(self.res_r, 1 << 20)
            if not chunk:
                raise CheckError(f"Chromium exited during the check{self.stderr_tail()}")
            self.buffer += chunk
        raw, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(raw)

    def call(self, method, params=None, session=None, timeout=30.0):
        wanted = self.send(method, params, session)
        end = time.monotonic() + timeout
        while True:
            message = self.read_message(max(0.0, end - time.monotonic()))
            if message is None:
                raise CheckError(f"no answer to {method} within {timeout:.0f} s")
            if message.get("id") == wanted:
                if "error" in message:
                    raise CheckError(f"{method} failed: {message['error'].get('message')}")
                return message.get("result", {})
            if "method" in message:
                self.events.append(message)

    def wait_for_event(self, name, timeout):
        end = time.monotonic() + timeout
        if any(e["method"] == name for e in self.events):
            return True
        while time.monotonic() < end:
            message = self.read_message(max(0.0, end - time.monotonic()))
            if message is None:
                break
            if "method" in message:
                self.events.append(message)
                if message["method"] == name:
                    return True
        return False

    def drain(self, seconds):
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            message = self.read_message(max(0.0, end - time.monotonic()))
            if message is None:
                return
            if "method" in message:
                self.events.append(message)

    def stderr_tail(self):
        if self.proc.poll() is None or self.proc.stderr is None:
            return ""
        tail = self.proc.stderr.read().decode(errors="replace").strip().splitlines()[-5:]
        return (": " + " | ".join(tail)) if tail else ""

    def close(self):
        try:
            self.send("Browser.close")
            self.proc.wait(timeout=10)
        except (CheckError, subprocess.TimeoutExpired):
            pass
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        for fd in (self.cmd_w, self.res_r):
            try:
                os.close(fd)
            except OSError:
                pass


def problems_in(events):
    """Console errors, exceptions, Chromium log errors and non-local requests among the page's events."""
    problems, requests = [], []
    for e in events:
        method, p = e["method"], e.get("params", {})
        if method == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
            text = " ".join(str(a.get("value", a.get("description", ""))) for a in p.get("args", []))
            problems.append(f"console {p['type']}: {text}")
        elif method == "Runtime.exceptionThrown":
            details = p.get("exceptionDetails", {})
            text = details.get("exception", {}).get("description") or details.get("text", "")
            problems.append(f"uncaught exception: {text}")
        elif method == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
            entry = p["entry"]
            problems.append(f"browser log ({entry.get('source')}): {entry.get('text')} {entry.get('url', '')}".strip())
        elif method == "Network.requestWillBeSent":
            url = p.get("request", {}).get("url", "")
            requests.append(url)
            if not url.startswith(ALLOWED_SCHEMES):
                problems.append(f"network request to {url}: the report must not fetch anything")
    return problems, requests


def check(report, screenshot, binary, chart_class, split, timeout):
    deadline = time.monotonic() + timeout
    with tempfile.TemporaryDirectory(prefix="report-check-") as profile:
        browser = Browser(binary, profile, deadline)
        try:
            target = browser.call("Target.createTarget", {"url": "about:blank"})["targetId"]
            session = browser.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
            for domain in ("Page", "Runtime", "Log", "Network"):
                browser.call(f"{domain}.enable", session=session)
            browser.call(
                "Emulation.setDeviceMetricsOverride",
                {"width": WIDTH, "height": HEIGHT, "deviceScaleFactor": 1, "mobile": False},
                session=session,
            )
            browser.events.clear()
            nav = browser.call("Page.navigate", {"url": report.as_uri()}, session=session)
            if nav.get("errorText"):
                raise CheckError(f"cannot open {report}: {nav['errorText']}")
            if not browser.wait_for_event("Page.loadEventFired", 30):
                raise CheckError(f"{report} did not finish loading within 30 s")
            browser.drain(0.5)  # late console messages and requests
            found = browser.call(
                "Runtime.evaluate",
                {"expression": CHECK_JS % {"cls": chart_class}, "returnByValue": True},
                session=session,
            )
            if "exceptionDetails" in found:
                raise CheckError(f"the check script failed: {found['exceptionDetails'].get('text')}")
            page = found["result"]["value"]
            size = browser.call("Page.getLayoutMetrics", session=session)["cssContentSize"]
            height = int(size["height"] + 0.5)
            shots = [(screenshot, 0, height)]
            if split:
                stem = screenshot.with_suffix("")
                shots += [
                    (Path(f"{stem}-{i + 1:02d}.png"), y, min(split, height - y))
                    for i, y in enumerate(range(0, height, split))
                ]
            for path, y, h in shots:
                shot = browser.call(
                    "Page.captureScreenshot",
                    {
                        "format": "png",
                        "captureBeyondViewport": True,
                        "clip": {"x": 0, "y": y, "width": WIDTH, "height": h, "scale": 1},
                    },
                    session=session,
                    timeout=60,
                )
                path.write_bytes(base64.b64decode(shot["data"]))
            browser.drain(0.2)
            events = list(browser.events)
        finally:
            browser.close()

    problems, requests = problems_in(events)
    charts = page["charts"]
    if not charts:
        problems.append(f"no charts: no <svg class=\"{chart_class}\"> on the page")
    for i, c in enumerate(charts):
        if c["width"] <= 0 or c["height"] <= 0:
            problems.append(f"chart {i + 1} ({c['name']}) has size {c['width']}x{c['height']}")
        elif c["children"] < 2:
            problems.append(f"chart {i + 1} ({c['name']}) is empty")
    if page["declared"] is not None and page["declared"] != len(charts):
        problems.append(f"the page declares {page['declared']} charts but {len(charts)} are rendered")
    if page["external"]:
        problems.append(f"{page['external']} element(s) that load external content (script/link/img/iframe)")

    kinds = {}
    for c in charts:
        kinds[c["name"]] = kinds.get(c["name"], 0) + 1
    summary = ", ".join(f"{k} {n}" for k, n in sorted(kinds.items()))
    print(f"report: {report} ({page['title']})")
    print(f"charts: {len(charts)} ({summary}); declared {page['declared']}")
    print(f"scripts on the page: {page['scripts']}; requests: {len(requests)}, all local" if not any(
        "network request" in p for p in problems) else f"requests: {requests}")
    if page["horizontalOverflow"]:
        print(f"note: the page is wider than a {WIDTH}px window")
    print(f"screenshot: {screenshot} ({WIDTH}x{height})" + (f", plus {len(shots) - 1} parts" if split else ""))
    if problems:
        print(f"FAILED: {len(problems)} problem(s)")
        for p in problems:
            print(f"  - {p}")
        return 1
    print("OK: no console errors, no network requests, every chart rendered")
    return 0


def find_browser(given):
    for name in ([given] if given else []) + ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"]:
        path = shutil.which(name) if name else None
        if path:
            return path
    raise CheckError("no Chromium found: install it (Debian: apt-get install chromium) or pass --browser PATH")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("report", type=Path, help="the report.html to check")
    parser.add_argument("screenshot", type=Path, nargs="?", help="where to write the PNG (default: beside the report)")
    parser.add_argument("--browser", help="Chromium binary (default: chromium, chromium-browser or google-chrome on PATH)")
    parser.add_argument("--chart-class", default="searchrec-chart", help="class of the chart <svg> elements")
    parser.add_argument("--split", type=int, default=0, metavar="PX",
                        help="also write the page in parts of PX pixels (NAME-01.png, …) for viewing")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds for the whole check")
    args = parser.parse_args()
    report = args.report.resolve()
    if not report.is_file():
        print(f"report_check: {args.report}: no such file", file=sys.stderr)
        return 2
    screenshot = (args.screenshot or report.with_name("report.png")).resolve()
    try:
        return check(report, screenshot, find_browser(args.browser), args.chart_class, args.split, args.timeout)
    except CheckError as e:
        print(f"report_check: could not check {report}: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
