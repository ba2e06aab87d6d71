"""Acceptance cases in the store (融水 七(三)3: apply within 5 working days, initial
inspection within 15, rectification notice with a time limit): every step audited,
stale edits refused, pass refused while a required item fails, 先建后补 settlement."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
import sqlalchemy as sa

from ruralcore.app import cases, checklists
from ruralcore.rules import workdays
from ruralcore.kernel.errors import InputError, StaleWriteError
from ruralcore.rules.programs import load_program
from ruralcore.store import write
from ruralcore.store.models import FundEntry
from ruralcore.kernel.principal import system

P = load_program("rongshui-2019")
D = dt.date


def _checklist(engine, number, **changes):
    obs = checklists.station_observed(engine, P, number)
    obs.update(changes)
    return checklists.station_checklist(P, obs)


def test_document_limits_are_5_and_15_working_days():
    assert P.setting("apply_within_workdays") == 5  # 七(三)3 “5 个工作日内申请验收”
    assert P.setting("inspect_within_workdays") == 15  # “15 个工作日内安排初检”
    rectify = next(s for s in P.settings if s.code == "rectify_within_workdays")
    assert rectify.assumed  # the document leaves the limit to the notice


def test_open_and_apply_across_national_day(acc_engine, new_station):
    n = new_station()
    case = cases.open_case(acc_engine, P, "station", n, "2019-09-27", system("甲"))
    assert case["state"] == "built" and case["version"] == 1
    # 2019-09-27 + 5 working days: 09-29 (Sunday, make-up day), 09-30, 10-08, 10-09, 10-10
    steps = cases.step_deadlines(P, case, "2019-09-30")
    assert steps.loc[0, "due"] == D(2019, 10, 10) == workdays.add_workdays(D(2019, 9, 27), 5)
    assert int(steps.loc[0, "workdays_left"]) == workdays.count_workdays(D(2019, 9, 30), D(2019, 10, 10)) == 3  # 10-08, 10-09, 10-10
    case = cases.record_application(acc_engine, case["id"], "2019-10-10", system("甲"), 1)
    steps = cases.step_deadlines(P, case, "2019-10-10")
    assert steps.loc[1, "due"] == D(2019, 10, 30) == workdays.add_workdays(D(2019, 10, 10), 15)
    listed = cases.list_cases(acc_engine, P, "2019-10-31")
    mine = listed[listed["case"] == case["id"]].iloc[0]
    assert mine["step"] == "inspect" and mine["due"] == D(2019, 10, 30)
    assert mine["overdue"] and int(mine["workdays_left"]) == -1
    assert mine["county_name"] == "融水苗族自治县"
    # overdue cases come first in the list
    assert listed["overdue"].is_monotonic_decreasing


def test_refused_steps_write_nothing(acc_engine, new_station):
    n = new_station()
    case = cases.open_case(acc_engine, P, "station", n, "2019-09-27", system("甲"))
    with pytest.raises(InputError, match="申请日期"):  # before completion
        cases.record_application(acc_engine, case["id"], "2019-09-20", system("甲"), 1)
    with pytest.raises(InputError, match="不能记录“市级验收认定”"):  # not allowed in this state
        cases.record_city_acceptance(acc_engine, case["id"], "2019-10-20", system("甲"), 1)
    with pytest.raises(InputError, match="未办结"):  # a second open case for the same station
        cases.open_case(acc_engine, P, "station", n, "2019-09-27", system("甲"))
    with pytest.raises(InputError, match="找不到益农信息社“桂BRS8888B”"):
        cases.open_case(acc_engine, P, "station", "桂BRS8888B", "2019-09-27", system("甲"))
    assert cases.get_case(acc_engine, case["id"])["version"] == 1
    assert len(cases.case_audit(acc_engine, case["id"])) == 1  # only the insert


def test_rectification_and_reinspection_are_audited(acc_engine, new_station):
    n = new_station()
    c = cases.open_case(acc_engine, P, "station", n, "2019-09-27", system("录入员"))
    c = cases.record_application(acc_engine, c["id"], "2019-10-08", system("录入员"), c["version"])
    missing_wall = _checklist(acc_engine, n, eq_info_wall=0)
    # a pass is refused while 信息墙 (附件2 序号4) is missing
    with pytest.raises(InputError, match=r"益农信息社信息墙”（附件2 序号4）不合格"):
        cases.record_inspection(acc_engine, c["id"], "2019-10-15", missing_wall, "pass", system("检查员"), c["version"])
    assert cases.get_case(acc_engine, c["id"])["state"] == "applied"
    c = cases.record_inspection(acc_engine, c["id"], "2019-10-15", missing_wall, "fail", system("检查员"), c["version"],
                                inspectors="张三、李四")
    assert c["state"] == "rectifying" and c["result"] == "failed"
    # the notice's default limit: 20 working days (assumed), on the official calendar
    assert c["rectify_due"] == workdays.add_workdays(D(2019, 10, 15), 20) == D(2019, 11, 12)
    assert "信息墙" in c["conclusion"]
    items = cases.case_items(acc_engine, c["id"]).set_index("item")
    assert items.at["eq_info_wall", "result"] == "fail" and "应至少1" in items.at["eq_info_wall", "note"]
    assert items.at["eq_printer", "result"] == "pass"

    c = cases.record_rectified(acc_engine, c["id"], "2019-11-01", system("录入员"), c["version"])
    assert c["state"] == "reinspecting"
    steps = cases.step_deadlines(P, c, "2019-11-01").set_index("step")
    assert steps.at["reinspect", "due"] == workdays.add_workdays(D(2019, 11, 1), 15)
    c = cases.record_inspection(acc_engine, c["id"], "2019-11-05", _checklist(acc_engine, n), "pass", system("检查员"),
                                c["version"])
    assert c["state"] == "passed" and c["reinspected_on"] == D(2019, 11, 5) and c["inspected_on"] == D(2019, 10, 15)
    assert cases.case_items(acc_engine, c["id"]).set_index("item").at["eq_info_wall", "result"] == "pass"
    c = cases.record_city_acceptance(acc_engine, c["id"], "2019-11-20", system("市验收组"), c["version"])
    assert c["state"] == "accepted"

    log = cases.case_audit(acc_engine, c["id"])
    state_changes = log[(log["table"] == "acceptance_cases") & (log["field"] == "state")]
    assert list(state_changes["new"]) == ["applied", "rectifying", "reinspecting", "passed", "accepted"]
    assert list(state_changes["user"]) == ["录入员", "检查员", "录入员", "检查员", "市验收组"]
    wall = log[(log["table"] == "acceptance_items") & (log["field"] == "result")]
    assert list(wall["old"]) == ["fail"] and list(wall["new"]) == ["pass"]  # 信息墙 fixed at re-inspection


def test_stale_concurrent_edit_is_refused(acc_engine, new_station):
    n = new_station()
    c = cases.open_case(acc_engine, P, "station", n, "2019-09-27", system("甲"))
    read_by_a = read_by_b = c["version"]
    cases.record_application(acc_engine, c["id"], "2019-10-08", system("甲"), read_by_a)
    with pytest.raises(StaleWriteError, match="已被 甲"):
        cases.record_application(acc_engine, c["id"], "2019-10-09", system("乙"), read_by_b)
    now = cases.get_case(acc_engine, c["id"])
    assert now["applied_on"] == D(2019, 10, 8) and now["version"] == 2
    assert "乙" not in set(cases.case_audit(acc_engine, c["id"])["user"])


def test_city_acceptance_settles_the_advance(acc_engine, new_station):
    n = new_station()
    write.insert(acc_engine, FundEntry, {"program": P.id, "station": n, "kind": "advance", "amount_yuan": 30000,
                                         "on_date": D(2019, 8, 1), "source": "自治区财政"}, system("财务"))
    c = cases.open_case(acc_engine, P, "station", n, "2019-09-27", system("甲"))
    c = cases.record_application(acc_engine, c["id"], "2019-10-08", system("甲"), c["version"])
    c = cases.record_inspection(acc_engine, c["id"], "2019-10-15", _checklist(acc_engine, n), "pass", system("乙"), c["version"])
    assert c["state"] == "passed"
    with acc_engine.connect() as conn:
        before = conn.execute(sa.select(sa.func.count()).select_from(FundEntry.__table__).where(
            FundEntry.__table__.c.station == n, FundEntry.__table__.c.kind == "settlement")).scalar()
    assert before == 0  # nothing payable before acceptance (先建后补)
    c = cases.record_city_acceptance(acc_engine, c["id"], "2019-11-01", system("市验收组"), c["version"])
    s = c["settlement"]
    # 融水's subsidy per station is not in the document (assumed 0 yuan): the advance is recovered in full
    assert s["subsidy_yuan"] == 0 and s["advance_yuan"] == 30000
    assert s["payable_yuan"] == 0 and s["recover_yuan"] == 30000
    with acc_engine.connect() as conn:
        rows = pd.DataFrame(conn.execute(sa.select(FundEntry.__table__).where(
            FundEntry.__table__.c.station == n, FundEntry.__table__.c.kind == "settlement")).mappings().all())
    assert sorted(rows["amount_yuan"].tolist()) == [-30000, 0]
    assert rows["on_date"].tolist() == [D(2019, 11, 1)] * 2
    assert rows["amount_yuan"].dtype.kind == "i"
    log = cases.case_audit(acc_engine, c["id"])
    assert log["user"].iloc[-1] == "市验收组"
    from ruralcore.store import audit
    fund_log = audit.load_audit(acc_engine, table="fund_entries", user="市验收组")
    assert set(fund_log["key"]) >= set(rows["id"].astype(str))  # both entries audited


def test_spring_festival_2023_pilot_case_and_record_of_acceptance(acc_engine):
    x = load_program("xinzhou-2023")
    subjects = cases.openable_subjects(acc_engine, x)
    pilot = subjects["subject"].iloc[0]
    c = cases.open_case(acc_engine, x, "pilot", pilot, "2023-01-20", system("县评估组"))
    assert not cases.has_limits(x)  # 忻州 gives no working-day limits for acceptance
    # 三(六): no application; the county evaluates the completed pilot (2023-01-28: a make-up Saturday)
    assert workdays.is_workday(D(2023, 1, 28))
    ptype, states = checklists.pilot_states(acc_engine, pilot)
    cl = checklists.pilot_checklist(x, ptype, states.assign(state="not_built"))
    with pytest.raises(InputError, match="已建成指标数"):
        cases.record_inspection(acc_engine, c["id"], "2023-02-01", cl, "pass", system("县评估组"), c["version"])
    c = cases.record_inspection(acc_engine, c["id"], "2023-02-01", cl, "fail", system("县评估组"), c["version"],
                                rectify_due="2023-03-01")
    assert c["rectify_due"] == D(2023, 3, 1)
    listed = cases.list_cases(acc_engine, x, "2023-03-02").set_index("case")
    assert listed.at[c["id"], "due"] == D(2023, 3, 1) and bool(listed.at[c["id"], "overdue"])
    assert int(listed.at[c["id"], "workdays_left"]) == -1


def test_cases_listed_and_offered_by_the_account_region(acc_engine, new_station):
    """list_cases(viewer=) keeps the cases whose station lies in a region the account reads;
    openable_subjects(writer=) offers only stations it may open a case for; may_record
    decides per case. A township inspector (450225T02) against a station of 450225T01."""
    from ruralcore.auth.scope import Actor
    here, there = new_station(township="450225T01"), new_station(township="450225T02")
    c_here = cases.open_case(acc_engine, P, "station", here, "2019-09-27", system("甲"))
    c_there = cases.open_case(acc_engine, P, "station", there, "2019-09-27", system("甲"))
    town = Actor("二乡验收员", "inspector", "450225T02")
    seen = set(cases.list_cases(acc_engine, P, "2019-09-30", viewer=town)["case"])
    assert c_there["id"] in seen and c_here["id"] not in seen
    assert seen < set(cases.list_cases(acc_engine, P, "2019-09-30")["case"])
    assert cases.may_record(acc_engine, town, c_there) and not cases.may_record(acc_engine, town, c_here)
    third, fourth = new_station(township="450225T01"), new_station(township="450225T02")
    offered = set(cases.openable_subjects(acc_engine, P, writer=town)["subject"])
    assert fourth in offered and there not in offered  # its own, without a case yet
    assert third not in offered and third in set(cases.openable_subjects(acc_engine, P)["subject"])
    auditor = Actor("审计", "auditor", "")
    assert cases.openable_subjects(acc_engine, P, writer=auditor).empty  # reads all, writes nothing
    assert len(cases.list_cases(acc_engine, P, "2019-09-30", viewer=auditor)) == len(
        cases.list_cases(acc_engine, P, "2019-09-30"))
    assert not cases.may_record(acc_engine, auditor, c_there)
