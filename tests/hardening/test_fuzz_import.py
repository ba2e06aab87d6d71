"""Generated cell contents thrown at the importer (hypothesis): the only outcomes are a
clean import or a clean refusal — an InputError whose Chinese message names a row or
the file, with nothing written. Any other exception, an English or internal message, or
a refusal that wrote something fails. Bounded: 200 examples, no deadline."""
from __future__ import annotations

import datetime as dt
import io
import re

import openpyxl
from openpyxl.utils.exceptions import IllegalCharacterError
import pandas as pd
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ruralcore.io import excel
from ruralcore.kernel.errors import InputError
from ruralcore.store import db, reports
from ruralcore.store import regions as store_regions

from .conftest import GOOD, PERIOD, PROGRAM, TOWN, VILLAGES, assert_chinese, headers, report_csv
from ruralcore.kernel.principal import system

NUMBERS = st.one_of(
    st.integers(min_value=-10**20, max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, 1, 50000, 50001, 2**53, 2**63, -0.0, 1e300, 1e-300]),
)
TEXTS = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["", " ", "是", "否", "１２", "12%", "1,000", "1e400", "NaN", "inf", "-1", "=1+1", "\r=1+1",
                     "＝SUM(A1)", "<img src=x onerror=alert(1)>", "433124101001", "'433124101001", "2019-06",
                     "2019年6月", "2019/6", "0000-12", "9999-12", "null", "None", "TRUE", "\x00", "\ufeff1"]),
)
CELLS = st.one_of(st.none(), NUMBERS, TEXTS, st.booleans(), st.dates(min_value=dt.date(1900, 1, 1)))


# a village's good row with up to three cells replaced by generated contents (so that some
# files are clean and import, and each refusal is about a few cells)
EDITS = st.lists(st.tuples(st.integers(min_value=0, max_value=15), CELLS), max_size=3)
ROWS = st.lists(st.tuples(st.sampled_from(VILLAGES), EDITS), min_size=1, max_size=5, unique_by=lambda r: r[0])


def _table(rows) -> list[list]:
    out = []
    for i, (village, edits) in enumerate(rows, 1):
        row = [PERIOD, village, f"演示村{i}"] + list(GOOD.values())
        for at, value in edits:
            row[at] = value
        out.append(row)
    return out


def _xlsx(rows: list[list]) -> bytes | None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "月报"
    ws.append(headers())
    try:
        for r in rows:
            ws.append([v if not isinstance(v, float) or v == v else None for v in r])
        buf = io.BytesIO()
        wb.save(buf)
    except (ValueError, TypeError, IllegalCharacterError):  # a value Excel cannot hold: not a file anyone has
        return None
    return buf.getvalue()


def _count(engine) -> tuple[int, int]:
    with engine.connect() as c:
        return (c.execute(sa.text("SELECT count(*) FROM reports")).scalar(),
                c.execute(sa.text("SELECT count(*) FROM audit_log")).scalar())


def test_generated_cells_import_cleanly_or_are_refused_cleanly(tmp_path):
    url = f"sqlite:///{tmp_path / 'fuzz.db'}"
    engine = db.get_engine(url)
    store_regions.sync_regions(engine, pd.DataFrame({
        "code": [TOWN] + VILLAGES, "name": ["演示镇"] + [f"演示村{i}" for i in range(1, 6)],
        "level": ["township"] + ["village"] * 5, "parent": ["433124"] + [TOWN] * 5,
        "program": PROGRAM, "kind": "", "code_source": "generated", "ref": "演示"}), user=system("测试"))
    outcomes = {"imported": 0, "refused": 0}

    @settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(rows=ROWS, kind=st.sampled_from(["xlsx", "csv"]))
    def attempt(rows, kind):
        table = _table(rows)
        if kind == "csv":
            data = report_csv([["" if v is None else v for v in r] for r in table])
        else:
            data = _xlsx(table)
            if data is None:
                return
        before = _count(engine)
        try:
            res = excel.import_file(engine, PROGRAM, data, PERIOD, system("测试"), name=f"月报.{kind}")
        except InputError as e:
            outcomes["refused"] += 1
            message = str(e)
            assert_chinese(message)
            assert re.search(r"第\d+行|月报\.(csv|xlsx)", message), message
            assert _count(engine) == before  # nothing half-written
        else:
            outcomes["imported"] += 1
            assert res["values"] >= 0 and res["rows"] >= 1
            stored = reports.load_reports(engine, PROGRAM, [PERIOD])
            assert stored["value"].between(-1e15, 1e15).all()  # nothing beyond a field's range got in

    attempt()
    db.dispose(url)
    assert outcomes["refused"] > 0 and outcomes["imported"] > 0, outcomes
