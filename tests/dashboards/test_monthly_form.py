"""ruralcore.app.monthly_form (the phone form's rules and store) on SQLite and PostgreSQL, and
the 手机填报 page through AppTest.

A draft is kept in report_drafts and never counts as a submitted report in the reporting
rate; a submission goes through the import's checks; a second submission of the same
month is refused (月报更正 changes it), so the month keeps one version of each value.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from ruralcore.app import monthly_form as mf
from ruralcore.app import reporting
from ruralcore.kernel.errors import InputError, PermissionDenied
from ruralcore.auth.scope import Actor
from ruralcore.store import audit, db, reports
from tests.dashboards.test_entry import eng  # noqa: F401  (花垣镇's villages and 2019-11, SQLite and PostgreSQL)
from tests.support import sqlite_copy

HY = "huayuan-2019"
OLD = "2019-11"  # the demo's newest month for 花垣
NEW = "2019-12"  # nobody has reported it yet in the copy below
TOWN = "433124T01"  # 花垣镇


def _village(eng) -> str:
    return str(mf.entry.members(eng, HY, TOWN)["code"].iloc[0])


def _good_values(eng, village: str) -> dict:
    """Last month's values: they pass the import's checks."""
    form = mf.load_form(eng, HY, NEW, village)
    return {r["code"]: r["last"] for r in form.rows.to_dict("records")}


def test_form_rows_carry_label_unit_range_and_last_month(eng):
    v = _village(eng)
    form = mf.load_form(eng, HY, NEW, v)
    assert len(form.rows) == len(mf.entry.fields(HY))
    assert form.rows["label"].str.len().gt(0).all() and form.rows["unit"].str.len().gt(0).all()
    assert form.rows["last"].notna().any()  # 2019-11 is stored
    assert form.rows["value"].isna().all()  # 2019-12 is not


def test_typed_values_are_checked_with_the_import_rules(eng):
    v = _village(eng)
    vals = _good_values(eng, v)
    assert mf.check(eng, HY, NEW, v, vals) == {}
    count = next(r for r in mf.load_form(eng, HY, NEW, v).rows.to_dict("records") if r["kind"] == "count")
    bad = {**vals, count["code"]: -3}
    problems = mf.check(eng, HY, NEW, v, bad)
    assert list(problems) == [count["code"]] and problems[count["code"]]


def test_draft_is_not_a_submitted_report_and_submitting_twice_keeps_one_version(eng):
    v = _village(eng)
    me = Actor("村填报员", "village_reporter", v)
    vals = _good_values(eng, v)
    mf.save_draft(eng, HY, NEW, v, vals, me)
    assert mf.load_draft(eng, HY, NEW, v)["values"][next(iter(vals))] == str(vals[next(iter(vals))])
    rate = reporting.reporting_from_store(eng, HY, NEW)["total"]
    assert rate["expected"] > 1 and rate["received"] == 0 and rate["reporting_rate"] == 0  # the draft is not counted
    assert mf.township_status(eng, HY, NEW, TOWN).set_index("code").loc[v, "status"] == "未提交"

    out = mf.submit(eng, HY, NEW, v, vals, me)
    assert out["submitted_at"] is not None and mf.load_draft(eng, HY, NEW, v) is None
    assert reporting.reporting_from_store(eng, HY, NEW)["total"]["received"] == 1
    before = reports.load_reports(eng, HY, [NEW])
    n_log = len(audit.load_audit(eng))
    with pytest.raises(InputError, match="月报更正"):
        mf.submit(eng, HY, NEW, v, vals, me)
    after = reports.load_reports(eng, HY, [NEW])
    pd.testing.assert_frame_equal(before, after)
    assert set(after["version"]) == {1} and len(audit.load_audit(eng)) == n_log
    mf.save_draft(eng, HY, NEW, v, vals, me)  # no draft after submission
    assert mf.load_draft(eng, HY, NEW, v) is None


def test_a_second_submission_that_raced_past_the_check_writes_nothing(eng, monkeypatch):
    """Two taps on 提交 (or two phones) both read the month as not yet submitted: the store
    takes the first and refuses the second by its versions, so each value keeps version 1."""
    v = _village(eng)
    me = Actor("村填报员", "village_reporter", v)
    vals = _good_values(eng, v)
    stale = mf._sheet(eng, mf.load_program(HY), NEW, v)  # read before the first submission lands
    mf.submit(eng, HY, NEW, v, vals, me)
    before = reports.load_reports(eng, HY, [NEW])
    n_log = len(audit.load_audit(eng))
    monkeypatch.setattr(mf, "_sheet", lambda *a, **k: stale)
    with pytest.raises(InputError, match="不能再次提交.*月报更正"):
        mf.submit(eng, HY, NEW, v, vals, me)
    after = reports.load_reports(eng, HY, [NEW])
    pd.testing.assert_frame_equal(before, after)
    assert set(after["version"]) == {1} and len(after) == len(vals) and len(audit.load_audit(eng)) == n_log


def test_reporter_writes_only_their_own_village_draft(eng):
    a, b = mf.entry.members(eng, HY, TOWN)["code"].iloc[:2].astype(str)
    with pytest.raises(PermissionDenied):
        mf.save_draft(eng, HY, NEW, b, {}, Actor("村填报员", "village_reporter", a))
    assert mf.load_draft(eng, HY, NEW, b) is None


def test_on_time_against_the_due_day_and_the_reminder_names_reporters(eng):
    v = _village(eng)
    s = mf.submission(eng, HY, OLD, v)
    assert s["due"] == dt.date(2019, 12, 5) and s["rule"]["assumed"]  # 系统默认
    assert mf.due_month(HY, dt.date(2019, 12, 5)) == "2019-11"
    assert mf.due_month(HY, dt.date(2019, 12, 6)) == "2019-12"
    st = mf.township_status(eng, HY, NEW, TOWN)
    st.loc[0, "reporters"] = "张三"
    text = mf.reminder_text(st, "花垣", NEW, dt.date(2020, 1, 5))
    assert "张三" in text and "2020年1月5日" in text and text.count("\n") == len(st)


# ---- the page (AppTest) --------------------------------------------------------------------

@pytest.fixture
def page_db(demo_file, tmp_path, monkeypatch):
    """A private copy of the demo database, DATABASE_URL pointed at it."""
    url = f"sqlite:///{sqlite_copy(demo_file, tmp_path / 'demo.db')}"
    monkeypatch.setenv("DATABASE_URL", url)
    return db.get_engine(url)


def _open(eng, role: str, region: str, name: str) -> AppTest:
    from tests.support import open_app
    return open_app(eng, page="county/phone_entry.py", program=HY, login=(role, region, name))


def _errors(at) -> list[str]:
    return [e.value for e in at.error]


def test_page_reporter_fixes_an_out_of_range_value_submits_and_the_township_sees_it(page_db):
    village = _village(page_db)
    at = _open(page_db, "village_reporter", village, "phone-reporter")
    assert not at.exception, at.exception
    period = at.selectbox(key="pf_period").value
    assert period == mf.due_month(HY, mf.now_china().date())
    form = mf.load_form(page_db, HY, period, village)
    assert len(at.number_input) == len(form.rows)
    last = _good_values(page_db, village)  # 2019-11's values of the village pass the checks
    rows = form.rows.to_dict("records")
    count = next(r for r in rows if r["kind"] == "count")
    for r in rows:
        at.number_input(key=f"pf_{period}_{village}_{r['code']}").set_value(
            -3.0 if r["code"] == count["code"] else float(last[r["code"]]))
    at.run()
    assert any("不能小于" in e or "负" in e or "小于" in e for e in _errors(at)), _errors(at)
    assert mf.load_draft(page_db, HY, period, village) is not None  # kept on the server as typed
    again = _open(page_db, "village_reporter", village, "phone-reporter")  # the connection dropped: a new session
    assert again.number_input(key=f"pf_{period}_{village}_{count['code']}").value == -3.0
    assert all(again.number_input(key=f"pf_{period}_{village}_{r['code']}").value == float(last[r["code"]])
               for r in rows if r["code"] != count["code"])
    assert any(c.value.startswith("已恢复") for c in again.caption) and _errors(again) == _errors(at)
    assert reporting.reporting_from_store(page_db, HY, period)["total"]["received"] == 0

    at.number_input(key=f"pf_{period}_{village}_{count['code']}").set_value(float(last[count["code"]]))
    at.run()
    assert not _errors(at), _errors(at)
    at.button(key="pf_submit").click().run()
    ok = " ".join(s.value for s in at.success)
    assert "已于" in ok and "提交，按时" in ok, ok
    assert mf.load_draft(page_db, HY, period, village) is None

    town = _open(page_db, "township_officer", TOWN, "phone-township")
    assert not town.exception, town.exception
    text = " ".join(m.value for m in town.markdown)
    assert "按时提交 **1** 个村" in text, text
    assert any(b.label.startswith(form.name) and "已提交" in b.label for b in town.button)
    assert "催报" in text and town.code and form.name not in town.code[0].value
    assert not town.number_input  # the list first; one tap opens a village's form
    next(b for b in town.button if b.label.startswith(form.name)).click().run()
    assert "提交，按时" in " ".join(s.value for s in town.success)
    assert town.selectbox(key="pf_village").value == village and not town.code
    other = next(c for c in mf.entry.members(page_db, HY, TOWN)["code"] if c != village)
    town.button(key="pf_back").click().run()
    town.button(key=f"pf_open_{other}").click().run()
    assert len(town.number_input) == len(form.rows) and town.selectbox(key="pf_village").value == other
