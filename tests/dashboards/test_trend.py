"""The monthly trend summed in the database equals the roll-up of every region's rows."""
from __future__ import annotations

import numpy as np
import pytest

from ruralcore.app import overview as ov
from ruralcore.rules.programs import load_program


@pytest.mark.parametrize("program_id", ["huayuan-2019", "rongshui-2019", "yinchuan-2017",
                                        "tanjiachang-2023", "xinzhou-2023"])
def test_trend_from_store_equals_rollup_of_every_row(demo_engine, program_id):
    program = load_program(program_id)
    periods = ov.periods(demo_engine, program_id)
    rows = ov.trend(program, {p: ov.load_month(demo_engine, program_id, p) for p in periods})
    summed = ov.trend_from_store(demo_engine, program)
    assert list(summed.index) == periods and set(summed.columns) == set(rows.columns)
    rows = rows[summed.columns]
    np.testing.assert_allclose(summed.to_numpy(dtype=float), rows.to_numpy(dtype=float), rtol=1e-12, equal_nan=True)
    # up to a month: later months left out
    cut = ov.trend_from_store(demo_engine, program, upto=periods[5])
    assert list(cut.index) == periods[:6]
