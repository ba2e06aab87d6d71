"""The command line of issue 16 on a copy of the demo database: responsible template /
import / list, notices issue / reply / close / list / docx, forecast — their JSON keys,
the notice number as the last word, and exit 2 with a Chinese message for an unknown or
unauthorised user and for a bad register row (nothing written)."""
from __future__ import annotations

import datetime as dt
import json

import docx
import openpyxl
import pytest

from ruralcore.auth import accounts
from ruralcore.app import notices as nt
from ruralcore.cli import main
from ruralcore.store import db
from tests.support import sqlite_copy
from ruralcore.kernel.principal import system

XZ = "xinzhou-2023"
PILOT = "XZ2023-T01"  # 忻府区 合索镇
OTHER = "XZ2023-T02"  # 定襄县 宏道镇


@pytest.fixture(scope="module")
def url(demo_db_url, tmp_path_factory):
    path = sqlite_copy(demo_db_url, tmp_path_factory.mktemp("duban-cli") / "demo.db")
    u = f"sqlite:///{path}"
    eng = db.get_engine(u)
    for name, role, region in (("zhou", "city_supervisor", "140900"), ("xinfu", "county_admin", "140902"),
                               ("hesuo", "township_officer", "140902T01")):
        accounts.create_account(eng, name, role, region, accounts.random_password(name), by=system("test"))
    return u


def _run(capsys, *args) -> tuple[int, str, str]:
    rc = main(list(args))
    out = capsys.readouterr()
    return rc, out.out, out.err


def test_register_template_import_and_list(url, tmp_path, capsys):
    rc, out, _ = _run(capsys, "responsible", "list", XZ, "--json", "--db", url)
    rows = json.loads(out)
    assert rc == 0 and len(rows) == 67 and set(rows[0]) == {"subject", "subject_name", "unit", "leader", "ref"}
    assert all("演示" in r["leader"] and r["ref"] == "三(二)" for r in rows)
    f = tmp_path / "r.xlsx"
    assert _run(capsys, "responsible", "template", XZ, "--out", str(f), "--db", url)[0] == 0
    wb = openpyxl.load_workbook(f)
    ws = wb.active
    head = [c.value for c in ws[1]]
    at = next(i for i, r in enumerate(ws.iter_rows(values_only=True), start=1) if r[0] == PILOT)
    ws.cell(at, head.index("责任领导") + 1, "王伟")
    ws.cell(at, head.index("联系电话") + 1, "13912345678")
    wb.save(f)
    rc, out, err = _run(capsys, "responsible", "import", XZ, str(f), "--user", "xinfu", "--db", url)
    assert rc == 2 and "无权限" in err  # the sheet holds the other counties' pilots too: refused whole
    # a county imports its own rows: keep only 忻府区's pilots
    keep = {r["subject"] for r in rows if r["subject"].startswith("XZ2023-") and r["unit"].startswith("忻府区")}
    for i in range(ws.max_row, 1, -1):
        if ws.cell(i, 1).value not in keep:
            ws.delete_rows(i)
    wb.save(f)
    rc, out, err = _run(capsys, "responsible", "import", XZ, str(f), "--user", "xinfu", "--db", url)
    assert rc == 0, err
    rows = {r["subject"]: r for r in json.loads(_run(capsys, "responsible", "list", XZ, "--json", "--db", url)[1])}
    assert rows[PILOT]["leader"] == "王伟"
    # a bad row: named by row and column, nothing written
    ws.cell(2, head.index("责任领导") + 1, "")
    wb.save(f)
    rc, _, err = _run(capsys, "responsible", "import", XZ, str(f), "--user", "xinfu", "--db", url)
    assert rc == 2 and "第2行" in err and "责任领导" in err and "Traceback" not in err


def test_notices_issue_reply_close_list_docx(url, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(nt, "today_china", lambda: dt.date(2024, 9, 27))  # before 国庆 2024
    base = ["--db", url]
    rc, _, err = _run(capsys, "notices", "issue", XZ, "--subject", PILOT, "--due-days", "5", "--reason", "逾期",
                      "--user", "nobody", *base)
    assert rc == 2 and "找不到账户" in err
    rc, _, err = _run(capsys, "notices", "issue", XZ, "--subject", OTHER, "--due-days", "5", "--reason", "逾期",
                      "--user", "xinfu", *base)
    assert rc == 2 and "无权限" in err
    rc, out, err = _run(capsys, "notices", "issue", XZ, "--subject", PILOT, "--due-days", "5",
                        "--reason", "方案备案逾期", "--user", "zhou", *base)
    assert rc == 0, err
    number = out.split()[-1]
    assert number.startswith("忻乡振督〔2024〕") and number.endswith("号")
    rc, _, err = _run(capsys, "notices", "reply", number, "--text", "已整改", "--user", "hesuo", *base)
    assert rc == 2 and "无权限" in err  # addressed to the county, not its township
    assert _run(capsys, "notices", "reply", number, "--text", "已召开专题会", "--user", "xinfu", *base)[0] == 0
    assert _run(capsys, "notices", "close", number, "--user", "xinfu", *base)[0] == 2
    assert _run(capsys, "notices", "close", number, "--user", "zhou", *base)[0] == 0
    rc, out, _ = _run(capsys, "notices", "list", XZ, "--as-of", "2024-10-08", "--json", *base)
    row = next(r for r in json.loads(out) if r["number"] == number)
    assert set(row) == {"number", "subject", "unit", "state", "due", "days_left"}
    assert row["state"] == "closed" and row["due"] == "2024-10-10" and row["subject"] == PILOT
    f = tmp_path / "n.docx"
    assert _run(capsys, "notices", "docx", number, "--out", str(f), *base)[0] == 0
    text = "\n".join(p.text for p in docx.Document(str(f)).paragraphs)
    assert number in text and "2024年10月10日前" in text and row["unit"] in text


def test_forecast_json_keys(url, capsys):
    rc, out, err = _run(capsys, "forecast", XZ, "--period", "2023-12", "--json", "--db", url)
    assert rc == 0, err
    rows = json.loads(out)
    assert rows and set(rows[0]) == {"region", "target", "value", "deadline", "projected", "on_track",
                                     "needed_per_month"}
    assert all(isinstance(r["on_track"], bool) for r in rows)
