"""ruralcore.app.overview.value_status: the colours of 逐级查看's 乡镇 and 村 tables follow the
tiles' rule (targets.target_status), per level: a per-village target judges each village,
and a township by its villages (red when one misses it, 未报齐 when one has no value); a
county target judges a rate's roll-up at any level, never a part's count."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ruralcore.app import overview as ov
from ruralcore.rules import targets as tg
from ruralcore.demo import build_demo
from ruralcore.rules.programs import load_program
from ruralcore.store import db

HY = load_program("huayuan-2019")
RS = load_program("rongshui-2019")


@pytest.fixture(scope="module")
def eng(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('value-status') / 'demo.db'}"
    e = db.get_engine(url)
    build_demo(e, "county")
    yield e
    db.dispose(url)


def _month(eng, program):
    return ov.load_month(eng, program.id, max(ov.periods(eng, program.id))), ov.region_frame(eng, program.id)


def test_villages_by_the_tiles_rule_and_townships_by_their_worst_village(eng):
    fields, regions = _month(eng, HY)
    villages = ov.value_status(HY, fields, regions, "village")
    values = ov.village_values(HY, fields)
    target = next(t for t in HY.targets if t.indicator == "coverage_4g")  # 一(一) 每个村 4G 100%
    met, gap = tg.compare(values["coverage_4g"].to_numpy(), target.op, target.threshold)
    assert list(villages["coverage_4g"]) == list(tg.target_status(HY, target, met, gap))
    towns = ov.value_status(HY, fields, regions, "township")
    parent = ov.parents_at(HY, regions, villages.index, "township")
    for town in towns.index:
        mine = villages.loc[parent == town, "coverage_4g"]
        want = "red" if (mine == "red").any() else "green"
        assert towns.at[town, "coverage_4g"] == want, town
    assert (towns["coverage_4g"] == "red").any() and (towns["coverage_4g"] == "green").any()


def test_a_county_rate_target_judges_a_township_roll_up(eng):
    fields, regions = _month(eng, HY)
    towns = ov.value_status(HY, fields, regions, "township")
    table = ov.compare_table(HY, fields, regions, "township")
    target = next(t for t in HY.targets if t.indicator == "home_broadband")  # 一(二) 全县 ≥ 40 %
    assert target.applies_to == "county"
    met, gap = tg.compare(table["home_broadband"].to_numpy(), target.op, target.threshold)
    assert list(towns["home_broadband"]) == list(tg.target_status(HY, target, met, gap))
    assert (towns[["xiangqing_net", "group_ringtone", "cloud_mas"]] == "").all().all()  # rubric only: no target


def test_a_county_count_is_not_judged_on_a_township(eng):
    fields, regions = _month(eng, RS)
    towns = ov.value_status(RS, fields, regions, "township")
    # 融水 附件1: 206 standard stations over the county; one township's count is no match for it
    assert (towns["standard_built"] == "").all()
    assert set(towns["liuyou_rate"]) <= {"green", "amber", "red", "no_data"}  # a township target: judged


def test_a_village_without_the_value_leaves_its_township_incomplete(eng):
    fields, regions = _month(eng, HY)
    towns = ov.value_status(HY, fields, regions, "township")
    green = towns.index[towns["office_cloud"] == "green"][0]
    villages = regions.index[(regions["parent"] == green).to_numpy()]
    blank = fields.copy()
    need = [f for f in HY.indicator("office_cloud").fields] if HY.indicator("office_cloud").fields else []
    need = need or [HY.indicator("office_cloud").numerator]
    blank.loc[blank.index == villages[0], need] = np.nan
    after = ov.value_status(HY, blank, regions, "township")
    assert after.at[green, "office_cloud"] == "incomplete"
