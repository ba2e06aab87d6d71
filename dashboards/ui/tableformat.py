"""How every table of the app formats and measures its columns (number and date formats,
widths in pixels, splitting columns into groups that fit): used by the drawn tables
(dashboards.ui.tables) and the HTML tables (dashboards.ui.htmltable) alike."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

from ruralcore.kernel.fmt import date_zh, datetime_zh

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
