"""A county demo database with demo households and one account, built once per session;
every test gets a private copy (refused and allowed writes must not leak between tests)."""
from __future__ import annotations

import sqlite3

import pytest
import sqlalchemy as sa

from ruralcore.store import db
from ruralcore.kernel.principal import system

ACCOUNT_VILLAGE = "433124T01001"  # a 花垣 demo village


@pytest.fixture(scope="session")
def accounts_demo_file(tmp_path_factory):
    from ruralcore.auth import accounts
    from ruralcore.demo import build_demo

    path = tmp_path_factory.mktemp("accounts-demo") / "demo.db"
    url = f"sqlite:///{path}"
    eng = db.get_engine(url)
    build_demo(eng, "county")
    accounts.create_account(eng, "village_user", "village_reporter", ACCOUNT_VILLAGE, "Cun-2019-huayuan", by=system("测试"))
    db.dispose(url)
    return path


@pytest.fixture
def demo_url(accounts_demo_file, tmp_path):
    dst = tmp_path / "copy.db"
    with sqlite3.connect(accounts_demo_file) as a, sqlite3.connect(dst) as b:
        a.backup(b)
    url = f"sqlite:///{dst}"
    yield url
    db.dispose(url)


@pytest.fixture
def demo(demo_url) -> sa.Engine:
    return db.get_engine(demo_url)
