"""评选审定: 花垣's award list. The month's scores propose the batch's 达标 / 优秀 villages
(ties share a rank); the leading group's approval is recorded with who, when, meeting
and the approved list — each change from the proposal with its reason — and the
approved awards enter the plaque register by batch (printable as .docx). Rules,
batches and plaques come from ruralcore.app.awards and the programme file; the store checks
the account (a county account of the programme's county) and audits every write."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from dashboards.ui import tables
from dashboards.ui.context import current_program, engine, page_setup, period_picker
from ruralcore.app import awards as aw
from ruralcore.app import overview as ov
from ruralcore.kernel.errors import RuralcoreError
from ruralcore.kernel.fmt import date_zh, period_zh
from ruralcore.app.milestone_records import today_china
from dashboards.ui.data import visible as visible_codes

CHANGES_KEY = "aw_changes"  # {(programme, batch): [{region, award, reason}]}

actor = page_setup("awards")
program = current_program()
eng = engine()
visible = visible_codes(actor)
period = period_picker(ov.periods(eng, program.id))
if period is None:
    st.stop()
bat = aw.batches(program)
default = aw.batch_of(program, None, period)["code"]
code = st.radio("授牌批次", list(bat["code"]), index=list(bat["code"]).index(default), horizontal=True,
                format_func=dict(zip(bat["code"], bat["name"] + "（" + bat["meeting"] + "）")).get, key="aw_batch")
b = bat.set_index("code").loc[code]
approver = program.setting("award_approver")
st.caption(f"{program.meta.short_title} · 依据 {period_zh(period)} 计分提出名单；{b['name']}授予"
           + "、".join(aw.AWARD_NAMES[a] for a in b["awards"]) + f"（{b['ref']}），{b['meeting']}（{date_zh(b['due'])}）授牌；"
           f"名单由{approver}审定（五(一) 评选结果把关），调整须写明理由。")

prop = aw.propose(eng, program.id, period, code)
done = aw.approvals(eng, program.id)
done = done[done["batch"] == code]
label = dict(zip(prop["region"], prop["name"] + "（" + prop["township_name"] + "，第" + prop["rank_label"] + "名）"))

# ---- approval first, so the register below shows its result --------------------------------
st.subheader(f"{b['name']}：提议名单与审定")
if len(done):
    a = done.iloc[0]
    st.success(f"已审定：{a['approved_by']}，{date_zh(a['approved_on'])}，{a['meeting']}（依据 {period_zh(a['period'])} 计分）")
else:
    changes = st.session_state.setdefault(CHANGES_KEY, {}).setdefault(f"{program.id}/{code}", [])
    with st.form("aw_change"):
        left, mid = st.columns([2, 1])
        region = left.selectbox("调整的村（社区）", list(prop["region"]), format_func=label.get, key="aw_region")
        award = mid.selectbox("审定等次", [*b["awards"], aw.NONE], format_func=aw.AWARD_NAMES.get, key="aw_award")
        reason = st.text_input("调整理由（必填）", key="aw_reason")
        add = st.form_submit_button("加入调整")
    if add:
        changes[:] = [c for c in changes if c["region"] != region] + [
            {"region": region, "award": award, "reason": reason.strip()}]
    with st.form("aw_approve"):
        meeting = st.text_input("审定会议", value=b["meeting"], key="aw_meeting")
        on = st.date_input("审定日期（年/月/日）", value=today_china(), min_value=dt.date(2010, 1, 1),
                           max_value=today_china(), format="YYYY/MM/DD", key="aw_on")
        go = st.form_submit_button("审定通过", type="primary")
    if changes:
        st.caption("本次调整：" + "；".join(f"{label[c['region']]} → {aw.AWARD_NAMES[c['award']]}（理由：{c['reason'] or '未填'}）"
                                         for c in changes))
        if st.button("清空调整", key="aw_clear"):
            changes.clear()
            st.rerun()
    if go:
        try:  # the store checks the reasons, the account's role and region; nothing half-written
            res = aw.approve(eng, program.id, period, actor, changes=changes, batch=code, meeting=meeting,
                             approved_on=on)
        except RuralcoreError as e:
            st.error(str(e))
        else:
            changes.clear()
            st.success(f"已审定{res['batch_name']}名单：{res['awarded']}个村授牌，调整{res['changed']}处。")

cand = prop[prop["proposed"] != ""]
if visible is not None:
    cand = cand[cand["region"].isin(list(visible))]
tables.dataframe(pd.DataFrame({
    "名次": cand["rank_label"], "村（社区）": cand["name"], "乡镇": cand["township_name"],
    "得分": cand["score"].round(2), "提议等次": cand["proposed"].map(aw.AWARD_NAMES),
}), hide_index=True, key="aw_proposal")
st.caption(f"提议{len(cand)}个村；已在前一批授牌的村不再重复提议。")

# ---- the register ---------------------------------------------------------------------------
reg = aw.register(eng, program.id, visible)
st.subheader(f"授牌登记（{len(reg)}个村）")
shown = pd.DataFrame({
    "村（社区）": reg["region_name"], "批次": reg["batch_name"], "乡镇": reg["township_name"],
    "等次": reg["award_label"], "牌匾": reg["plaque"], "授牌日期": reg["plaque_on"].map(date_zh),
    "调整理由": reg["reason"], "审定人": reg["approved_by"], "审定日期": reg["approved_on"].map(date_zh),
})
tables.dataframe(shown, hide_index=True, key="aw_register")
changed = aw.register(eng, program.id, visible, include_struck=True)
changed = changed[changed["reason"] != ""]
if len(changed):
    st.subheader(f"审定时的调整（{len(changed)}处）")
    tables.dataframe(pd.DataFrame({
        "村（社区）": changed["region_name"], "批次": changed["batch_name"], "乡镇": changed["township_name"],
        "提议等次": changed["proposed"].replace("", aw.NONE).map(aw.AWARD_NAMES),
        "审定等次": changed["award_label"], "理由": changed["reason"], "审定人": changed["approved_by"],
    }), hide_index=True, key="aw_changes")
st.download_button("下载授牌名单（Word）", aw.register_docx(eng, program.id), file_name=f"授牌名单-{program.meta.short_title}.docx",
                   mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document", key="aw_docx")
