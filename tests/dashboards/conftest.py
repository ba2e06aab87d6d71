"""Shared fixtures for the dashboard tests: one county-scale demo database per test
session (built by ruralcore's own demo builder in a temporary directory), DATABASE_URL
pointed at it, and an AppTest factory for the app."""
from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "dashboards" / "app.py"


@pytest.fixture(scope="session")
def demo_db_url(tmp_path_factory) -> str:
    """URL of a county-scale demo database, built once per session."""
    from ruralcore.demo import build_demo
    from ruralcore.store import db

    path = tmp_path_factory.mktemp("demo-db") / "county.db"
    url = f"sqlite:///{path}"
    build_demo(db.get_engine(url), "county")
    return url


@pytest.fixture(scope="session")
def demo_engine(demo_db_url):
    from ruralcore.store import db
    return db.get_engine(demo_db_url)


@pytest.fixture
def demo_env(demo_db_url, monkeypatch) -> str:
    """DATABASE_URL set to the demo database for this test (pages read it)."""
    monkeypatch.setenv("DATABASE_URL", demo_db_url)
    return demo_db_url


# who the pages' tests sign in as unless they ask otherwise: the auditor reads everything
AUDITOR = ("auditor", "")


@pytest.fixture
def app_test(demo_env, demo_engine):
    """make(program=None, page=None, query=None, login=AUDITOR) → an AppTest of
    dashboards/app.py that has run once (on ``page`` when given), with the programme chosen
    in the session, signed in as ``login`` = (role, region) or (role, region, user name);
    ``login=None`` stays signed out."""
    from streamlit.testing.v1 import AppTest

    from tests.login_support import sign_in

    def make(program: str | None = None, page: str | None = None, query: dict | None = None,
             timeout: float = 120, login: tuple | None = AUDITOR):
        at = AppTest.from_file(str(APP), default_timeout=timeout)
        if login is not None:
            role, region, *name = login
            sign_in(at, demo_engine, role, region, name[0] if name else f"test-{role}-{region or 'all'}")
        if program:
            at.session_state["program"] = program
        for k, v in (query or {}).items():
            at.query_params[k] = v
        at.run()
        if page:
            at.switch_page(page)
            at.run()
        return at

    return make


@pytest.fixture(autouse=True)
def _fresh_caches():
    """Streamlit's caches live in the process: clear them so tests do not see each other."""
    import streamlit as st
    st.cache_data.clear()
    yield
