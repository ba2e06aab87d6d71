"""The 试点验收 pages and the login: the case list and a case are readable signed out, but
opening a case or recording a step asks to sign in and writes nothing; an account of
another county (花垣) is refused on a 融水 station case in Chinese, nothing written; an
inspector of 融水 records the application as itself."""
from __future__ import annotations

import datetime as dt

from ruralcore import cases
from ruralcore.programs import load_program

P = load_program("rongshui-2019")
D = dt.date
CASES_PAGE, CHECK_PAGE = "acceptance/cases.py", "acceptance/check.py"
LOGIN_HINT = "请先在“登录”页面登录"


def _ok(at):
    assert not at.exception, [e.value for e in at.exception]


def _n_cases(engine) -> int:
    return len(cases.list_cases(engine, P, D(2019, 9, 30)))


def test_signed_out_the_list_shows_but_a_case_is_not_opened(acc_app, acc_engine, new_station):
    number = new_station()
    at = acc_app(CASES_PAGE, state={"acc_as_of": D(2019, 9, 30)}, login=None)
    _ok(at)
    assert at.dataframe and "案件" in at.dataframe[0].value.columns  # the list is readable
    assert any("未登录" in c.value for c in at.sidebar.caption)
    assert not [t for t in at.text_input if t.label == "操作人"]
    before = _n_cases(acc_engine)
    at.selectbox(key="acc_new_subject").set_value(number).run()
    at.button(key="acc_new").click().run()
    _ok(at)
    assert any(LOGIN_HINT in w.value for w in at.warning)
    assert _n_cases(acc_engine) == before
    assert number in set(cases.openable_subjects(acc_engine, P)["subject"])


def test_signed_out_a_step_is_not_recorded(acc_app, acc_engine, new_station):
    case = cases.open_case(acc_engine, P, "station", new_station(), "2019-09-27", "甲")
    at = acc_app(CHECK_PAGE, state={"acc_as_of": D(2019, 9, 30), "acc_case": case["id"]}, login=None)
    _ok(at)
    assert any("操作人：未登录" in c.value for c in at.caption)
    at.date_input(key="acc_apply_on").set_value(D(2019, 10, 8))
    at.button(key="acc_do_apply").click().run()
    _ok(at)
    assert any(LOGIN_HINT in w.value for w in at.warning)
    now = cases.get_case(acc_engine, case["id"])
    assert now["applied_on"] is None and now["version"] == case["version"]


def test_account_of_another_county_is_refused(acc_app, acc_engine, new_station):
    """花垣县's administrator (433124) may not record a step of a 融水 (450225) station case."""
    case = cases.open_case(acc_engine, P, "station", new_station(), "2019-09-27", "甲")
    log_before = len(cases.case_audit(acc_engine, case["id"]))
    at = acc_app(CHECK_PAGE, state={"acc_as_of": D(2019, 9, 30), "acc_case": case["id"]},
                 login=("county_admin", "433124", "花垣县管理员"))
    _ok(at)
    at.date_input(key="acc_apply_on").set_value(D(2019, 10, 8))
    at.button(key="acc_do_apply").click().run()
    _ok(at)
    refusal = " ".join(e.value for e in at.error)
    assert "未保存" in refusal and "无权限：花垣县管理员（县级管理员" in refusal and "未写入任何数据" in refusal
    now = cases.get_case(acc_engine, case["id"])
    assert now["applied_on"] is None and now["version"] == case["version"]
    assert len(cases.case_audit(acc_engine, case["id"])) == log_before
    # nor open a case for a 融水 station
    number = new_station()
    before = _n_cases(acc_engine)
    at.switch_page(CASES_PAGE).run()
    at.selectbox(key="acc_new_subject").set_value(number).run()
    at.button(key="acc_new").click().run()
    assert any(e.value.startswith("无权限：") for e in at.error)
    assert _n_cases(acc_engine) == before


def test_inspector_of_rongshui_records_as_itself(acc_app, acc_engine, new_station):
    case = cases.open_case(acc_engine, P, "station", new_station(), "2019-09-27", "甲")
    at = acc_app(CHECK_PAGE, state={"acc_as_of": D(2019, 9, 30), "acc_case": case["id"]},
                 login=("inspector", "450225", "融水验收员"))
    _ok(at)
    assert any("当前用户：融水验收员（验收人员，区域 450225）" in c.value for c in at.sidebar.caption)
    at.date_input(key="acc_apply_on").set_value(D(2019, 10, 8))
    at.button(key="acc_do_apply").click().run()
    _ok(at)
    assert cases.get_case(acc_engine, case["id"])["applied_on"] == D(2019, 10, 8)
    assert cases.case_audit(acc_engine, case["id"])["user"].iloc[-1] == "融水验收员"
