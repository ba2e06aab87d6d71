"""Fixtures for the acceptance tests: one county-scale demo database per session (its
regions, stations and cases), DATABASE_URL pointed at it for AppTest, and a factory for
complete 融水 standard stations (all of 附件2's equipment, 六有, one officer with 48 hours)
so each test works on its own station. The pages' AppTests sign in first (a county
administrator of the programme's county, or as asked); ``login=None`` stays signed out.

The database is built like the dashboards' (tests.support.build_demo_database) but is a
separate one: these tests add stations, cases and accounts, which the dashboard tests'
expectations of the demo data must not see."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.acceptance.helpers import add_station
from tests.support import _fresh_caches, build_demo_database, open_app  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
# the region a test account of each programme administers (融水县, 花垣县, 忻州市)
PROGRAM_REGION = {"rongshui-2019": "450225", "huayuan-2019": "433124", "xinzhou-2023": "140900"}
INSPECTOR = "县农业农村局验收组"  # the default signed-in account's user name


@pytest.fixture(scope="session")
def acc_db_url(tmp_path_factory) -> str:
    return build_demo_database(tmp_path_factory, "acceptance-db")


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
    def make(page: str, program: str = "rongshui-2019", state: dict | None = None, timeout: float = 120,
             login: tuple | None | str = "default"):
        if login == "default":
            region = PROGRAM_REGION[program]
            login = ("county_admin", region, f"{INSPECTOR}{region}" if region != "450225" else INSPECTOR)
        return open_app(acc_engine, page=page, program=program, login=login, state=state, timeout=timeout)

    return make


def pytest_collection_modifyitems(items):  # noqa: D401 - pytest hook
    os.environ.setdefault("STREAMLIT_BROWSER_GATHER_USAGE_STATS", "false")
