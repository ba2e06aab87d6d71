"""What every page shares: the database engine, the chosen programme and month,
projector mode and the demo-data banner. No business rules here."""
from __future__ import annotations

import threading

import streamlit as st

from ruralcore.kernel.fmt import REF_SEP, period_zh
from ruralcore.auth import pages as registry
from ruralcore.rules.programs import all_programs, load_program

from .db import engine  # noqa: F401  (pages take the engine from here)
from .text import nowrap
from .theme import PROJECTOR_KEY, apply_theme, projector_on


def programs() -> dict[str, str]:
    return {p.id: p.meta.short_title for p in all_programs()}


def _leave_projector() -> None:
    # a callback: it runs before the toggle is drawn, so it may change the toggle's state
    st.session_state[PROJECTOR_KEY] = False
    st.query_params.pop("projector", None)


def _sync_projector_param() -> None:
    if st.session_state.get(PROJECTOR_KEY):
        st.query_params["projector"] = "1"
    else:
        st.query_params.pop("projector", None)


# This script run's header slots (a session's runs each run in a thread of their own).
_run = threading.local()


FROM_REGISTRY = object()  # page_setup's default: the programmes the registry names


def page_setup(page: str, title: str | None = None, needs_program: bool = True,
               programs_allowed: list[str] | None | object = FROM_REGISTRY):
    """Title, theme, sidebar controls and the demo banner for a page. ``page`` is the
    page's key in the registry ruralcore.auth.pages.PAGES, which gives its title (``title``
    overrides it, e.g. 总览 named for the account's level), who may open it — who is not
    signed in, or whose role may not open it, gets a Chinese message and the page stops —
    and the programmes it applies to (``programs_allowed`` overrides them; None: every
    programme). Returns the
    signed-in Actor (None on the public pages when nobody is signed in); the programme list
    holds only the programmes the account reads. On a projector the title, the demo note,
    the page's note (page_note), its choices (controls) and tools (page_tools) share one
    header line."""
    from .auth import gate, visible_program_ids

    apply_theme()
    _run.note = _run.tools = _run.picker = None
    _run.notes = []
    title = title or registry.page(page).title
    if programs_allowed is FROM_REGISTRY:
        programs_allowed = registry.applicable_programs(page)
    actor = gate(page, title)
    if needs_program:
        readable = visible_program_ids(actor)
        programs_allowed = [i for i in (programs_allowed if programs_allowed is not None else readable)
                            if i in readable]
        if not programs_allowed:
            st.title(title)
            st.info("本账户的区域内没有此页面适用的方案。")
            st.stop()
    with st.sidebar:
        projector_on()  # seeds the widget's state from ?projector=1 on first load
        st.toggle("投影模式", key=PROJECTOR_KEY, on_change=_sync_projector_param,
                  help="大字号、高对比度、隐藏侧栏，适合会议室投影（1920×1080）")
    if projector_on():
        _projector_header(title)
    else:
        st.title(title)
        demo_banner()
    if needs_program:
        progs = programs()
        ids = [i for i in progs if programs_allowed is None or i in programs_allowed]
        if "program" not in st.session_state and st.query_params.get("program") in ids:
            st.session_state["program"] = st.query_params["program"]  # a shared link names it
        current = st.session_state.get("program")
        with controls():
            st.selectbox("方案", ids, index=ids.index(current) if current in ids else 0,
                         format_func=lambda i: progs[i], key="program")
        if projector_on():
            page_note(progs[st.session_state["program"]])
    return actor


def _projector_header(title: str) -> None:
    """One line: title, notes, the page's tools and choices, the way out."""
    row = st.container(horizontal=True, vertical_alignment="center", gap="medium", wrap=False, key="projector_header")
    row.title(title, anchor=False, width="content")
    _run.note = row.container(width="stretch").empty()
    _run.tools = row.container(horizontal=True, vertical_alignment="center", width="content")
    row.button("退出投影模式", key="leave_projector", on_click=_leave_projector, type="primary")
    from ruralcore.app.overview import is_demo
    if is_demo(engine()):
        page_note(":material/science: **演示数据**")


def page_note(text: str) -> None:
    """A line saying what the page shows (programme, month, as-of date): beside the title
    on a projector (notes joined by “ · ”, each kept on one line), a caption where it is
    called otherwise."""
    if getattr(_run, "note", None) is None or not projector_on():
        st.caption(text)
        return
    _run.notes.append(text)
    _run.note.caption(nowrap(REF_SEP.join(_run.notes)), unsafe_allow_html=True)  # a date never breaks


def page_tools():
    """Where a page draws its view tools (the slideshow's switch and buttons): in the
    header line on a projector, in the page otherwise."""
    tools = getattr(_run, "tools", None)
    return tools if tools is not None and projector_on() else st.container()


def controls():
    """Where a page's choices (programme, month, dates…) go: the sidebar, or on a
    projector, where the sidebar is hidden, a popover in the header line."""
    if getattr(_run, "tools", None) is None or not projector_on():
        return st.sidebar
    if _run.picker is None:
        _run.picker = _run.tools.popover("选择", icon=":material/tune:", help="方案、月份等")
    return _run.picker


def current_program():
    return load_program(st.session_state["program"])


def period_picker(periods: list[str], key: str = "period") -> str | None:
    """Month selector (newest first) among the controls(); remembers the choice across pages."""
    if not periods:
        st.info("该方案在数据库中还没有月报数据。")
        return None
    periods = sorted(periods, reverse=True)
    if key not in st.session_state and st.query_params.get(key) in periods:
        st.session_state[key] = st.query_params[key]  # a shared link names the month
    cur = st.session_state.get(key)
    with controls():
        return st.selectbox("月份", periods, index=periods.index(cur) if cur in periods else 0,
                            format_func=period_zh, key=key)


def demo_banner() -> None:
    from ruralcore.app.overview import is_demo
    if is_demo(engine()):
        st.caption(":material/science: **演示数据**：本库数据均为系统生成的虚构数据，名称带“演示”字样，仅供演示与测试。")
