"""月度通报: the month's circular — preview and one-click download as Word and Excel."""
from __future__ import annotations

import datetime as dt
from html import escape

import streamlit as st

from dashboards.supervision.common import setup
from dashboards.ui import data as ui_data
from dashboards.ui import tables
from dashboards.ui.auth import current_actor
from dashboards.ui.context import engine
from ruralcore.app import circulars
from ruralcore.app import events as ev
from ruralcore.app import supervision as sv
from ruralcore.kernel.fmt import date_zh, period_zh

d, period, as_of, res = setup("circular", data_date=False)  # the month's progress, as of its last day
refusal = sv.circular_refusal(res, current_actor())
if refusal:  # a county admin: the city's circular is not cut down to one county
    st.warning(refusal)
    st.stop()
c1, c2 = st.columns(2)
issued = c1.date_input("成文日期（年/月/日）", value=circulars.default_issued(d.program, period), key=f"ci_issued_{period}",
                       format="YYYY/MM/DD", help="默认：月报截止日后的第一个工作日")
number = c2.text_input("文号", value=f"{circulars.doc_prefix(d.program)}〔{issued.year}〕  号", key=f"ci_no_{issued.year}",
                       help="编号留空，印发时填写")


@st.cache_data(show_spinner="正在生成通报…", max_entries=8)
def _files(_res: dict, key: tuple, issued: dt.date, number: str) -> tuple[bytes, bytes, dict]:
    c = circulars.circular(_res, issued=issued, doc_number=number,
                           **circulars.duban(engine(), key[0], _res["as_of"], key[1]))
    return circulars.to_docx(c), circulars.to_xlsx(c), {"title": c.title, "blocks": c.blocks}


events = ev.reports(engine(), d.program.id, month=period)  # the month's 重要情况报告: a new one makes a new circular
key = (d.program.id, period, as_of.isoformat(), ui_data.url(), ui_data.token(), tuple(events["id"]))
docx_bytes, xlsx_bytes, preview = _files(res, key, issued, number)
stem = f"{d.program.id}-{period}-月度通报"
b1, b2 = st.columns(2)
b1.download_button("下载通报（Word）", docx_bytes, file_name=f"{stem}.docx", key="ci_docx", type="primary",
                   mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                   icon=":material/description:")
b2.download_button("下载表格（Excel）", xlsx_bytes, file_name=f"{stem}.xlsx", key="ci_xlsx",
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                   icon=":material/table:")

st.divider()
# typed or stored text is escaped before it reaches HTML: a 文号 is shown as typed, never run
st.markdown(f"<div style='text-align:center'>{escape(number)}</div>", unsafe_allow_html=True)
st.markdown(f"<h3 style='text-align:center'>{escape(preview['title'])}</h3>", unsafe_allow_html=True)
for kind, item in preview["blocks"]:
    if kind == "h1":
        st.markdown(f"**{item}**")
    elif kind == "p":
        st.write(item)
    else:
        st.markdown(f"**{item.title}**")
        # a circular's table is read whole: every row shown, none behind a scroll bar
        tables.dataframe(item.frame, most=max(len(item.frame), 1))
st.markdown(f"<div style='text-align:right'>{escape(d.program.meta.issuer)}<br>{escape(date_zh(issued))}</div>",
            unsafe_allow_html=True)
st.caption(f"以上为{period_zh(period)}通报的预览，与下载的 Word 文件内容一致；表格另存为 Excel 便于汇总。"
           "文号留空处在印发时填写。")
