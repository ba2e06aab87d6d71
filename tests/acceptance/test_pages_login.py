"""The 试点验收 pages and who may see and do what: signed out (or after the session ended)
the pages show the login hint and nothing is written; each account lists only the cases
of its area and is offered only the subjects it may open a case for (花垣's county admin
is not offered 融水's programme, and the store refuses it anyway); read-only roles get no
step buttons; an inspector of 融水 records as itself. Expected rows come from
ruralcore.app.cases with the same Actor, not from hard-coded numbers."""
from __future__ import annotations

import datetime as dt

import pytest
from streamlit.testing.v1 import AppTest

from ruralcore.auth import accounts
from ruralcore.app import cases
from ruralcore.kernel.errors import PermissionDenied
from ruralcore.rules.programs import load_program
from ruralcore.auth.scope import Actor
from tests.acceptance.conftest import ROOT
from ruralcore.kernel.principal import system

P = load_program("rongshui-2019")
X = load_program("xinzhou-2023")
D = dt.date
CASES_PAGE, CHECK_PAGE = "acceptance/cases.py", "acceptance/check.py"
LOGIN_HINT = "请先在“登录”页面登录"
INSPECTOR_RS = ("inspector", "450225", "融水验收员")
XINFU_ADMIN = ("county_admin", "140902", "忻府区管理员")


def _ok(at):
    assert not at.exception, [e.value for e in at.exception]
    return at


def _n_cases(engine) -> int:
    return len(cases.list_cases(engine, P, D(2019, 9, 30)))


def _programs(at) -> list[str]:
    """The programme selectbox's options, as programme ids (it shows their short titles)."""
    by_title = {load_program(p).meta.short_title: p for p in ("rongshui-2019", "huayuan-2019", "xinzhou-2023")}
    return [by_title.get(o, o) for o in at.selectbox(key="program").options]


def _subjects(at) -> list[str]:
    """The subject codes offered for a new case (shown as “名称（编号）”)."""
    return [o.rsplit("（", 1)[1].rstrip("）") for o in at.selectbox(key="acc_new_subject").options]


def _listed(at) -> list[int]:
    return at.dataframe[0].value["案件"].astype(int).tolist() if at.dataframe else []


def _signed_out_page(page: str, state: dict) -> AppTest:
    """A page run on its own, nobody signed in (the app's navigation would not even list it)."""
    at = AppTest.from_file(str(ROOT / "dashboards" / page), default_timeout=120)
    for k, v in state.items():
        at.session_state[k] = v
    return _ok(at.run())


@pytest.mark.parametrize("page", [CASES_PAGE, CHECK_PAGE])
def test_signed_out_gets_the_login_hint_and_no_case(acc_env, acc_engine, new_station, page):
    case = cases.open_case(acc_engine, P, "station", new_station(), "2019-09-27", system("甲"))
    at = _signed_out_page(page, {"program": P.id, "acc_as_of": D(2019, 9, 30), "acc_case": case["id"]})
    assert any(LOGIN_HINT in w.value for w in at.warning)
    assert not at.dataframe and not at.button and not at.date_input  # no list, no inputs, no buttons
    assert cases.get_case(acc_engine, case["id"])["version"] == case["version"]


def test_a_step_after_the_session_ended_is_not_recorded(acc_app, acc_engine, new_station):
    """Signed in when the page opened, the session ended (signed out elsewhere) before the
    click: the page says the login ended and asks to sign in again; nothing written."""
    case = cases.open_case(acc_engine, P, "station", new_station(), "2019-09-27", system("甲"))
    at = _ok(acc_app(CHECK_PAGE, state={"acc_as_of": D(2019, 9, 30), "acc_case": case["id"]}, login=INSPECTOR_RS))
    at.date_input(key="acc_apply_on").set_value(D(2019, 10, 8))
    accounts.end_session(acc_engine, at.session_state["auth_token"])
    at.button(key="acc_do_apply").click().run()
    _ok(at)
    assert [t.value for t in at.title] == ["验收检查"] and any("登录已失效" in w.value for w in at.warning)
    assert not [b for b in at.button if b.key and b.key.startswith("acc_")]
    now = cases.get_case(acc_engine, case["id"])
    assert now["applied_on"] is None and now["version"] == case["version"]


def test_county_admin_of_another_county_is_not_offered_rongshui(acc_app, acc_engine, new_station):
    """花垣县's administrator (433124): no 融水 programme, no 融水 case, no 融水 station to
    open a case for; and the store refuses its write of a 融水 case in Chinese."""
    case = cases.open_case(acc_engine, P, "station", new_station(), "2019-09-27", system("甲"))
    admin = Actor("花垣县管理员", "county_admin", "433124")
    at = _ok(acc_app(CASES_PAGE, program="huayuan-2019", state={"acc_as_of": D(2019, 12, 10)},
                     login=(admin.role, admin.region, admin.name)))
    assert P.id not in _programs(at) and "huayuan-2019" in _programs(at)
    assert cases.list_cases(acc_engine, P, D(2019, 9, 30), viewer=admin).empty
    assert cases.openable_subjects(acc_engine, P, writer=admin).empty
    log_before = len(cases.case_audit(acc_engine, case["id"]))
    with pytest.raises(PermissionDenied, match="无权限：花垣县管理员（县级管理员"):
        cases.record_application(acc_engine, case["id"], D(2019, 10, 8), admin, case["version"])
    now = cases.get_case(acc_engine, case["id"])
    assert now["applied_on"] is None and now["version"] == case["version"]
    assert len(cases.case_audit(acc_engine, case["id"])) == log_before


def test_inspector_of_rongshui_sees_rongshui_cases_only(acc_app, acc_engine, new_station):
    number = new_station()
    inspector = Actor(INSPECTOR_RS[2], *INSPECTOR_RS[:2])
    at = _ok(acc_app(CASES_PAGE, state={"acc_as_of": D(2019, 9, 30)}, login=INSPECTOR_RS))
    assert _programs(at) == [P.id]  # no 忻州 or 花垣 cases offered
    want = cases.list_cases(acc_engine, P, D(2019, 9, 30), viewer=inspector)
    assert sorted(_listed(at)) == sorted(want["case"].astype(int)) and len(want)
    assert set(want["county"]) == {"450225"}
    offered = _subjects(at)
    assert number in offered
    assert set(offered) == set(cases.openable_subjects(acc_engine, P, writer=inspector)["subject"])


def test_county_admin_of_xinfu_lists_only_its_pilot_cases(acc_app, acc_engine):
    admin = Actor(XINFU_ADMIN[2], *XINFU_ADMIN[:2])
    at = _ok(acc_app(CASES_PAGE, program=X.id, state={"acc_as_of": D(2024, 1, 31)}, login=XINFU_ADMIN))
    everything = cases.list_cases(acc_engine, X, D(2024, 1, 31))
    mine = cases.list_cases(acc_engine, X, D(2024, 1, 31), viewer=admin)
    assert 0 < len(mine) < len(everything)  # the demo has 忻府区 cases and others
    assert sorted(_listed(at)) == sorted(mine["case"].astype(int))
    assert set(mine["county"]) == {"140902"}
    assert at.selectbox(key="acc_county").options == ["全部", "忻府区"]
    offered = _subjects(at)
    assert offered and set(offered) == set(cases.openable_subjects(acc_engine, X, writer=admin)["subject"])
    assert set(offered) < set(cases.openable_subjects(acc_engine, X)["subject"])


def test_city_supervisor_reads_every_case_of_its_city_but_records_nothing(acc_app, acc_engine):
    at = _ok(acc_app(CASES_PAGE, program=X.id, state={"acc_as_of": D(2024, 1, 31)},
                     login=("city_supervisor", "140900", "忻州督导")))
    assert sorted(_listed(at)) == sorted(cases.list_cases(acc_engine, X, D(2024, 1, 31))["case"].astype(int))
    assert not [s for s in at.selectbox if s.key == "acc_new_subject"]
    assert any("只读：忻州督导（市级督导）不能新建验收案件" in i.value for i in at.info)
    listing = cases.list_cases(acc_engine, X, D(2024, 1, 31))
    case = int(listing.loc[listing["state"] == "built", "case"].iloc[0])  # waiting for the county's evaluation
    at.switch_page(CHECK_PAGE).run()
    at.selectbox(key="acc_case").set_value(case).run()
    _ok(at)
    assert not [b for b in at.button if b.key and b.key.startswith("acc_do_")]
    assert not [w for w in [*at.selectbox, *at.text_input, *at.date_input]  # no checklist inputs either
                if w.key and (w.key.startswith(f"acc_{case}_") or w.key == "acc_inspect_on")]
    assert at.table  # the checklist as the store holds it
    assert any("只读：忻州督导（市级督导）可以查看本案件" in i.value for i in at.info)


def test_inspector_of_rongshui_records_as_itself(acc_app, acc_engine, new_station):
    case = cases.open_case(acc_engine, P, "station", new_station(), "2019-09-27", system("甲"))
    at = acc_app(CHECK_PAGE, state={"acc_as_of": D(2019, 9, 30), "acc_case": case["id"]}, login=INSPECTOR_RS)
    _ok(at)
    assert any("当前用户：融水验收员（验收人员，区域 450225）" in c.value for c in at.sidebar.caption)
    at.date_input(key="acc_apply_on").set_value(D(2019, 10, 8))
    at.button(key="acc_do_apply").click().run()
    _ok(at)
    assert cases.get_case(acc_engine, case["id"])["applied_on"] == D(2019, 10, 8)
    assert cases.case_audit(acc_engine, case["id"])["user"].iloc[-1] == "融水验收员"
