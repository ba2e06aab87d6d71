"""Write the monthly-report layout as xlsx (openpyxl, write-only) or csv.

Templates and exports share this writer, so an exported file is a filled template and
can be imported again as it is.
"""
from __future__ import annotations

import io

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from ruralcore.kernel.cellsafe import frame_csv, neutralise
from ruralcore.rules.programs import ASSUMED_LABEL, Program
from ruralcore.io.excel.layout import (level_name, CODES_SHEET, FIXED_COLS, INFO_SHEET, KIND_RULES, NAME_COL, PERIOD_COL,
                     SHEET, CODE_COL, header)

SPARE_ROWS = 500  # validated empty rows below the listed regions, for additions
EXACT_INT = 2.0 ** 53  # whole numbers a float64 holds exactly


def _validation(field, first: int, last: int, col: str) -> DataValidation:
    rng = f"{col}{first}:{col}{last}"
    kind = field.kind
    if kind == "flag":
        dv = DataValidation(type="list", formula1='"0,1"', allow_blank=True)
    elif kind == "percent":
        dv = DataValidation(type="decimal", operator="between", formula1="0", formula2="100", allow_blank=True)
    elif kind == "count":
        lo = int(field.min if field.min is not None else 0)
        if field.max is not None:
            dv = DataValidation(type="whole", operator="between", formula1=str(lo),
                                formula2=str(int(field.max)), allow_blank=True)
        else:
            dv = DataValidation(type="whole", operator="greaterThanOrEqual", formula1=str(lo), allow_blank=True)
    elif field.max is not None:
        dv = DataValidation(type="decimal", operator="between", formula1=str(field.min if field.min is not None else 0),
                            formula2=f"{field.max:.0f}", allow_blank=True)
    else:
        dv = DataValidation(type="decimal", operator="greaterThanOrEqual",
                            formula1=str(field.min if field.min is not None else 0), allow_blank=True)
    dv.error = f"{header(field)}：{_rule(field)}"
    dv.errorTitle = "数值不符合要求"
    dv.prompt = _rule(field)
    dv.showErrorMessage = True
    dv.add(rng)
    return dv


def _rule(field) -> str:
    """What a cell of ``field`` must hold, with its upper bound."""
    upper = f"，不超过 {field.max:,.0f}" if field.max is not None and field.kind not in ("flag", "percent") else ""
    return KIND_RULES[field.kind] + upper


def _instructions(program: Program, level: str, fields) -> list[list]:
    rows = [
        [program.meta.title],
        [f"填报单位：{level_name(level)}；每行一个单位，一个月一份表。"],
        [f"“{PERIOD_COL}”列填 YYYY-MM（如 2019-06），须与导入时指定的月份一致；可留空。"],
        [f"“{CODE_COL}”列为区域代码，请勿修改；“{NAME_COL}”列仅供核对。"],
        ["数值全部留空的行表示该单位本月未填报；已填报的行，必填项不能留空。"],
        ["比率按“分子/分母”的计数填报（如覆盖的自然村数、自然村总数）；百分比的分子不能大于分母。"],
        ["导入时逐行检查，所有问题一次列出（行号与列名），有任何错误则不写入任何数据。"],
        [],
        ["列名", "字段代码", "要求", "是否必填", "文件条款", "说明"],
    ]
    for f in fields:
        bound = program.bound(f.code)
        note = f"{ASSUMED_LABEL}：{f.assumed}" if f.assumed else (f.note or "")
        if bound is not None and bound.assumed:
            note = "；".join(x for x in (note, f"上限{ASSUMED_LABEL}：{bound.assumed}") if x)
        rows.append([header(f), f.code, _rule(f), "必填" if f.required else "选填", f.ref, note])
    return rows


def write_xlsx(program: Program, level: str, fields, frame: pd.DataFrame) -> bytes:
    """``frame``: columns FIXED_COLS + field codes, one row per region."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(SHEET)
    headers = FIXED_COLS + [header(f) for f in fields]
    widths = [10, 16, 20] + [max(10, min(40, len(h) * 2)) for h in headers[3:]]
    for i, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.freeze_panes = "D2"
    last = max(len(frame) + 1 + SPARE_ROWS, 2)
    for j, f in enumerate(fields, len(FIXED_COLS) + 1):
        ws.data_validations.append(_validation(f, 2, last, get_column_letter(j)))
    period_dv = DataValidation(type="textLength", operator="equal", formula1="7", allow_blank=True)
    period_dv.error = "月份格式为 YYYY-MM，如 2019-06"
    period_dv.add(f"A2:A{last}")
    ws.data_validations.append(period_dv)

    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    head_cells = []
    for h in headers:
        c = WriteOnlyCell(ws, value=h)
        c.font, c.fill, c.alignment = bold, fill, Alignment(wrap_text=True, vertical="center")
        head_cells.append(c)
    ws.append(head_cells)

    cols = []
    for c in FIXED_COLS:
        s = neutralise(frame[c].astype(object))
        cols.append(s.where(s.notna(), None))
    for f in fields:
        cols.append(pd.Series(_cells(frame[f.code])))
    block = np.column_stack([np.asarray(c, dtype=object) for c in cols]) if len(frame) else []
    for row in (block.tolist() if len(frame) else []):
        ws.append(row)

    info = wb.create_sheet(INFO_SHEET)
    info.column_dimensions["A"].width = 40
    for r in _instructions(program, level, fields):
        info.append(r)
    codes = wb.create_sheet(CODES_SHEET)
    codes.sheet_state = "hidden"
    codes.append(["列", "表头", "代码"])
    for j, f in enumerate(fields, len(FIXED_COLS) + 1):
        codes.append([get_column_letter(j), header(f), f.code])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _cells(values: pd.Series) -> np.ndarray:
    """A numeric column as cell values: whole numbers as int (no “.0”), others as float,
    blanks as None. Only whole numbers an IEEE double holds exactly (|v| < 2**53) become
    int: a larger value is written as the float it is, never wrapped to a negative int64."""
    v = pd.to_numeric(values, errors="coerce").to_numpy(dtype="float64")
    finite = np.isfinite(v)
    integral = finite & (np.floor(v) == v) & (np.abs(v) < EXACT_INT)
    col = np.full(len(v), None, dtype=object)
    col[integral] = v[integral].astype(np.int64)
    col[finite & ~integral] = v[finite & ~integral]
    return col


def write_csv(fields, frame: pd.DataFrame) -> bytes:
    out = pd.DataFrame({c: neutralise(frame[c].astype(object)) for c in FIXED_COLS})
    for f in fields:
        out[header(f)] = _cells(frame[f.code])
    return frame_csv(out)
