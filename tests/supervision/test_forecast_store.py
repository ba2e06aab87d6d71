"""预警 over the store: the months are read in one narrow query and the targets evaluated
for all of them at once (ruralcore.rules.targets.values_by_month), which must give exactly what
ruralcore.rules.targets.evaluate gives month by month; the warnings from the last N months alone
are those from every month; one region's series for the chart is that region's rows."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ruralcore.app import forecast as fc
from ruralcore.app import overview as ov
from ruralcore.rules.programs import all_programs
from ruralcore.rules.targets import evaluate

PROGRAMS = [p.id for p in all_programs()]
KEY = ["region", "target", "period"]


def _month_by_month(engine, program) -> pd.DataFrame:
    """The reference: every stored month loaded whole and evaluated on its own."""
    regions = ov.region_frame(engine, program.id)
    dated = set(fc.dated_targets(program)["target"])
    parts = []
    for p in ov.periods(engine, program.id):
        ev = evaluate(program, ov.load_month(engine, program.id, p), region_frame=regions)
        ev = ev[ev["target"].isin(dated)]
        parts.append(pd.DataFrame({"region": ev["region"].astype(object), "region_name": ev["region_name"].astype(object),
                                   "target": ev["target"].astype(object), "period": p,
                                   "value": ev["value"].astype("float64")}))
    out = pd.concat(parts, ignore_index=True).dropna(subset=["value"])
    return out.sort_values(KEY).reset_index(drop=True)


@pytest.mark.parametrize("program_id", PROGRAMS)
def test_one_pass_series_is_evaluate_month_by_month(demo_engine, program_id):
    program = next(p for p in all_programs() if p.id == program_id)
    want = _month_by_month(demo_engine, program)
    got, tg = fc.series_from_store(demo_engine, program, ov.periods(demo_engine, program_id)[-1])
    got = got.dropna(subset=["value"]).sort_values(KEY).reset_index(drop=True)
    assert len(want) > 0 and len(got) == len(want)
    assert (got[KEY + ["region_name"]].to_numpy(dtype=object) == want[KEY + ["region_name"]].to_numpy(dtype=object)).all()
    np.testing.assert_allclose(got["value"], want["value"], rtol=0, atol=1e-9)
    assert set(got["target"]) <= set(tg["target"])


@pytest.mark.parametrize("program_id", PROGRAMS)
def test_warnings_from_the_last_months_are_those_from_every_month(demo_engine, program_id):
    program = next(p for p in all_programs() if p.id == program_id)
    period = ov.periods(demo_engine, program_id)[-1]
    full = fc.from_store(demo_engine, program, period, pace=True)
    recent = fc.from_store(demo_engine, program, period)
    cols = [c for c in full.columns if c != "behind_from"]  # the verdicts' own path (project_values)
    assert list(recent.columns) == list(full.columns)
    assert len(recent) and recent[cols].equals(full[cols])
    assert recent["behind_from"].isna().all()


@pytest.mark.parametrize("program_id, target", [
    ("huayuan-2019", "coverage_4g_all"),            # a village: its own rows
    ("huayuan-2019", "phone_penetration_county"),   # the only county: every row
    ("xinzhou-2023", "cases_all"),                  # one of several counties: the rows of its pilots
    ("rongshui-2019", "liuyou_all"),                # a township, the report level
])
def test_one_series_for_the_chart_reads_only_its_rows(demo_engine, program_id, target):
    program = next(p for p in all_programs() if p.id == program_id)
    period = ov.periods(demo_engine, program.id)[-1]
    every, _ = fc.series_from_store(demo_engine, program, period)
    for region in every[every["target"] == target]["region"].unique()[:3]:
        one, _ = fc.series_from_store(demo_engine, program, period, target=target, region=region)
        want = every[(every["target"] == target) & (every["region"] == region)]
        assert len(one) > 1 and set(one["region"]) == {region} and set(one["target"]) == {target}
        np.testing.assert_array_equal(one.sort_values("period")["value"], want.sort_values("period")["value"])


def test_members_are_the_rows_rolled_into_a_region(demo_engine):
    from ruralcore.rules import indicators as ind

    program = next(p for p in all_programs() if p.id == "xinzhou-2023")
    regions = ov.region_frame(demo_engine, program.id)
    county = regions[regions["level"] == "county"]["code"].iloc[0]
    listed = ind.members(program, county, "county", regions)
    keys = ind.group_keys(program, pd.Index(listed, dtype=object), "county", regions)
    assert county in listed and (keys == county).all()
    assert any(code.startswith("XZ") for code in listed)  # its pilots, by pilot code
    huayuan = next(p for p in all_programs() if p.id == "huayuan-2019")
    only = ov.region_frame(demo_engine, huayuan.id)
    assert ind.members(huayuan, only[only["level"] == "county"]["code"].iloc[0], "county", only) is None
