"""Formula injection in every export (monthly report CSV/xlsx, audit log CSV/xlsx, the
circular's xlsx): a formula character at the start of a cell or after any line break in
it gets a quote, every CSV field is quoted, and an xlsx cell is text, never a formula."""
from __future__ import annotations

import csv
import datetime as dt
import io
import re

import openpyxl
import pandas as pd
import pytest

from ruralcore.app import auditview, circulars
from ruralcore.io import excel
from ruralcore.kernel.cellsafe import neutralise_text
from ruralcore.store import reports
from ruralcore.store import regions as store_regions

from .conftest import GOOD, PERIOD, PROGRAM, TOWN
from ruralcore.kernel.principal import system

PAYLOADS = [
    "=1+1", "+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1+1", "名称\r=1+1", "名称\n=1+1", "名称\r\n@SUM(A1)",
    "名称\r\r=1", "a\n\t=1", '=HYPERLINK("http://x","点我")', "=cmd|' /C calc'!A0", "a\n+1\n-1\n@x",
]
DANGER = "=+-@\t\r"


def _line_starts(text: str) -> list[str]:
    """What begins each line of a cell: the cell's start and every point after a line break."""
    return [part for part in re.split(r"[\r\n]", text) if part]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_no_line_of_a_cell_starts_a_formula(payload):
    safe = neutralise_text(payload)
    assert safe.replace("'", "") == payload.replace("'", "")  # only quotes added
    for part in [safe] + [p for p in re.split(r"(?<=[\r\n])", safe)]:
        assert not part or part[0] not in "=+-@\t" or part[0] == "'", repr(safe)
    assert all(p[0] not in "=+-@" for p in _line_starts(safe)), repr(safe)


def _check_csv(data: bytes) -> None:
    text = data.decode("utf-8-sig")
    # a reader that honours quotes: no cell, nor any line inside it, starts a formula
    for row in csv.reader(io.StringIO(text, newline="")):
        for cell in row:
            assert not cell or cell[0] not in DANGER, repr(cell)
            assert all(p[0] not in "=+-@\t" for p in _line_starts(cell)), repr(cell)
    # a reader that splits lines on any \r or \n, ignoring quotes, sees no formula either
    for line in re.split(r"[\r\n]", text):
        assert not line or line[0] in "\"'" or line[0] not in DANGER, repr(line)
        for field in re.split(r'(?:^|,)"', line):
            assert not field or field[0] not in "=+-@\t", repr(line)


def _check_xlsx(data: bytes) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", (ws.title, c.coordinate, c.value)
                if isinstance(c.value, str):
                    assert all(p[0] not in "=+-@\t" for p in _line_starts(c.value)), (c.coordinate, c.value)


def test_monthly_report_exports_neutralise_region_names(engine):
    codes = [f"{TOWN}9{i:02d}" for i in range(len(PAYLOADS))]
    store_regions.sync_regions(engine, pd.DataFrame({
        "code": codes, "name": PAYLOADS, "level": "village", "parent": TOWN, "program": PROGRAM,
        "kind": "", "code_source": "generated", "ref": "演示"}), user=system("测试"))
    values = pd.DataFrame([(c, f, float(v)) for c in codes for f, v in GOOD.items()],
                          columns=["region", "field", "value"])
    reports.upsert_reports(engine, PROGRAM, PERIOD, values, system("测试"))
    _check_csv(excel.export(engine, PROGRAM, PERIOD, fmt="csv"))
    _check_xlsx(excel.export(engine, PROGRAM, PERIOD, fmt="xlsx"))
    # and the exported file imports again unchanged (the quotes are only in the name column)
    res = excel.import_file(engine, PROGRAM, excel.export(engine, PROGRAM, PERIOD, fmt="csv"), PERIOD, system("测试"),
                            name="月报.csv")
    assert res["updated"] == 0 and res["inserted"] == 0


def test_audit_log_exports_neutralise_reasons_and_values(engine):
    for i, payload in enumerate(PAYLOADS):
        values = pd.DataFrame({"region": [f"{TOWN}001"], "field": ["residents"], "value": [2000.0 + i]})
        reports.upsert_reports(engine, PROGRAM, "2019-05", values, system("测试"), reason=payload)
    log = auditview.load(engine, system("测试"))
    stored = set(log[log["action"] == "reason"]["new"])
    assert set(PAYLOADS) <= stored, set(PAYLOADS) - stored  # kept exactly, line breaks and all
    _check_csv(auditview.export(log, "csv"))
    _check_xlsx(auditview.export(log, "xlsx"))


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_circulars_workbook_neutralises_the_typed_doc_number(payload):
    c = circulars.Circular(title="关于2023年6月的通报", doc_number=payload, recipients=payload,
                           issuer="忻州市", issued=dt.date(2023, 7, 5), period="2023-06", program="xinzhou-2023")
    _check_xlsx(circulars.to_xlsx(c))
