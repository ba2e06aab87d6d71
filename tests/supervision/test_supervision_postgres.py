"""The supervision loaders read the same pilots, money and reports from PostgreSQL as
from SQLite: board, scorecard and laggards are equal on both demo databases."""
from __future__ import annotations

import pandas as pd

from ruralcore.app import supervision as sv
from ruralcore.demo import build_demo
from ruralcore.rules.programs import load_program
from ruralcore.store.db import get_engine
from tests.support import fresh_database

XZ = load_program("xinzhou-2023")


def test_board_and_scorecard_equal_on_postgresql(demo_engine, tmp_path):
    with fresh_database("postgresql", tmp_path, "supervision") as url:
        pg = get_engine(url)
        build_demo(pg, "county")
        a = sv.supervise(sv.load_pilot_data(demo_engine, XZ), "2023-11")
        b = sv.supervise(sv.load_pilot_data(pg, XZ), "2023-11")
        cols = ["pilot", "state", *sv.STEPS, "days_behind", "indicators_built", "city_received_yuan",
                "county_matching_yuan", "spent_yuan", "report", "last_period"]
        pd.testing.assert_frame_equal(a["board"][cols], b["board"][cols], check_dtype=False)
        pd.testing.assert_frame_equal(a["scorecard"], b["scorecard"], check_dtype=False)
        assert a["laggards"]["pilot"].tolist() == b["laggards"]["pilot"].tolist()
        assert b["board"]["spent_yuan"].dtype == "int64"
