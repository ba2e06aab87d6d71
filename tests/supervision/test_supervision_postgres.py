"""The supervision loaders read the same pilots, money and reports from PostgreSQL as
from SQLite: board, scorecard and laggards are equal on both demo databases."""
from __future__ import annotations

import os

import pandas as pd
import sqlalchemy as sa

from ruralcore import supervision as sv
from ruralcore.demo import build_demo
from ruralcore.programs import load_program
from ruralcore.store.db import get_engine
from tests.conftest import skip_or_fail

XZ = load_program("xinzhou-2023")


def test_board_and_scorecard_equal_on_postgresql(demo_engine):
    url = os.environ.get("TEST_POSTGRES_URL")
    if not url:
        skip_or_fail("TEST_POSTGRES_URL not set (run scripts/test.sh)")
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    name = "ruralcore_supervision_test"
    with admin.connect() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name}"))
        conn.execute(sa.text(f"CREATE DATABASE {name}"))
    admin.dispose()
    pg = get_engine(sa.make_url(url).set(database=name).render_as_string(hide_password=False))
    build_demo(pg, "county")
    a = sv.supervise(sv.load_pilot_data(demo_engine, XZ), "2023-11")
    b = sv.supervise(sv.load_pilot_data(pg, XZ), "2023-11")
    cols = ["pilot", "state", *sv.STEPS, "days_behind", "indicators_built", "city_received_yuan",
            "county_matching_yuan", "spent_yuan", "report", "last_period"]
    pd.testing.assert_frame_equal(a["board"][cols], b["board"][cols], check_dtype=False)
    pd.testing.assert_frame_equal(a["scorecard"], b["scorecard"], check_dtype=False)
    assert a["laggards"]["pilot"].tolist() == b["laggards"]["pilot"].tolist()
    assert b["board"]["spent_yuan"].dtype == "int64"
