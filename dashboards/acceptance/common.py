"""What the two acceptance pages share: the date deadlines are counted from, who records a
step (the signed-in account: page_setup lets only signed-in accounts in), and how a number of working days reads.
Layout only; the rules live in ruralcore."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from dashboards.ui.auth import current_actor, require_login
from dashboards.ui.context import controls, engine
from ruralcore.rules import workdays
from ruralcore.kernel.fmt import date_zh

AS_OF_KEY = "acc_as_of"
DEFAULT_KEY = "acc_as_of_default"  # the default last offered: replaced when the programme changes
# Streamlit drops a widget's state when another page runs without it; shadow copies carry
# the programme and the date across page switches.
KEPT = ("program", AS_OF_KEY)


def restore_state() -> None:
    """Call first on a page: put back kept widget values Streamlit dropped on a page switch."""
    for k in KEPT:
        if k not in st.session_state and f"_keep_{k}" in st.session_state:
            st.session_state[k] = st.session_state[f"_keep_{k}"]


def remember_state() -> None:
    for k in KEPT:
        if k in st.session_state:
            st.session_state[f"_keep_{k}"] = st.session_state[k]


def as_of_picker() -> dt.date:
    """“今天” for deadlines: today, kept within the years the official calendar knows; in
    the demo database the demo's own “today” (its data end in 2019–2024, so counting from
    the real today would make every open case years overdue). A date the user picked stays
    when the programme changes; the default follows the programme."""
    lo, hi = workdays.known_years()
    default = min(_default_day(st.session_state.get("program")), dt.date(hi, 12, 31))
    if st.session_state.get(AS_OF_KEY) in (None, st.session_state.get(DEFAULT_KEY)):
        st.session_state[AS_OF_KEY] = default
    st.session_state[DEFAULT_KEY] = default
    with controls():
        st.date_input("计算期限的日期（年/月/日）", key=AS_OF_KEY, min_value=dt.date(lo, 1, 1), max_value=dt.date(hi, 12, 31),
                      format="YYYY/MM/DD", help="按官方节假日和调休安排计算工作日；演示库默认取演示数据的截止日期")
    remember_state()
    return st.session_state[AS_OF_KEY]


def _default_day(program_id: str | None) -> dt.date:
    from ruralcore.app import overview as ov

    eng = engine()
    if program_id and ov.is_demo(eng):
        return ov.as_of_date(eng, program_id) or dt.date.today()
    return dt.date.today()


def user():
    """The signed-in Actor who records a step; not signed in: the login hint, page stops."""
    return current_actor() or require_login()


def user_text() -> str:
    """Who would record a step, for a caption (never stops the page)."""
    actor = current_actor()
    return actor.name if actor is not None else "未登录（记录前请先登录）"


def workdays_text(left) -> str:
    """3 → 剩3个工作日; 0 → 今日到期; -2 → 逾期2个工作日."""
    if left is None or pd.isna(left):
        return "—"
    left = int(left)
    if left > 0:
        return f"剩{left}个工作日"
    return "今日到期" if left == 0 else f"逾期{-left}个工作日"


def day(d) -> str:
    """A date as 2019年10月10日; — when there is none (None, NaT)."""
    if d is None or pd.isna(d):
        return "—"
    return date_zh(pd.Timestamp(d).date())
