"""Speed as felt in the browser (issue 13): Chromium at 1920×1080 against the app at county
scale (the demo database, built in a temporary directory), timed from the click to the
rendered page. Prints both figures with their goals; asserts nothing.

    .venv/bin/python bench/bench_browser.py [--repeat 5]

- 总览, first visit: a new signed-in session on 政策文件与规则 clicks 总览 in the sidebar;
  timed until the page's script has finished and every chart is drawn. The very first
  session after the server starts (its caches empty) is printed apart from the median of
  the later sessions (each a new browser session: the page's first visit for that user).
  Goal ≤ 1.5 s.
- 假设评分, one edit: an indicator's value typed and Enter pressed; timed until 假设得分
  shows the new score. Goal ≤ 0.5 s.

"Finished" is the app's own signal (Streamlit marks its root with
data-test-script-state="notRunning" when a run ends), read in the page every frame.

Beside each wall-clock figure it prints the CPU seconds the app server spent on it and
the machine's load average: on a shared machine busier than its cores the wall clock
also counts the waits for a core, and the server's CPU time is what the app itself costs.
"""
from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ruralcore.auth import accounts
from ruralcore.app import whatif  # noqa: E402
from ruralcore.demo import build_demo  # noqa: E402
from ruralcore.rules.programs import load_program  # noqa: E402
from ruralcore.store import db  # noqa: E402
from ruralcore.kernel.principal import system

CHROMIUM = "/usr/bin/chromium"
USER, PASSWORD, COUNTY = "bench_browser_admin", "bench-browser-密码-1", "433124"  # 花垣县 county admin
GOAL_OVERVIEW, GOAL_WHATIF = 1.5, 0.5

# the run has ended, the new page's title is drawn, nothing stale is left, every chart drawn
RENDERED = """(title) => {
  const app = document.querySelector('[data-testid="stApp"]');
  const h1 = document.querySelector('[data-testid="stMain"] h1');
  return app && app.getAttribute('data-test-script-state') === 'notRunning'
    && h1 && h1.innerText.includes(title)
    && !document.querySelector('[data-stale="true"]')
    && Array.from(document.querySelectorAll('.js-plotly-plot')).every(p => p.querySelector('.main-svg'));
}"""
METRIC = """(label) => {
  const box = Array.from(document.querySelectorAll('[data-testid="stMetric"]'))
    .find(m => m.querySelector('[data-testid="stMetricLabel"]').innerText.trim() === label);
  return box ? box.querySelector('[data-testid="stMetricValue"]').innerText.trim() : null;
}"""


def start_server(url: str, log: Path) -> tuple[subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(os.environ, DATABASE_URL=url, STREAMLIT_BROWSER_GATHER_USAGE_STATS="false")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboards" / "app.py"), "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--server.fileWatcherType", "none"],
        cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2):
                return proc, base
        except OSError:
            time.sleep(0.3)
    proc.kill()
    sys.exit(f"the app did not start: {log.read_text()[-2000:]}")


def sign_in(page, base: str) -> None:
    page.goto(base)
    nav = page.locator('[data-testid="stSidebarNav"]')
    nav.get_by_role("link", name="登录", exact=True).click()
    main = page.locator('[data-testid="stMain"]')
    main.get_by_label("用户名").fill(USER)
    main.get_by_label("密码").fill(PASSWORD)
    main.get_by_role("button", name="登录").click()
    page.locator('[data-testid="stSidebar"]').get_by_text(f"当前用户：{USER}").first.wait_for()


SERVER_PID = 0  # the app server's process (its CPU time is read from /proc)


def server_cpu() -> float:
    """CPU seconds (user + system) the app server has used so far (0 where /proc is absent)."""
    try:
        fields = Path(f"/proc/{SERVER_PID}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def open_page(page, title: str, cpu: list | None = None) -> float:
    """Click the page's sidebar link; seconds until it is rendered (the server's CPU
    seconds for it appended to ``cpu``)."""
    link = page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=title, exact=True)
    c0, t0 = server_cpu(), time.perf_counter()
    link.click()
    page.wait_for_function(RENDERED, arg=title, polling="raf")
    took = time.perf_counter() - t0
    if cpu is not None:
        cpu.append(server_cpu() - c0)
    return took


def overview_first_visits(browser, base: str, sessions: int, cpu: list) -> list[float]:
    out = []
    for _ in range(sessions):
        ctx = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
        page = ctx.new_page()
        page.set_default_timeout(120_000)
        sign_in(page, base)  # signing in opens 总览: leave it for a page without it, then come back
        open_page(page, "政策文件与规则")  # by the sidebar (a new URL would start a signed-out session)
        out.append(open_page(page, "总览", cpu))
        ctx.close()
    return out


def whatif_edits(browser, base: str, edits: int, cpu: list) -> list[float]:
    program = load_program("huayuan-2019")
    names = whatif.indicator_labels(program)["name"].tolist()
    ctx = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    page = ctx.new_page()
    page.set_default_timeout(120_000)
    sign_in(page, base)
    open_page(page, "假设评分")
    out = []
    for i in range(edits + 1):  # the first edit warms the page's caches: not counted
        box = page.get_by_label(f"{names[i % len(names)]}（%）", exact=True)
        before = page.evaluate(METRIC, "假设得分")
        value = "0" if float(box.input_value()) > 50 else "100"  # a change the score shows
        box.fill(value)
        c0, t0 = server_cpu(), time.perf_counter()
        box.press("Enter")
        page.wait_for_function(f"(b) => ({METRIC})('假设得分') !== b", arg=before, polling="raf")
        took = time.perf_counter() - t0
        page.wait_for_function(RENDERED, arg="假设评分", polling="raf")
        if i:
            out.append(took)
            cpu.append(server_cpu() - c0)  # the whole run of the edit (until the page is drawn)
    ctx.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=5, help="sessions and edits timed (default 5)")
    args = ap.parse_args()
    if not Path(CHROMIUM).exists():
        sys.exit(f"{CHROMIUM} 未安装")
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'county.db'}"
        t = time.perf_counter()
        eng = db.get_engine(url)
        build_demo(eng, "county")
        accounts.create_account(eng, USER, "county_admin", COUNTY, PASSWORD, by=system("bench"))
        print(f"demo database (county scale) built in {time.perf_counter() - t:.1f} s")
        proc, base = start_server(url, Path(tmp) / "server.log")
        global SERVER_PID
        SERVER_PID = proc.pid
        visit_cpu: list[float] = []
        edit_cpu: list[float] = []
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=["--no-sandbox", "--disable-gpu", "--disable-quic"])
                visits = overview_first_visits(browser, base, args.repeat + 1, visit_cpu)
                edits = whatif_edits(browser, base, args.repeat, edit_cpu)
                browser.close()
        finally:
            proc.terminate()
            proc.wait(timeout=15)
    load, cores = os.getloadavg()[0], os.cpu_count() or 1
    print(f"load average {load:.1f} on {cores} cores"
          + (" (busier than its cores: the wall-clock figures include waits for a core)" if load > cores else ""))
    first, later = visits[0], statistics.median(visits[1:])
    print(f"总览 first visit, first session after start: {first:.2f} s")
    print(f"总览 first visit, median of {len(visits) - 1} new sessions: {later:.2f} s "
          f"(all: {', '.join(f'{v:.2f}' for v in visits[1:])}); goal ≤ {GOAL_OVERVIEW} s: "
          f"{'met' if later <= GOAL_OVERVIEW else 'NOT met'}; app server CPU, median: {statistics.median(visit_cpu[1:]):.2f} s")
    w = statistics.median(edits)
    print(f"假设评分 one edit, median of {len(edits)}: {w:.2f} s (all: {', '.join(f'{v:.2f}' for v in edits)}); "
          f"goal ≤ {GOAL_WHATIF} s: {'met' if w <= GOAL_WHATIF else 'NOT met'}; app server CPU, median: "
          f"{statistics.median(edit_cpu):.2f} s")


if __name__ == "__main__":
    main()
