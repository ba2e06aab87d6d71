"""Excel round trips of the monthly report: template, import with row-level validation, export.

    template(program_id, engine=None, level=None, only=None) -> bytes  # xlsx; only: region codes
    validate(program_id, path_or_bytes, period, engine=None, level=None, name=None, today=None,
             progress=None) -> DataFrame[region, field, value]         # or InputError
    import_file(engine, program_id, path_or_bytes, period, user, progress=None, name=None,
                today=None) -> {'inserted', 'updated', 'unchanged', 'rows', 'values'}
    export(engine, program_id, period, fmt="xlsx"|"csv", level=None) -> bytes

``program_id`` may also be a Program object; ``progress(fraction, message)`` is called as
the import goes (the page draws a bar, the command line a percentage). Modules: layout
(columns and headers), reader (calamine/csv → cells), checks (vectorised validation),
writer (openpyxl/csv, formula neutralisation), regions (who reports).

An import checks every row and raises one InputError listing every problem (row as Excel
shows it, column by its Chinese header); with any problem nothing is written. Exports use
the template's layout, so an exported file imports again unchanged.
"""
from __future__ import annotations

import datetime as dt
from typing import Callable, Iterable

import pandas as pd

from ruralcore.kernel.principal import Principal
from ruralcore.kernel.errors import InputError, Problem
from ruralcore.rules.programs import Program, load_program
from ruralcore.io.excel.layout import parse_period, CODE_COL, NAME_COL, PERIOD_COL, SHEET, header, report_fields, report_level
from ruralcore.io.excel.reader import load_bytes, read_table
from ruralcore.io.excel.regions import reporting_regions
from ruralcore.io.excel.checks import validate_table
from ruralcore.io.excel.writer import neutralise, write_csv, write_xlsx

Progress = Callable[[float, str], None]


def _program(program) -> Program:
    """A programme id, or a Program object (tests and pages with an edited programme)."""
    return program if isinstance(program, Program) else load_program(program)


__all__ = ["template", "validate", "import_file", "export", "neutralise", "header", "report_fields",
           "SHEET", "PERIOD_COL", "CODE_COL", "NAME_COL"]


def _frame(regions: pd.DataFrame, fields, period: str | None) -> pd.DataFrame:
    out = pd.DataFrame({
        PERIOD_COL: pd.Series([period] * len(regions), dtype=object),
        CODE_COL: regions["code"].astype(object).to_numpy(),
        NAME_COL: regions["name"].astype(object).to_numpy(),
    })
    for f in fields:
        out[f.code] = float("nan")
    return out


def template(program_id: str | Program, engine=None, level: str | None = None,
             only: Iterable[str] | None = None) -> bytes:
    """The empty monthly template (xlsx) with the reporting regions filled in; ``only``
    keeps just those region codes (the units an account may write)."""
    program = _program(program_id)
    lvl = report_level(program, level)
    fields = report_fields(program, lvl)
    regions = reporting_regions(program.id, lvl, engine)
    if only is not None:
        regions = regions[regions["code"].astype(str).isin(set(only))]
    return write_xlsx(program, lvl, fields, _frame(regions, fields, None))


def validate(program_id: str | Program, path_or_bytes, period: str, engine=None, level: str | None = None,
             name: str | None = None, today: dt.date | None = None,
             progress: Progress | None = None) -> pd.DataFrame:
    """Read and check a file; return its values (region, field, value) or raise InputError."""
    step = progress or (lambda f, m: None)
    program = _program(program_id)
    period = parse_period(period)
    lvl = report_level(program, level)
    fields = report_fields(program, lvl)
    data, source = load_bytes(path_or_bytes, name)
    step(0.05, f"读取文件 {source}")
    table = read_table(data, source)
    step(0.3, f"逐行校验 {len(table.body):,} 行")
    known = reporting_regions(program.id, lvl, engine)
    values, problems = validate_table(program, table, period, known, fields, lvl, today=today)
    if problems:
        raise InputError(problems, source=source)
    return values


def import_file(engine, program_id: str | Program, path_or_bytes, period: str, user: Principal,
                progress: Progress | None = None, name: str | None = None,
                today: dt.date | None = None) -> dict:
    """Validate a file and write its values in one transaction.

    Returns {'inserted', 'updated', 'unchanged', 'rows', 'values'}. Importing the same file
    twice changes nothing the second time; changed values get audit entries (the store)."""
    from ruralcore.store import reports

    program = _program(program_id)
    step = progress or (lambda f, m: None)
    step(0.0, "开始导入")
    values = validate(program, path_or_bytes, period, engine=engine, name=name, today=today, progress=step)
    step(0.6, f"校验通过：{values['region'].nunique():,} 个区域，{len(values):,} 个数值；正在写入数据库")
    result = dict(reports.upsert_reports(engine, program.id, period, values, user))
    result["rows"] = int(values["region"].nunique())
    result["values"] = int(len(values))
    step(1.0, "导入完成")
    return result


def export(engine, program_id: str | Program, period: str, fmt: str = "xlsx", level: str | None = None) -> bytes:
    """The month's reports in the template's layout (xlsx or csv), formula-like text neutralised."""
    from ruralcore.store import reports

    period = parse_period(period)
    if fmt not in ("xlsx", "csv"):
        raise InputError(Problem(f"不支持的导出格式“{fmt}”，应为 xlsx 或 csv"))
    program = _program(program_id)
    lvl = report_level(program, level)
    fields = report_fields(program, lvl)
    regions = reporting_regions(program.id, lvl, engine)
    stored = reports.load_reports(engine, program.id, [period])
    codes = [f.code for f in fields]
    stored = stored[stored["field"].isin(codes)]
    wide = stored.pivot_table(index="region", columns="field", values="value", aggfunc="first")
    # regions that reported but are no longer listed still appear, so nothing is lost
    extra = pd.Index(wide.index.astype(str)).difference(pd.Index(regions["code"].astype(str)))
    if len(extra):
        regions = pd.concat([regions, pd.DataFrame({"code": extra, "name": ""})], ignore_index=True)
    frame = _frame(regions, fields, period)
    wide = wide.reindex(index=regions["code"].astype(str), columns=codes)
    for c in codes:
        frame[c] = wide[c].to_numpy(dtype="float64")
    if fmt == "csv":
        return write_csv(fields, frame)
    return write_xlsx(program, lvl, fields, frame)
