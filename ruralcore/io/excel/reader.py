"""Read an uploaded xlsx/xls (python-calamine) or csv into headers + a raw cell frame.

Nothing is interpreted here beyond the file format: the frame keeps every cell as read
(text, number, date or blank), so the validator can name the row and column of anything
wrong. Row numbers are kept as Excel shows them (header on row 1).
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ruralcore.kernel.csvfile import not_table, other_format, read_csv
from ruralcore.kernel.errors import InputError, Problem
from ruralcore.io.excel import guard
from ruralcore.io.excel.layout import CODES_SHEET, SHEET

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass
class Table:
    headers: list[str]
    body: pd.DataFrame          # object cells, columns 0..n-1, index = Excel row number
    code_map: dict[str, str]    # header → field code from the hidden sheet (may be empty)
    source: str


def load_bytes(path_or_bytes, name: str | None = None) -> tuple[bytes, str]:
    if isinstance(path_or_bytes, (bytes, bytearray, memoryview)):
        return bytes(path_or_bytes), name or "上传的文件"
    p = Path(path_or_bytes)
    try:
        return p.read_bytes(), name or p.name
    except FileNotFoundError:
        raise InputError(Problem(f"找不到文件 {p}")) from None
    except IsADirectoryError:
        raise InputError(Problem(f"{p} 是文件夹，不是 Excel 或 CSV 文件")) from None


def read_table(data: bytes, source: str) -> Table:
    """The file's cells. Its size, rows, columns and cells are checked first (guard), so
    a file too large to be a monthly report is refused before it is parsed."""
    if not data or not data.strip():
        raise InputError(Problem("文件是空的，没有任何内容"), source=source)
    guard.check_upload(data, source)
    scan = guard.Scan()
    if data.startswith(ZIP_MAGIC):
        scan = guard.check_xlsx(data, source, SHEET)
        rows, code_map = _read_excel(data, source)
    elif data.startswith(OLE_MAGIC):
        guard.check_xls(data, source)
        rows, code_map = _read_excel(data, source)
    else:
        what = other_format(data)  # before the extension: a PDF renamed .xlsx is named as a PDF
        if what:
            raise not_table(source, f"内容是{what}")
        if source.lower().endswith((".xlsx", ".xls", ".xlsm")):
            raise not_table(source, "扩展名是 Excel，但内容不是 Excel 工作簿")
        guard.check_csv(data, source)
        rows, code_map = _read_csv(data, source)
    if not rows or all(_blank(v) for v in rows[0]):
        raise InputError(Problem("文件是空的：第1行没有表头", row=1), source=source)
    width = max(len(r) for r in rows)
    headers = [("" if _blank(v) else str(v).strip()) for v in rows[0]] + [""] * (width - len(rows[0]))
    if scan.formulas_without_value:  # they read as blank: refuse them rather than guess
        raise InputError(guard.formula_problems(scan, headers), source=source)
    body = pd.DataFrame(rows[1:], dtype=object).reindex(columns=range(width))
    body.index = pd.RangeIndex(2, 2 + len(body))
    return Table(headers, body, code_map, source)


def _blank(v) -> bool:
    return v is None or (isinstance(v, str) and not v.strip()) or (isinstance(v, float) and v != v)


def _read_excel(data: bytes, source: str):
    from python_calamine import CalamineWorkbook
    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = wb.sheet_names
        sheet = wb.get_sheet_by_name(SHEET if SHEET in names else names[0])
        # skip_empty_area=False keeps leading blank rows, so row numbers match Excel's.
        rows = sheet.to_python(skip_empty_area=False)
        code_map = {}
        if CODES_SHEET in names:
            for r in wb.get_sheet_by_name(CODES_SHEET).to_python()[1:]:
                if len(r) >= 3 and str(r[1]).strip() and str(r[2]).strip():
                    code_map[str(r[1]).strip()] = str(r[2]).strip()
    except Exception as exc:  # calamine raises several types for broken workbooks
        raise not_table(source, f"工作簿已损坏：{type(exc).__name__}") from None
    return rows, code_map


def _read_csv(data: bytes, source: str):
    df = read_csv(data, source, header=None)
    return df.to_numpy(dtype=object).tolist(), {}
