"""信息员考核: 融水 五(三)1's quantitative assessment of the information officers' public
service, shown beside each officer's training hours (五(二)2). The items and full marks
are programme settings the document does not give (文件未规定，系统默认); scores are
written through ruralcore.app.officer_assessment (audited, scope-checked, the versions the
user saw carried)."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboards.ui import tables
from dashboards.ui.context import current_program, engine, page_setup
from dashboards.ui.data import visible as visible_codes
from ruralcore.app import officer_assessment as oa
from ruralcore.app import overview as ov
from ruralcore.kernel.errors import RuralcoreError
from ruralcore.rules.programs import ASSUMED_LABEL

actor = page_setup("officers")
program = current_program()
eng = engine()
visible = visible_codes(actor)
it = oa.items(program)
year = ov.load_stations(eng, program.id)["year"]
if year is None:
    st.info("数据库中还没有信息员培训记录。")
    st.stop()
year = int(year)
st.caption(f"{program.meta.short_title} · {year}年 · 五(三)1：对信息员承担的公益服务工作进行量化考核。考核项目与分值："
           + "、".join(f"{r.name}{r.max:g}分" for r in it.itertuples()) + f"（{ASSUMED_LABEL}：{it['assumed'].iat[0]}）")

t = oa.table(eng, program.id, year, visible)
if t.empty:
    st.info("本账户辖区内没有信息员。")
    st.stop()
st.subheader("评分")
with st.form("oa_form"):
    pick = st.selectbox("信息员", list(t["officer"]), key="oa_officer",
                        format_func=dict(zip(t["officer"], t["name"] + "（" + t["station"] + "）")).get)
    cols = st.columns(len(it))
    row = t.set_index("officer").loc[pick]
    vals = {r.code: col.number_input(f"{r.name}（满分{r.max:g}）", min_value=0.0, max_value=float(r.max), step=1.0,
                                     value=float(row[f"score_{r.code}"]) if pd.notna(row[f"score_{r.code}"]) else 0.0,
                                     key=f"oa_{r.code}")
            for col, r in zip(cols, it.itertuples())}
    go = st.form_submit_button("保存评分", type="primary")
if go:
    row = t.set_index("officer").loc[pick]
    seen = {c: (None if pd.isna(row[f"version_{c}"]) else int(row[f"version_{c}"])) for c in vals}
    try:
        oa.assess(eng, program.id, int(pick), year, vals, actor, seen)
    except RuralcoreError as e:
        st.error(str(e))
    else:
        st.success(f"已保存：{row['name']} {year}年度考核")
        t = oa.table(eng, program.id, year, visible)

regs = ov.region_frame(eng, program.id)
st.subheader(f"信息员（{len(t)}名）：培训学时与考核得分")
tables.dataframe(pd.DataFrame({
    "信息员": t["name"], "站点": t["station"], "乡镇": ov.names(regs, t["township"]),
    "培训学时": t["training_hours"].astype(float),
    **{r.name: t[f"score_{r.code}"].astype(float) for r in it.itertuples()},
    "合计": t["total"].astype(float),
}), hide_index=True, key="oa_table")
