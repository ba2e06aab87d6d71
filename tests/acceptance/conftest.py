"""Fixtures for the acceptance tests: one county-scale demo database per session (its
regions, stations and cases), DATABASE_URL pointed at it for AppTest, and a factory for
complete 融水 standard stations (all of 附件2's equipment, 六有, one officer with 48 hours)
so each test works on its own station. The pages' AppTests sign in first (a county
administrator of the programme's county, or as asked); ``login=None`` stays signed out."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.acceptance.helpers import add_station
from tests.login_support import sign_in_token

ROOT = Path(__file__).resolve().parents[2]
# the region a test account of each programme administers (融水县, 花垣县, 忻州市)
PROGRAM_REGION = {"rongshui-2019": "450225", "huayuan-2019": "433124", "xinzhou-2023": "140900"}
INSPECTOR = "县农业农村局验收组"  # the default signed-in account's user name
APP = ROOT / "dashboards" / "app.py"


@pytest.fixture(scope="session")
def acc_db_url(tmp_path_factory) -> str:
    from ruralcore.demo import build_demo
    from ruralcore.store import db

    url = f"sqlite:///{tmp_path_factory.mktemp('acceptance-db') / 'county.db'}"
    build_demo(db.get_engine(url), "county")
    return url


@pytest.fixture(scope="session")
def acc_engine(acc_db_url):
    from ruralcore.store import db
    return db.get_engine(acc_db_url)


@pytest.fixture
def new_station(acc_engine):
    return lambda **kw: add_station(acc_engine, **kw)


@pytest.fixture
def acc_env(acc_db_url, monkeypatch) -> str:
    monkeypatch.setenv("DATABASE_URL", acc_db_url)
    return acc_db_url


@pytest.fixture
def acc_app(acc_env, acc_engine):
    """make(page, program, state, login) → an AppTest of dashboards/app.py on ``page``,
    signed in as ``login`` = (role, region, user name); by default a county administrator
    of the programme's region named 县农业农村局验收组; None: signed out."""
    from streamlit.testing.v1 import AppTest

    def make(page: str, program: str = "rongshui-2019", state: dict | None = None, timeout: float = 120,
             login: tuple | None | str = "default"):
        at = AppTest.from_file(str(APP), default_timeout=timeout)
        if login == "default":
            region = PROGRAM_REGION[program]
            login = ("county_admin", region, f"{INSPECTOR}{region}" if region != "450225" else INSPECTOR)
        if login is not None:
            at.session_state["auth_token"] = sign_in_token(acc_engine, *login)
        at.session_state["program"] = program
        for k, v in (state or {}).items():
            at.session_state[k] = v
        at.run()
        at.switch_page(page)
        at.run()
        return at

    return make


@pytest.fixture(autouse=True)
def _fresh_caches():
    import streamlit as st
    st.cache_data.clear()
    yield


def pytest_collection_modifyitems(items):  # noqa: D401 - pytest hook
    os.environ.setdefault("STREAMLIT_BROWSER_GATHER_USAGE_STATS", "false")
