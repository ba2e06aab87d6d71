"""Helpers shared by test folders (import as ``from tests.support import …``).

RURALCORE_REQUIRE_ALL=1 (set by CI) turns a missing PostgreSQL server or browser into a
failure instead of a skip, so CI cannot pass by skipping."""
from __future__ import annotations

import os
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest

REQUIRE_ALL = os.environ.get("RURALCORE_REQUIRE_ALL") == "1"


def skip_or_fail(reason: str) -> None:
    if REQUIRE_ALL:
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


@contextmanager
def fresh_database(kind: str, directory, tag: str = "test") -> Iterator[str]:
    """URL of a new, empty database: a SQLite file in ``directory``, or a uniquely named
    database on the TEST_POSTGRES_URL server (dropped afterwards; skip_or_fail without it)."""
    from ruralcore.store import db

    if kind == "sqlite":
        url, drop = f"sqlite:///{Path(directory) / f'{tag}.db'}", None
    else:
        url, drop = _new_postgres_database(tag)
    try:
        yield url
    finally:
        db.dispose(url)  # close the cached engine's connections before dropping its database
        if drop:
            drop()


def _new_postgres_database(tag: str):
    """A new database on the TEST_POSTGRES_URL server: its URL and the function that drops it."""
    import sqlalchemy as sa

    server = os.environ.get("TEST_POSTGRES_URL")
    if not server:
        skip_or_fail("TEST_POSTGRES_URL 未设置：PostgreSQL 测试需要 scripts/test.sh 启动的服务器")
    name = f"rc_{tag}_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(sa.text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as c:
            c.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    return sa.make_url(server).set(database=name).render_as_string(hide_password=False), drop
