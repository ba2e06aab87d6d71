"""Browser test harness: a demo database, the app served by `streamlit run` on a free
local port, and Debian's chromium driven by Playwright at 1920×1080.

Fixtures: ``browser_db_url`` (county demo database, once per session), ``app_url``
(the running app), ``browser`` (chromium), ``page`` (a fresh 1920×1080 page),
``shoot(page, name, readme=False)`` (screenshot into tests/artifacts/screenshots/, and a
copy into docs/screenshots/ for the README when ``readme``), ``wait_idle(page)`` (until
Streamlit has finished running the script and drawing charts)."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.support import build_demo_database, skip_or_fail
from ruralcore.kernel.principal import system

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SHOTS = ROOT / "tests" / "artifacts" / "screenshots"
README_SHOTS = ROOT / "docs" / "screenshots"
VIEWPORT = {"width": 1920, "height": 1080}
# A common phone (390×844) in Playwright's mobile emulation: touch, a dense screen, and a
# phone's user agent (Streamlit closes its sidebar after a page link only on a mobile agent).
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 3, "locale": "zh-CN", "timezone_id": "Asia/Shanghai",
         "user_agent": "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
                       "Chrome/126.0.0.0 Mobile Safari/537.36"}


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def browser_db_url(tmp_path_factory) -> str:
    return build_demo_database(tmp_path_factory, "browser-db")


@pytest.fixture(scope="session")
def app_url(browser_db_url, tmp_path_factory):
    """`streamlit run dashboards/app.py` on a free port with DATABASE_URL = the demo DB."""
    yield from serve(browser_db_url, tmp_path_factory)


def serve(db_url: str, tmp_path_factory):
    """Start the app on ``db_url``; yield its URL; stop it (a fixture's body)."""
    port = _free_port()
    env = dict(os.environ, DATABASE_URL=db_url, STREAMLIT_BROWSER_GATHER_USAGE_STATS="false")
    log = open(tmp_path_factory.mktemp("streamlit") / "server.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboards" / "app.py"),
         "--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true",
         "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            log.close()
            pytest.fail(f"streamlit did not start: {Path(log.name).read_text()[-2000:]}")
        time.sleep(0.3)
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture(scope="module")
def browser():
    # module scope: Playwright's sync API allows one instance per thread, and a test module
    # may start its own; ours is closed before the next module runs
    if not Path(CHROMIUM).exists():
        skip_or_fail(f"{CHROMIUM} not installed (apt-get install chromium fonts-noto-cjk)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture(scope="session")
def demo_accounts(browser_db_url) -> list[str]:
    """init-admin --demo-accounts on the shared demo database, with a known password
    (tests.login_support.PASSWORD); their user names, one per role."""
    from ruralcore.auth import accounts
    from ruralcore.store import db
    from tests.login_support import PASSWORD

    eng = db.get_engine(browser_db_url)
    made = accounts.init_demo_accounts(eng, "433124")
    for acc in made:
        assert not acc["missing"], acc
        accounts.set_password(eng, acc["username"], PASSWORD, by=system("测试"))
    return [a["username"] for a in made]


@pytest.fixture
def phone_context(browser):
    """A factory of phone browser contexts (PHONE), closed at the end of the test."""
    made = []

    def _new():
        ctx = browser.new_context(**PHONE)
        made.append(ctx)
        p = ctx.new_page()
        p.set_default_timeout(60_000)
        return p

    yield _new
    for ctx in made:
        ctx.close()


@pytest.fixture
def page(browser):
    ctx = browser.new_context(viewport=VIEWPORT, locale="zh-CN", timezone_id="Asia/Shanghai")
    p = ctx.new_page()
    p.set_default_timeout(60_000)
    yield p
    ctx.close()


def _wait_idle(page, settle: float = 1.0) -> None:
    """Until the script has run (a title drawn, no running indicator, no stale elements)
    and every plotly chart is drawn."""
    page.wait_for_selector('[data-testid="stMain"] h1', timeout=60_000)
    page.wait_for_timeout(300)
    page.wait_for_function(
        """() => {
            const w = document.querySelector('[data-testid="stStatusWidget"]');
            const running = w && /Running|Stop|运行/.test(w.innerText);
            const stale = document.querySelector('[data-stale="true"]');
            const plots = Array.from(document.querySelectorAll('.js-plotly-plot'));
            return !running && !stale && plots.every(p => p.querySelector('.main-svg'));
        }""", timeout=60_000)
    # The running indicator is not always drawn at once: also wait until the page stops changing.
    last, same, deadline = -1, 0, time.monotonic() + 60
    while same < 3 and time.monotonic() < deadline:
        n = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').innerHTML.length")
        same = same + 1 if n == last else 0
        last = n
        page.wait_for_timeout(400)
    page.wait_for_timeout(int(settle * 1000))


@pytest.fixture
def wait_idle():
    return _wait_idle


@pytest.fixture
def shoot():
    def _shoot(page, name: str, readme: bool = False, full_page: bool = False) -> Path:
        SHOTS.mkdir(parents=True, exist_ok=True)
        path = SHOTS / f"{name}.png"
        if full_page:  # Streamlit scrolls inside its main block, not the page: grow the viewport
            height = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
            page.set_viewport_size({"width": VIEWPORT["width"], "height": max(int(height), VIEWPORT["height"])})
            _wait_idle(page, settle=1.5)
        page.screenshot(path=str(path))
        if full_page:
            page.set_viewport_size(VIEWPORT)
            _wait_idle(page, settle=0.5)
        if readme:
            README_SHOTS.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, README_SHOTS / f"{name}.png")
        return path

    return _shoot


def assert_no_errors(page) -> None:
    """No exception boxes and no red error alerts on the page."""
    assert page.locator('[data-testid="stException"]').count() == 0, page.locator('[data-testid="stException"]').first.inner_text()
    errors = page.locator('[data-testid="stAlertContentError"]')
    assert errors.count() == 0, errors.first.inner_text()


@pytest.fixture
def no_errors():
    return assert_no_errors
