"""验收检查 for a 忻州 pilot (its 17 / 18 reference indicators, each built / partly built /
not built, with evidence and attachment names) and a 花垣 village (eight aspects and the
80-point pass line), under AppTest on the demo database; the case list's county filter."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from ruralcore.app import cases, checklists
from ruralcore.store.models import Pilot
from ruralcore.rules.programs import load_program
from ruralcore.kernel.principal import system

CASES_PAGE, CHECK_PAGE = "acceptance/cases.py", "acceptance/check.py"
X = load_program("xinzhou-2023")
H = load_program("huayuan-2019")


def _pilot_county(engine, pilot: str) -> str:
    with engine.connect() as c:
        county = c.execute(sa.select(Pilot.__table__.c.county).where(Pilot.__table__.c.code == pilot)).scalar_one()
    assert county.startswith("1409") and county != "140900"
    return county


def _ok(at):
    assert not at.exception, [e.value for e in at.exception]


def test_pilot_inspection_from_the_indicator_list(acc_app, acc_engine):
    pilot = cases.openable_subjects(acc_engine, X)["subject"].iloc[-1]
    ptype, _ = checklists.pilot_states(acc_engine, pilot)
    items = X.checklist(checklists.PILOT_CHECKLISTS[ptype]).items
    assert len(items) == {"township": 17, "village": 18}[ptype]
    c = cases.open_case(acc_engine, X, "pilot", pilot, "2023-11-20", system("县评估组"))  # 三(六): no application step
    county = _pilot_county(acc_engine, pilot)  # the pilot's own county administers it
    at = acc_app(CHECK_PAGE, program="xinzhou-2023", state={"acc_as_of": dt.date(2023, 11, 30), "acc_case": c["id"]},
                 login=("county_admin", county, f"忻州{county}管理员"))
    _ok(at)
    k = f"acc_{c['id']}_"
    state_boxes = [at.selectbox(key=f"{k}state_{it.code}") for it in items]
    assert [b.label for b in state_boxes] == [f"{it.area}·{it.name}" for it in items]
    assert set(state_boxes[0].options) == {"已建成", "部分建成", "未建成"}
    for b in state_boxes:
        b.set_value("not_built")
    at.run()
    assert any("已建成指标数（附件" in e.value and "已建成0项，少于1项" in e.value for e in at.error)
    at.button(key="acc_do_pass").click().run()
    assert any("不能记为验收合格" in e.value for e in at.error)

    built = checklists.built_state(X)
    at.selectbox(key=f"{k}state_{items[0].code}").set_value(built)
    at.text_input(key=f"{k}ev_{items[0].code}").input("平台上线运行")
    at.text_input(key=f"{k}att_{items[0].code}").input("上线截图.png")
    at.run()
    # 二(二): the four systems and the permits are still unconfirmed (不合格，未核验) until ticked
    law = X.checklist(checklists.PILOT_COMPLIANCE).items
    assert any("项目法人制（二(二)）" in e.value for e in at.error)
    for it in law:
        at.radio(key=f"{k}law_{it.code}").set_value("na" if it.optional_if else "pass")
    at.text_input(key=f"{k}law_legal_person_note").input("项目法人批复")
    at.run()
    assert not at.error
    at.date_input(key="acc_inspect_on").set_value(dt.date(2023, 11, 28))
    at.button(key="acc_do_pass").click().run()
    _ok(at)
    case = cases.get_case(acc_engine, c["id"])
    assert case["state"] == "accepted"  # 三(六): the county's evaluation accepts; no 市级验收认定
    assert "待市级" not in "".join(s.value for s in at.success) and "报市乡村振兴局" in "".join(s.value for s in at.success)
    recorded = cases.case_items(acc_engine, c["id"]).set_index("item")
    assert recorded.at[items[0].code, "note"] == "已建成；佐证：平台上线运行；附件：上线截图.png"
    assert recorded.at["indicators_built", "result"] == "pass"
    assert recorded.at["law_legal_person", "result"] == "pass" and "项目法人批复" in recorded.at["law_legal_person", "note"]
    assert recorded.at["law_permits", "result"] == "na"


def test_village_inspection_shows_eight_aspects(acc_app, acc_engine):
    village = cases.openable_subjects(acc_engine, H)["subject"].iloc[0]
    c = cases.open_case(acc_engine, H, "village", village, "2019-11-29", system("县领导小组办公室"))
    c = cases.record_application(acc_engine, c["id"], "2019-12-02", system("县领导小组办公室"), c["version"])
    at = acc_app(CHECK_PAGE, program="huayuan-2019", state={"acc_as_of": dt.date(2019, 12, 10), "acc_case": c["id"]})
    _ok(at)
    table = at.table[0].value
    assert (table["分组"] == "评分方面").sum() == 8
    total = table[table["检查项目"] == "总分"].iloc[0]
    expected = checklists.subject_checklist(acc_engine, H, "village", village).set_index("item").at["score", "value"]
    assert total["检查情况"] == expected and total["要求"] == "不低于80分"


def test_case_list_county_filter_and_counts(acc_app, acc_engine):
    at = acc_app(CASES_PAGE, program="xinzhou-2023", state={"acc_as_of": dt.date(2024, 1, 31)})
    _ok(at)
    listing = cases.list_cases(acc_engine, X, dt.date(2024, 1, 31))
    county = listing["county_name"].iloc[0]
    at.selectbox(key="acc_county").set_value(county).run()
    _ok(at)
    shown = at.dataframe[0].value
    assert set(shown["县"]) == {county}
    assert len(shown) == int((listing["county_name"] == county).sum())
    total = sum(int(m.value.rstrip("件")) for m in at.metric if m.label != "逾期")
    assert total == len(shown)
