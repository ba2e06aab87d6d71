"""Status rules per kind of target, each at its edges, with the documents' own figures.

No document defines traffic lights: every rule is a labelled default (assumed), but which
kind a target is follows its clause: a rate (花垣 一(二) 家庭宽带接入率40%以上), a count
(谭家场 二 2023年底完成4个行政村; 融水 三 示范社23个; 银川 四(三) 村均培训5人), a yes/no
(融水 三 建成1个县级运营中心) or a requirement on every unit (银川 四(三) 每个移民村至少有1名
电商扶贫高级人才). Only a rate has an amber band; a count is never judged in percentage points.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ruralcore.app import overview as ov
from ruralcore.rules import targets as tg
from ruralcore.kernel.errors import ProgramFileError
from ruralcore.rules.programs import load_program, load_program_file

HY, TJC, RS, YC = (load_program(p) for p in ("huayuan-2019", "tanjiachang-2023", "rongshui-2019", "yinchuan-2017"))


def _tile(program, fields, regions, code):
    return ov.target_tiles(program, fields, None, regions).set_index("target").loc[code]


# ---- rate: 花垣 一(二) “全县…家庭宽带接入率40%以上”; amber band 10 points (assumed) ----------
@pytest.mark.parametrize("broadband, status", [
    (400, "green"),   # 40.0 %: met
    (399, "amber"),   # 39.9 %: 0.1 point short
    (300, "amber"),   # 30.0 %: exactly 10 points short, still within the band
    (299, "red"),     # 29.9 %: beyond the band
])
def test_rate_target_has_its_amber_band(broadband, status):
    fields = pd.DataFrame({"households": [1000], "broadband_households": [broadband]},
                          index=pd.Index(["村"], name="region"))
    r = tg.evaluate(HY, fields).set_index("target").loc["home_broadband_county"]
    assert r["kind"] == "rate" and r["status"] == status
    assert HY.status_rule("rate").amber_within == 10 and HY.status_rule("rate").is_assumed


# ---- count: 谭家场 二 “2023年底…完成4个行政村数字乡村建设” -------------------------------------
def _tjc(done: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    codes = [f"V{i:02d}" for i in range(11)]  # 二: 全乡11个行政村
    regions = pd.DataFrame({"code": ["T", *codes], "name": ["谭家场乡", *codes],
                            "level": ["township", *["village"] * 11], "parent": ["", *["T"] * 11]},
                           ).set_index("code", drop=False)
    fields = pd.DataFrame({"villages": 1, "digital_village_done": [1] * done + [0] * (11 - done)},
                          index=pd.Index(codes, name="region"))
    return fields, regions


@pytest.mark.parametrize("done, status", [(0, "red"), (3, "red"), (4, "green"), (11, "green")])
def test_count_target_is_met_or_not_never_near(done, status):
    fields, regions = _tjc(done)
    t = _tile(TJC, fields, regions, "digital_villages_4_2023")
    # on today's main “完成0个，目标4个” showed 接近: 4 − 0 = 4 “points” within a 10-point band
    assert t["kind"] == "count" and t["value"] == done and t["status"] == status
    assert "数量目标" in t["rule"] and "二" in t["rule"]


def test_count_targets_of_other_documents():
    # 融水 三 “其中示范社23个”: 21 built is short, not 接近
    fields = pd.DataFrame({"demo_selected": [21]}, index=pd.Index(["450225101"], name="region"))
    r = tg.evaluate(RS, fields, level="township").set_index("target").loc["demo_23"]
    assert r["value"] == 21 and r["status"] == "red"
    # 银川 四(三) “村均培训电子商务人才5人以上，从业人员达到10人以上”: 0 and 0 are red, not 接近
    y = pd.DataFrame({"villages": [1, 1], "ecommerce_trained": [0, 0], "ecommerce_practitioners": [0, 0]},
                     index=pd.Index(["640104001", "640104002"], name="region"))
    e = tg.evaluate(YC, y).set_index("target")
    assert e.at["ecommerce_trained_5", "status"] == "red" and e.at["practitioners_10", "status"] == "red"
    assert e.at["ecommerce_trained_5", "kind"] == e.at["practitioners_10", "kind"] == "count"


# ---- yes/no: 融水 三 “2019年全县建成1个县级运营中心” ---------------------------------------------
@pytest.mark.parametrize("built, status", [(0, "red"), (1, "green")])
def test_yes_no_target(built, status):
    fields = pd.DataFrame({"county_centre_built": [built]}, index=pd.Index(["450225"], name="region"))
    r = tg.evaluate(RS, fields, level="county").set_index("target").loc["county_centre_one"]
    assert r["kind"] == "yes_no" and r["status"] == status


# ---- every unit: 银川 四(三) “实现每个移民村至少有1名电商扶贫高级人才” --------------------------------
def _yc(talents: list, regions_extra: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    codes = [f"64010400{i + 1}" for i in range(len(talents) + regions_extra)]
    regions = pd.DataFrame({"code": ["640100", "640104", *codes], "name": ["银川市", "兴庆区", *[f"{c[-1]}村" for c in codes]],
                            "level": ["city", "county", *["village"] * len(codes)],
                            "parent": ["", "640100", *["640104"] * len(codes)]}).set_index("code", drop=False)
    fields = pd.DataFrame({"villages": 1, "senior_ecommerce_talents": talents},
                          index=pd.Index(codes[: len(talents)], name="region"))
    return fields, regions


def test_every_village_target_is_not_met_by_a_total():
    fields, regions = _yc([2, 0, 0])  # 2 of 3 villages have none: the total 2 ≥ 1 proves nothing
    t = _tile(YC, fields, regions, "senior_talent_each")
    assert t["value"] == 2 and t["kind"] == "every_unit"
    assert t["status"] == "red"  # today's main: green
    assert t["units_text"] == "3个村中1个达标"
    assert t["failing"] == ["2村（0人）", "3村（0人）"]


@pytest.mark.parametrize("talents, extra, status, text", [
    ([1, 1, 1], 0, "green", "3个村中3个达标"),
    ([1, 1], 1, "incomplete", "3个村中2个达标，1个未报送（或未填此项）"),  # cannot be judged met
    ([1, 0], 1, "red", "3个村中1个达标，1个未报送（或未填此项）"),
])
def test_every_village_target_edges(talents, extra, status, text):
    fields, regions = _yc(talents, extra)
    t = _tile(YC, fields, regions, "senior_talent_each")
    assert (t["status"], t["units_text"]) == (status, text)
    if extra:
        assert t["unreported"] == ["3村"]


def test_every_village_rates_have_no_amber_band_in_the_drill_down():
    """花垣 一(一) “所有村（社区）4G网络覆盖率达100%”: a village at 90 % is short, not 接近;
    its own county-level rates keep the band."""
    fields = pd.DataFrame({"natural_villages": [10], "natural_villages_4g": [9], "natural_villages_fiber": [10],
                           "residents": [100], "mobile_phone_users": [65], "internet_4g_users": [70],
                           "households": [10], "broadband_households": [4]},
                          index=pd.Index(["433124T01001"], name="region"))
    regions = pd.DataFrame({"code": ["433124T01001"], "name": ["演示村"], "level": ["village"], "parent": [""]},
                           ).set_index("code", drop=False)
    det = ov.region_detail(HY, fields, "433124T01001", regions).set_index("indicator")
    assert det.at["coverage_4g", "status"] == "red"
    assert det.at["phone_penetration", "status"] == "amber"  # 65 % against 70 %: a rate within 10 points


# ---- the model: a band belongs to rates only, and a kind must fit its indicator -----------
def _write(tmp_path, pid, edit):
    from ruralcore.rules.programs import PROGRAMS_DIR
    text = (PROGRAMS_DIR / f"{pid}.yaml").read_text(encoding="utf-8")
    path = tmp_path / f"{pid}.yaml"
    path.write_text(edit(text), encoding="utf-8")
    return path


def test_a_count_rule_cannot_borrow_a_band(tmp_path):
    path = _write(tmp_path, "tanjiachang-2023",
                  lambda t: t.replace("  - kind: count\n", "  - kind: count\n    amber_within: 10\n", 1))
    with pytest.raises(ProgramFileError, match="数量目标不设黄灯区间"):
        load_program_file(path)


def test_a_count_cannot_be_judged_as_a_rate(tmp_path):
    path = _write(tmp_path, "tanjiachang-2023", lambda t: t.replace(
        'threshold: 4, kind: count', 'threshold: 4, kind: rate', 1))
    with pytest.raises(ProgramFileError, match="不是百分比，不能按比率目标判定"):
        load_program_file(path)


def test_every_measured_target_has_a_kind_and_a_rule():
    for p in (HY, TJC, RS, YC, load_program("xinzhou-2023")):
        for t in p.targets:
            if t.indicator:
                assert p.status_rule(t.kind).ref and p.status_rule(t.kind).is_assumed, (p.id, t.code)
    kinds = {t.code: t.kind for t in YC.targets if t.indicator}
    assert kinds["senior_talent_each"] == "every_unit" and kinds["coverage_4g_90"] == "rate"
    assert kinds["hospitals_10"] == "count" and {t.kind for t in RS.targets if t.code == "county_centre_one"} == {"yes_no"}
    assert not np.isnan(TJC.status_rule("rate").amber_within)


# ---- where the rules are published: `ruralcore show --json` and 政策文件与规则 ------------------
@pytest.mark.parametrize("pid", ["huayuan-2019", "rongshui-2019", "tanjiachang-2023", "xinzhou-2023", "yinchuan-2017"])
def test_show_json_lists_every_targets_status_rule(pid, capsys):
    import json

    from ruralcore.cli import main
    assert main(["show", pid, "--json"]) == 0
    s = json.loads(capsys.readouterr().out)
    measured = [t for t in s["targets"] if t["indicator"]]
    assert measured and all(t["status_rule"]["kind"] == t["kind"] for t in measured)
    for t in measured:
        rule = t["status_rule"]
        assert rule["text"] and rule["ref"] and rule["assumed"], t["code"]  # 文件未规定：理由
        assert (rule["amber_within"] is not None) == (t["kind"] == "rate")
    assert {r["kind"] for r in s["status_rules"]} >= {t["kind"] for t in measured}


def test_show_table_marks_the_rules_as_defaults(capsys):
    from ruralcore.cli import main
    assert main(["show", "yinchuan-2017"]) == 0
    out = capsys.readouterr().out
    assert "【判定规则（红黄绿灯）】" in out and "数量目标：达到目标数为绿" in out
    assert "文件未规定，系统默认：文件未规定红黄绿灯" in out


def test_a_county_count_does_not_colour_townships():
    """融水 附件1: 206 standard stations are the county's target; a township's 11 stations are
    neither met nor missed against 206 (the compare bars drew every township red)."""
    info = ov.indicator_info(RS)
    assert ov.compare_target(info, "standard_built", "township") == (None, None)
    assert ov.compare_target(info, "standard_built", "county") == (206.0, ">=")
    assert ov.compare_target(info, "liuyou_rate", "township") == (100.0, ">=")  # a percentage compares anywhere
    yinfo = ov.indicator_info(YC)  # 四(三) one senior talent per village, not per district
    assert ov.compare_target(yinfo, "senior_ecommerce_talents", "county") == (None, None)


# ---- ties: competition ranking, cuts that take every unit tied at the cut ----------------
def test_competition_ranking_and_cuts_take_the_whole_tie():
    from ruralcore.rules import ranking
    r = ranking.competition_rank([np.array([100, 100, 100, 90, 80.0]), np.array([1, 1, 1, 1, 1.0])])
    assert r.tolist() == [1, 1, 1, 4, 5]
    assert ranking.rank_labels(r) == ["1（并列）", "1（并列）", "1（并列）", "4", "5"]
    # on the pages a province's ranks read with thousands separated, like its counts
    assert ranking.rank_labels([25209, 25209, 1000000, None], grouped=True) == [
        "25,209（并列）", "25,209（并列）", "1,000,000", "—"]
    assert ranking.thousands(np.array([0, 999, 1000, 1002003])).tolist() == ["0", "999", "1,000", "1,002,003"]
    # 忻州's circular “排名前三位”: a tie at the third place is named whole, not cut by code
    assert ranking.cut([1, 1, 3, 3, 5], 3, "top").tolist() == [True, True, True, True, False]
    assert ranking.cut([1, 2, 3, 3, 3], 3, "bottom").tolist() == [False, False, True, True, True]
    assert ranking.cut([1, 2, 2, 4], 2, "top", "code_order", ["d", "c", "b", "a"]).tolist() == [True, False, True, False]
    assert ranking.cut_text(["甲", "乙", "丙"], [1, 1, 3], [True, True, True]) == "第1名：甲、乙（2个并列）；第3名：丙"


def test_displayed_scores_never_show_two_awards_alike():
    from ruralcore.rules import scoring
    # 花垣 三(二) 前10名优秀: the 10th (99.934, 优秀) and the 11th (99.901, 达标) read 99.9 at one decimal
    scores, awards = [100.0, 99.934103, 99.901388, 79.96], ["excellent", "excellent", "qualified", "not_qualified"]
    d = scoring.shown_decimals(scores, awards)
    assert d == 2 and scoring.truncate(scores, d).tolist() == [100.0, 99.93, 99.9, 79.96]
    # cut, not rounded: 79.96 is below 计分须达到80分以上 and never reads 80.0
    assert scoring.truncate([79.96], 1).tolist() == [79.9]
