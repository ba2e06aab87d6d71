"""“按名称查找”: one box where typing part of a village's or pilot's name lists the matches;
picking one calls ``on_pick(code)`` as a callback (before the page's own selectors are
drawn, so it may set their state), and the box empties again."""
from __future__ import annotations

from typing import Callable

import streamlit as st


def find_box(label: str, options: dict[str, str], key: str, on_pick: Callable[[str], None], where=None,
             placeholder: str = "输入名称的一部分，从列表中选择") -> None:
    """``options``: code → the text shown and searched (e.g. “猫儿乡演示村04（猫儿乡）”).
    ``where``: a column or container to draw in (default: the page)."""

    def _picked() -> None:
        code = st.session_state.get(key)
        if code:
            on_pick(code)
        st.session_state[key] = None  # the box is for finding, not a filter: empty again

    (where or st).selectbox(label, list(options), index=None, key=key, on_change=_picked,
                            format_func=lambda c: options.get(c, c), placeholder=placeholder,
                            help="列表随输入的文字缩小；选中即打开")
