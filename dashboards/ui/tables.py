"""Tables that stay readable on a projector: st.dataframe draws on a canvas whose type
size CSS cannot change, so projector mode shows an HTML table (st.table) instead."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from .theme import projector_on


def show(frame: pd.DataFrame, key: str, max_rows: int = 15, style=None, **kwargs) -> None:
    """``style``: optional function Styler → Styler (colours), applied in both modes."""
    if projector_on():
        styler = frame.head(max_rows).reset_index(drop=True).style.hide(axis="index").format(precision=1, na_rep="—")
        st.table(style(styler) if style else styler)
        if len(frame) > max_rows:
            st.caption(f"仅显示前 {max_rows} 行，共 {len(frame)} 行。")
    else:
        st.dataframe(style(frame.style) if style else frame, hide_index=True, width="stretch", key=key, **kwargs)


AWARD_STYLE = {"优秀": "background-color: #f6e7b0; color: #7a5600; font-weight: 700",
               "达标": "background-color: #d8efdc; color: #1a7f37; font-weight: 700",
               "未达标": "color: #6b6b6b"}


def award_colours(column: str = "等次"):
    """Styler function colouring 优秀 gold, 达标 green, 未达标 grey in ``column``."""
    return lambda styler: styler.map(lambda v: AWARD_STYLE.get(v, ""), subset=[column])
