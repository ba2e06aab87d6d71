"""Tables that stay readable on a projector: st.dataframe draws on a canvas whose type
size CSS cannot change, so projector mode shows an HTML table (st.table) instead."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from .theme import projector_on


def show(frame: pd.DataFrame, key: str, max_rows: int = 15, **kwargs) -> None:
    if projector_on():
        st.table(frame.head(max_rows).reset_index(drop=True).style.hide(axis="index")
                 .format(precision=1, na_rep="—"))
        if len(frame) > max_rows:
            st.caption(f"仅显示前 {max_rows} 行，共 {len(frame)} 行。")
    else:
        st.dataframe(frame, hide_index=True, width="stretch", key=key, **kwargs)
