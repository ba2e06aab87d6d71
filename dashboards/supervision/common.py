"""What the supervision pages share: cached supervision data for a programme, month and
as-of date (ruralcore.app.supervision), the sidebar controls, labels and cell colours."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pandas as pd
import streamlit as st

from dashboards.ui import data as ui_data
from dashboards.ui.context import controls, current_program, engine, page_setup, period_picker
from dashboards.ui.theme import projector_on
from ruralcore.app import supervision as sv
from ruralcore.kernel.errors import RuralcoreError
from ruralcore.kernel.fmt import date_zh

STEP_COLORS = {"on_time": "#d7f0dc", "late": "#fff1c2", "overdue": "#f8c9c9", "not_due": "#f2f2f2"}
STEP_MARK = {"on_time": "按时", "late": "逾期完成", "overdue": "逾期未完成", "not_due": "未到期"}
REPORT_COLORS = {"按时": "#d7f0dc", "迟报": "#fff1c2", "未报": "#f8c9c9"}
LAGGARD_PAGE = "supervision/laggards.py"


@st.cache_data(show_spinner="正在汇总试点数据…", max_entries=8)
def pilot_data(url: str, token: str, program_id: str) -> sv.PilotData:
    from ruralcore.rules.programs import load_program
    return sv.load_pilot_data(engine(), load_program(program_id))


@st.cache_data(show_spinner=False, max_entries=32)
def supervised(url: str, token: str, program_id: str, period: str, as_of: dt.date) -> dict:
    return sv.supervise(pilot_data(url, token, program_id), period, as_of)


@st.cache_data(show_spinner=False, max_entries=32)
def supervised_for(url: str, token: str, program_id: str, period: str, as_of: dt.date, role: str,
                   region: str) -> dict:
    """supervised() limited to the pilots an account of ``role`` at ``region`` reads."""
    seen = ui_data.visible_codes(url, token, role, region)
    return sv.within(supervised(url, token, program_id, period, as_of), seen)


def setup(page: str, data_date: bool = True):
    """Page frame for the pilot pages (``page``: its key in ruralcore.auth.pages); returns
    (data, period, as_of, supervise result) or
    stops. The result holds only the pilots the signed-in account reads (sv.within).
    ``data_date``: the as-of date starts at the data's date for the newest month
    (sv.default_as_of); False: at the month's end (a circular reports on its month)."""
    go = st.session_state.pop(GO_PILOT_KEY, None)
    if go:  # a pilot's row was clicked (open_pilot)
        st.switch_page(LAGGARD_PAGE, query_params={"pilot": go})
    actor = page_setup(page)
    program = current_program()
    url, token = ui_data.url(), ui_data.token()
    try:
        d = pilot_data(url, token, program.id)
    except RuralcoreError as exc:  # e.g. no pilots of this programme in the database
        st.warning(str(exc))
        st.stop()
    period = period_picker(d.periods, key="sv_period")
    if period is None:
        st.stop()
    start = sv.default_as_of(d, period) if data_date else sv.period_end(period)
    with controls():
        as_of = st.date_input("进度截至日期（年/月/日）", value=start, key=f"sv_as_of_{period}", format="YYYY/MM/DD",
                              help="节点是否按时、逾期按此日期判断；默认为数据截至日（最新月份）或所选月份最后一天")
    res = supervised_for(url, token, program.id, period, as_of, actor.role, actor.region)
    if res["limited"]:
        st.caption(f"只显示{actor.name}（{actor.role_label}）管辖区域内的试点；县区排名为全市排名。")
    return d, period, as_of, res


def wan(v) -> float:
    """Integer yuan → 万元 for display (exact to the cent through Decimal)."""
    return float((Decimal(int(v)) / 10000).quantize(Decimal("0.01")))


def table_height(rows: int, most: int = 20) -> int:
    row = 48 if projector_on() else 35
    return (min(rows, most) + 1) * row + 3


def grid(rows: int, most: int = 20) -> dict:
    """st.dataframe sizing: every row visible up to ``most``; taller rows on a projector."""
    return {"height": table_height(rows, most), "row_height": 48 if projector_on() else 35}


def step_styler(frame: pd.DataFrame, step_columns: list[str], report_column: str | None = None):
    """Colour step-state cells (and the report cell) of a display frame."""
    state_of = {v: k for k, v in STEP_MARK.items()}
    sty = frame.style.map(lambda v: f"background-color: {STEP_COLORS[state_of[v]]}; color: #000"
                          if v in state_of else "", subset=step_columns)
    if report_column:
        sty = sty.map(lambda v: f"background-color: {REPORT_COLORS.get(v, '')}; color: #000"
                      if v in REPORT_COLORS else "", subset=[report_column])
    return sty


def caption_as_of(as_of: dt.date, period: str) -> None:
    from ruralcore.kernel.fmt import period_zh
    st.caption(f"节点进度截至{date_zh(as_of)}；月报为{period_zh(period)}（次月截止日前报送为按时）。")



GO_PILOT_KEY = "sv_open_pilot"  # a pilot clicked on a table: 落后督办 opens it on this run


def open_pilot(code: str) -> None:
    """A row-click callback: remember the pilot; the page's next run (setup) goes to
    落后督办 with it (a callback cannot switch pages itself)."""
    st.session_state[GO_PILOT_KEY] = code
    st.session_state["lg_pilot"] = code  # 落后督办's pilot selector, were it remembered from a visit
