"""Files that cost much for their size, and formulas without results: refused before
they are parsed (the reader is never called for an over-large sheet), with a Chinese
message and exit status 2, the database unchanged; a long problem list is capped on
screen, counted, and written whole with --problems. Both databases."""
from __future__ import annotations

import csv
import io

import pytest

from ruralcore.io import excel
from ruralcore.kernel import limits
from ruralcore.kernel.errors import InputError
from ruralcore.io.excel import guard, reader

from . import hostile as H
from .conftest import PERIOD, PROGRAM, VILLAGES, assert_chinese, fingerprint, good_rows, headers, report_csv, report_xlsx
from .test_cli_usage import _db, run
from ruralcore.kernel.principal import system


def _head() -> str:
    return H.row(1, headers())


def _compact_rows(first: int, last: int):
    return (f'<row r="{r}"><c r="B{r}"><v>1</v></c></row>' for r in range(first, last + 1))


HUGE = {  # name -> (bytes, words of the refusal)
    "one cell on row 1,048,000": (lambda: H.xlsx([_head(), '<row r="1048000"><c r="A1048000"><v>1</v></c></row>'],
                                                 dimension="A1:P1048000"), "声明的范围有 1,048,000 行"),
    "the same without a dimension": (lambda: H.xlsx([_head(), '<row r="1048000"><c r="A1048000"><v>1</v></c></row>']),
                                     "有 1,048,000 行"),
    "a million compact rows": (lambda: H.xlsx([_head(), *_compact_rows(2, 1_000_001)]), "行，超过上限"),
    "a dimension that understates": (lambda: H.xlsx([_head(), *_compact_rows(2, limits.MAX_ROWS + 100)],
                                                    dimension="A1:P10"), "行，超过上限"),
    "a cell in column XFD": (lambda: H.xlsx([_head(), '<row r="2"><c r="XFD2"><v>1</v></c></row>']), "到 XFD 列"),
    "a wide used area": (lambda: H.xlsx([_head(), f'<row r="{limits.MAX_ROWS}"><c r="CV{limits.MAX_ROWS}"><v>1</v></c></row>']),
                         "个单元格"),
    "a zip bomb": (lambda: H.xlsx([_head()], extra={"xl/media/pad.bin": b"\0" * (limits.MAX_UNZIPPED_MB + 1) * 1024 * 1024}),
                   "解压后"),
    "an upload over the size limit": (lambda: b"PK\x03\x04" + b"\0" * (limits.MAX_UPLOAD_MB * 1024 * 1024 + 1), "超过上限"),
    "one long shared string in every row": (lambda: H.xlsx([_head(), *(
        f'<row r="{r}"><c r="B{r}"><v>1</v></c>{H.shared_cell(f"D{r}", 0)}</row>' for r in range(2, 2_002))],
        shared=["坏" * 30_000]), "文字超过上限"),
    "a long shared string table": (lambda: H.xlsx([_head()], shared=["坏" * 1000] * 4000), "文字超过上限"),
    "inline text of 12 MB": (lambda: H.xlsx([_head(), *(f'<row r="{r}">{H.cell(f"D{r}", "坏" * 1000)}</row>'
                                                        for r in range(2, 4_002))]), "文字超过上限"),
    "a CSV with too many lines": (lambda: report_csv([]) + b"x,1\n" * (limits.MAX_ROWS + 10), "行，超过上限"),
    "an old .xls workbook": (lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "另存为"),
}


@pytest.fixture(scope="module")
def huge_files():
    return {k: (make(), words) for k, (make, words) in HUGE.items()}


@pytest.mark.parametrize("case", list(HUGE))
def test_an_oversized_file_is_refused_before_it_is_parsed(engine, tmp_path, monkeypatch, huge_files, case):
    data, words = huge_files[case]

    def never(*a, **k):  # the check comes first: the reader must not be reached
        raise AssertionError("parsed a file that should have been refused before parsing")
    monkeypatch.setattr(reader, "_read_excel", never)
    monkeypatch.setattr(reader, "_read_csv", never)
    f = tmp_path / ("月报.csv" if "CSV" in case else "月报.xls" if "xls" in case else "月报.xlsx")
    f.write_bytes(data)
    before = fingerprint(engine)
    code, _, err = run("import", PROGRAM, str(f), "--period", PERIOD, "--db", _db(engine))
    assert code == 2, err
    assert words in err and "未写入任何数据" in err, err
    assert_chinese(err)
    assert fingerprint(engine) == before


def test_the_largest_accepted_shape_still_imports(engine):
    """Just inside the limits: the rows and the bounded area pass the checks."""
    rows = good_rows(VILLAGES) + [[None] * 3 + [None] * 13] * 10
    data = report_xlsx(rows)
    assert len(excel.validate(PROGRAM, data, PERIOD, engine=engine, name="月报.xlsx")) == 13 * len(VILLAGES)


def test_text_just_inside_the_limit_is_read():
    """Shared strings are counted at each cell that refers to them, and only there: a table
    of 9 MB referred to once passes the check (its cells are then refused as not numbers)."""
    strings = ["坏" * 1000] * 3000  # 9 MB
    data = H.xlsx([_head(), *(f'<row r="{r}">{H.cell(f"B{r}", VILLAGES[0])}{H.shared_cell(f"D{r}", r - 2)}</row>'
                              for r in range(2, 3002))], shared=strings)
    assert guard.check_xlsx(data, "月报.xlsx", "月报").formulas_without_value == []


FORMULA = "公式没有计算结果，请在Excel中打开并保存后再导入"


def test_a_row_of_formulas_without_results_is_refused_not_taken_as_unreported(engine, tmp_path):
    rows = good_rows()
    rows[2] = rows[2][:3] + ["=SUM(1,2)"] * 13  # every value a formula never calculated
    f = tmp_path / "月报.xlsx"
    f.write_bytes(report_xlsx(rows))
    before = fingerprint(engine)
    code, _, err = run("import", PROGRAM, str(f), "--period", PERIOD, "--db", _db(engine))
    assert code == 2, err
    assert "第4行" in err and "“农村常住人口（人）”列" in err and FORMULA in err, err
    assert "发现 13 处问题" in err and "必填" not in err
    assert_chinese(err)
    assert fingerprint(engine) == before


def test_a_single_formula_cell_is_named_by_row_and_column(engine):
    rows = good_rows()
    rows[0][headers().index("农村家庭户数（户）")] = "=A1*2"
    before = fingerprint(engine)
    with pytest.raises(InputError) as info:
        excel.import_file(engine, PROGRAM, report_xlsx(rows), PERIOD, system("测试"), name="月报.xlsx")
    assert len(info.value.problems) == 1
    p = info.value.problems[0]
    assert (p.row, p.column, p.message) == (2, "农村家庭户数（户）", FORMULA)
    assert "必填" not in str(info.value)
    assert_chinese(str(info.value))
    assert fingerprint(engine) == before


def test_formulas_with_their_results_import(engine):
    """A workbook saved by Excel keeps each formula's value: that value is imported."""
    data = H.xlsx([_head()] + [
        H.row(2, good_rows()[0][:6]).replace("</row>", "")
        + '<c r="G2"><f>800*1</f><v>800</v></c>'
        + "".join(H.cell(f"{H.col(j)}2", v) for j, v in enumerate(good_rows()[0][7:], 8)) + "</row>"])
    values = excel.validate(PROGRAM, data, PERIOD, engine=engine, name="月报.xlsx")
    assert values.set_index("field").loc["mobile_phone_users", "value"] == 800


def test_a_long_problem_list_is_capped_and_written_whole(engine, tmp_path):
    rows = good_rows()
    for r in rows:
        r[3:] = ["坏"] * 13  # 5 × 13 = 65 cells that are not numbers
    f, out = tmp_path / "月报.csv", tmp_path / "问题.csv"
    f.write_bytes(report_csv(rows))
    before = fingerprint(engine)
    code, _, err = run("import", PROGRAM, str(f), "--period", PERIOD, "--db", _db(engine), "--problems", str(out))
    assert code == 2, err
    assert "发现 65 处问题" in err and f"另有{65 - limits.PROBLEMS_SHOWN}处问题" in err
    assert err.count("不是数字") == limits.PROBLEMS_SHOWN
    listed = list(csv.reader(io.StringIO(out.read_bytes().decode("utf-8-sig"))))
    assert listed[0] == ["行", "列", "问题"] and len(listed) == 66
    assert {r[0] for r in listed[1:]} == {"2", "3", "4", "5", "6"}
    assert_chinese(err)
    assert fingerprint(engine) == before
    code, _, err = run("import", PROGRAM, str(f), "--period", PERIOD, "--db", _db(engine))
    assert code == 2 and "加 --problems" in err


def test_the_servers_upload_limit_is_the_importers():
    import tomllib
    from pathlib import Path

    config = tomllib.loads((Path(__file__).resolve().parents[2] / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] == limits.MAX_UPLOAD_MB
