"""Tables that stay readable on a projector. st.dataframe draws on a canvas: its type
follows the root font size (theme: 21 px on a projector) but its column headers never
wrap, so a wide table would scroll sideways. On a projector every table of this module
is therefore an HTML table in large type that fits the screen's width
(dashboards.ui.htmltable); nothing is selected in it.

Every styled table gets a number format here (a pandas Styler otherwise prints floats
with six decimals): whole numbers as integers, other numbers with one decimal. Short
tables are as tall as their rows; long ones scroll inside a frame and say how many rows
they hold."""
from __future__ import annotations

import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

from .theme import projector_on

from .tableformat import (  # noqa: F401  (re-exported: the formats every table uses)
    MAIN_WIDTH, MOST_ROWS, _text_px, count_caption, date_formats, fit, fit_columns, formatted, number_formats,
    row_px, text_width, text_widths)


def dataframe(frame, key: str | None = None, style=None, most: int = MOST_ROWS, **kwargs):
    """st.dataframe with number formats, sized to its rows (long tables scroll, with
    their row count said below). ``frame``: a DataFrame or a pandas Styler. Returns the
    selection event like st.dataframe; on a projector a large-type HTML table that fits
    the screen (its first ``most`` rows) and None: nothing is selected there."""
    if projector_on():
        _projector_table(frame, style, most)
        return None
    data = frame.data if isinstance(frame, Styler) else frame
    kwargs = {"hide_index": True, "width": "stretch", **fit(len(data), most), **kwargs}
    kwargs["column_config"] = {**text_widths(data), **(kwargs.get("column_config") or {})}
    ev = st.dataframe(formatted(frame, style), key=key, **kwargs)
    count_caption(len(data), most)
    return ev


PROJECTOR_ROWS = 50  # a projector's HTML table shows at most this many rows of a long list


def grid(frame, **kwargs):
    """st.dataframe(frame, **kwargs) as it is; on a projector a large-type HTML table that
    fits the screen (up to PROJECTOR_ROWS rows) and None."""
    if projector_on():
        _projector_table(frame, None, PROJECTOR_ROWS)
        return None
    return st.dataframe(frame, **kwargs)


def show(frame: pd.DataFrame, key: str, max_rows: int = 15, style=None, **kwargs) -> None:
    """``style``: optional function Styler → Styler (colours), applied in both modes."""
    if projector_on():
        _projector_table(frame, style, max_rows)
    else:
        kwargs.setdefault("most", max(max_rows, MOST_ROWS))
        dataframe(frame, key=key, style=style, **kwargs)


def _projector_table(frame, style, most: int) -> None:
    """The first ``most`` rows of a frame (every row of a Styler) as an HTML table
    (htmltable.fit_table), the rest counted below."""
    from .htmltable import fit_table  # it draws with this module's formats

    if isinstance(frame, Styler):
        fit_table(frame, style)
        return
    head = frame.head(most).reset_index(drop=True)
    fit_table(head, style)
    if len(frame) > len(head):
        st.caption(f"仅显示前 {len(head)} 行，共 {len(frame)} 行。")


AWARD_STYLE = {"优秀": "background-color: #f6e7b0; color: #7a5600; font-weight: 700",
               "达标": "background-color: #d8efdc; color: #1a7f37; font-weight: 700",
               "未达标": "color: #6b6b6b"}


def award_colours(column: str = "等次"):
    """Styler function colouring 优秀 gold, 达标 green, 未达标 grey in ``column``."""
    return lambda styler: styler.map(lambda v: AWARD_STYLE.get(v, ""), subset=[column])


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def excel_button(frame: pd.DataFrame, name: str, key: str, where=None, label: str = "导出Excel") -> None:
    """“导出Excel”: ``frame`` as shown (its Chinese headers, no index) in ``name``.xlsx;
    text that would run as a formula is neutralised (ruralcore.io.excel.tables). The file is
    made only when the button is pressed (and the Excel writer imported only then)."""
    (where or st).download_button(label, lambda: _sheet(frame), file_name=f"{name}.xlsx",
                                  mime=XLSX, key=key, on_click="ignore", icon=":material/download:")


def _sheet(frame: pd.DataFrame) -> bytes:
    from ruralcore.io.excel.tables import table_xlsx
    return table_xlsx(frame, sheet="数据")
