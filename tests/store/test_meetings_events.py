"""谭家场 每月会商 records (ruralcore.app.meetings) and 忻州 重要情况报告 (ruralcore.app.events) on
SQLite and PostgreSQL: audited, a stale update refused, scope-checked; the monthly
consultation milestone met by a record of the month; unread reports first; the
`ruralcore meetings` and `ruralcore events` commands with --json and exit status 2."""
from __future__ import annotations

import datetime as dt
import json

import pytest
import sqlalchemy as sa

from ruralcore.app import events, households, meetings
from ruralcore.cli import main
from ruralcore.kernel.errors import InputError, PermissionDenied, StaleWriteError
from ruralcore.auth.scope import Actor
from ruralcore.store import audit
from tests.login_support import ensure_account
from ruralcore.kernel.principal import system

TJC = "tanjiachang-2023"
XZ = "xinzhou-2023"
TOWN = "431223222"  # 谭家场乡
TODAY = dt.date(2024, 6, 30)


def _n(engine, table: str) -> int:
    with engine.connect() as c:
        return c.execute(sa.text(f"SELECT COUNT(*) FROM {table}")).scalar_one()


def _household(engine) -> int:
    return households.add_household(engine, {"village": TOWN, "head_name": "演示户主", "id_number": "431223199001011234",
                                             "phone": "13812345678"}, system("测试")).id


def test_meeting_recorded_met_by_month_and_stale_update_refused(engine):
    hh = _household(engine)
    rec = meetings.add(engine, TJC, dt.date(2024, 5, 28), "乡乡村振兴办", "乡社会事务综合服务中心、乡应急管理办",
                       [str(hh)], "落实临时救助", "6月回访", system("乡干部"), today=TODAY)
    assert rec.version == 1 and rec.region == TOWN
    got = meetings.records(engine, TJC).iloc[0]
    assert got["household_names"] == f"演示户主（{hh}）" and "431223" not in got["household_names"]
    assert got["attendees"] == "乡社会事务综合服务中心、乡应急管理办"
    # 三(四)9: the month is met by a record held in it, not by a tick
    m = meetings.months(engine, TJC, "2024-04", "2024-06").set_index("month")
    assert m["met"].tolist() == [False, True, False] and m.at["2024-05", "ref"] == "三(四)9"
    meetings.update(engine, rec.id, {"follow_up": "6月已回访"}, 1, system("乡干部"))
    with pytest.raises(StaleWriteError):
        meetings.update(engine, rec.id, {"follow_up": "覆盖"}, 1, system("乙"))
    assert meetings.records(engine, TJC)["follow_up"].tolist() == ["6月已回访"]
    assert list(audit.load_audit(engine, table="meeting_records")["action"]).count("update") == 1


def test_meeting_bad_input_and_scope(engine):
    with pytest.raises(InputError) as e:
        meetings.add(engine, TJC, dt.date(2024, 7, 2), "", "", ["99999"], "", "", system("乡干部"), today=TODAY)
    text = str(e.value)
    assert "晚于今天" in text and "牵头单位" in text and "参加单位" in text
    with pytest.raises(InputError, match="一户一档中没有这些农户：99999"):
        meetings.add(engine, TJC, dt.date(2024, 6, 2), "乡乡村振兴办", "各村", ["99999"], "", "", system("甲"), today=TODAY)
    with pytest.raises(InputError, match="没有每月会商的规定"):
        meetings.add(engine, "huayuan-2019", dt.date(2019, 6, 2), "甲", "乙", [], "", "", system("甲"), today=TODAY)
    with pytest.raises(PermissionDenied):  # 花垣's township officer, not 谭家场's
        meetings.add(engine, TJC, dt.date(2024, 6, 2), "乡乡村振兴办", "各村", [], "", "",
                     Actor("外乡", "township_officer", "433124T01"), today=TODAY)
    assert _n(engine, "meeting_records") == 0
    officer = Actor("谭家场干部", "township_officer", TOWN)
    assert meetings.add(engine, TJC, dt.date(2024, 6, 2), "乡乡村振兴办", "各村", [], "", "", officer,
                        today=TODAY).recorded_by == "谭家场干部"
    assert meetings.records(engine, TJC, visible=["433124T01"]).empty


def test_events_unread_first_mark_read_stale_and_scope(engine):
    a = events.report(engine, XZ, "忻府区", "合索镇试点机房断电", dt.date(2024, 1, 10), "平台停用2天", "已抢修",
                      Actor("忻府区管理员", "county_admin", "140902"), today=TODAY)
    b = events.report(engine, XZ, "140921", "宏道镇施工延期", dt.date(2024, 1, 12), "", "", system("定襄专班"), today=TODAY)
    with pytest.raises(PermissionDenied):  # 忻府区 files for itself only
        events.report(engine, XZ, "定襄县", "越权", dt.date(2024, 1, 12), "", "", Actor("忻府区管理员", "county_admin", "140902"),
                      today=TODAY)
    with pytest.raises(InputError, match="不是.*试点县"):
        events.report(engine, XZ, "花垣县", "x", dt.date(2024, 1, 12), "", "", system("甲"), today=TODAY)
    supervisor = Actor("市督导", "city_supervisor", "140900")
    events.mark_read(engine, a.id, 1, supervisor)
    with pytest.raises(StaleWriteError):
        events.mark_read(engine, a.id, 1, supervisor)
    rep = events.reports(engine, XZ)
    assert rep["id"].tolist() == [b.id, a.id]  # unread first
    assert rep["read"].tolist() == [False, True] and rep.at[1, "read_by"] == "市督导"
    assert rep.at[0, "county_name"] == "定襄县"
    assert events.reports(engine, XZ, month="2024-02").empty
    assert events.reports(engine, XZ, visible=["140902"])["id"].tolist() == [a.id]
    with pytest.raises(PermissionDenied):  # another city's supervisor
        events.mark_read(engine, b.id, 1, Actor("湘西督导", "city_supervisor", "433100"))
    log = audit.load_audit(engine, table="event_reports")
    assert (log["action"] == "insert").sum() == 2 and (log["action"] == "update").sum() >= 1


def test_commands_json_and_exit_2(db_url, engine, capsys):
    ensure_account(engine, "tjc", "township_officer", TOWN)
    ensure_account(engine, "xf", "county_admin", "140902")
    assert main(["meetings", "add", TJC, "--on", "2024-05-28", "--chair", "乡乡村振兴办", "--attendees", "各村、乡应急管理办",
                 "--user", "tjc", "--db", db_url]) == 0
    assert main(["meetings", "list", TJC, "--json", "--db", db_url]) == 0
    rows = json.loads(capsys.readouterr().out.split("\n", 1)[1])
    assert rows[0]["held_on"] == "2024-05-28" and rows[0]["recorded_by"] == "tjc"
    assert main(["meetings", "add", TJC, "--on", "2024-05-28", "--chair", "", "--attendees", "各村", "--user", "tjc",
                 "--db", db_url]) == 2
    assert "牵头单位" in capsys.readouterr().err
    assert main(["events", "report", XZ, "--county", "忻府区", "--what", "机房断电", "--on", "2024-01-10",
                 "--user", "xf", "--json", "--db", db_url]) == 0
    assert json.loads(capsys.readouterr().out)["county"] == "140902"
    assert main(["events", "list", XZ, "--json", "--db", db_url]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows[0]["title"] == "机房断电" and rows[0]["read"] is False and rows[0]["happened_on"] == "2024-01-10"
    assert main(["events", "report", XZ, "--county", "定襄县", "--what", "x", "--on", "2024-01-10", "--user", "xf",
                 "--db", db_url]) == 2
    assert "无权限" in capsys.readouterr().err
    assert _n(engine, "event_reports") == 1
