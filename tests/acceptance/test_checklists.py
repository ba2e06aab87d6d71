"""Checklists generated from the programme files and evaluated by the engines, with the
documents' figures: 忻州 17 township / 18 village indicators; 融水 附件2 12 items for a
standard station and 3 for a professional or simple one, 4 of 4 / at least 2 of 4
services, 六有, 48 training hours; 花垣 pass line 80 points."""
from __future__ import annotations

import pandas as pd
import pytest

from ruralcore.app import checklists
from ruralcore.kernel.errors import InputError
from ruralcore.rules.programs import load_program

R = load_program("rongshui-2019")
X = load_program("xinzhou-2023")
H = load_program("huayuan-2019")


def _complete(stype="standard", **changes):
    obs = checklists.station_observed_template(R, stype)
    for k in obs:
        if k.startswith(("svc_", "ly_")):
            obs[k] = True
        elif k.startswith("eq_"):
            obs[k] = 1
    obs.update(broadband_mbps=20, officers=[{"officer": "张敏", "training_hours": 48}],
               number={"standard": "桂BRS0001B", "professional": "桂BRS0002Z", "simple": "桂BRS0003J"}[stype])
    obs.update(changes)
    return obs


def test_complete_standard_station_passes():
    cl = checklists.station_checklist(R, _complete())
    assert checklists.passed(cl)
    assert (cl["group"] == "设备配置").sum() == 12  # 附件2: 12 items for a standard station
    assert (cl["group"] == "六有").sum() == 6
    assert cl.set_index("item").at["training_hours_min", "result"] == "pass"  # 48 hours is enough


def test_missing_info_wall_fails_with_its_clause():
    cl = checklists.station_checklist(R, _complete(eq_info_wall=0))
    f = checklists.failures(cl)
    assert f["name"].tolist() == ["益农信息社信息墙"]
    assert f["ref"].tolist() == ["附件2 序号4"]
    assert f["reason"].tolist() == ["现有0，应至少1"]


def test_services_four_of_four_for_standard_two_of_four_otherwise():
    three = dict(svc_training=False)
    assert checklists.failures(checklists.station_checklist(R, _complete(**three)))["item"].tolist() == ["services"]
    two = dict(svc_training=False, svc_ecommerce=False)
    basic = checklists.station_checklist(R, _complete("simple", **two))
    assert checklists.passed(basic)
    assert (basic["group"] == "设备配置").sum() == 3  # 专业站或简易站: 门头, 授权牌, 信息墙
    one = checklists.station_checklist(R, _complete("professional", svc_training=False, svc_ecommerce=False,
                                                    svc_convenience=False))
    assert "至少应提供2类" in checklists.failures(one).set_index("item").at["services", "reason"]


def test_training_hours_below_48_and_liuyou_and_number():
    cl = checklists.station_checklist(R, _complete(officers=[{"officer": "张敏", "training_hours": 47}],
                                                   ly_webpage=False, number="桂BRS0001Z"))
    f = checklists.failures(cl).set_index("item")
    assert "应不少于48学时" in f.at["training_hours_min", "reason"] and f.at["training_hours_min", "ref"] == "五(二)2"
    assert f.at["ly_webpage", "ref"] == "五(一)4"
    assert f.at["number", "reason"] == "编号应为 桂BRS0001B"  # a standard station ends in B (附件2)


def test_optional_led_screen_excused():
    cl = checklists.station_checklist(R, _complete(eq_led_screen=0, excused_led_screen=True))
    assert checklists.passed(cl)
    assert cl.set_index("item").at["eq_led_screen", "value"].startswith("免配")


def test_pilot_checklists_have_17_and_18_indicators():
    built = checklists.built_state(X)
    states = pd.DataFrame({"item": ["party_building"], "state": [built], "evidence": ["现场照片"],
                           "attachments": ["党建平台截图.png"]})
    town = checklists.pilot_checklist(X, "township", states)
    village = checklists.pilot_checklist(X, "village", states)
    ref_rows = lambda cl: (~cl["group"].isin(["汇总", "依法依规"])).sum()  # noqa: E731
    assert ref_rows(town) == 17 and ref_rows(village) == 18
    # 二(二): 四制 and permits are checked for every pilot; nobody has confirmed them yet
    assert (town["group"] == "依法依规").sum() == 5 and not checklists.passed(town)
    law = pd.DataFrame({"item": [i.code for i in X.checklist(checklists.PILOT_COMPLIANCE).items], "result": "pass",
                        "note": ""})
    town = checklists.pilot_checklist(X, "township", states, law)
    assert checklists.passed(town)
    assert "党建平台截图.png" in town.set_index("item").at["party_building", "value"]
    none = checklists.pilot_checklist(X, "township", states.assign(state="partly"))
    f = checklists.failures(checklists.pilot_checklist(X, "township", states.assign(state="partly"), law))
    assert f["item"].tolist() == ["indicators_built"] and "少于1项" in f["reason"].iloc[0]
    with pytest.raises(InputError, match="建设状态“done”无效"):
        checklists.pilot_checklist(X, "village", states.assign(state="done"))


def test_huayuan_village_eight_aspects_and_pass_line():
    codes = [i.code for a in H.rubric.aspects for i in a.indicators]
    full = pd.Series({c: 100.0 for c in codes}, name="V1")
    cl = checklists.village_checklist(H, full)
    assert (cl["group"] == "评分方面").sum() == 8
    assert cl.set_index("item").at["score", "value"] == "100.00分" and checklists.passed(cl)
    low = full.copy()
    low[[i.code for i in H.rubric.aspects[0].indicators]] = 0  # lose the 20 points of “双百工程”
    low[[i.code for i in H.rubric.aspects[1].indicators]] = 0  # and the 15 of 移动手机使用
    f = checklists.failures(checklists.village_checklist(H, low))
    assert f["reason"].tolist() == ["总分65.00分，低于合格线80分"]
    # 计分须达到80分以上: a total just below the line is cut, never rounded up to “80.00分”
    near = full.copy()
    near["home_broadband"] = 39.99  # 15 × 39.99 / 40 = 14.99625 of the 宽带接入 aspect's 15 points
    near[[i.code for i in H.rubric.aspects[0].indicators]] = 0  # lose 双百工程's 20: 79.99625 in all
    cl = checklists.village_checklist(H, near).set_index("item")
    assert cl.at["score", "value"] == "79.99分" and cl.at["score", "result"] == "fail"
