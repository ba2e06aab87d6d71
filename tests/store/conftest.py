"""Every storage test runs on a fresh SQLite file and on a fresh PostgreSQL database
(created on the TEST_POSTGRES_URL server, dropped afterwards)."""
from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from ruralcore.store import db
from tests.support import skip_or_fail





@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'store.db'}"
        yield url
        db.dispose(url)
        return
    server = os.environ.get("TEST_POSTGRES_URL")
    if not server:
        skip_or_fail("TEST_POSTGRES_URL 未设置：PostgreSQL 存储测试需要 scripts/test.sh 启动的服务器")
    name = f"rc_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.make_url(server).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        db.dispose(url)
        with admin.connect() as c:
            c.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def engine(db_url):
    return db.get_engine(db_url)
