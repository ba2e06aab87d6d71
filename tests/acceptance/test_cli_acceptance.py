"""`ruralcore acceptance …` on the demo database: the case list with deadlines as JSON,
a case's checklist, the .docx record, and exit status 2 with a Chinese message on bad input."""
from __future__ import annotations

import datetime as dt
import io
import json

import docx

from ruralcore.app import cases
from ruralcore.rules import workdays
from ruralcore.cli import main
from ruralcore.kernel.principal import system


def test_cases_json_deadlines(acc_db_url, acc_engine, new_station, capsys):
    number = new_station()
    case = cases.open_case(acc_engine, "rongshui-2019", "station", number, "2019-09-27", system("甲"))
    assert main(["acceptance", "cases", "rongshui-2019", "--as-of", "2019-09-30", "--json", "--db", acc_db_url]) == 0
    rows = {r["case"]: r for r in json.loads(capsys.readouterr().out)}
    mine = rows[case["id"]]
    assert mine["due"] == workdays.add_workdays(dt.date(2019, 9, 27), 5).isoformat() == "2019-10-10"
    assert mine["workdays_left"] == 3 and mine["overdue"] is False and mine["step_name"] == "申请验收"


def test_checklist_and_record(acc_db_url, acc_engine, new_station, capsys, tmp_path):
    from ruralcore.app import checklists
    from ruralcore.rules.programs import load_program
    p = load_program("rongshui-2019")
    number = new_station(hours=40)  # below 五(二)2's 48 hours
    c = cases.open_case(acc_engine, p, "station", number, "2019-09-27", system("甲"), inspectors="张三")
    c = cases.record_application(acc_engine, c["id"], "2019-10-08", system("甲"), c["version"])
    cl = checklists.subject_checklist(acc_engine, p, "station", number)
    cases.record_inspection(acc_engine, c["id"], "2019-10-15", cl, "fail", system("乙"), c["version"])
    assert main(["acceptance", "checklist", str(c["id"]), "--db", acc_db_url]) == 0
    out = capsys.readouterr().out
    assert "不合格必备项：1项：信息员年度培训学时（五(二)2）" in out
    target = tmp_path / "记录.docx"
    assert main(["acceptance", "record", str(c["id"]), "--out", str(target), "--db", acc_db_url]) == 0
    d = docx.Document(io.BytesIO(target.read_bytes()))
    assert any("应不少于48学时" in cell.text for t in d.tables for row in t.rows for cell in row.cells)


def test_bad_input_exits_2(acc_db_url, capsys):
    assert main(["acceptance", "cases", "rongshui-2019", "--as-of", "2019-13-01", "--db", acc_db_url]) == 2
    assert "错误：计算期限的日期“2019-13-01”格式不对" in capsys.readouterr().err
    assert main(["acceptance", "record", "999999", "--out", "x.docx", "--db", acc_db_url]) == 2
    assert "找不到验收案件 999999" in capsys.readouterr().err
