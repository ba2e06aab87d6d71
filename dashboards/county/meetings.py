"""会商记录: 谭家场 三(四)9's monthly data-sharing consultation on households at risk of
returning to poverty. A record holds date, chair unit, attending units, the households
discussed (from the household archive, head name and number only), measures and
follow-up; each month is met by a record of that month (ruralcore.app.meetings), never by a
tick. Writes are audited and scope-checked by the store."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from dashboards.ui import tables
from dashboards.ui.context import current_program, engine, page_setup
from dashboards.ui.data import visible as visible_codes
from ruralcore.app import households as hh
from ruralcore.app import meetings as mt
from ruralcore.kernel.errors import RuralcoreError
from ruralcore.kernel.fmt import date_zh, period_zh
from ruralcore.app.milestone_records import today_china

actor = page_setup("meetings")
program = current_program()
eng = engine()
visible = visible_codes(actor)
m = mt.milestone(program.id)
st.caption(f"{program.meta.short_title} · {m.name}（{m.ref}）：每月有一次会商记录即为该月完成。")

homes = hh.list_households(eng, actor)
label = dict(zip(homes["id"], homes["head_name"] + "（" + homes["village_name"] + "，编号" + homes["id"].astype(str) + "）"))
st.subheader("记录会商")
with st.form("mt_form"):
    left, right = st.columns(2)
    on = left.date_input("会商日期（年/月/日）", value=today_china(), min_value=dt.date(2010, 1, 1),
                         max_value=today_china(), format="YYYY/MM/DD", key="mt_on")
    chair = right.text_input("牵头单位", value=(m.responsible or [""])[0], key="mt_chair")
    attendees = st.text_input("参加单位（用“、”分隔）", key="mt_attendees")
    picked = st.multiselect("研判农户（一户一档）", [int(i) for i in homes["id"]], format_func=label.get,
                            key="mt_households")
    measures = st.text_input("帮扶措施", key="mt_measures")
    follow = st.text_input("跟进事项", key="mt_follow")
    go = st.form_submit_button("保存会商记录", type="primary")
if go:
    try:
        mt.add(eng, program.id, on, chair, attendees, picked, measures, follow, actor)
    except RuralcoreError as e:
        st.error(str(e))
    else:
        st.success(f"已记录 {date_zh(on)} 的会商。")

rec = mt.records(eng, program.id, visible)
today = today_china()
first = min([m.start.strftime("%Y-%m")] if m.start else [f"{today.year}-01"])
months = mt.months(eng, program.id, first, f"{today.year}-{today.month:02d}", visible).tail(12)
st.subheader("近12个月会商情况")
tables.dataframe(pd.DataFrame({
    "月份": months["month"].map(period_zh), "会商次数": months["meetings"],
    "是否完成": months["met"].map({True: "已会商", False: "未会商"}), "条款": months["ref"],
}), hide_index=True, key="mt_months")
st.subheader(f"会商记录（{len(rec)}次）")
tables.dataframe(pd.DataFrame({
    "会商日期": rec["held_on"].map(date_zh), "牵头单位": rec["chair"], "参加单位": rec["attendees"],
    "研判农户": rec["household_names"], "帮扶措施": rec["measures"], "跟进事项": rec["follow_up"],
    "记录人": rec["recorded_by"],
}), hide_index=True, key="mt_table")
