"""站点编号: 融水 附件2's station number register. Who may register (a county admin, a
township officer for its township) allocates the next free number of a type, or
registers a number already on a signboard; the store refuses a number beyond 附件1's
quota for the township, a duplicate or a retired number (ruralcore.app.station_register,
audited, scope-checked). The page holds no rules: quotas, format and sequence come from
the programme file through the library."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboards.ui import tables
from dashboards.ui.context import current_program, engine, page_setup
from ruralcore.app import station_register as sr
from ruralcore.kernel.errors import RuralcoreError
from ruralcore.rules.programs import ASSUMED_LABEL
from dashboards.ui.data import visible as visible_codes
from ruralcore.rules.stations import TYPE_NAMES, TYPES

actor = page_setup("stations")
program = current_program()
eng = engine()
visible = visible_codes(actor)
seq = next(s for s in program.settings if s.code == "station_number_sequence")
st.caption(f"{program.meta.short_title} · 编号规则（附件2）：桂+地市车牌代码+县拼音首字母+4位顺序号+B/Z/J；"
           f"{seq.assumed}（{ASSUMED_LABEL}）。各乡镇各类站点数不超过附件1下达的任务数。")

towns = sr.townships(program)
if visible is not None:
    towns = towns[towns["code"].isin(list(visible))]

st.subheader("分配编号")
if towns.empty:
    st.info("本账户辖区内没有附件1分配的站点任务。")
else:
    with st.form("stn_form"):
        left, mid, right = st.columns(3)
        town = left.selectbox("乡镇", list(towns["code"]), format_func=dict(zip(towns["code"], towns["name"])).get,
                              key="stn_town")
        kind = mid.selectbox("类型", list(TYPES), format_func=TYPE_NAMES.get, key="stn_type")
        village = right.text_input("所在行政村（可不填）", key="stn_village")
        number = st.text_input("已有编号（不填则分配下一个空闲编号）", key="stn_number")
        go = st.form_submit_button("分配并登记", type="primary")
    if go:
        try:  # the store checks quota, duplicates, the account's role and region
            row = sr.assign(eng, program.id, town, kind, actor, village=village, number=number.strip() or None)
        except RuralcoreError as e:
            st.error(str(e))
        else:
            st.success(f"已登记：{row['number']}（{row['township']}，{TYPE_NAMES[row['type']]}）")

use = sr.quota_use(eng, program.id, visible)
st.subheader("附件1任务数与已登记编号")
tables.dataframe(pd.DataFrame({
    "乡镇": use["township"], "类型": use["type_name"], "附件1任务数": use["quota"],
    "已登记": use["registered"], "尚可分配": use["left"], "条款": use["ref"],
}), hide_index=True, key="stn_quota")

reg = sr.register(eng, program.id, visible)
st.subheader(f"编号登记簿（{len(reg)}个）")
shown = pd.DataFrame({"编号": reg["number"], "乡镇": reg["township"], "类型": reg["type_name"],
                      "所在村": reg["village"], "状态": reg["state_name"]})
tables.dataframe(shown, hide_index=True, key="stn_register")
tables.excel_button(shown, f"站点编号登记-{program.meta.short_title}", "stn_xlsx")

live = reg[reg["state"] != "retired"]
if len(live):
    with st.expander("撤销编号"):
        with st.form("stn_retire"):
            num = st.selectbox("编号", list(live["number"]), key="stn_retire_number")
            retire = st.form_submit_button("撤销（不再计入任务数，编号不再使用）")
        if retire:
            version = int(live.set_index("number").at[num, "version"])
            try:
                sr.retire(eng, program.id, num, actor, expected_version=version)
            except RuralcoreError as e:
                st.error(str(e))
            else:
                st.success(f"已撤销：{num}")
