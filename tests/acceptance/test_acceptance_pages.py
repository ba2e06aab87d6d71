"""The 试点验收 pages under AppTest on the demo database: one 融水 station case from
completion to city acceptance, one through rectification and re-inspection, every due
date shown compared with ruralcore.rules.workdays (National Day 2019, Spring Festival 2023),
the refusal of a pass with a failing item, and a stale edit refused."""
from __future__ import annotations

import datetime as dt

import pytest

from ruralcore.app import cases
from ruralcore.rules import workdays
from ruralcore.kernel.fmt import date_zh
from ruralcore.rules.programs import load_program
from ruralcore.kernel.principal import system

P = load_program("rongshui-2019")
D = dt.date
CASES_PAGE, CHECK_PAGE = "acceptance/cases.py", "acceptance/check.py"


def _metric(at, label):
    return next(m for m in at.metric if m.label == label)


def _ok(at):
    assert not at.exception, [e.value for e in at.exception]


def _steps(at):
    """The 各环节期限 table: step name → (due, done, 情况)."""
    df = at.dataframe[0].value
    return {r["环节"]: (r["期限"], r["完成日期"], r["情况"]) for r in df.to_dict("records")}


def _success(at):
    return " ".join(s.value for s in at.success)


def _open_on_list_page(acc_app, number, completed, as_of):
    at = acc_app(CASES_PAGE, state={"acc_as_of": as_of})
    _ok(at)
    at.selectbox(key="acc_new_subject").set_value(number).run()
    at.date_input(key=f"acc_new_completed_{number}").set_value(completed).run()
    at.text_input(key="acc_new_inspectors").input("张三、李四").run()
    at.button(key="acc_new").click().run()
    _ok(at)
    case_id = at.session_state["acc_case"]
    due = workdays.add_workdays(completed, 5)
    assert f"申请验收期限：{date_zh(due)}" in _success(at)
    return at, case_id, due


def test_case_from_completion_to_city_acceptance(acc_app, acc_engine, new_station):
    number = new_station()
    as_of = D(2019, 9, 30)
    at, case_id, apply_due = _open_on_list_page(acc_app, number, D(2019, 9, 27), as_of)
    assert apply_due == D(2019, 10, 10)  # 5 working days across National Day (09-29 is a make-up day)
    at.run()
    table = at.dataframe[0].value.set_index("案件")
    assert table.at[case_id, "期限"] == "2019年10月10日"
    assert table.at[case_id, "工作日"] == f"剩{workdays.count_workdays(as_of, apply_due)}个工作日" == "剩3个工作日"
    assert table.at[case_id, "当前环节"] == "申请验收"
    listed = cases.list_cases(acc_engine, P, as_of)
    assert _metric(at, "逾期").value == f"{int(listed['overdue'].sum())}件"
    assert _metric(at, "已建成").value == f"{int((listed['state'] == 'built').sum())}件"

    at.switch_page(CHECK_PAGE).run()
    _ok(at)
    assert at.selectbox(key="acc_case").value == case_id
    assert _metric(at, "期限").value == "2019年10月10日"
    assert _steps(at)["申请验收"][0] == "2019年10月10日"

    at.date_input(key="acc_apply_on").set_value(D(2019, 10, 10)).run()
    at.button(key="acc_do_apply").click().run()
    _ok(at)
    inspect_due = workdays.add_workdays(D(2019, 10, 10), 15)
    assert inspect_due == D(2019, 10, 30)
    assert f"初检期限：{date_zh(inspect_due)}" in _success(at)
    steps = _steps(at)
    assert steps["申请验收"] == ("2019年10月10日", "2019年10月10日", "按期完成")
    assert steps["初检"][0] == "2019年10月30日"
    assert steps["初检"][2] == f"剩{workdays.count_workdays(as_of, inspect_due)}个工作日"

    at.date_input(key="acc_inspect_on").set_value(D(2019, 10, 15)).run()
    assert not at.error  # the complete station fails nothing
    at.button(key="acc_do_pass").click().run()
    _ok(at)
    assert "已记录初检合格（2019年10月15日）" in _success(at)
    assert _metric(at, "状态").value == "初检合格，待市级验收认定"
    assert any(b.label.startswith("下载验收记录") for b in at.get("download_button"))

    at.date_input(key="acc_city_on").set_value(D(2019, 11, 1)).run()
    at.button(key="acc_do_city").click().run()
    _ok(at)
    assert "已记录市级验收认定（2019年11月1日）" in _success(at)
    case = cases.get_case(acc_engine, case_id)
    assert case["state"] == "accepted" and case["city_accepted_on"] == D(2019, 11, 1)
    assert _steps(at)["市级验收认定"][1] == "2019年11月1日"


def test_case_through_rectification_and_reinspection_spring_festival(acc_app, acc_engine, new_station):
    number = new_station()
    as_of = D(2023, 1, 19)
    at, case_id, apply_due = _open_on_list_page(acc_app, number, D(2023, 1, 19), as_of)
    # 2023 Spring Festival: 01-21..27 off, 01-28 and 01-29 make-up working days
    assert apply_due == D(2023, 1, 31)
    at.switch_page(CHECK_PAGE).run()
    assert _metric(at, "期限").value == "2023年1月31日"
    at.date_input(key="acc_apply_on").set_value(D(2023, 1, 28)).run()
    at.button(key="acc_do_apply").click().run()
    _ok(at)
    assert _steps(at)["初检"][0] == date_zh(workdays.add_workdays(D(2023, 1, 28), 15))

    at.date_input(key="acc_inspect_on").set_value(D(2023, 2, 6)).run()
    at.number_input(key=f"acc_{case_id}_eq_info_wall").set_value(0).run()
    # the failing item and its clause are shown at once
    assert any("益农信息社信息墙（附件2 序号4）：现有0，应至少1" in e.value for e in at.error)
    at.button(key="acc_do_pass").click().run()
    refusal = " ".join(e.value for e in at.error)
    assert "未保存" in refusal and "必备项“益农信息社信息墙”（附件2 序号4）不合格，不能记为验收合格" in refusal
    assert cases.get_case(acc_engine, case_id)["state"] == "applied"

    rectify_due = workdays.add_workdays(D(2023, 2, 6), int(P.setting("rectify_within_workdays")))
    assert f"不合格时整改期限：{date_zh(rectify_due)}" in " ".join(c.value for c in at.caption)
    at.button(key="acc_do_fail").click().run()
    _ok(at)
    assert f"整改期限：{date_zh(rectify_due)}" in _success(at)
    assert _metric(at, "状态").value == "整改中"
    assert _metric(at, "期限").value == date_zh(rectify_due)
    assert _steps(at)["整改"][0] == date_zh(rectify_due)

    at.date_input(key="acc_rectified_on").set_value(D(2023, 2, 20)).run()
    at.button(key="acc_do_rectified").click().run()
    _ok(at)
    reinspect_due = workdays.add_workdays(D(2023, 2, 20), 15)
    assert _metric(at, "当前环节").value == "复检"
    assert _steps(at)["复检"][0] == date_zh(reinspect_due) == _metric(at, "期限").value
    assert _steps(at)["整改"][2] == "按期完成"

    # re-inspection: the station now has its 信息墙
    assert at.number_input(key=f"acc_{case_id}_eq_info_wall").value == 1
    at.date_input(key="acc_inspect_on").set_value(D(2023, 2, 24)).run()
    at.button(key="acc_do_pass").click().run()
    _ok(at)
    assert "已记录复检合格（2023年2月24日）" in _success(at)
    case = cases.get_case(acc_engine, case_id)
    assert case["state"] == "passed" and case["reinspected_on"] == D(2023, 2, 24)
    log = cases.case_audit(acc_engine, case_id)
    assert set(log["user"]) == {"县农业农村局验收组"}
    assert list(log[log["field"] == "state"]["new"]) == ["applied", "rectifying", "reinspecting", "passed"]


def test_stale_edit_on_the_page_is_refused(acc_app, acc_engine, new_station):
    from ruralcore.store import write
    from ruralcore.store.models import AcceptanceCase

    number = new_station()
    case = cases.open_case(acc_engine, P, "station", number, "2019-09-27", system("甲"))
    at = acc_app(CHECK_PAGE, state={"acc_as_of": D(2019, 9, 30), "acc_case": case["id"]})
    _ok(at)
    # someone else changes the case while this page is open (same state, new version)
    write.update(acc_engine, AcceptanceCase, case["id"], {"inspectors": "王五"}, case["version"], system("另一位验收员"))
    at.date_input(key="acc_apply_on").set_value(D(2019, 10, 10))
    at.button(key="acc_do_apply").click().run()
    errors = " ".join(e.value for e in at.error)
    assert "未保存" in errors and "已被 另一位验收员" in errors and "本次未保存" in errors
    assert "本案件已被他人修改（您读取的是版本 1，当前为版本 2）" in " ".join(w.value for w in at.warning)
    now = cases.get_case(acc_engine, case["id"])
    assert now["applied_on"] is None and now["version"] == 2
    assert "另一位验收员" in set(cases.case_audit(acc_engine, case["id"])["user"])
    # after refreshing, the same step goes through with the new version
    at.button(key="acc_refresh").click().run()
    at.date_input(key="acc_apply_on").set_value(D(2019, 10, 10))
    at.button(key="acc_do_apply").click().run()
    _ok(at)
    assert cases.get_case(acc_engine, case["id"])["applied_on"] == D(2019, 10, 10)


@pytest.mark.parametrize("program", ["xinzhou-2023", "huayuan-2019"])
def test_other_programmes_render(acc_app, program):
    at = acc_app(CASES_PAGE, program=program, state={"acc_as_of": D(2024, 1, 31)})
    _ok(at)
    at.switch_page(CHECK_PAGE).run()
    _ok(at)
