"""预警 over the store: the months are read in one narrow query and the targets evaluated
for all of them at once (ruralcore.targets.values_by_month), which must give exactly what
ruralcore.targets.evaluate gives month by month; the warnings from the last N months alone
are those from every month; one region's series for the chart is that region's rows."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ruralcore import forecast as fc
from ruralcore import overview as ov
from ruralcore.programs import all_programs
from ruralcore.targets import evaluate

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
    cols = ["region", "target", "value", "projected", "verdict", "needed_per_month"]
    assert len(recent) and recent[cols].equals(full[cols])
    assert recent["behind_from"].isna().all()


def test_one_series_for_the_chart(demo_engine):
    program = next(p for p in all_programs() if p.id == "huayuan-2019")
    period = ov.periods(demo_engine, program.id)[-1]
    every, _ = fc.series_from_store(demo_engine, program, period)
    for target in ("coverage_4g_all", "phone_penetration_county"):  # a village's / the county's
        region = every[every["target"] == target]["region"].iloc[0]
        one, _ = fc.series_from_store(demo_engine, program, period, target=target, region=region)
        want = every[(every["target"] == target) & (every["region"] == region)]
        assert len(one) > 1 and set(one["region"]) == {region} and set(one["target"]) == {target}
        assert one.sort_values("period")["value"].tolist() == want.sort_values("period")["value"].tolist()
