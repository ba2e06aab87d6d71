"""Text written into a spreadsheet cell (CSV or xlsx export) never runs as a formula.

Excel, WPS and LibreOffice run a cell starting with = + - @ (and, after a tab or a
carriage return, whatever follows) as a formula — “CSV injection”. A line break inside a
cell starts a new line for a reader that does not honour quotes, so the guard applies at
the start of the cell AND after every line break in it: a single quote is put before the
dangerous character. CSV files quote every field, so a line break stays inside its cell.
"""
from __future__ import annotations

import csv
import re

import pandas as pd

# zero-width: the start of the text, or just after \r or \n, when a formula character follows
_DANGER = re.compile(r"(?:^|(?<=[\r\n]))(?=[=+\-@\t\r])")


def neutralise_text(value):
    """``value`` with a quote before every formula start; anything but text unchanged."""
    if isinstance(value, str):
        return _DANGER.sub("'", value)
    return value


def neutralise(s: pd.Series) -> pd.Series:
    """Text cells of a column neutralised (numbers untouched)."""
    if s.dtype.kind in "biufcmM":
        return s
    text = s.astype("string")
    bad = text.str.contains(_DANGER, na=False).to_numpy(dtype=bool)
    if not bad.any():
        return s
    out = s.astype(object).copy()
    out[bad] = text[bad].str.replace(_DANGER, "'", regex=True).to_numpy(dtype=object)
    return out


def frame_csv(frame: pd.DataFrame) -> bytes:
    """A table as CSV for Excel: text neutralised, every field quoted, UTF-8 with BOM (so
    Excel shows the Chinese headers)."""
    out = frame.apply(neutralise)
    out.columns = [neutralise_text(str(c)) for c in out.columns]
    return out.to_csv(index=False, quoting=csv.QUOTE_ALL, lineterminator="\r\n").encode("utf-8-sig")


def problems_csv(problems) -> bytes:
    """Every problem of a refusal (row, column, message) as CSV for Excel, written in
    slices: a file with every cell wrong has hundreds of thousands of them."""
    import io

    buf = io.StringIO()
    w = csv.writer(buf, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    w.writerow(["行", "列", "问题"])
    for p in problems:
        w.writerow(["" if p.row is None else p.row, neutralise_text(p.column or ""), neutralise_text(p.message)])
    return buf.getvalue().encode("utf-8-sig")
