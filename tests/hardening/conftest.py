"""The hostile-input corpus (issue 15): every case runs on a fresh SQLite file and on a
fresh PostgreSQL database where a database is involved, and checks the exit code (or the
exception), a Chinese message naming what is wrong, and that the database is unchanged.

``engine`` holds five 花垣 demo villages, a county administrator, a village reporter and
one stored month, so "unchanged" compares real rows; ``fingerprint`` is the content of
every table, compared before and after a refused write."""
from __future__ import annotations

import hashlib
import json

import pandas as pd
import pytest
import sqlalchemy as sa

from ruralcore.auth import accounts
from ruralcore.store import db, reports
from ruralcore.store import regions as store_regions
from ruralcore.store.models import metadata
from tests.store.conftest import db_url  # noqa: F401 - a fresh SQLite file and a fresh PostgreSQL database
from ruralcore.kernel.principal import system

PROGRAM = "huayuan-2019"
PERIOD = "2019-06"
TOWN = "433124101"
VILLAGES = [f"{TOWN}00{i}" for i in range(1, 6)]
PASSWORD = "Xiang-2019-cun"
# one village's month, consistent with the 花垣 fields (numerators ≤ denominators)
GOOD = {
    "natural_villages": 10, "natural_villages_4g": 9, "natural_villages_fiber": 8,
    "residents": 1000, "mobile_phone_users": 800, "internet_4g_users": 700,
    "households": 300, "broadband_households": 150,
    "xiangqing_net": 1, "group_ringtone": 0, "office_cloud": 1, "mass_messaging": 1, "study_room": 1,
}


@pytest.fixture
def engine(db_url):
    eng = db.get_engine(db_url)
    frame = pd.DataFrame({
        "code": [TOWN] + VILLAGES,
        "name": ["演示镇"] + [f"演示村{i}" for i in range(1, 6)],
        "level": ["township"] + ["village"] * 5,
        "parent": ["433124"] + [TOWN] * 5,
        "program": PROGRAM, "kind": "", "code_source": "generated", "ref": "演示",
    })
    store_regions.sync_regions(eng, frame, user=system("测试"))
    accounts.create_account(eng, "county", "county_admin", "433124", PASSWORD, by=system("测试"))
    accounts.create_account(eng, "reporter", "village_reporter", VILLAGES[0], PASSWORD, by=system("测试"))
    accounts.create_account(eng, "auditor1", "auditor", "", PASSWORD, by=system("测试"))
    values = pd.DataFrame([(v, f, float(x)) for v in VILLAGES[:2] for f, x in GOOD.items()],
                          columns=["region", "field", "value"])
    reports.upsert_reports(eng, PROGRAM, "2019-05", values, system("测试"))
    return eng


def fingerprint(engine: sa.Engine) -> dict[str, str]:
    """Table → digest of its rows (sorted), so any insert, update or delete shows."""
    out = {}
    with engine.connect() as conn:
        for table in metadata.sorted_tables:
            rows = [json.dumps([str(v) for v in r], ensure_ascii=False)
                    for r in conn.execute(sa.select(table)).all()]
            out[table.name] = f"{len(rows)}:" + hashlib.sha256("\n".join(sorted(rows)).encode()).hexdigest()[:16]
    return out


def assert_chinese(message: str) -> None:
    """A user's message: Chinese, no traceback, no English sentence, not an internal error."""
    import re

    assert re.search(r"[\u4e00-\u9fff]", message), message
    assert "Traceback" not in message and "内部错误" not in message, message
    # values quoted back to the user (“county”), option names and file names are not prose
    prose = re.sub(r"“[^”]*”|--[a-z-]+|https?://\S+|\S*\.(xlsx|csv|zip|json|jsonl|docx)\b|[\w.\-]*(?:/[\w.\-]+)+|[a-z_0-9]+（", "", message)
    english = re.findall(r"\b[A-Za-z]{4,}\b", prose)
    allowed = {"YYYY", "ruralcore", "help", "DATABASE_URL", "JSON", "Excel", "UTF", "import", "export",
               "accounts", "create", "reset", "password", "workdays", "programs", "show", "milestones",
               "acceptance", "cases", "checklist", "record", "backup", "restore", "demo", "template",
               "score", "targets", "funds", "station", "code", "reporting", "circular", "init", "admin",
               "list", "count", "manifest", "tables", "jsonl", "huayuan", "auditor",
               "responsible", "notices", "forecast", "issue", "reply", "close", "docx",  # issue 16's commands
               "categories", "summary", "source", "use", "kind", "amount", "pilot", "note",  # issue 12: funds
               "stations", "awards", "meetings", "events", "trainees", "officers",  # issue 17's commands
               "analytics", "rebuild",  # issue 18's command
               "county", "reporter", "auditor1"}  # the accounts of the fixture
    assert not [w for w in english if w not in allowed], (english, message)


# ---- monthly report files -------------------------------------------------------------------

def headers(program: str = PROGRAM) -> list[str]:
    from ruralcore.io import excel
    from ruralcore.rules.programs import load_program

    return ["月份", "区域代码", "区域名称"] + [excel.header(f) for f in excel.report_fields(load_program(program))]


def good_rows(villages=VILLAGES, period: str = PERIOD) -> list[list]:
    """One filled row per village, in the template's column order."""
    return [[period, v, f"演示村{i}"] + [GOOD[c] for c in GOOD] for i, v in enumerate(villages, 1)]


def report_csv(rows: list[list], program: str = PROGRAM) -> bytes:
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(headers(program))
    w.writerows(rows)
    return buf.getvalue().encode("utf-8")


def report_xlsx(rows: list[list], program: str = PROGRAM) -> bytes:
    """An xlsx as officials make it with Excel (openpyxl): header row, then ``rows``; a str
    cell starting with '=' is written as a formula without a cached value."""
    import io

    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "月报"
    ws.append(headers(program))
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
