"""What the two acceptance pages share: the date deadlines are counted from, who records a
step (the signed-in account: page_setup lets only signed-in accounts in), and how a number of working days reads.
Layout only; the rules live in ruralcore."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from dashboards.ui.auth import current_actor, require_login
from ruralcore import workdays
from ruralcore.fmt import date_zh

AS_OF_KEY = "acc_as_of"
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
    """“今天” for deadlines: today, kept within the years the official calendar knows."""
    lo, hi = workdays.known_years()
    if AS_OF_KEY not in st.session_state:
        st.session_state[AS_OF_KEY] = min(dt.date.today(), dt.date(hi, 12, 31))
    with st.sidebar:
        st.date_input("计算期限的日期", key=AS_OF_KEY, min_value=dt.date(lo, 1, 1), max_value=dt.date(hi, 12, 31),
                      format="YYYY-MM-DD", help="按官方节假日和调休安排计算工作日")
    remember_state()
    return st.session_state[AS_OF_KEY]


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
