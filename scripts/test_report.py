#!/usr/bin/python3
"""Test of scripts/report.py, in a browser as a reader would open the page: a small real sweep
(DESCENT_EXE) is turned into report.html, which headless Chromium loads from disk and the test
drives over the DevTools protocol (python3-websocket): no console error, every section there,
every table cell equal to best.csv's value, every curve the documented number of points, the
x-axis selector changing the plotted data, a screenshot saved. Then the bad inputs (no
runs.csv, a column removed, a meta.json of another version: one error line, exit 2, no page)
and determinism (a copy of results/default/ reported twice, byte for byte).

    DESCENT_EXE=build/descent /usr/bin/python3 scripts/test_report.py [--screenshot FILE.png]

Exit status 0: passed; 1: failed; 77: skipped (no DESCENT_EXE, no /usr/bin/chromium or no
websocket module), which ctest shows as skipped (SKIP_RETURN_CODE 77)."""
import argparse
import csv
import importlib.util
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from xml.etree import ElementTree

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PY = sys.executable or "/usr/bin/python3"
CHROMIUM = "/usr/bin/chromium"
SKIP = 77
SECTIONS = ["experiment", "machine", "table", "curves", "sensitivity", "profiles", "budget",
            "trajectories", "downloads"]
CURVE_POINTS = 200  # report.py's docstring: every curve has exactly this many points

# A tiny random search: budget.csv and learning-rate sensitivity at once (only lr is drawn),
# a 2-D problem for the trajectories, a target for the profiles; 126 runs, well under a second.
EXPERIMENT = """name = "tiny"
problems = ["quadratic:dim=5,cond=10,rotate=1", "rosenbrock"]
seeds = 3
budget = { iters = 300 }
target = { gap = 1e-4 }
log = { points = 40 }
tune = { metric = "iters_to_target", stat = "median" }
search = { method = "random", samples = 6, defaults = true }

[optimizers.sgd]
lr = { loguniform = [1e-4, 0.5] }

[optimizers.momentum]
lr = { loguniform = [1e-4, 0.1] }
momentum = 0.9

[optimizers.adam]
lr = { loguniform = [1e-3, 0.5] }
"""


class Chromium:
    """Headless Chromium with its own empty profile, driven over the DevTools protocol: one
    page, its console errors and exceptions collected as they come."""

    def __init__(self, width=1280, height=1000):
        import websocket  # python3-websocket (websocket-client)
        self.profile = tempfile.mkdtemp(prefix="descent-chromium-")
        self.log = open(os.path.join(self.profile, "stderr.txt"), "wb")
        self.proc = subprocess.Popen(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
             "--no-first-run", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", "--disable-extensions", "--hide-scrollbars",
             f"--user-data-dir={self.profile}", "--remote-debugging-port=0",
             f"--window-size={width},{height}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=self.log)
        port_file = os.path.join(self.profile, "DevToolsActivePort")
        deadline = time.monotonic() + 30
        while not (os.path.exists(port_file) and len(open(port_file).read().split()) >= 2):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.close()
                raise RuntimeError("chromium did not start (its DevToolsActivePort is missing)")
            time.sleep(0.05)
        port = open(port_file).read().split()[0]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as r:
            pages = [t for t in json.load(r) if t.get("type") == "page"]
        self.ws = websocket.create_connection(pages[0]["webSocketDebuggerUrl"], timeout=60,
                                              suppress_origin=True)
        self.next_id, self.events = 0, []
        for domain in ("Page", "Runtime", "Log"):
            self.call(f"{domain}.enable")

    def call(self, method, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == self.next_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            if "method" in msg:
                self.events.append(msg)

    def eval(self, expression):
        r = self.call("Runtime.evaluate", expression=expression, returnByValue=True,
                      awaitPromise=True)
        if "exceptionDetails" in r:
            raise RuntimeError(f"{expression[:60]}...: {r['exceptionDetails']}")
        return r["result"].get("value")

    def errors(self):
        """Console errors, uncaught exceptions and error log entries seen so far."""
        out = []
        for e in self.events:
            m, p = e["method"], e.get("params", {})
            if m == "Runtime.exceptionThrown":
                out.append(json.dumps(p.get("exceptionDetails", {}))[:500])
            elif m == "Runtime.consoleAPICalled" and p.get("type") == "error":
                out.append(json.dumps(p.get("args", []))[:500])
            elif m == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
                out.append(p["entry"].get("text", ""))
        return out

    def load(self, path, timeout=30):
        """Opens the page and waits until it says every figure is drawn (window.reportReady).
        Returns (ms from navigation start to that moment as the page measured it, wall-clock
        ms from Page.navigate to seeing the flag)."""
        self.events = []
        self.call("Page.navigate", url="about:blank")
        start = time.monotonic()
        self.call("Page.navigate", url="file://" + os.path.abspath(path))
        deadline = start + timeout
        while not self.eval("window.reportReady === true && document.readyState !== 'loading'"):
            if time.monotonic() > deadline or any(e["method"] == "Runtime.exceptionThrown"
                                                  for e in self.events):
                raise RuntimeError(f"{path}: not ready after "
                                   f"{time.monotonic() - start:.1f} s; errors: {self.errors()}")
            time.sleep(0.01)
        wall = (time.monotonic() - start) * 1000
        return self.eval("window.reportReadyAt"), wall

    def screenshot(self, path):
        """The whole page as PNG."""
        import base64
        size = self.call("Page.getLayoutMetrics")["cssContentSize"]
        r = self.call("Page.captureScreenshot", format="png", captureBeyondViewport=True,
                      clip={"x": 0, "y": 0, "width": size["width"], "height": size["height"],
                            "scale": 1})
        with open(path, "wb") as f:
            f.write(base64.b64decode(r["data"]))

    def close(self):
        try:
            if hasattr(self, "ws"):
                self.ws.close()
        finally:
            if self.proc.poll() is None:
                self.proc.terminate()
                try:
                    self.proc.wait(10)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
            self.log.close()
            shutil.rmtree(self.profile, ignore_errors=True)


def missing_tools():
    """Why the browser part cannot run here, or None."""
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        return f"{CHROMIUM} is missing (apt-get install chromium)"
    if importlib.util.find_spec("websocket") is None:
        return "the websocket module is missing (apt-get install python3-websocket)"
    return None


def report(*args):
    return subprocess.run([PY, os.path.join(HERE, "report.py"), *map(str, args)],
                          capture_output=True, text=True, timeout=300)


class Failure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)


def same_number(a, b):
    """best.csv's text against the page's data-value: equal as floats (NaN: an empty cell)."""
    x = float(a) if a not in ("", None) else math.nan
    y = float(b) if b not in ("", None) else math.nan
    return (math.isnan(x) and math.isnan(y)) or x == y


def make_sweep(exe, work):
    toml = os.path.join(work, "tiny.toml")
    with open(toml, "w") as f:
        f.write(EXPERIMENT)
    sweep = os.path.join(work, "tiny")
    r = subprocess.run([exe, "sweep", toml, "--out", sweep, "--quiet"], capture_output=True,
                       text=True, timeout=120)
    check(r.returncode == 0, f"descent sweep: {r.stderr}")
    return sweep


def test_page(exe, sweep, screenshot):
    r = report(sweep, "--exe", exe)
    check(r.returncode == 0, f"report.py: {r.stderr}")
    page = os.path.join(sweep, "report.html")
    check(os.path.isfile(page), "no report.html")
    check(not [f for f in os.listdir(sweep) if f.startswith(".tmp-")], "temporary file left")
    with open(os.path.join(sweep, "best.csv"), newline="") as f:
        best = list(csv.DictReader(f))

    browser = Chromium()
    try:
        ms, wall = browser.load(page)
        print(f"  loaded and drawn in {ms:.0f} ms (page clock), {wall:.0f} ms (wall)")
        sections = browser.eval("Array.from(document.querySelectorAll('section'))"
                                ".map(s => [s.id, s.querySelector('.absent') ? "
                                "s.querySelector('.absent').textContent : ''])")
        check([s for s, _ in sections] == SECTIONS, f"sections: {sections}")
        for s, absent in sections:  # the tiny sweep has every part
            check(not absent, f"section {s} is empty: {absent}")

        # The table: every cell's data-value is best.csv's median, for every metric.
        cells = browser.eval("""Array.from(document.querySelectorAll('table.results td'))
            .map(td => [td.closest('table').dataset.metric, td.dataset.problem,
                        td.closest('tr').dataset.optimizer, td.dataset.value,
                        td.dataset.q25, td.dataset.q75, td.dataset.successRate,
                        td.textContent])""")
        check(cells, "no table cells")
        rows = {(b["problem"], b["optimizer"]): b for b in best}
        metrics = set()
        for metric, problem, optimizer, value, q25, q75, rate, text in cells:
            b = rows[problem, optimizer]
            metrics.add(metric)
            for got, col in ((value, "median"), (q25, "q25"), (q75, "q75")):
                check(same_number(got, b[f"{metric}_{col}"]),
                      f"{metric} {problem} {optimizer}: {col} {got} != {b[f'{metric}_{col}']}")
            check(same_number(rate, b["success_rate"]), f"{problem} {optimizer}: success rate")
            check("%" in text or text.startswith("—"), f"cell without success rate: {text}")
        check(len(cells) == len(metrics) * len(best), f"{len(cells)} cells for {len(best)} rows")
        check(best[0]["tune_metric"] in metrics, "no table of the tune metric")
        # The budget tables: budget.csv's median and quartiles at every k.
        with open(os.path.join(sweep, "budget.csv"), newline="") as f:
            budget = {(b["problem"], b["optimizer"], b["k"]): b for b in csv.DictReader(f)}
        cells = browser.eval("""Array.from(document.querySelectorAll('table.budget td[data-k]'))
            .map(td => [td.closest('table').dataset.problem, td.closest('tr').dataset.optimizer,
                        td.dataset.k, td.dataset.value, td.dataset.q25, td.dataset.q75])""")
        check(len(cells) == len(budget), f"{len(cells)} budget cells, {len(budget)} rows")
        for problem, optimizer, k, *values in cells:
            b = budget[problem, optimizer, k]
            for got, col in zip(values, ("median", "q25", "q75")):
                check(same_number(got, b[col]), f"budget {problem} {optimizer} k={k}: {col}")
        # Sorting by a problem's column orders the rows by their values.
        order = browser.eval("""(() => { const t = document.querySelector('table.results');
            t.querySelector('thead th[data-col="1"]').click();
            return Array.from(t.tBodies[0].rows).map(r => r.cells[1].dataset.value); })()""")
        values = [float(v) if v else math.inf for v in order]
        check(values == sorted(values), f"sorted column: {order}")

        # Curves: every curve has the documented number of points; x switches the data.
        plots = browser.eval("""Array.from(document.querySelectorAll('.plot[data-kind=curves]'))
            .map(d => [d.id, +d.dataset.points, d.data.map(t => [t.role, t.x.length,
                       (t.y || []).length])])""")
        check(len(plots) == 2, f"curve plots: {plots}")
        for pid, points, traces in plots:
            check(points == CURVE_POINTS, f"{pid}: data-points {points}")
            medians = [t for t in traces if t[0] == "median"]
            check(len(medians) == 3, f"{pid}: {len(medians)} median curves, not 3")
            for role, nx, ny in traces:
                check(nx == CURVE_POINTS and ny == CURVE_POINTS,
                      f"{pid}: a {role} curve has {nx}/{ny} points, not {CURVE_POINTS}")
        pid = plots[1][0]
        before = browser.eval(f"document.getElementById('{pid}').data.map(t => t.x)")
        choice = browser.eval(f"document.getElementById('{pid}-x').value")
        check(choice == "iter", f"default x: {choice}")
        options = browser.eval(f"Array.from(document.getElementById('{pid}-x').options)"
                               ".map(o => o.value)")
        check(options == ["iter", "epoch", "grad_evals", "time_s"], f"x choices: {options}")
        browser.eval(f"""(() => {{ const s = document.getElementById('{pid}-x');
            s.value = 'time_s'; s.dispatchEvent(new Event('change', {{bubbles: true}})); }})()""")
        after = browser.eval(f"document.getElementById('{pid}').data.map(t => t.x)")
        check(len(after) == len(before) and after != before, "switching x changed nothing")
        check(all(len(x) == CURVE_POINTS for x in after), "points after switching x")
        label = browser.eval(f"document.querySelector('#{pid} svg text:last-of-type') && "
                             f"Array.from(document.querySelectorAll('#{pid} svg text'))"
                             ".map(t => t.textContent).join('|')")
        check("wall-clock time (s)" in label, f"x label after switching: {label[:200]}")
        ys = browser.eval(f"Array.from(document.getElementById('{pid}-y').options)"
                          ".map(o => o.value)")
        check("gap" in ys and "loss" in ys and "test_acc" not in ys, f"y choices: {ys}")
        # A legend click hides a method.
        shown = browser.eval(f"""(() => {{ const d = document.getElementById('{pid}');
            d.querySelector('.legend-item').dispatchEvent(new MouseEvent('click'));
            return d.data.filter(t => t.role === 'median').length; }})()""")
        check(shown == 2, f"after hiding one method: {shown} medians")

        # Every figure drawn, with an SVG download link; the CSV links are relative.
        kinds = browser.eval("Array.from(document.querySelectorAll('.plot'))"
                             ".map(d => [d.dataset.kind, d.data ? d.data.length : -1])")
        for kind in ("curves", "sensitivity", "profile", "budget", "trajectories"):
            check(any(k == kind and n > 0 for k, n in kinds), f"no {kind} figure drawn: {kinds}")
        links = browser.eval("Array.from(document.querySelectorAll('#downloads a'))"
                             ".map(a => [a.getAttribute('href').slice(0, 30), a.download])")
        check(["runs.csv", ""] in [[h, d] for h, d in links], f"CSV links: {links[:8]}")
        svgs = [h for h, d in links if d.endswith(".svg")]
        check(len(svgs) == len(kinds) and all(h.startswith("data:image/svg+xml") for h in svgs),
              f"SVG links: {len(svgs)} for {len(kinds)} figures")
        # Hovering a curve shows its configuration.
        box = browser.eval(f"""(() => {{ const s = document.querySelector('#{pid} svg');
            s.scrollIntoView(); const r = s.getBoundingClientRect();
            return [r.x, r.y, r.width, r.height]; }})()""")
        tip = ""
        for fx in (0.15, 0.3, 0.45, 0.6):  # somewhere near a curve
            for fy in (0.2, 0.35, 0.5, 0.65):
                browser.call("Input.dispatchMouseEvent", type="mouseMoved",
                             x=box[0] + box[2] * fx, y=box[1] + box[3] * fy)
                tip = browser.eval(f"document.querySelector('#{pid} .tip').style.display === "
                                   f"'block' ? document.querySelector('#{pid} .tip')"
                                   ".textContent : ''")
                if tip:
                    break
            if tip:
                break
        check("lr=" in tip and "schedule constant" in tip, f"hover text: {tip!r}")
        # A figure's SVG download is a standalone SVG document.
        svg = browser.eval(f"decodeURIComponent(document.querySelector('a[data-svg-for="
                           f"\"{pid}\"]').href.split(',').slice(1).join(','))")
        root = ElementTree.fromstring(svg.encode("utf-8"))
        check(root.tag == "{http://www.w3.org/2000/svg}svg", f"SVG download: {root.tag}")
        trajectory = browser.eval("document.querySelector('.plot[data-kind=trajectories]')"
                                  ".data.filter(t => t.role === 'path').map(t => t.x.length)")
        check(len(trajectory) == 3 and all(2 <= n <= 301 for n in trajectory),
              f"trajectories: {trajectory}")
        errors = browser.errors()
        check(not errors, f"console errors: {errors}")
        browser.screenshot(screenshot)
        print(f"  screenshot: {screenshot}")
    finally:
        browser.close()


def test_bad_input(sweep, work):
    """Each bad folder: one `error:` line naming the file and the column, exit 2, no page."""
    def bad(folder, names):
        r = report(folder)
        lines = r.stderr.strip().splitlines()
        check(r.returncode == 2, f"{folder}: exit {r.returncode}: {r.stderr}")
        check(len(lines) == 1 and lines[0].startswith("error: "), f"stderr: {r.stderr!r}")
        for n in names:
            check(n in lines[0], f"{n!r} not in {lines[0]!r}")
        check(not os.path.exists(os.path.join(folder, "report.html")), "report.html left")
        check(not [f for f in os.listdir(folder) if f.startswith(".tmp-")], "temporary left")
        print(f"  {os.path.basename(folder)}: {lines[0][:110]}")

    def copy(name):
        d = os.path.join(work, name)
        shutil.copytree(sweep, d, ignore=shutil.ignore_patterns("report.html"))
        return d

    d = copy("no-runs")
    os.remove(os.path.join(d, "runs.csv"))
    bad(d, ["runs.csv", "no such file"])

    d = copy("column-removed")
    path = os.path.join(d, "runs.csv")
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    col = rows[0].index("status")
    with open(path, "w", newline="") as f:
        csv.writer(f).writerows([r[:col] + r[col + 1:] for r in rows])
    bad(d, ["runs.csv", "'status'"])

    d = copy("old-meta")  # an older descent: no column facts
    meta = os.path.join(d, "meta.json")
    with open(meta) as f:
        facts = json.load(f)
    old = {k: v for k, v in facts.items() if k != "columns"}
    with open(meta, "w") as f:
        json.dump(old, f)
    bad(d, ["meta.json", "columns"])

    d = copy("newer-meta")  # a newer descent: declares a column this runs.csv lacks
    newer = json.loads(json.dumps(facts))
    newer["columns"]["runs"].append({**facts["columns"]["runs"][-1], "name": "final_new"})
    with open(os.path.join(d, "meta.json"), "w") as f:
        json.dump(newer, f)
    bad(d, ["runs.csv", "'final_new'", "meta.json"])

    d = copy("trace-column")
    path = os.path.join(d, "traces.csv")
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    col = rows[0].index("grad_norm")
    with open(path, "w", newline="") as f:
        csv.writer(f).writerows([r[:col] + r[col + 1:] for r in rows])
    bad(d, ["traces.csv", "'grad_norm'"])


def test_determinism(work, exe):
    """results/default/ (a copy: nothing is written into results/) reported twice: the same
    bytes."""
    d = os.path.join(work, "default")
    shutil.copytree(os.path.join(ROOT, "results", "default"), d,
                    ignore=shutil.ignore_patterns("report.html"))
    page = os.path.join(d, "report.html")
    pages = []
    for _ in range(2):
        r = report(d, "--exe", exe)
        check(r.returncode == 0, f"report.py {d}: {r.stderr}")
        with open(page, "rb") as f:
            pages.append(f.read())
        os.remove(page)
    check(pages[0] == pages[1], "two reports of results/default differ")
    check(b'href="runs.csv"' in pages[0], "CSV links are not relative to the page")
    print(f"  results/default: {len(pages[0]):,} bytes, twice the same")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--screenshot", help="where the screenshot goes (default: "
                    "<tmp>/report.png)")
    ap.add_argument("--keep", action="store_true", help="keep the scratch folder")
    args = ap.parse_args()
    exe = os.environ.get("DESCENT_EXE")
    if not exe or not os.path.isfile(exe):
        print(f"skipped: DESCENT_EXE is {'not set' if not exe else 'not a file: ' + exe}")
        return SKIP
    why = missing_tools()
    if why:
        print(f"skipped: {why}")
        return SKIP
    exe = os.path.abspath(exe)
    work = tempfile.mkdtemp(prefix="descent-report-test-")
    screenshot = args.screenshot or os.path.join(tempfile.gettempdir(), "report.png")
    start = time.monotonic()
    passed = failed = 0
    try:
        sweep = make_sweep(exe, work)
        for name, test in (("page", lambda: test_page(exe, sweep, screenshot)),
                           ("bad input", lambda: test_bad_input(sweep, work)),
                           ("determinism", lambda: test_determinism(work, exe))):
            print(f"{name}:")
            try:
                test()
                passed += 1
                print(f"{name}: ok")
            except Exception as e:  # a check, or the browser or a script going wrong
                failed += 1
                kind = "" if isinstance(e, Failure) else f"{type(e).__name__}: "
                print(f"{name}: FAILED: {kind}{e}")
    except Failure as e:
        failed += 1
        print(f"FAILED: {e}")
    finally:
        if args.keep:
            print(f"scratch folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print(f"({time.monotonic() - start:.1f} s)")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
