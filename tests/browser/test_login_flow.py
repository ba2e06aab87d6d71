"""Browser: a township officer logs in, corrects its own township's monthly value (saved
and audited under its name) and is refused another township's (nothing written).

The server runs a small app of the admin pages (登录 + 月报更正) over a private copy of the
county demo database, so the shared browser database is not changed."""
from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import sqlalchemy as sa

from ruralcore import accounts
from ruralcore.store import audit, db, reports

ROOT = Path(__file__).resolve().parents[2]
PW = "Xiang-2019-cun"
OWN, OTHER = "433124T01001", "433124T02001"  # villages of 花垣镇 and 边城镇
PERIOD = "2019-11"

APP = f'''
import sys
from pathlib import Path
sys.path.insert(0, {str(ROOT)!r})
import streamlit as st
st.set_page_config(page_title="登录测试", layout="wide")
admin = Path({str(ROOT / "dashboards" / "admin")!r})
st.navigation({{"系统": [st.Page(admin / "login.py", title="登录", default=True),
                         st.Page(admin / "report_fix.py", title="月报更正", url_path="report_fix")]}}).run()
'''


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def login_db(browser_db_url, tmp_path_factory) -> str:
    dst = tmp_path_factory.mktemp("login-db") / "county.db"
    with sqlite3.connect(sa.make_url(browser_db_url).database) as a, sqlite3.connect(dst) as b:
        a.backup(b)
    url = f"sqlite:///{dst}"
    accounts.create_account(db.get_engine(url), "xiang_officer", "township_officer", "433124T01", PW,
                            by="测试", display_name="花垣镇干部")
    return url


@pytest.fixture(scope="module")
def login_app(login_db, tmp_path_factory):
    folder = tmp_path_factory.mktemp("login-app")
    script = folder / "app.py"
    script.write_text(APP, encoding="utf-8")
    port = _free_port()
    env = dict(os.environ, DATABASE_URL=login_db, STREAMLIT_BROWSER_GATHER_USAGE_STATS="false")
    log = open(folder / "server.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--server.fileWatcherType", "none",
         "--browser.gatherUsageStats", "false"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
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


def _value(url: str, region: str, field: str) -> float:
    r = reports.load_reports(db.get_engine(url), "huayuan-2019", [PERIOD])
    return float(r[(r["region"] == region) & (r["field"] == field)]["value"].iat[0])


def _save(page, wait_idle, region: str, value: int) -> None:
    main = page.locator('[data-testid="stMain"]')
    main.get_by_label("区域代码", exact=True).and_(main.locator("input")).fill(region)
    main.locator("input[aria-label=\"新数值\"]").fill(str(value))
    main.get_by_role("button", name="保存").click()
    wait_idle(page)


def test_township_officer_edits_own_township_and_is_refused_another(page, login_app, login_db, wait_idle, shoot):
    page.goto(login_app)
    wait_idle(page)
    main = page.locator('[data-testid="stMain"]')
    main.get_by_label("用户名").fill("xiang_officer")
    main.get_by_label("密码").fill("wrong-password")
    main.get_by_role("button", name="登录").click()
    wait_idle(page)
    assert "用户名或密码错误" in main.inner_text()
    main.get_by_label("用户名").fill("xiang_officer")
    main.get_by_label("密码").fill(PW)
    main.get_by_role("button", name="登录").click()
    wait_idle(page)
    assert "已登录：xiang_officer（乡镇干部，区域 433124T01）" in main.inner_text()
    shoot(page, "login-signed-in")

    page.locator('[data-testid="stSidebarNav"]').get_by_text("月报更正").click()
    wait_idle(page)
    assert "月报更正" in main.inner_text()
    field = "natural_villages"  # the first field of the 花垣 programme (the form's default)
    other_before = _value(login_db, OTHER, field)
    n_audit = len(audit.load_audit(db.get_engine(login_db)))

    _save(page, wait_idle, OWN, 7)
    assert "已保存" in main.inner_text(), main.inner_text()
    assert _value(login_db, OWN, field) == 7
    log = audit.load_audit(db.get_engine(login_db))
    assert len(log) == n_audit + 1 and log["user"].iat[-1] == "xiang_officer"
    shoot(page, "login-own-township-saved")

    _save(page, wait_idle, OTHER, 9)
    err = page.locator('[data-testid="stAlertContentError"]')
    assert err.count() == 1
    text = err.first.inner_text()
    assert "无权限" in text and OTHER in text and "乡镇干部" in text and "未写入任何数据" in text
    assert _value(login_db, OTHER, field) == other_before
    assert len(audit.load_audit(db.get_engine(login_db))) == n_audit + 1
    shoot(page, "login-other-township-refused")
