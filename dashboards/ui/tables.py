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

import datetime as dt

import numpy as np
import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

from ruralcore.fmt import date_zh, datetime_zh

from .theme import projector_on

MOST_ROWS = 25  # taller than this, a table scrolls inside its frame
MAIN_WIDTH = 1440  # pixels of the page's main column at 1920 × 1080 with the sidebar open


def row_px() -> int:
    return 48 if projector_on() else 35


def fit(rows: int, most: int = MOST_ROWS) -> dict:
    """st.dataframe sizing: every row visible up to ``most`` rows (no inner scrolling);
    taller rows on a projector."""
    return {"height": (min(rows, most) + 1) * row_px() + 3, "row_height": row_px()}


def number_formats(frame: pd.DataFrame) -> dict:
    """Styler formats per numeric column: counts (whole numbers) without decimals,
    percentages and other measures with one."""
    out = {}
    for col in frame.columns:
        s = frame[col]
        if pd.api.types.is_bool_dtype(s) or not pd.api.types.is_numeric_dtype(s):
            continue
        v = s.to_numpy(dtype="float64")
        whole = bool(np.all(np.isnan(v) | (np.round(v) == v))) and "%" not in str(col)
        out[col] = "{:.0f}" if whole else "{:.1f}"
    return out


def date_formats(frame: pd.DataFrame) -> dict:
    """Styler formats for date columns: 2025年12月31日 (with the time where one is kept), as
    st.dataframe's DateColumn shows them; a projector's HTML table has no column_config."""
    out = {}
    for col in frame.columns:
        s = frame[col]
        first = s.dropna().iloc[0] if s.notna().any() else None
        if isinstance(first, (dt.datetime, pd.Timestamp)):
            timed = bool((pd.to_datetime(s.dropna()) != pd.to_datetime(s.dropna()).dt.normalize()).any())
            out[col] = datetime_zh if timed else date_zh
        elif isinstance(first, dt.date):
            out[col] = date_zh
    return out


def _text_px(text: str) -> int:
    """Width of ``text`` in the grid's 14-pixel type: Chinese characters full, others half."""
    return sum(14 if ord(ch) > 255 else 8 for ch in text)


def text_width(texts, pad: int = 28, most: int = 420) -> int:
    """Pixels a grid column needs for the longest of ``texts`` (``pad``: padding and icons)."""
    return min(max(_text_px(str(t)) for t in texts) + pad, most)


def fit_columns(codes: list[str], widths: dict[str, int], budget: int) -> list[list[str]]:
    """``codes`` in order, cut into consecutive parts whose widths add up to at most
    ``budget`` pixels (a column wider than that gets a part of its own)."""
    parts: list[list[str]] = [[]]
    used = 0
    for c in codes:
        if parts[-1] and used + widths[c] > budget:
            parts.append([])
            used = 0
        parts[-1].append(c)
        used += widths[c]
    return [p for p in parts if p]


def text_widths(frame: pd.DataFrame, most: int = 420) -> dict:
    """column_config giving each text column the width of its longest entry: the grid
    measures Chinese text short and cut “五台山风景名胜区” to “五台山风景名胜”."""
    out = {}
    for col in frame.columns:
        if not (pd.api.types.is_object_dtype(frame[col]) or pd.api.types.is_string_dtype(frame[col])):
            continue
        out[col] = st.column_config.Column(width=text_width([col, *frame[col].dropna()], most=most))
    return out


def formatted(frame, style=None):
    """A Styler with the number formats (and the optional colour function applied); a
    Styler passed in keeps its own formats."""
    if isinstance(frame, Styler):
        return style(frame) if style else frame
    sty = frame.style.format(number_formats(frame) | date_formats(frame), na_rep="—")
    return style(sty) if style else sty


def count_caption(rows: int, most: int = MOST_ROWS) -> None:
    if rows > most:
        st.caption(f"共 {rows} 行，表中显示 {most} 行，其余可在表内滚动查看。")


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


def excel_button(frame: pd.DataFrame, name: str, key: str, where=None) -> None:
    """“导出Excel”: ``frame`` as shown (its Chinese headers, no index) in ``name``.xlsx;
    text that would run as a formula is neutralised (ruralcore.excel.tables). The file is
    made only when the button is pressed."""
    from ruralcore.excel.tables import table_xlsx

    (where or st).download_button("导出Excel", lambda: table_xlsx(frame, sheet="数据"), file_name=f"{name}.xlsx",
                                  mime=XLSX, key=key, on_click="ignore", icon=":material/download:")
