"""Upper bounds: every count, amount and hours field has one in its programme file (with
ref, and assumed where the document gives none); a larger value is refused on import with
its row and column, by any other writer too, and an export never casts a value it holds."""
from __future__ import annotations

import io
import math

import openpyxl
import pandas as pd
import pytest
import sqlalchemy as sa

from ruralcore.io import excel
from ruralcore.kernel.errors import InputError, ProgramFileError
from ruralcore.rules.programs import BOUNDED_KINDS, PROGRAMS_DIR, all_programs, load_program_file
from ruralcore.store import reports

from .conftest import GOOD, PERIOD, PROGRAM, VILLAGES, assert_chinese, fingerprint, good_rows, headers, report_csv
from .test_cli_usage import _db, run
from ruralcore.kernel.principal import system


def test_every_reported_number_has_an_upper_bound_with_its_clause():
    for p in all_programs():
        for f in p.fields:
            if f.kind in BOUNDED_KINDS:
                assert f.max is not None and f.max > 0, (p.id, f.code)
                b = p.bound(f.code)
                if b is not None:  # from the bounds section: a clause, and why when assumed
                    assert b.ref and (b.assumed or b.note), (p.id, f.code)
            elif f.kind == "flag":
                assert f.max == 1, (p.id, f.code)


def test_the_reference_indicator_bound_is_the_documents_longest_list():
    p = next(p for p in all_programs() if p.id == "xinzhou-2023")
    longest = max(len(p.checklist(c).items) for c in ("township_indicators", "village_indicators"))
    assert p.field("indicators_planned").max == p.field("indicators_built").max == longest


def test_a_programme_file_without_a_bound_does_not_load(tmp_path):
    text = (PROGRAMS_DIR / f"{PROGRAM}.yaml").read_text(encoding="utf-8")
    cut = text.replace("  - {field: residents, max: 50000", "  # removed: {field: residents, max: 50000")
    assert cut != text
    f = tmp_path / f"{PROGRAM}.yaml"
    f.write_text(cut, encoding="utf-8")
    with pytest.raises(ProgramFileError, match="residents 没有上限"):
        load_program_file(f)


RESIDENTS = headers().index("农村常住人口（人）")
CASES = [  # (cell typed into 农村常住人口 of the 2nd village, words of the refusal)
    ("1e19", "超过上限 50000"),
    ("1e300", "超过上限 50000"),
    ("1e400", "不是数字"),
    ("50001", "50001 超过上限 50000"),
    ("-1", "不能为负数"),
    ("12.5", "应为整数"),
    ("nan", "不是数字"),
    ("inf", "不是数字"),
]


@pytest.mark.parametrize("cell, words", CASES, ids=[c for c, _ in CASES])
def test_an_import_beyond_the_range_is_refused_with_row_and_column(engine, tmp_path, cell, words):
    rows = good_rows()
    rows[1][RESIDENTS] = cell
    f = tmp_path / "月报.csv"
    f.write_bytes(report_csv(rows))
    before = fingerprint(engine)
    code, _, err = run("import", PROGRAM, str(f), "--period", PERIOD, "--db", _db(engine))
    assert code == 2, err
    assert "第3行" in err and "“农村常住人口（人）”列" in err and words in err, err
    assert_chinese(err)
    assert fingerprint(engine) == before


@pytest.mark.parametrize("value", [1e19, 1e300, 50001.0, math.inf, -3.0])
def test_no_writer_stores_a_value_beyond_the_range(engine, value):
    before = fingerprint(engine)
    with pytest.raises(InputError) as info:
        reports.upsert_reports(engine, PROGRAM, PERIOD,
                               pd.DataFrame({"region": [VILLAGES[0]], "field": ["residents"], "value": [value]}), system("测试"))
    assert "农村常住人口" in str(info.value) and "范围" in str(info.value)
    assert_chinese(str(info.value))
    assert fingerprint(engine) == before


def test_an_export_never_casts_a_value_it_holds(engine):
    """A value stored before bounds existed (1e19 people) is exported as it is: no wrap to
    a negative int64 in the xlsx, no crash in the CSV."""
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE reports SET value = 1e19 WHERE region = :r AND field = 'residents'"),
                     {"r": VILLAGES[0]})
        conn.execute(sa.text("UPDATE reports SET value = 123456789012345678 WHERE region = :r AND field = 'households'"),
                     {"r": VILLAGES[1]})
    xlsx = excel.export(engine, PROGRAM, "2019-05")
    ws = openpyxl.load_workbook(io.BytesIO(xlsx))["月报"]
    col = {c.value: c.column for c in ws[1]}
    rows = {ws.cell(r, 2).value: r for r in range(2, ws.max_row + 1)}
    assert ws.cell(rows[VILLAGES[0]], col["农村常住人口（人）"]).value == 1e19
    assert ws.cell(rows[VILLAGES[1]], col["农村家庭户数（户）"]).value == pytest.approx(123456789012345678)
    assert ws.cell(rows[VILLAGES[0]], col["农村家庭户数（户）"]).value == GOOD["households"]  # ints stay ints
    csv = excel.export(engine, PROGRAM, "2019-05", fmt="csv").decode("utf-8-sig")
    assert '"1e+19"' in csv and "-9223372036854775808" not in csv
