"""Region files and the 忻州 pilot list (附件3)."""
from __future__ import annotations

import pandas as pd
import pytest

from ruralcore.kernel.errors import InputError
from ruralcore.rules.programs import program_ids
from ruralcore.rules.regions import (
    COLUMNS, LEVEL_NAMES, PILOT_COLUMNS, REGIONS_DIR, ancestors_at, load_pilots, load_regions,
    program_regions,
)


@pytest.fixture(scope="module")
def regions():
    return load_regions()


def test_region_files_are_consistent(regions):
    assert list(regions.columns) == COLUMNS
    assert regions["code"].is_unique
    assert set(regions["program"]) == set(program_ids())
    assert set(regions["level"]) <= set(LEVEL_NAMES)
    assert set(regions["code_source"]) == {"official", "generated"}
    assert (regions["ref"].str.len() > 0).all() and (regions["name"].str.len() > 0).all()
    has_parent = regions["parent"] != ""
    assert regions.loc[has_parent, "parent"].isin(regions.index).all()
    # a child sits below its parent and in the same programme
    order = {lvl: i for i, lvl in enumerate(["city", "county", "township", "village"])}
    child = regions[has_parent]
    par = regions.loc[child["parent"]]
    assert (child["level"].map(order).to_numpy() > par["level"].map(order).to_numpy()).all()
    assert (child["program"].to_numpy() == par["program"].to_numpy()).all()
    # official codes are national statistical codes: digits only
    official = regions[regions["code_source"] == "official"]["code"]
    assert official.str.fullmatch(r"\d{6}(\d{3})?").all()


def test_official_codes(regions):
    want = {"433124": "花垣县", "431223": "辰溪县", "431223222": "谭家场乡", "450200": "柳州市",
            "450225": "融水苗族自治县", "640100": "银川市", "140900": "忻州市", "140902": "忻府区",
            "140921": "定襄县", "140922": "五台县", "140923": "代县", "140924": "繁峙县",
            "140925": "宁武县", "140926": "静乐县", "140927": "神池县", "140928": "五寨县",
            "140929": "岢岚县", "140930": "河曲县", "140931": "保德县", "140932": "偏关县",
            "140981": "原平市"}
    assert regions.loc[list(want), "name"].to_dict() == want
    assert (regions.loc[list(want), "code_source"] == "official").all()


def test_huayuan_has_9_towns_and_3_townships():
    r = program_regions("huayuan-2019")
    towns = r[r["level"] == "township"]
    assert len(towns) == 12 and (towns["parent"] == "433124").all()
    assert towns["kind"].value_counts().to_dict() == {"镇": 9, "乡": 3}
    assert (towns["code_source"] == "generated").all()


def test_tanjiachang_villages_are_not_invented():
    r = program_regions("tanjiachang-2023")
    assert r["name"].tolist() == ["怀化市", "辰溪县", "谭家场乡"]
    assert r.loc["431223", "parent"] == "431200"
    assert not (r["level"] == "village").any()


def test_rongshui_townships_in_annex1_order():
    r = program_regions("rongshui-2019")
    towns = r[r["level"] == "township"]
    assert len(towns) == 20 and (towns["parent"] == "450225").all()
    assert towns["name"].iloc[0] == "融水镇" and towns["name"].iloc[-1] == "白云乡"
    assert towns["ref"].iloc[9] == "附件1 序号10" and towns["name"].iloc[9] == "安陲乡"
    assert r.loc["450225", "parent"] == "450200"


def test_xinzhou_counties(regions):
    r = program_regions("xinzhou-2023")
    counties = r[r["level"] == "county"]
    assert len(counties) == 15 and (counties["parent"] == "140900").all()
    wts = counties[counties["name"] == "五台山风景名胜区"]
    assert len(wts) == 1 and wts["code_source"].iloc[0] == "generated"
    assert (counties["code_source"] == "official").sum() == 14


def test_xinzhou_pilots_resolve_to_their_regions(regions):
    p = load_pilots("xinzhou-2023")
    assert list(p.columns[:len(PILOT_COLUMNS)]) == PILOT_COLUMNS
    assert (p["level"] == p["pilot_type"]).all()
    lvl = p["region_code"].map(regions["level"])
    assert (lvl == p["pilot_type"]).all()
    # the county named in 附件3 is the county-level ancestor of the pilot's region
    county = ancestors_at(regions, p["region_code"], "county").map(regions["name"])
    assert (county == p["county"]).all()
    # village pilots are named as in 附件3: township + village
    v = p[p["pilot_type"] == "village"]
    parent_town = v["region_code"].map(regions["parent"]).map(regions["name"])
    assert (parent_town + v["region_code"].map(regions["name"]) == v["name"]).all()
    assert "秀容街道南关村" in set(v["name"]) and "繁城镇南关村" in set(v["name"])


def test_xinzhou_special_pilots_accepted_as_they_are(regions):
    p = load_pilots("xinzhou-2023").set_index("name")
    for name, kind in (("驼梁景区", "景区"), ("代县党群服务中心", "党群服务中心")):
        code = p.loc[name, "region_code"]
        assert regions.loc[code, "kind"] == kind and regions.loc[code, "level"] == "township"
    pianguan = {"新关镇", "窑头乡", "楼沟乡", "尚峪镇", "老牛湾镇", "万家寨镇", "老营镇", "水泉镇"}
    t = load_pilots("xinzhou-2023")
    assert set(t[(t["county"] == "偏关县") & (t["pilot_type"] == "township")]["name"]) == pianguan


def test_pilot_file_problems_name_row_and_column(tmp_path):
    good = pd.read_csv(REGIONS_DIR / "pilots" / "xinzhou-2023.csv", dtype=str, keep_default_na=False)
    bad = good.copy()
    bad.loc[3, "pilot_type"] = "乡镇"
    bad.loc[10, "region_code"] = "999999"
    bad.loc[12, "pilot_code"] = bad.loc[11, "pilot_code"]
    bad.to_csv(tmp_path / "xinzhou-2023.csv", index=False)
    with pytest.raises(InputError) as exc:
        load_pilots("xinzhou-2023", directory=tmp_path)
    msg = str(exc.value)
    assert "第5行" in msg and "pilot_type" in msg
    assert "第12行" in msg and "region_code" in msg and "999999" in msg
    assert "第14行" in msg and "pilot_code" in msg
    assert len(exc.value.problems) == 3


def test_no_pilot_file_is_an_input_error():
    with pytest.raises(InputError, match="没有试点名单"):
        load_pilots("huayuan-2019")
