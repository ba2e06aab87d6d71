"""Regions in the store: synced from the region files' frame, loaded back in the same shape."""
from __future__ import annotations

import pandas as pd

from ruralcore.rules.regions import COLUMNS
from ruralcore.store import audit
from ruralcore.store import regions as store_regions
from ruralcore.kernel.principal import system

# 花垣县 and two of its townships (huayuan-2019: 12 townships)
FRAME = pd.DataFrame([
    ("433124", "花垣县", "county", "", "huayuan-2019", "", "official", "一"),
    ("433124100", "花垣镇", "township", "433124", "huayuan-2019", "", "official", "附件"),
    ("433124101", "龙潭镇", "township", "433124", "huayuan-2019", "", "official", "附件"),
], columns=COLUMNS)


def test_sync_twice_changes_nothing_the_second_time(engine):
    assert store_regions.sync_regions(engine, FRAME, system("管理员")) == 3
    assert store_regions.sync_regions(engine, FRAME, system("管理员")) == 0
    assert len(audit.load_audit(engine, table="regions")) == 3
    back = store_regions.load_regions(engine)
    assert list(back.columns) == COLUMNS and list(back.index) == list(back["code"])
    pd.testing.assert_frame_equal(back.reset_index(drop=True), FRAME.astype("str").sort_values("code").reset_index(drop=True))


def test_changed_name_is_one_audited_update(engine):
    store_regions.sync_regions(engine, FRAME, system("管理员"))
    renamed = FRAME.copy()
    renamed.loc[2, "name"] = "龙潭镇（新）"
    assert store_regions.sync_regions(engine, renamed, system("张三")) == 1
    log = audit.load_audit(engine, user="张三")
    assert len(log) == 1
    assert tuple(log.iloc[0][["action", "key", "field", "old", "new"]]) == \
        ("update", "433124101", "name", "龙潭镇", "龙潭镇（新）")
    assert store_regions.load_regions(engine).loc["433124101", "name"] == "龙潭镇（新）"


def test_load_by_program(engine):
    other = pd.DataFrame([("450225", "融水苗族自治县", "county", "", "rongshui-2019", "", "official", "")], columns=COLUMNS)
    store_regions.sync_regions(engine, pd.concat([FRAME, other]), system("管理员"))
    assert list(store_regions.load_regions(engine, "rongshui-2019")["code"]) == ["450225"]
    assert len(store_regions.load_regions(engine, "huayuan-2019")) == 3
    assert store_regions.load_regions(engine, "none").empty
