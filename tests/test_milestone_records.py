"""Recording when programme milestones were done (ruralcore.app.milestone_records), on SQLite
and PostgreSQL: audited, versioned, scope-checked; bad input refused with nothing written."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
import sqlalchemy as sa

from ruralcore.app import milestone_records as mr
from ruralcore.app import overview as ov
from ruralcore.kernel.errors import InputError, PermissionDenied, StaleWriteError
from ruralcore.rules.programs import load_program
from ruralcore.auth.scope import Actor
from ruralcore.store import audit, db
from tests.store.conftest import db_url  # noqa: F401  (SQLite and PostgreSQL)
from ruralcore.kernel.principal import system

HY = "huayuan-2019"
TODAY = dt.date(2019, 6, 1)


@pytest.fixture
def engine(db_url):  # noqa: F811
    return db.get_engine(db_url)


def _count(engine) -> int:
    with engine.connect() as c:
        return c.execute(sa.text("SELECT COUNT(*) FROM milestone_records")).scalar_one()


def test_record_is_audited_and_read_back(engine):
    # 花垣 一(一): 2018年12月31日前 组织启动
    rec = mr.record_done(engine, HY, "kickoff", dt.date(2018, 12, 28), "启动会已召开", system("县数字办"), today=TODAY)
    assert rec.version == 1 and rec.recorded_by == "县数字办"
    assert mr.done_dates(engine, HY) == {"kickoff": dt.date(2018, 12, 28)}
    log = audit.load_audit(engine, table="milestone_records")
    assert list(log["action"]) == ["insert"] and log["user"].iat[0] == "县数字办"
    assert "kickoff" in log["new"].iat[0]
    frame = mr.records(engine, HY)
    row = frame.set_index("code").loc["kickoff"]
    assert row["due"] == dt.date(2018, 12, 31) and row["done_on"] == dt.date(2018, 12, 28)
    assert row["version"] == 1 and "一" in row["ref"]
    assert pd.isna(frame.set_index("code").loc["stage1", "done_on"])  # nothing recorded


def test_change_and_clear_carry_the_version(engine):
    mr.record_done(engine, HY, "stage1", dt.date(2019, 3, 30), "", system("甲"), today=TODAY)
    rec = mr.record_done(engine, HY, "stage1", dt.date(2019, 4, 3), "补记", system("乙"), expected_version=1, today=TODAY)
    assert rec.version == 2 and mr.done_dates(engine, HY)["stage1"] == dt.date(2019, 4, 3)
    with pytest.raises(StaleWriteError):  # someone read version 1, it is now 2
        mr.record_done(engine, HY, "stage1", dt.date(2019, 3, 1), "", system("丙"), expected_version=1, today=TODAY)
    with pytest.raises(StaleWriteError):  # believed nothing was recorded
        mr.record_done(engine, HY, "stage1", dt.date(2019, 3, 1), "", system("丙"), today=TODAY)
    with pytest.raises(StaleWriteError):
        mr.clear_done(engine, HY, "stage1", system("丙"), expected_version=1)
    assert mr.done_dates(engine, HY)["stage1"] == dt.date(2019, 4, 3)
    mr.clear_done(engine, HY, "stage1", system("乙"), expected_version=2)
    assert mr.done_dates(engine, HY) == {}
    actions = list(audit.load_audit(engine, table="milestone_records")["action"])
    assert actions.count("insert") == 1 and actions.count("delete") == 1 and "update" in actions


@pytest.mark.parametrize("code, done_on, column, words", [
    ("no_such", dt.date(2019, 1, 2), "milestone", "没有里程碑“no_such”"),
    ("monthly_scoring", dt.date(2019, 1, 2), "milestone", "按月重复"),
    ("kickoff", dt.date(2019, 6, 2), "done_on", "晚于今天"),
])
def test_bad_input_is_refused_with_nothing_written(engine, code, done_on, column, words):
    with pytest.raises(InputError) as e:
        mr.record_done(engine, HY, code, done_on, "", system("县数字办"), today=TODAY)
    assert e.value.problems[0].column == column and words in str(e.value)
    assert _count(engine) == 0 and audit.load_audit(engine, table="milestone_records").empty


def test_a_programme_record_needs_the_county(engine):
    officer = Actor("乡干部", "township_officer", "433124T01")
    with pytest.raises(PermissionDenied):
        mr.record_done(engine, HY, "kickoff", dt.date(2018, 12, 30), "", officer, today=TODAY)
    other = Actor("外县管理员", "county_admin", "431223")  # 辰溪县 runs 谭家场, not 花垣
    with pytest.raises(PermissionDenied):
        mr.record_done(engine, HY, "kickoff", dt.date(2018, 12, 30), "", other, today=TODAY)
    assert _count(engine) == 0
    admin = Actor("花垣管理员", "county_admin", "433124")
    assert mr.record_done(engine, HY, "kickoff", dt.date(2018, 12, 30), "", admin, today=TODAY).version == 1
    # 融水's programme is run by 融水县 (under 柳州市 in the region file)
    assert mr.program_region("rongshui-2019") == "450225"


def test_overview_shows_recorded_milestones_done(engine):
    prog = load_program(HY)
    mr.record_done(engine, HY, "kickoff", dt.date(2019, 1, 4), "", system("县数字办"), today=TODAY)
    mr.record_done(engine, HY, "stage2", dt.date(2019, 5, 30), "", system("县数字办"), today=TODAY)
    done = mr.done_dates(engine, HY)
    st = ov.milestone_table(prog, dt.date(2019, 5, 1), done).set_index("code")
    assert st.at["kickoff", "status_label"] == "已完成" and st.at["kickoff", "days_late"] == 4
    # done after the data's date: not yet done on that date (due 2019-07-31, 91 days left)
    assert st.at["stage2", "status"] == "on_track" and st.at["stage2", "days_left"] == 91
    assert st.at["stage1", "status"] == "overdue"  # due 2019-03-31, nothing recorded
    assert "kickoff" not in set(ov.next_milestones(prog, dt.date(2019, 5, 1), 4, done)["code"])


def test_demo_records_are_seeded_and_before_the_data_date():
    from ruralcore.demo import milestones as demo_ms

    meta = pd.DataFrame({"key": ["as_of:huayuan-2019", "as_of:rongshui-2019", "as_of:xinzhou-2023"],
                         "value": ["2019-12-25", "2020-01-25", "2024-01-25"]})
    a, b = demo_ms.records(meta), demo_ms.records(meta)
    pd.testing.assert_frame_equal(a, b)  # same seed, same records
    assert "xinzhou-2023" not in set(a["program"])  # 忻州's steps are per pilot (pilots table)
    hy = a[a["program"] == HY].set_index("milestone")
    # 花垣's six dated milestones all fall before 2019-12-25: the last (四(三) 总结表彰大会,
    # due 2019-07-31) is left open so the timeline shows something due
    assert "kickoff" in hy.index and "summary_meeting" not in hy.index and len(hy) == 5
    prog = load_program(HY)
    due = {m.code: m.due for m in prog.milestones}
    late = [(d - due[c]).days for c, d in hy["done_on"].items() if d > due[c]]
    assert len(late) == 1 and 3 <= late[0] <= 10  # one a few days late, the rest on time
    assert (a["done_on"] <= dt.date(2020, 1, 25)).all()
