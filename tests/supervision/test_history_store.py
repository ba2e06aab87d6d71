"""逐级查看's monthly history of one region reads only that region's rows (its members' for a
region above the report level) and must equal region_history over every month loaded whole."""
from __future__ import annotations

import pandas as pd
import pytest

from ruralcore.app import overview as ov
from ruralcore.rules.programs import all_programs

PROGRAMS = [p.id for p in all_programs()]


def _whole_months(engine, program_id):
    return {p: ov.load_month(engine, program_id, p) for p in ov.periods(engine, program_id)}


@pytest.mark.parametrize("program_id", PROGRAMS)
def test_history_of_one_region_is_the_whole_months_history(demo_engine, program_id):
    program = next(p for p in all_programs() if p.id == program_id)
    regions = ov.region_frame(demo_engine, program_id)
    monthly = _whole_months(demo_engine, program_id)
    latest = monthly[max(monthly)]
    units = list(ov.unit_rows(program, latest).index)
    assert units, "the demo reports some units"
    group_level = ov.compare_level(program)
    groups = [g for g in ov.compare_table(program, latest, regions, group_level).index if g in regions.index]
    checked = 0
    for region in units[:2] + units[-1:] + groups[:2]:
        want = ov.region_history(program, monthly, region, regions)
        got = ov.history_from_store(demo_engine, program, region, regions)
        assert not want.empty, region
        pd.testing.assert_frame_equal(got, want, check_dtype=False, check_exact=False, rtol=1e-12,
                                      check_like=True)  # the columns in any order
        checked += 1
    assert checked >= 3


def test_history_stops_at_upto(demo_engine):
    program = next(p for p in all_programs() if p.id == PROGRAMS[0])
    regions = ov.region_frame(demo_engine, program.id)
    have = ov.periods(demo_engine, program.id)
    unit = ov.unit_rows(program, ov.load_month(demo_engine, program.id, have[-1])).index[0]
    got = ov.history_from_store(demo_engine, program, unit, regions, upto=have[-2])
    assert list(got.index) == [p for p in have[:-1] if p in got.index] and have[-1] not in got.index
