"""Every storage test runs on a fresh SQLite file and on a fresh PostgreSQL database
(created on the TEST_POSTGRES_URL server, dropped afterwards)."""
from __future__ import annotations

import pytest

from ruralcore.store import db
from tests.support import fresh_database


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    with fresh_database(request.param, tmp_path, "store") as url:
        yield url


@pytest.fixture
def engine(db_url):
    return db.get_engine(db_url)
