"""里程碑 page and the overview's milestones on the demo database: recorded done dates
make the countdown and timeline honest; every account that reads the programme sees
them; recording needs a county account, is audited and refused (nothing written) signed
out, for other roles, outside the county or on a stale version."""
from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from ruralcore.app import milestone_records as mr
from ruralcore.rules import milestones as ms_mod
from ruralcore.app import overview as ov
from ruralcore.rules.programs import load_program
from ruralcore.store import audit, db
from tests.login_support import sign_in
from ruralcore.kernel.principal import system

PAGE = Path(__file__).resolve().parents[2] / "dashboards" / "county" / "milestones.py"
HY = "huayuan-2019"


@pytest.fixture
def own_db(demo_db_url, tmp_path, monkeypatch) -> str:
    """A private copy of the demo database (this test writes)."""
    src = sqlite3.connect(sa.make_url(demo_db_url).database)
    dst = sqlite3.connect(tmp_path / "ms.db")
    src.backup(dst)
    src.close(), dst.close()
    url = f"sqlite:///{tmp_path / 'ms.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    yield url
    db.dispose(url)


def page(url: str, role: str | None = None, region: str = "433124") -> AppTest:
    at = AppTest.from_file(str(PAGE), default_timeout=60)
    at.session_state["program"] = HY
    if role:
        sign_in(at, db.get_engine(url), role, region)
    return at.run()


def _clean(at) -> None:
    assert not at.exception, [e.message for e in at.exception]


def _table(at):
    return next(d for d in at.dataframe).value


def _submit(at, code: str, day: dt.date, note: str = "", label: str = "记录完成") -> AppTest:
    at.selectbox(key="ms_code").set_value(code)
    at.date_input(key="ms_done_on").set_value(day)
    at.text_input(key="ms_note").input(note)
    return next(b for b in at.button if b.label == label).click().run()


def test_overview_shows_recorded_milestones_done(app_test, demo_engine):
    at = app_test(HY)
    assert not at.exception, [e.message for e in at.exception]
    prog = load_program(HY)
    as_of = ov.as_of_date(demo_engine, HY)
    done = mr.done_dates(demo_engine, HY)
    # 一(一): 2018年12月31日前组织启动 — recorded done in the demo
    assert done["kickoff"] <= as_of
    st = ms_mod.status(prog, as_of, [c for c, d in done.items() if d <= as_of]).set_index("code")
    assert st.at["kickoff", "status_label"] == "已完成"
    # the countdown lists exactly the open dated milestones, with the engine's days
    open_ = st[(st["status"] != "done") & st["recurring"].isna()]
    shown = {m.label: m.value for m in at.metric}
    assert prog.milestones[0].name not in shown
    assert len(open_) >= 1
    for r in open_.itertuples():
        want = f"已逾期 {r.days_overdue} 天" if r.status == "overdue" else f"还剩 {r.days_left} 天"
        assert shown[r.name] == want
    # the timeline draws kickoff in the 已完成 trace
    spec = json.loads(next(c for c in at.get("plotly_chart") if "fig_timeline" in c.proto.id).proto.spec)
    done_trace = next(t for t in spec["data"] if t.get("name") == "已完成")
    assert any(str(y).startswith("组织启动") for y in done_trace["y"])


def test_page_shows_milestones_to_a_township_officer(own_db):
    """Milestones are programme-level: a township officer reads its county's programme and
    sees all of them."""
    at = page(own_db, "township_officer", "433124T01")
    _clean(at)
    eng = db.get_engine(own_db)
    prog = load_program(HY)
    as_of = ov.as_of_date(eng, HY)
    table = _table(at).set_index("里程碑")
    kick = prog.milestones[0]
    assert table.at[kick.name, "状态"].startswith("已完成") and table.at[kick.name, "截止日期"] == "2018年12月31日"
    assert table.at[kick.name, "条款"].startswith(kick.ref)
    # numbers equal the milestones engine with the stored done dates
    st = ms_mod.status(prog, as_of, mr.done_dates(eng, HY).keys())
    dated = st[st["recurring"].isna()]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["已完成"] == f"{(dated['status'] == 'done').sum()} 项"
    assert metrics["已逾期"] == f"{(dated['status'] == 'overdue').sum()} 项"
    # each count is the number of rows shown with that status, the monthly ones (五(二)) too:
    # “正常 0 项” above two rows marked 正常 was wrong
    for label in ("已完成", "已逾期", "即将到期", "正常"):
        assert metrics[label] == f"{table['状态'].str.startswith(label).sum()} 项", label  # 已完成（逾期 N 天）
    assert (table["状态"] == "正常").sum() + (table["状态"] == "即将到期").sum() >= 2  # the two monthly duties
    # 五(三) “2019年6月前” read as 2019-05-31: the clause says it is a system default
    mobile = next(m for m in prog.milestones if m.code == "mobile_capability")
    assert table.at[mobile.name, "条款"] == "五(三)（文件未规定，系统默认）"
    assert not at.warning


def test_signed_out_gets_the_login_hint_and_no_form(own_db):
    eng = db.get_engine(own_db)
    n0 = len(audit.load_audit(eng))
    at = page(own_db)
    _clean(at)
    assert any("请先在“登录”页面登录" in w.value for w in at.warning)
    assert not at.dataframe and not [b for b in at.button if b.label in ("记录完成", "清除记录")]
    assert len(audit.load_audit(eng)) == n0


def test_record_and_clear_signed_in_as_county_admin(own_db):
    eng = db.get_engine(own_db)
    assert "summary_meeting" not in mr.done_dates(eng, HY)  # left open in the demo
    at = page(own_db, "county_admin", "433124")
    _clean(at)
    before = {m.label: m.value for m in at.metric}["已完成"]
    at = _submit(at, "summary_meeting", dt.date(2019, 8, 5), "总结会纪要 演示")
    _clean(at)
    assert not at.error, [e.value for e in at.error]
    assert any("已记录" in s.value for s in at.success)
    assert mr.done_dates(eng, HY)["summary_meeting"] == dt.date(2019, 8, 5)
    log = audit.load_audit(eng, table="milestone_records")
    assert log["action"].iat[-1] == "insert" and "summary_meeting" in log["new"].iat[-1]
    after = {m.label: m.value for m in at.metric}["已完成"]
    assert int(after.split()[0]) == int(before.split()[0]) + 1
    # 四(三) 总结表彰大会 due 2019-07-31, done 2019-08-05: done, 5 days late
    row = _table(at).set_index("里程碑").loc["总结表彰大会"]
    assert row["状态"] == "已完成（逾期 5 天）" and row["完成日期"] == "2019年8月5日"
    at = _submit(at, "summary_meeting", dt.date(2019, 8, 5), label="清除记录")
    assert not at.error, [e.value for e in at.error]
    assert "summary_meeting" not in mr.done_dates(eng, HY)


def test_other_roles_other_counties_and_stale_write_nothing(own_db):
    eng = db.get_engine(own_db)
    n0 = len(audit.load_audit(eng, table="milestone_records"))
    for role in ("township_officer", "auditor"):  # they see the form, the store refuses
        at = _submit(page(own_db, role, "433124T01" if role == "township_officer" else ""),
                     "summary_meeting", dt.date(2019, 8, 1))
        assert any("无权限" in e.value and "未写入任何数据" in e.value for e in at.error), role
    # 辰溪's county admin is not offered 花垣's programme at all: the page shows its own (谭家场)
    at = page(own_db, "county_admin", "431223")
    _clean(at)
    assert at.selectbox(key="program").options == [load_program("tanjiachang-2023").meta.short_title]
    assert at.session_state["program"] == "tanjiachang-2023"
    assert "summary_meeting" not in mr.done_dates(eng, HY)
    assert len(audit.load_audit(eng, table="milestone_records")) == n0
    # someone records it after this page was shown: the page's save is refused
    at = page(own_db, "county_admin", "433124")
    mr.record_done(eng, HY, "summary_meeting", dt.date(2019, 7, 30), "", system("他人"))
    at = _submit(at, "summary_meeting", dt.date(2019, 8, 9))
    assert any("未保存" in e.value for e in at.error)
    assert mr.done_dates(eng, HY)["summary_meeting"] == dt.date(2019, 7, 30)
