"""Any table a page shows, as an xlsx file: the page's Chinese headers, numbers as numbers,
text cells that would run as a formula neutralised (a village named "=1+1" stays text)."""
from __future__ import annotations

import io

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from ruralcore.kernel.cellsafe import neutralise, neutralise_text

MAX_WIDTH = 60  # characters: a long note wraps instead of making one huge column


def _width(values: pd.Series, header: str) -> int:
    # Chinese characters take two columns' width in Excel's unit
    longest = max([header, *(str(v) for v in values.dropna().head(500))], key=len, default="")
    return min(MAX_WIDTH, max(8, sum(2 if ord(ch) > 255 else 1 for ch in longest) + 2))


def table_xlsx(frames: dict[str, pd.DataFrame] | pd.DataFrame, sheet: str = "数据") -> bytes:
    """One sheet per frame (``{sheet name: frame}``, or one frame named ``sheet``); the
    frame's column names are the header row (bold, frozen), its index is not written."""
    if isinstance(frames, pd.DataFrame):
        frames = {sheet: frames}
    wb = Workbook()
    wb.remove(wb.active)
    for name, frame in frames.items():
        ws = wb.create_sheet(str(name)[:31])  # Excel's limit on a sheet name
        out = frame.reset_index(drop=True)
        out = out.apply(neutralise)
        ws.append([neutralise_text(str(c)) for c in out.columns])
        for cell in ws[1]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="center")
        for row in out.astype(object).where(out.notna(), None).itertuples(index=False):
            ws.append(list(row))
        for i, col in enumerate(out.columns, start=1):
            ws.column_dimensions[get_column_letter(i)].width = _width(out[col], str(col))
        ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
