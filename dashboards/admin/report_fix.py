"""月报更正: change one stored monthly value by region code, as the signed-in user.
The store checks the region against the user's role and region (ruralcore.scope): a
township officer may change its own township's villages and is refused any other,
with nothing written."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboards.ui.context import current_program, engine, page_setup
from ruralcore import entry
from ruralcore.errors import RuralcoreError
from ruralcore.scope import visible_regions
from ruralcore.store import reports

actor = page_setup("月报更正", "report_fix")  # data writers and the auditor (scope.PAGE_ROLES)
program = current_program()
months = entry.periods(engine(), program)
if not months:
    st.info("该方案在数据库中还没有月报数据。")
    st.stop()
period = st.selectbox("月份", sorted(months, reverse=True), key="fix_period")
fields = {f.code: f"{f.name}（{f.unit}）" if f.unit else f.name for f in entry.fields(program)}
stored = reports.load_reports(engine(), program.id, [period])
with engine().connect() as conn:
    mine = visible_regions(actor, conn)
shown = stored if mine is None else stored[stored["region"].isin(mine)]

with st.form("fix"):
    region = st.text_input("区域代码", key="fix_region", help="村（或填报单位）的区域代码")
    field = st.selectbox("指标", list(fields), format_func=lambda c: fields[c], key="fix_field")
    value = st.number_input("新数值", min_value=0.0, step=1.0, key="fix_value")
    save = st.form_submit_button("保存", type="primary")
if save:
    region = region.strip()
    cur = stored[(stored["region"] == region) & (stored["field"] == field)]
    version = int(cur["version"].iat[0]) if len(cur) else 0
    try:
        res = reports.upsert_reports(engine(), program.id, period,
                                     pd.DataFrame({"region": [region], "field": [field], "value": [value]}),
                                     actor, expected_versions={(region, field): version})
    except RuralcoreError as e:
        st.error(str(e))
    else:
        st.success(f"已保存：{region} 的“{fields[field]}”= {value:g}（新增 {res['inserted']}，修改 {res['updated']}）")

    stored = reports.load_reports(engine(), program.id, [period])
    shown = stored if mine is None else stored[stored["region"].isin(mine)]

st.subheader("本账户可查看的数值")
table = shown[shown["field"] == st.session_state.get("fix_field", next(iter(fields)))]
st.dataframe(table[["region", "value", "submitted_by", "submitted_at", "version"]]
             .rename(columns={"region": "区域代码", "value": "数值", "submitted_by": "填报人",
                              "submitted_at": "提交时间", "version": "版本"}),
             hide_index=True, height=320)
