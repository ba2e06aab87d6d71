"""Issue 12 item 4 and 8: what the documents do not say is labelled 文件未规定，系统默认 with its
reason, wherever it is used; duties without a number are listed with their clause.

花垣 (一(一)、一(二)、三(一)、五(三)): the partial-credit formula, the per-village 70/70/40
full-score values (the document's 70 % / 70 % / 40 % are county targets), the coverage
definitions, and “2019年6月前” read as 2019-05-31. 融水 (七(三)2、七(三)3、五(一)3、六(三)):
the re-inspection limit (only the initial inspection has “15个工作日内”), recovering an
advance when rectification is late, and 2019-09-30 for the four services."""
from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from ruralcore.rules import acceptance, scoring
from ruralcore.app import checklists, funding
from ruralcore.cli import main
from ruralcore.rules.programs import ASSUMED_LABEL, load_program

HY, RS = load_program("huayuan-2019"), load_program("rongshui-2019")


def show(capsys, pid):
    assert main(["show", pid, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_huayuan_inventions_carry_their_reason_in_show_json(capsys):
    s = show(capsys, "huayuan-2019")
    r = s["rubric"]
    assert r["formula"]["method"] == "proportional" and "未随文公布" in r["formula"]["assumed"]
    full = {i["code"]: i for a in r["aspects"] for i in a["indicators"]}
    for code, pct in [("phone_penetration", 70), ("internet_4g_penetration", 70), ("home_broadband", 40)]:
        assert full[code]["target"] == pct and f"{pct}%是全县目标" in full[code]["assumed"]
    inds = {i["code"]: i for i in s["indicators"]}
    for code in ("coverage_4g", "fiber_reach", "phone_penetration", "internet_4g_penetration", "home_broadband"):
        assert "计算口径" in inds[code]["assumed"], code
    ms = {m["code"]: m for m in s["milestones"]}
    assert ms["mobile_capability"]["due"] == "2019-05-31" and "2019年6月前" in ms["mobile_capability"]["assumed"]


def test_rongshui_inventions_carry_their_reason_in_show_json(capsys):
    s = show(capsys, "rongshui-2019")
    st = {x["code"]: x for x in s["settings"]}
    assert st["inspect_within_workdays"]["value"] == 15 and not st["inspect_within_workdays"]["assumed"]  # 七(三)3
    assert st["reinspect_within_workdays"]["value"] == 15 and "未规定复检时限" in st["reinspect_within_workdays"]["assumed"]
    assert st["recover_advance_if_rectification_overdue"]["value"] is True
    assert "预付资金与督查整改相挂钩" in st["recover_advance_if_rectification_overdue"]["assumed"]
    t = next(x for x in s["targets"] if x["code"] == "standard_four_services_all")
    assert t["due"] == "2019-09-30" and "未规定" in t["assumed"]


@pytest.mark.parametrize("pid", ["huayuan-2019", "rongshui-2019", "tanjiachang-2023", "xinzhou-2023", "yinchuan-2017"])
def test_show_json_gives_every_target_a_status_rule(pid, capsys):
    s = show(capsys, pid)
    for t in s["targets"]:
        rule = t["status_rule"]
        assert rule and rule["text"] and rule["ref"], t["code"]
        assert rule["assumed"], t["code"]  # no document sets traffic lights


def test_score_cli_states_the_formula_and_the_70_70_40_defaults(tmp_path, capsys):
    f = tmp_path / "v.csv"
    f.write_text("region,coverage_4g,fiber_reach,phone_penetration,internet_4g_penetration,home_broadband,"
                 "xiangqing_net,group_ringtone,cloud_mas,study_room\n甲村,100,100,35,70,40,是,是,100,是\n", encoding="utf-8")
    assert main(["score", "huayuan-2019", "--values", str(f)]) == 0
    out = capsys.readouterr().out
    assert f"给分办法：各方面得分＝该方面分值×" in out and f"（{ASSUMED_LABEL}：附件1" in out
    assert f"满分值“移动手机普及率≥70%”{ASSUMED_LABEL}" in out and f"满分值“家庭宽带接入率≥40%”{ASSUMED_LABEL}" in out
    # the formula at work: 35 % of the 70 % full-score value → half of 移动手机使用's 15 points
    assert scoring.score(HY, pd.DataFrame([{"coverage_4g": 100, "fiber_reach": 100, "phone_penetration": 35,
                                            "internet_4g_penetration": 70, "home_broadband": 40, "xiangqing_net": 100,
                                            "group_ringtone": 100, "cloud_mas": 100, "study_room": 100}],
                                          index=["甲村"]))["score"].iloc[0] == 92.5


def test_village_acceptance_checklist_labels_the_defaults():
    vals = pd.Series({"coverage_4g": 100, "fiber_reach": 100, "phone_penetration": 70, "internet_4g_penetration": 70,
                      "home_broadband": 40, "xiangqing_net": 100, "group_ringtone": 100, "cloud_mas": 100,
                      "study_room": 100}, name="甲村")
    cl = checklists.village_checklist(HY, vals).set_index("item")
    assert "70%是全县目标" in cl.at["mobile_phone", "assumed"]
    assert "未随文公布" in cl.at["score", "assumed"]
    assert f"（{ASSUMED_LABEL}）" in checklists.display(cl.reset_index()).set_index("依据条款", drop=False).index[-1]


def test_reinspection_limit_is_the_assumed_setting():
    """复检: rectified 2019-07-01 (Monday) → due 15 working days later, 2019-07-22."""
    cases = pd.DataFrame([{"case": 1, "completed": "2019-06-03", "applied": "2019-06-05", "inspected": "2019-06-20",
                           "result": "failed", "rectified": "2019-07-01"}])
    out = acceptance.case_status(RS, cases, dt.date(2019, 7, 2))
    assert out.at[0, "step"] == "reinspect" and out.at[0, "due"] == dt.date(2019, 7, 22)
    text = acceptance.limits_text(RS)
    assert "收到申请后15个工作日内安排初检（七(三)3）" in text
    assert f"整改完成后15个工作日内安排复检（{ASSUMED_LABEL}：文件只规定" in text


def test_recovering_an_advance_is_labelled_a_default():
    amounts = funding.subsidy_amounts(RS)
    kind = next(iter(amounts))
    out = funding.settle_subsidies(RS, pd.DataFrame({"station": ["站1"], "type": [kind], "accepted": [False],
                                                     "advance_yuan": [100], "rectification_overdue": [True]}))
    assert out.at[0, "status"] == f"整改逾期，收回预拨（{ASSUMED_LABEL}）" and out.at[0, "recover_yuan"] == 100


def test_funds_cli_says_when_the_document_gives_no_amounts(capsys):
    assert main(["funds", "rongshui-2019"]) == 0
    out = capsys.readouterr().out
    assert "合计：0 元" not in out and "合计：无法计算——文件未给出金额的有4项" in out  # 七(二): 按桂农业发〔2018〕20号执行
    assert main(["funds", "yinchuan-2017"]) == 0
    assert "合计：每年2,000,000 元" in capsys.readouterr().out  # 七(二) 每年…200万元


@pytest.mark.parametrize("pid, code, clause, words", [
    ("huayuan-2019", "poor_household_discounts", "二", "向建档立卡户提供专属优惠"),
    ("xinzhou-2023", "four_systems", "二(二)", "项目法人制、招标投标制、工程监理制、合同管理制"),
    ("xinzhou-2023", "permits", "二(二)", "依法取得规划、建设、施工等许可文件"),
    ("xinzhou-2023", "report_important", "四(五)", "重要情况随时报告"),
    ("yinchuan-2017", "trainee_files", "四(三)", "建立学员档案"),
])
def test_duties_without_a_number_are_listed_with_their_clause(pid, code, clause, words, capsys):
    """(融水 八(二) 专款专用 is a funding rule with its categories: issue 12 item 6.)"""
    req = {r["code"]: r for r in show(capsys, pid)["requirements"]}
    assert req[code]["ref"] == clause and words in req[code]["name"]
    assert main(["show", pid]) == 0
    assert words in capsys.readouterr().out


def test_xinzhou_four_systems_and_permits_are_acceptance_items():
    """忻州 二(二) 落实项目法人制、招标投标制、工程监理制、合同管理制等规定，依法取得规划、建设、
    施工等许可文件: five required items of every pilot's checklist; one nobody confirmed is
    不合格 (未核验) and blocks a pass; permits alone may be 不适用 (system default)."""
    xz = load_program("xinzhou-2023")
    none = pd.DataFrame(columns=["item", "state", "evidence", "attachments"])
    cl = checklists.pilot_checklist(xz, "village", none).set_index("item")
    law = cl[cl.index.str.startswith("law_")]
    assert list(law["name"]) == ["项目法人制", "招标投标制", "工程监理制", "合同管理制", "规划、建设、施工等许可文件"]
    assert set(law["ref"]) == {"二(二)"} and law["required"].all()
    assert (law["result"] == "fail").all() and (law["value"] == "未核验").all()
    assert set(checklists.failures(cl.reset_index())["item"]) >= set(law.index)
    found = pd.DataFrame([{"item": c.removeprefix("law_"), "result": "pass", "note": ""} for c in law.index[:4]]
                         + [{"item": "permits", "result": "na", "note": "纯软件平台"}])
    ok = checklists.pilot_checklist(xz, "village", none, found).set_index("item")
    assert set(ok.loc[law.index, "result"]) == {"pass", "na"}
    assert ok.at["law_permits", "assumed"] and "law_permits" not in set(checklists.failures(ok.reset_index())["item"])
    with pytest.raises(Exception, match="必备项"):
        checklists.pilot_checklist(xz, "village", none, pd.DataFrame([{"item": "tendering", "result": "na", "note": ""}]))


def test_targets_cli_names_the_defaults_it_uses(tmp_path, capsys):
    """融水 五(一)3 4类服务全覆盖: the 2019-09-30 deadline is a default, said beside the result."""
    f = tmp_path / "v.csv"
    f.write_text("region,standard_services\n融水镇,100\n", encoding="utf-8")
    assert main(["targets", "rongshui-2019", "--values", str(f)]) == 0
    out = capsys.readouterr().out
    assert f"注：标准站实现4类服务行政村全覆盖的目标{ASSUMED_LABEL}——文件未规定标准站4类服务全覆盖的完成时限" in out
