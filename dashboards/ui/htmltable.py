"""Wide tables drawn as HTML so that they fit the page: headers and long texts wrap at
1920 px (a canvas grid cannot wrap a header, and cut wide tables at the screen's edge),
cells keep their colours (a pandas Styler), and the text is in the page, not painted on
a canvas. ``fit_table`` only shows; ``click_table`` rows (or cells) are clicked to go
somewhere.

A click calls ``on_pick`` as a callback, before the page script runs again (a Streamlit
component, st.components.v2), so the page may set its selectors there: a widget's state
cannot be changed once the widget is drawn in the run.

Sizes are in rem: the projector view's larger root type enlarges the table with the page."""
from __future__ import annotations

import html
import re
from typing import Callable

import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

from . import tableformat as tables
from .theme import projector_on

NAME = "ruralcore_click_table"
MOST_ROWS = 25  # taller than this, the table scrolls inside its box (its header stays in view)

CSS = """
.rc-box { width: 100%; overflow-x: hidden; border: 1px solid rgba(49, 51, 63, 0.15); border-radius: 0.5rem; }
.rc-box.rc-long { max-height: 46rem; overflow-y: auto; }
.rc-box table { width: 100%; border-collapse: collapse; font-size: 0.875rem; line-height: 1.35; }
.rc-box th { position: sticky; top: 0; z-index: 1; background: #f0f2f6; font-weight: 600; text-align: left; min-width: 2.6em;
  vertical-align: bottom; white-space: normal; word-break: normal; overflow-wrap: anywhere; }
.rc-box th, .rc-box td { padding: 0.3rem 0.5rem; border-bottom: 1px solid rgba(49, 51, 63, 0.1); }
.rc-box td { vertical-align: top; }
.rc-box td.rc-first { white-space: nowrap; font-weight: 600; }
.rc-box tbody tr.rc-pick { cursor: pointer; }
.rc-box tbody tr.rc-pick:hover td, .rc-box tbody tr.rc-pick:focus td { outline: none; box-shadow: inset 0 0 0 9999px rgba(255, 75, 75, 0.08); }
.rc-box tbody tr.rc-picked td { box-shadow: inset 0 0 0 9999px rgba(255, 75, 75, 0.16); }
/* a phone: no column fits beside another, so each row is a card of "header  value" lines
   (every cell carries its header as data-label) instead of columns cut at the screen's edge */
@media (max-width: 640px) {
  .rc-box thead { display: none; }
  .rc-box table, .rc-box tbody, .rc-box tr, .rc-box td { display: block; width: 100%; box-sizing: border-box; }
  .rc-box table { font-size: 1rem; }
  .rc-box tbody tr { padding: 0.4rem 0; border-bottom: 2px solid rgba(49, 51, 63, 0.2); }
  .rc-box th, .rc-box td { border-bottom: none; }
  .rc-box td { min-height: 1.6rem; white-space: normal !important; text-align: right !important;
    padding: 0.15rem 0.75rem; overflow: hidden; }
  .rc-box td::before { content: attr(data-label); float: left; max-width: 55%; margin-right: 0.75rem;
    text-align: left; color: rgba(49, 51, 63, 0.7); }
  .rc-box td:first-child { font-weight: 600; }
}
"""

JS = """
export default function(component) {
  const { data, setTriggerValue, parentElement } = component;
  let box = parentElement.querySelector('div.rc-box');
  if (!box) {
    box = document.createElement('div');
    parentElement.appendChild(box);
  }
  box.className = 'rc-box' + (data.long ? ' rc-long' : '');
  box.innerHTML = data.html;
  const heads = Array.from(box.querySelectorAll('thead th')).map((th) => th.textContent);
  box.querySelectorAll('tbody tr').forEach((tr, i) => {
    const first = tr.querySelector('td');
    if (first) first.classList.add('rc-first');
    const key = data.keys[i];
    if (key === undefined || key === null) return;
    tr.classList.add('rc-pick');
    if (key === data.picked) tr.classList.add('rc-picked');
    tr.tabIndex = 0;
    tr.dataset.key = key;
    tr.title = data.hint;
    const pick = (column) => setTriggerValue('pick', { row: key, column: column });
    tr.querySelectorAll('td').forEach((td, j) => { td.onclick = () => pick(heads[j]); td.dataset.label = heads[j]; });
    tr.onkeydown = (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); pick(heads[0]); } };
  });
}
"""


@st.cache_resource(show_spinner=False)
def _component():
    # registered once per server (a second registration under the same name only warns)
    return st.components.v2.component(NAME, css=CSS, js=JS, isolate_styles=False)


SHORT = 12  # characters: a cell this short (a number, a rank, 优秀, a date) never wraps
SHORT_HEAD = 3  # characters: a heading this short (序号, 应报, 较上月) never wraps
# pieces a line never breaks inside, in headings and cells: a unit in brackets (“（万元）”,
# never “（万 / 元）” or “（天 / ）”), a date (2019年12月25日), a time of day (10:20:29)
KEEP = re.compile(r"（[^（）<>]{1,6}）|\d{4}年\d{1,2}月(?:\d{1,2}日)?|\d{1,2}:\d{2}(?::\d{2})?")
_NOWRAP = "<span style='white-space:nowrap'>{}</span>"


def keep_whole(table_html: str) -> str:
    """``table_html`` (a Styler's) with KEEP's pieces and the short headings on one line;
    only the text between tags is touched (not the Styler's CSS, not attributes)."""
    head, sep, body = table_html.rpartition("</style>")
    body = re.sub(r">([^<>]+)<", lambda m: ">" + KEEP.sub(lambda k: _NOWRAP.format(k.group()), m.group(1)) + "<", body)
    body = re.sub(r"(<th[^>]*>)([^<>]{1,%d})(</th>)" % SHORT_HEAD, lambda m: m.group(1) + _NOWRAP.format(m.group(2)) + m.group(3), body)
    return head + sep + body


# What a table may take of a projector's 1920 pixels, and its type (0.875rem of the
# projector's 24-pixel root): a Chinese character's width; Latin letters and digits about half.
PROJECTOR_PX, PROJECTOR_TYPE_PX = 1850, 21


def _type_px(text: str) -> int:
    return sum(PROJECTOR_TYPE_PX if ord(ch) > 255 else PROJECTOR_TYPE_PX * 11 // 20 for ch in text)


def _whole_px(text: str) -> int:
    """Width of the widest piece of ``text`` that never breaks (KEEP)."""
    return max((_type_px(k) for k in KEEP.findall(text)), default=0)


def narrowest_px(name, values) -> int:
    """How narrow a column can get on a projector: its heading wraps down to its minimum
    width (2.6 characters, a short heading and a unit in brackets kept whole), a short cell
    never wraps, a long one wraps to five characters (a date or a time kept whole); plus
    the cell's padding."""
    texts = [str(v) for v in values]
    name = str(name)
    head = _type_px(name) if len(name) <= SHORT_HEAD else max(int(2.6 * PROJECTOR_TYPE_PX), _whole_px(name))
    short = max((_type_px(t) for t in texts if len(t) <= SHORT), default=0)
    long = max((max(5 * PROJECTOR_TYPE_PX, _whole_px(t)) for t in texts if len(t) > SHORT), default=0)
    return max(head, short, long) + PROJECTOR_TYPE_PX + 3


def column_groups(data: pd.DataFrame, lead: int = 1) -> list[list]:
    """On a projector, the columns in groups that each fit the screen's width, every group
    led by the first ``lead`` columns (the row's name): a table too wide even with its
    headings wrapped is split rather than cut at the edge. One group when it fits, and
    always in normal mode (where the type is smaller and the page scrolls the box)."""
    cols = list(data.columns)
    if not projector_on():
        return [cols]
    dates = tables.date_formats(data)  # as shown: 2019年12月25日, not 2019-12-25
    px = {c: narrowest_px(c, data[c].map(dates[c]) if c in dates else data[c]) for c in cols}
    if sum(px.values()) <= PROJECTOR_PX:
        return [cols]
    first = cols[:lead]
    parts = tables.fit_columns(cols[lead:], px, PROJECTOR_PX - sum(px[c] for c in first))
    return [first + part for part in parts]


def _split_note(groups: list, lead: int) -> None:
    if len(groups) > 1:
        st.caption(f"表格较宽，分 {len(groups)} 段显示，每段开头重复前{lead}列。")


def to_html(frame: pd.DataFrame | Styler, style=None, columns: list | None = None) -> str:
    """The table's HTML: the numbers formatted like every table of the app (tables.formatted)
    and right-aligned, short cells on one line, long texts and headers wrapping; no index;
    only ``columns`` when given."""
    sty = tables.formatted(frame, style)
    data = sty.data
    # text from the database or a programme file is shown as typed, never run as markup:
    # the Styler renders its data as it is, so the text is escaped here (numbers untouched;
    # a style function then sees the escaped text: compare with labels, not with markup)
    sty.data = data.apply(lambda col: col.map(lambda v: html.escape(v) if isinstance(v, str) else v)
                          if col.dtype == object or pd.api.types.is_string_dtype(col) else col)
    sty = sty.format_index(escape="html", axis=1)
    numeric = [c for c in data.columns if pd.api.types.is_numeric_dtype(data[c]) and not pd.api.types.is_bool_dtype(data[c])]
    sty = sty.set_properties(subset=numeric, **{"text-align": "right"}) if numeric else sty
    sty = sty.map(lambda v: "white-space: nowrap" if len(str(v)) <= SHORT else "")
    if columns is not None:
        sty = sty.hide([c for c in data.columns if c not in columns], axis="columns")
    return _label_cells(keep_whole(sty.hide(axis="index").to_html()), data.columns)


def _label_cells(markup: str, columns) -> str:
    """Each cell carries its column's header (data-label): a phone shows it beside the value."""
    def label(m: re.Match) -> str:
        return f'{m.group(0)} data-label="{html.escape(str(columns[int(m.group(1))]), quote=True)}"'
    return re.sub(r'<td [^>]*class="data row\d+ col(\d+)"', label, markup)


def fit_table(frame: pd.DataFrame | Styler, style=None, lead: int = 1) -> None:
    """Draw ``frame`` (a DataFrame or a Styler with colours) as a table that only shows
    (on a projector split into column groups led by its first ``lead`` columns when too
    wide: column_groups)."""
    data = frame.data if isinstance(frame, Styler) else frame
    long = " rc-long" if len(data) > MOST_ROWS else ""
    groups = column_groups(data, lead)
    for cols in groups:
        part = to_html(frame, style, cols if len(groups) > 1 else None)
        st.html(f"<style>{CSS}</style><div class='rc-box{long}'>{part}</div>")
    _split_note(groups, lead)
    tables.count_caption(len(data), MOST_ROWS)


def click_table(frame: pd.DataFrame | Styler, key: str, row_keys: list, on_pick: Callable[..., None],
                style=None, picked: str | None = None, hint: str = "点击查看", with_column: bool = False,
                lead: int = 1) -> None:
    """Draw ``frame`` (rows in the order of ``row_keys``, one key per row, None for a row
    that cannot be clicked); a click on a row calls ``on_pick(its key)``, or with
    ``with_column`` ``on_pick(its key, the clicked cell's column header)``. ``picked``: the
    key of the row shown as chosen. On a projector a table too wide is split into column
    groups led by its first ``lead`` columns (column_groups), each clicked alike."""
    data = frame.data if isinstance(frame, Styler) else frame
    row_keys = [None if k is None else str(k) for k in row_keys]
    if len(row_keys) != len(data):
        raise ValueError(f"{len(row_keys)} row keys for {len(data)} rows")

    def _picked(part_key: str) -> None:
        value = (st.session_state.get(part_key) or {}).get("pick")
        if not isinstance(value, dict) or value.get("row") is None:
            return
        if with_column:
            on_pick(value["row"], value.get("column"))
        else:
            on_pick(value["row"])

    groups = column_groups(data, lead)
    for i, cols in enumerate(groups):
        part_key = key if i == 0 else f"{key}-{i}"  # the first part keeps the table's key
        _component()(data={"html": to_html(frame, style, cols if len(groups) > 1 else None), "keys": row_keys,
                           "picked": picked, "hint": hint, "long": len(row_keys) > MOST_ROWS},
                     key=part_key, on_pick_change=lambda k=part_key: _picked(k))
    _split_note(groups, lead)
    tables.count_caption(len(row_keys), MOST_ROWS)
