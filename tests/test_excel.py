"""Excel round trips of the monthly report: template, import validation, export.

Every bad-input case builds its own file, imports it, and checks that the message names
the row (as Excel shows it) and the column (its Chinese header), and that the database is
unchanged: same reports, same number of audit entries.
"""
from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from ruralcore.io import excel
from ruralcore.kernel.errors import InputError
from ruralcore.io.excel.layout import CODES_SHEET, INFO_SHEET, header
from ruralcore.rules.programs import Field_, load_program
from ruralcore.store import audit, db, reports
from ruralcore.store import regions as store_regions

from tests.support import fresh_database
from ruralcore.kernel.principal import system

ROOT = Path(__file__).resolve().parent.parent
PROGRAM = "huayuan-2019"
PERIOD = "2019-06"
VILLAGES = [f"43312410100{i}" for i in range(1, 6)]
# one village's month, consistent with the 花垣 fields (numerators ≤ denominators)
GOOD = {
    "natural_villages": 10, "natural_villages_4g": 9, "natural_villages_fiber": 8,
    "residents": 1000, "mobile_phone_users": 800, "internet_4g_users": 700,
    "households": 300, "broadband_households": 150,
    "xiangqing_net": 1, "group_ringtone": 0, "office_cloud": 1, "mass_messaging": 1, "study_room": 1,
}


def H(code: str, program=PROGRAM) -> str:
    prog = load_program(program) if isinstance(program, str) else program
    return header(prog.field(code))


@pytest.fixture
def engine(tmp_path):
    eng = db.get_engine(f"sqlite:///{tmp_path / 'excel.db'}")
    frame = pd.DataFrame({
        "code": ["433124101"] + VILLAGES,
        "name": ["演示镇"] + [f"演示村{i}" for i in range(1, 6)],
        "level": ["township"] + ["village"] * 5,
        "parent": ["433124"] + ["433124101"] * 5,
        "program": PROGRAM, "kind": "", "code_source": "generated", "ref": "演示",
    })
    store_regions.sync_regions(eng, frame, user=system("测试"))
    return eng


def edited(workbook: bytes, edit) -> bytes:
    """``workbook`` with ``edit(ws, col)`` applied to its 月报 sheet (col: header → column number)."""
    wb = openpyxl.load_workbook(io.BytesIO(workbook))
    ws = wb["月报"]
    edit(ws, {c.value: c.column for c in ws[1]})
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def filled(engine, program=PROGRAM, period: str | None = PERIOD, edit=None) -> bytes:
    """The template filled with GOOD values for every village; ``edit(ws, col)`` changes it."""
    prog = load_program(program) if isinstance(program, str) else program

    def fill(ws, col):
        for r in range(2, 2 + len(VILLAGES)):
            if period:
                ws.cell(r, col["月份"], period)
            for f in excel.report_fields(prog):
                ws.cell(r, col[header(f)], GOOD.get(f.code, 50))
        if edit:
            edit(ws, col)
    return edited(excel.template(program, engine), fill)


def snapshot(engine):
    rep = reports.load_reports(engine, PROGRAM, PERIOD)
    return rep[["region", "field", "value", "version"]].sort_values(["region", "field"]).reset_index(drop=True), \
        len(audit.load_audit(engine))


@pytest.fixture
def loaded(engine):
    """A database holding one good import, so a failed import could visibly change it."""
    excel.import_file(engine, PROGRAM, filled(engine), PERIOD, system("张三"))
    return engine


def bad_import(engine, data: bytes, period=PERIOD, name="月报.xlsx", program=PROGRAM) -> InputError:
    before, n_audit = snapshot(engine)
    with pytest.raises(InputError) as info:
        excel.import_file(engine, program, data, period, system("李四"), name=name)
    after, n_audit_after = snapshot(engine)
    pd.testing.assert_frame_equal(before, after)
    assert n_audit_after == n_audit
    return info.value


def only(err: InputError, row, column):
    hits = [p for p in err.problems if p.row == row and p.column == column]
    assert hits, f"no problem at row {row}, column {column}: {err}"
    text = str(err)
    if row is not None:
        assert f"第{row}行" in text
    if column:
        assert f"“{column}”列" in text
    return hits[0].message


# template -----------------------------------------------------------------
def test_template_lists_regions_fields_and_codes(engine):
    wb = openpyxl.load_workbook(io.BytesIO(excel.template(PROGRAM, engine)))
    ws = wb["月报"]
    heads = [c.value for c in ws[1]]
    assert heads[:3] == ["月份", "区域代码", "区域名称"]
    assert "4G网络覆盖的自然村（组）数（个）" in heads
    assert [ws.cell(r, 2).value for r in range(2, 7)] == VILLAGES      # villages only, not the township
    assert ws.cell(2, 3).value == "演示村1"
    codes = wb[CODES_SHEET]
    assert codes.sheet_state == "hidden"
    mapping = {r[1]: r[2] for r in codes.iter_rows(min_row=2, values_only=True)}
    assert mapping["4G网络覆盖的自然村（组）数（个）"] == "natural_villages_4g"
    assert len(mapping) == 13                                          # the 13 花垣 monthly fields
    assert INFO_SHEET in wb.sheetnames
    rules = {str(dv.sqref).split(":")[0].rstrip("0123456789"): (dv.type, dv.formula1)
             for dv in ws.data_validations.dataValidation}
    col = {c.value: c.column_letter for c in ws[1]}
    assert rules[col["自然村（组）数（个）"]] == ("whole", "0")
    assert rules[col["互联网学习室已建成（是/否）"]] == ("list", '"0,1"')


def test_template_for_an_account_lists_only_its_units(engine):
    """A township officer's template holds the villages it may write, nothing of others."""
    wb = openpyxl.load_workbook(io.BytesIO(excel.template(PROGRAM, engine, only=VILLAGES[1:3] + ["999999999"])))
    ws = wb["月报"]
    assert [ws.cell(r, 2).value for r in range(2, ws.max_row + 1)] == VILLAGES[1:3]
    empty = openpyxl.load_workbook(io.BytesIO(excel.template(PROGRAM, engine, only=[])))["月报"]
    assert [c.value for c in empty[1]][:3] == ["月份", "区域代码", "区域名称"] and empty.max_row == 1


def test_template_without_database_uses_region_files():
    # 融水 reports per township (report_level township): the 20 townships of 附件1
    wb = openpyxl.load_workbook(io.BytesIO(excel.template("rongshui-2019")))
    ws = wb["月报"]
    names = [ws.cell(r, 3).value for r in range(2, ws.max_row + 1)]
    assert len(names) == 20 and "融水镇" in names
    # 忻州's reporting units are its 22 + 45 = 67 pilots (附件3)
    ws = openpyxl.load_workbook(io.BytesIO(excel.template("xinzhou-2023")))["月报"]
    assert ws.max_row - 1 == 67


# a good import, twice -----------------------------------------------------
def test_import_writes_values_and_second_import_changes_nothing(engine):
    data = filled(engine)
    first = excel.import_file(engine, PROGRAM, data, PERIOD, system("张三"))
    assert first["inserted"] == 5 * 13 and first["updated"] == 0
    rep = reports.load_reports(engine, PROGRAM, PERIOD)
    v = rep.set_index(["region", "field"])["value"]
    assert v[(VILLAGES[0], "natural_villages_4g")] == 9
    n_audit = len(audit.load_audit(engine))
    second = excel.import_file(engine, PROGRAM, data, PERIOD, system("张三"))
    assert second["inserted"] == 0 and second["updated"] == 0 and second["unchanged"] == 65
    assert len(audit.load_audit(engine)) == n_audit


def test_blank_rows_are_regions_that_did_not_report(engine):
    def clear(ws, col):
        for c in range(1, ws.max_column + 1):
            if c != col["区域代码"] and c != col["区域名称"]:
                ws.cell(6, c).value = None
        ws.cell(6, col["区域代码"]).value = None
    res = excel.import_file(engine, PROGRAM, filled(engine, edit=clear), PERIOD, system("张三"))
    assert res["rows"] == 4 and res["inserted"] == 4 * 13


# bad input, one file each -------------------------------------------------
def test_unknown_region(loaded):
    data = filled(loaded, edit=lambda ws, col: ws.cell(4, col["区域代码"], "433124999999"))
    msg = only(bad_import(loaded, data), 4, "区域代码")
    assert "未知的区域代码“433124999999”" in msg


def test_wrong_period(loaded):
    data = filled(loaded, edit=lambda ws, col: ws.cell(3, col["月份"], "2019-05"))
    msg = only(bad_import(loaded, data), 3, "月份")
    assert "2019-05" in msg and "不一致" in msg


def test_future_period(loaded):
    data = filled(loaded, period="2099-01")
    err = bad_import(loaded, data, period="2099-01")
    assert "晚于当前月份" in only(err, 2, "月份")
    assert len([p for p in err.problems if p.column == "月份" and p.row]) == 5


def test_text_in_number_cell(loaded):
    data = filled(loaded, edit=lambda ws, col: ws.cell(5, col[H("residents")], "一千"))
    msg = only(bad_import(loaded, data), 5, "农村常住人口（人）")
    assert msg == "“一千”不是数字"


def test_percentage_out_of_range(loaded):
    base = load_program(PROGRAM)
    sat = Field_(code="satisfaction", name="村民满意度", unit="%", kind="percent", level="village",
                 max=100, ref="测试")
    prog = base.model_copy(update={"fields": [*base.fields, sat]})
    data = filled(loaded, program=prog, edit=lambda ws, col: ws.cell(3, col["村民满意度（%）"], 120))
    msg = only(bad_import(loaded, data, program=prog), 3, "村民满意度（%）")
    assert "120" in msg and "0～100" in msg


def test_negative_count(loaded):
    data = filled(loaded, edit=lambda ws, col: ws.cell(6, col[H("households")], -3))
    msg = only(bad_import(loaded, data), 6, "农村家庭户数（户）")
    assert msg == "-3 不能为负数"


def test_numerator_greater_than_denominator(loaded):
    # 4G-covered natural villages (12) cannot exceed the natural villages (10): 一(一) coverage 100 %
    data = filled(loaded, edit=lambda ws, col: ws.cell(2, col[H("natural_villages_4g")], 12))
    msg = only(bad_import(loaded, data), 2, "4G网络覆盖的自然村（组）数（个）")
    assert "12 大于“自然村（组）数（个）”的 10" in msg


def test_duplicate_region(loaded):
    data = filled(loaded, edit=lambda ws, col: ws.cell(5, col["区域代码"], VILLAGES[0]))
    msg = only(bad_import(loaded, data), 5, "区域代码")
    assert "重复" in msg and "第2行" in msg


def test_missing_required_column(loaded):
    data = filled(loaded, edit=lambda ws, col: ws.delete_cols(col[H("households")]))
    err = bad_import(loaded, data)
    assert "缺少必需的列" in only(err, 1, "农村家庭户数（户）")


def test_empty_file(loaded):
    err = bad_import(loaded, b"")
    assert "空" in str(err)
    wb = openpyxl.Workbook()
    buf = io.BytesIO()
    wb.save(buf)
    err = bad_import(loaded, buf.getvalue())
    assert "空" in only(err, 1, None)


def test_only_headers_is_no_data(loaded):
    err = bad_import(loaded, excel.template(PROGRAM, loaded))
    assert "没有任何数据行" in str(err)


def test_not_excel_file(loaded, tmp_path):
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    err = bad_import(loaded, png, name="月报.xlsx")
    assert "不是 Excel" in str(err)
    pdf = tmp_path / "月报.xlsx"
    pdf.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n")
    err = bad_import(loaded, pdf.read_bytes(), name=pdf.name)
    assert "不是 Excel" in str(err)
    assert "PDF" in str(bad_import(loaded, pdf.read_bytes(), name="月报.csv"))   # renamed .csv too
    broken_zip = b"PK\x03\x04" + b"garbage" * 10
    assert "不是 Excel" in str(bad_import(loaded, broken_zip))


def test_every_problem_reported_at_once(loaded):
    def many(ws, col):
        ws.cell(2, col[H("residents")], "abc")
        ws.cell(3, col[H("households")], -1)
        ws.cell(4, col["区域代码"], "nope")
        ws.cell(5, col[H("study_room")], 2)
    err = bad_import(loaded, filled(loaded, edit=many))
    assert {(p.row, p.column) for p in err.problems} >= {
        (2, "农村常住人口（人）"), (3, "农村家庭户数（户）"), (4, "区域代码"), (5, "互联网学习室已建成（是/否）")}
    assert "未写入任何数据" in str(err)


# export and round trip ----------------------------------------------------
def test_round_trip_export_edit_import(loaded, tmp_path):
    exported = excel.export(loaded, PROGRAM, PERIOD)
    before = reports.load_reports(loaded, PROGRAM, PERIOD)

    def raise_broadband(ws, col):
        assert ws.cell(3, col["月份"]).value == PERIOD
        ws.cell(3, col[H("broadband_households")], 160)      # 演示村2: 150 → 160
    res = excel.import_file(loaded, PROGRAM, edited(exported, raise_broadband), PERIOD, system("王五"))
    assert (res["inserted"], res["updated"], res["unchanged"]) == (0, 1, 64)
    after = reports.load_reports(loaded, PROGRAM, PERIOD)
    m = before.merge(after, on=["region", "field"], suffixes=("_b", "_a"))
    changed = m[m["value_b"] != m["value_a"]]
    assert changed[["region", "field", "value_b", "value_a"]].values.tolist() == [
        [VILLAGES[1], "broadband_households", 150.0, 160.0]]
    edits = audit.load_audit(loaded, user="王五")
    assert len(edits) == 1
    again = pd.read_excel(io.BytesIO(excel.export(loaded, PROGRAM, PERIOD)), sheet_name="月报", dtype={"区域代码": str},
                          engine="calamine")
    assert again.loc[1, H("broadband_households")] == 160
    assert again.loc[0, H("broadband_households")] == 150


def test_csv_export_imports_again_unchanged(loaded):
    data = excel.export(loaded, PROGRAM, PERIOD, fmt="csv")
    assert data.startswith(b"\xef\xbb\xbf")
    res = excel.import_file(loaded, PROGRAM, data, PERIOD, system("张三"), name="月报.csv")
    assert (res["inserted"], res["updated"], res["unchanged"]) == (0, 0, 65)


def test_formula_cells_neutralised_numbers_untouched(engine):
    frame = pd.DataFrame({"code": ["433124101009"], "name": ["=HYPERLINK(\"http://x\",\"点我\")"],
                          "level": ["village"], "parent": ["433124101"], "program": [PROGRAM],
                          "kind": [""], "code_source": ["generated"], "ref": ["演示"]})
    store_regions.sync_regions(engine, frame, user=system("测试"))
    excel.import_file(engine, PROGRAM, filled(engine), PERIOD, system("张三"))
    wb = openpyxl.load_workbook(io.BytesIO(excel.export(engine, PROGRAM, PERIOD)))
    ws = wb["月报"]
    names = {ws.cell(r, 2).value: ws.cell(r, 3) for r in range(2, ws.max_row + 1)}
    cell = names["433124101009"]
    assert cell.value == "'=HYPERLINK(\"http://x\",\"点我\")" and cell.data_type == "s"
    n = names[VILLAGES[0]].row
    col = {c.value: c.column for c in ws[1]}
    assert ws.cell(n, col[H("residents")]).value == 1000 and ws.cell(n, col[H("residents")]).data_type == "n"
    csv = excel.export(engine, PROGRAM, PERIOD, fmt="csv").decode("utf-8-sig")
    assert "'=HYPERLINK" in csv and ',"1000",' in csv  # every field quoted
    for s, want in [("-1+2", "'-1+2"), ("@SUM(A1)", "'@SUM(A1)"), ("+86", "'+86"), ("演示村", "演示村")]:
        assert excel.neutralise(pd.Series([s], dtype=object))[0] == want
    assert excel.neutralise(pd.Series([-5.0]))[0] == -5.0


# command line -------------------------------------------------------------
def test_cli_import_bad_file_exits_2(loaded, tmp_path):
    bad = tmp_path / "坏月报.xlsx"
    bad.write_bytes(filled(loaded, edit=lambda ws, col: ws.cell(6, col[H("households")], -3)))
    url = str(loaded.url)
    exe = ROOT / ".venv" / "bin" / "ruralcore"
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "ruralcore"]
    p = subprocess.run(cmd + ["import", PROGRAM, str(bad), "--period", PERIOD, "--db", url],
                       capture_output=True, text=True, env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    assert p.returncode == 2, p.stderr
    assert "第6行" in p.stderr and "“农村家庭户数（户）”列" in p.stderr and "不能为负数" in p.stderr
    assert "Traceback" not in p.stderr


def test_cli_template_export_import(loaded, tmp_path):
    from ruralcore.cli import main
    url = str(loaded.url)
    out = tmp_path / "导出.xlsx"
    assert main(["export", PROGRAM, "--period", PERIOD, "--out", str(out), "--db", url]) == 0
    from ruralcore.auth import accounts
    accounts.create_account(loaded, "zhangsan", "county_admin", "433124", "Xiang-2019-cun", by=system("测试"))
    assert main(["import", PROGRAM, str(out), "--period", PERIOD, "--db", url, "--user", "zhangsan"]) == 0
    assert main(["template", PROGRAM, "--out", str(tmp_path / "模板.xlsx"), "--db", url]) == 0
    assert (tmp_path / "模板.xlsx").stat().st_size > 0
    assert main(["import", PROGRAM, str(out), "--period", "2019-13", "--db", url]) == 2


# other shapes of input ----------------------------------------------------
def _csv(rows: list[list]) -> bytes:
    heads = ["月份", "区域代码", "区域名称"] + [H(c) for c in GOOD]
    body = [",".join(map(str, heads))] + [",".join(map(str, r)) for r in rows]
    return ("\n".join(body) + "\n").encode("utf-8-sig")


def test_csv_import_checks_rows_like_excel(loaded):
    good = [PERIOD, VILLAGES[0], "演示村1", *GOOD.values()]
    bad = [PERIOD, VILLAGES[1], "演示村2", *GOOD.values()]
    bad[3 + list(GOOD).index("broadband_households")] = "很多"
    err = bad_import(loaded, _csv([good, bad]), name="月报.csv")
    assert only(err, 3, "家庭宽带接入户数（户）") == "“很多”不是数字"
    assert len(err.problems) == 1


def test_gbk_csv_with_numeric_codes_and_yes_no_flags(engine):
    row = [PERIOD, VILLAGES[0], "演示村1", *GOOD.values()]
    row[3 + list(GOOD).index("study_room")] = "是"
    row[3 + list(GOOD).index("group_ringtone")] = "否"
    heads = ["月份", "区域代码", "区域名称"] + [H(c) for c in GOOD]
    data = (",".join(heads) + "\n" + ",".join(map(str, row)) + "\n").encode("gb18030")
    res = excel.import_file(engine, PROGRAM, data, PERIOD, system("张三"), name="月报.csv")
    assert res["inserted"] == 13
    v = reports.load_reports(engine, PROGRAM, PERIOD).set_index("field")["value"]
    assert v["study_room"] == 1 and v["group_ringtone"] == 0


def test_region_code_typed_as_number(engine):
    # Excel users often retype codes as numbers; 433124101001.0 must match "433124101001"
    data = filled(engine, edit=lambda ws, col: ws.cell(2, col["区域代码"], int(VILLAGES[0])))
    res = excel.import_file(engine, PROGRAM, data, PERIOD, system("张三"))
    assert res["inserted"] == 65


def test_unknown_column_and_bad_period_argument(loaded):
    data = filled(loaded, edit=lambda ws, col: ws.cell(1, ws.max_column + 1, "乡村人口（人）"))
    assert "无法识别的列名" in only(bad_import(loaded, data), 1, "乡村人口（人）")
    err = bad_import(loaded, filled(loaded), period="2019-6")
    assert "2019-6" in str(err) and "YYYY-MM" in str(err)


def test_progress_callback_reaches_100_percent(engine):
    seen = []
    excel.import_file(engine, PROGRAM, filled(engine), PERIOD, system("张三"), progress=lambda f, m: seen.append((f, m)))
    assert seen[0][0] == 0 and seen[-1][0] == 1.0
    assert [f for f, _ in seen] == sorted(f for f, _ in seen)


# the same round trip on PostgreSQL ----------------------------------------
@pytest.fixture
def pg_engine(tmp_path):
    with fresh_database("postgresql", tmp_path, "excel") as url:
        eng = db.get_engine(url)
        frame = pd.DataFrame({"code": VILLAGES, "name": [f"演示村{i}" for i in range(1, 6)], "level": "village",
                              "parent": "433124101", "program": PROGRAM, "kind": "", "code_source": "generated",
                              "ref": "演示"})
        store_regions.sync_regions(eng, frame, user=system("测试"))
        yield eng


def test_round_trip_on_postgresql(pg_engine):
    first = excel.import_file(pg_engine, PROGRAM, filled(pg_engine), PERIOD, system("张三"))
    assert first["inserted"] == 65
    data = edited(excel.export(pg_engine, PROGRAM, PERIOD),
                  lambda ws, col: ws.cell(2, col[H("natural_villages_fiber")], 10))
    res = excel.import_file(pg_engine, PROGRAM, data, PERIOD, system("王五"))
    assert (res["inserted"], res["updated"], res["unchanged"]) == (0, 1, 64)
    again = excel.import_file(pg_engine, PROGRAM, data, PERIOD, system("王五"))
    assert (again["inserted"], again["updated"], again["unchanged"]) == (0, 0, 65)
    bad = filled(pg_engine, edit=lambda ws, col: ws.cell(3, col[H("households")], -1))
    before = reports.load_reports(pg_engine, PROGRAM, PERIOD)[["region", "field", "value"]]
    with pytest.raises(InputError):
        excel.import_file(pg_engine, PROGRAM, bad, PERIOD, system("李四"))
    pd.testing.assert_frame_equal(before, reports.load_reports(pg_engine, PROGRAM, PERIOD)[["region", "field", "value"]])


def test_only_percentage_rates_bound_numerator_by_denominator(engine):
    # 银川 四(三): ≥ 10 e-commerce practitioners per village — a per-village average (unit 人),
    # so 12 practitioners over 1 village is fine; a % rate's numerator above its denominator is not.
    prog = load_program("yinchuan-2017")
    avg = prog.indicator("practitioners_per_village")
    pct = next(i for i in prog.indicators if i.kind == "rate" and i.unit == "%")
    frame = pd.DataFrame({"code": ["640100999001"], "name": ["演示村1"], "level": ["village"],
                          "parent": ["640100"], "program": ["yinchuan-2017"], "kind": [""],
                          "code_source": ["generated"], "ref": ["演示"]})
    store_regions.sync_regions(engine, frame, user=system("测试"))
    fields = excel.report_fields(prog)
    row = {f.code: 0 for f in fields}
    row.update({avg.denominator: 1, avg.numerator: 12, pct.denominator: 4, pct.numerator: 3})
    heads = ["区域代码"] + [header(f) for f in fields]
    line = lambda r: ",".join(map(str, ["640100999001"] + [r[f.code] for f in fields]))
    data = (",".join(heads) + "\n" + line(row) + "\n").encode("utf-8")
    vals = excel.validate(prog, data, "2018-06", engine=engine, name="银川.csv")
    assert vals.set_index("field")["value"][avg.numerator] == 12
    row[pct.numerator] = 5
    with pytest.raises(InputError) as info:
        excel.validate(prog, (",".join(heads) + "\n" + line(row) + "\n").encode("utf-8"), "2018-06",
                       engine=engine, name="银川.csv")
    assert only(info.value, 2, header(prog.field(pct.numerator)))


def test_no_reporting_units_known_gives_one_message(tmp_path):
    empty = db.get_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    data = _csv([[PERIOD, VILLAGES[0], "演示村1", *GOOD.values()]])
    with pytest.raises(InputError) as info:
        excel.import_file(empty, PROGRAM, data, PERIOD, system("张三"), name="月报.csv")
    assert len(info.value.problems) == 1
    assert "还没有行政村级的填报单位" in str(info.value) and "“区域代码”列" in str(info.value)
    assert reports.load_reports(empty, PROGRAM).empty


def test_a_shown_table_exports_with_its_chinese_headers_and_formulas_neutralised():
    """dashboards' “导出Excel”: the table as shown (Chinese headers, numbers as numbers);
    a cell or a header that would run as a formula stays text."""
    import io

    import openpyxl

    from ruralcore.io.excel.tables import table_xlsx

    frame = pd.DataFrame({"村": ["演示村01", "=HYPERLINK(\"x\")"], "得分": [97.5, 80.0], "=1+1": ["a", None]})
    wb = openpyxl.load_workbook(io.BytesIO(table_xlsx(frame, "逐级查看")))
    ws = wb["逐级查看"]
    rows = list(ws.values)
    assert rows[0] == ("村", "得分", "'=1+1")
    assert rows[1] == ("演示村01", 97.5, "a") and rows[2] == ("'=HYPERLINK(\"x\")", 80.0, None)
    assert ws.freeze_panes == "A2"
