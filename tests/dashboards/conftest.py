"""Shared fixtures for the dashboard tests: one county-scale demo database per test
session (tests.support.build_demo_database), DATABASE_URL pointed at it, an AppTest factory
for the app (tests.support.open_app), and ``demo_file``, a module's private copy of it."""
from __future__ import annotations

import pytest

from tests.support import _fresh_caches, build_demo_database, open_app, sqlite_copy  # noqa: F401


@pytest.fixture(scope="session")
def demo_db_url(tmp_path_factory) -> str:
    """URL of a county-scale demo database, built once per session. The dashboard tests
    expect it as built: tests that write use a copy (demo_file)."""
    return build_demo_database(tmp_path_factory, "demo-db")


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
    def make(program: str | None = None, page: str | None = None, query: dict | None = None,
             timeout: float = 120, login: tuple | None = AUDITOR):
        if login is not None and len(login) == 2:
            role, region = login
            login = (role, region, f"test-{role}-{region or 'all'}")
        return open_app(demo_engine, page=page, program=program, login=login, query=query, timeout=timeout)

    return make


@pytest.fixture(scope="module")
def demo_file(demo_db_url, tmp_path_factory):
    """The session demo database copied once for a test module that writes (test_entry,
    test_whatif); its tests copy it again per test or read it."""
    return sqlite_copy(demo_db_url, tmp_path_factory.mktemp("demo-file") / "demo.db")
