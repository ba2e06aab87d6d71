"""Each document's own acceptance path (issue 12 item 5).

忻州 三(六)：“数字乡、村试点项目全部建设完成后,由县级政府组织相关部门或聘请第三方对试点建设评估验收,
验收结果报市乡村振兴局。” — no application, no 市级验收认定: the county's evaluation is the
acceptance and its result goes to the city.
融水 七(三)3：“初检合格的,由县农业农村局商财政局按规定程序和要求申请市农业农村局开展验收认定” —
the city step stays.
Checklist rows read 合格 / 不合格 / 不适用 and state their requirement, on screen and in the record."""
from __future__ import annotations

import datetime as dt
import io

import docx
import pandas as pd
import pytest
import sqlalchemy as sa

from ruralcore.rules import acceptance
from ruralcore.app import cases, checklists, records, supervision
from ruralcore.kernel.errors import InputError
from ruralcore.rules.programs import all_programs, load_program
from ruralcore.store import write
from ruralcore.store.models import Pilot
from ruralcore.kernel.principal import system

X = load_program("xinzhou-2023")
R = load_program("rongshui-2019")
H = load_program("huayuan-2019")


def test_each_programme_declares_its_own_path():
    xz, rs = X.acceptance, R.acceptance
    assert xz.ref == "三(六)" and xz.application is None and xz.final is None
    assert xz.inspection.name == "评估验收" and xz.inspection.by == "县级政府组织相关部门或聘请第三方"
    assert xz.report_to == "验收结果报市乡村振兴局"
    assert rs.final.name == "市级验收认定" and rs.final.ref == "七(三)3" and rs.application.name == "申请验收"
    # every programme with acceptance subjects declares its path; 花垣's is labelled as a default
    for p in all_programs():
        if cases.subject_type_of(p):
            assert p.acceptance is not None, p.id
    assert H.acceptance.assumed and H.acceptance.final is None


def test_xinzhou_path_has_no_city_step():
    names = " ".join([*acceptance.state_names(X).values(), *acceptance.step_names(X).values(),
                      *acceptance.event_names(X).values()])
    assert "市级" not in names and "申请验收" not in names
    assert acceptance.transition(X, "built", "pass") == "accepted"
    with pytest.raises(InputError, match="不能记录"):
        acceptance.transition(X, "built", "apply")
    # 融水 keeps its city step: a passing 初检 waits for 市级验收认定
    assert acceptance.transition(R, "applied", "pass") == "passed"
    assert acceptance.transition(R, "passed", "city_accept") == "accepted"
    assert acceptance.state_names(R)["passed"] == "初检合格，待市级验收认定"


def _pilot_without_completion(engine) -> str:
    """A pilot of the demo with no case, its completion date cleared (only the case knows it)."""
    pilot = cases.openable_subjects(engine, X)["subject"].iloc[0]
    pi = Pilot.__table__
    with engine.begin() as c:
        v = c.execute(sa.select(pi.c.version).where(pi.c.code == pilot)).scalar_one()
        write.update(c, Pilot, pilot, {"completion_on": None, "acceptance_on": None}, v, system("测试"))
    return pilot


def test_county_evaluation_accepts_a_pilot_and_construction_agrees(acc_engine):
    """A pilot evaluated and accepted by its county on 2024-01-25 is accepted (no city step),
    and 试点进度 does not list it overdue on 全面完工 (三(五) 11月底): it is done, late."""
    pilot = _pilot_without_completion(acc_engine)
    c = cases.open_case(acc_engine, X, "pilot", pilot, "2024-01-10", system("县评估组"))
    with pytest.raises(InputError):  # 三(六) has no application step
        cases.record_application(acc_engine, c["id"], "2024-01-12", system("县评估组"), c["version"])
    ptype, states = checklists.pilot_states(acc_engine, pilot)
    states = pd.DataFrame({"item": [X.checklist(checklists.PILOT_CHECKLISTS[ptype]).items[0].code],
                           "state": [checklists.built_state(X)], "evidence": [""], "attachments": [""]})
    law = pd.DataFrame({"item": [i.code for i in X.checklist(checklists.PILOT_COMPLIANCE).items], "result": "pass",
                        "note": "项目法人批文等已核验"})  # 二(二) 四制 and permits
    cl = checklists.pilot_checklist(X, ptype, states, law)
    c = cases.record_inspection(acc_engine, c["id"], "2024-01-25", cl, "pass", system("县评估组"), c["version"])
    assert c["state"] == "accepted" and c["city_accepted_on"] == dt.date(2024, 1, 25)
    assert "市级" not in c["conclusion"] and "报市乡村振兴局" in c["conclusion"]
    with pytest.raises(InputError):  # nothing after: no 市级验收认定
        cases.record_city_acceptance(acc_engine, c["id"], "2024-01-26", system("市局"), c["version"])
    listed = cases.list_cases(acc_engine, X, "2024-01-31").set_index("case").loc[c["id"]]
    assert listed["state_name"] == "已验收（验收结果报市乡村振兴局）" and not listed["overdue"]
    steps = cases.step_deadlines(X, c, "2024-01-31")
    assert steps["step_name"].tolist() == ["评估验收"]

    data = supervision.load_pilot_data(acc_engine, X)
    st = supervision.step_status(X, data.pilots.loc[[pilot]], dt.date(2024, 1, 31)).set_index("step")
    assert st.at["acceptance", "done_on"] == dt.date(2024, 1, 25)
    assert st.at["completion", "state"] == "late"  # done (accepted means built), never 逾期未完成


def test_rongshui_pass_waits_for_the_city(acc_engine, new_station):
    n = new_station()
    c = cases.open_case(acc_engine, R, "station", n, "2019-09-27", system("甲"))
    c = cases.record_application(acc_engine, c["id"], "2019-10-08", system("甲"), c["version"])
    cl = checklists.station_checklist(R, checklists.station_observed(acc_engine, R, n))
    c = cases.record_inspection(acc_engine, c["id"], "2019-10-15", cl, "pass", system("乙"), c["version"])
    assert c["state"] == "passed" and c["city_accepted_on"] is None and "市级验收认定" in c["conclusion"]
    steps = cases.step_deadlines(R, c, "2019-10-16")
    assert steps["step_name"].tolist() == ["申请验收", "初检", "市级验收认定"]


def _every_checklist(engine, new_station):
    obs = checklists.station_observed(engine, R, new_station())
    obs["svc_training"] = False
    yield "融水标准站", checklists.station_checklist(R, obs)
    yield "融水简易站", checklists.station_checklist(R, {**checklists.station_observed_template(R, "simple"),
                                                       "svc_convenience": True})
    yield "忻州数字村庄", checklists.pilot_checklist(X, "village", pd.DataFrame(
        {"item": ["party_building", "transport"], "state": [checklists.built_state(X), "partly"],
         "evidence": ["", ""], "attachments": ["", ""]}))
    village = cases.openable_subjects(engine, H)["subject"].iloc[0]
    yield "花垣行政村", checklists.subject_checklist(engine, H, "village", village)


def test_checklist_rows_read_a_result_and_their_requirement(acc_engine, new_station):
    for label, cl in _every_checklist(acc_engine, new_station):
        shown = checklists.display(cl)
        assert set(shown["结果"]) <= {"合格", "不合格", "不适用"}, label
        assert (shown["要求"].str.len() > 0).all(), (label, shown.loc[shown["要求"] == "", "检查项目"].tolist())
    std = checklists.station_checklist(R, {**checklists.station_observed(acc_engine, R, new_station()),
                                           "svc_training": False}).set_index("item")
    # 五(一)3: a standard station gives all four services; a missing one is 不合格, not a dash
    assert std.at["svc_training", "result"] == "fail" and std.at["svc_training", "requirement"] == "标准站须提供"
    pilot = checklists.pilot_checklist(X, "village", pd.DataFrame(
        {"item": ["party_building"], "state": [checklists.built_state(X)], "evidence": [""], "attachments": [""]}))
    by = pilot.set_index("item")
    assert by.at["party_building", "result"] == "pass" and by.at["education", "result"] == "na"  # 以需配建
    assert by.at["transport", "requirement"].startswith("以需配建") and "公交候车亭" in by.at["transport", "requirement"]


def test_record_follows_the_path_and_states_each_requirement(acc_engine):
    pilot = cases.openable_subjects(acc_engine, X)["subject"].iloc[-1]
    ptype, states = checklists.pilot_states(acc_engine, pilot)
    c = cases.open_case(acc_engine, X, "pilot", pilot, "2023-11-20", system("县评估组"), inspectors="第三方评估机构")
    cl = checklists.pilot_checklist(X, ptype, states)
    outcome = "pass" if checklists.passed(cl) else "fail"
    c = cases.record_inspection(acc_engine, c["id"], "2023-12-20", cl, outcome, system("县评估组"), c["version"])
    rec = cases.recorded_checklist(acc_engine, c)
    d = docx.Document(io.BytesIO(records.acceptance_record(X, c, rec, "试点")))
    text = "\n".join(p.text for p in d.paragraphs)
    cells = [[cell.text for cell in r.cells] for t in d.tables for r in t.rows]
    everything = text + "\n".join("|".join(r) for r in cells)
    assert "评估验收记录" in d.paragraphs[0].text
    assert "市级验收认定" not in everything and "县农业农村局" not in everything and "申请验收日期" not in everything
    info = {r[0]: r[1] for r in cells if len(r) == 2}
    assert info["验收组织"] == "县级政府组织相关部门或聘请第三方（三(六)）"
    assert "验收结果报市乡村振兴局" in info["验收结果去向"]
    assert "县级人民政府（或受托第三方）（盖章）" in cells[-3]  # the signature block
    check = next(t for t in d.tables if [c.text for c in t.rows[0].cells][:3] == ["序号", "检查项目", "要求"])
    rows = [[c.text for c in r.cells] for r in check.rows[1:]]
    assert len(rows) == len(rec)
    assert all(r[2] for r in rows)  # each item states its requirement
    assert {r[4] for r in rows} <= {"合格", "不合格", "不适用"}
