"""手机填报: one village's month on a phone, one field per row (label, unit, allowed range,
last month's value), checked as it is typed with the import's rules, the draft kept on the
server as each field is entered, 保存草稿 and 提交; after 提交 when it was submitted and
whether on time. A township officer first sees its villages (submitted, not yet, late), opens
one with a tap, and copies a 催报 list. All rules: ruralcore.app.monthly_form."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboards.ui.context import current_program, engine, page_setup
from ruralcore.app import entry
from ruralcore.app import monthly_form as mf
from ruralcore.kernel.errors import RuralcoreError
from ruralcore.kernel.fmt import date_zh, datetime_zh, number, period_zh
from ruralcore.auth.scope import can_write, region_tree

actor = page_setup("phone_entry")  # data writers and the auditor (ruralcore.auth.pages)
program = current_program()
eng = engine()
if not entry.fields(program):
    st.info(f"《{program.meta.title}》没有按月填报的数据项。")
    st.stop()
units = entry.units(eng, program)
with eng.connect() as conn:
    writable = units[can_write(actor, "reports", units["code"], region_tree(conn))].reset_index(drop=True)
if writable.empty:
    st.info("本账户没有可填报的村；月报数值可在“逐级查看”中查看。")
    st.stop()

today = mf.now_china().date()
due_now = mf.due_month(program, today)
months = sorted(set(entry.entry_periods(eng, program, today)) | {due_now}, reverse=True)
period = st.selectbox("月份", months, index=months.index(due_now), format_func=period_zh, key="pf_period")
rule = mf.due_rule(program)
due = mf.submission(eng, program, period, str(writable["code"].iloc[0]))["due"]
why = f"（文件未规定，系统默认：{rule['assumed']}）" if rule["assumed"] else f"（条款 {rule['ref']}）"
st.caption(f"{period_zh(period)}月报截止日：{date_zh(due)}，次月{rule['day']}日前{why}")

names = dict(zip(writable["code"], writable["name"]))
if st.session_state.get("pf_village") not in names:
    st.session_state["pf_village"] = writable["code"].iloc[0]


def _open_village(code: str | None) -> None:
    """A tap on a village in the list opens its form (None: back to the list); the form
    reads the village's draft again, its inputs having been off the page."""
    if code is None:
        st.session_state.pop("pf_open", None)
    else:
        st.session_state["pf_village"] = code
        st.session_state["pf_open"] = True
    st.session_state.pop("pf_loaded", None)


# ---- a township (or county) officer: its villages first; one tap opens a village's form ----
if len(writable) > 1 and not st.session_state.get("pf_open"):
    groups = writable.drop_duplicates("group")
    group = groups["group"].iloc[0]
    if len(groups) > 1:
        group = st.selectbox("乡镇", groups["group"].tolist(),
                             format_func=dict(zip(groups["group"], groups["group_name"])).get, key="pf_group")
    status = mf.township_status(eng, program, period, group)
    done = int((status["status"] == "已提交").sum())
    late = int((status["status"] == "迟报").sum())
    todo = int((status["status"] == "未提交").sum())
    st.subheader(f"{writable.loc[writable['group'] == group, 'group_name'].iloc[0]}各村填报情况")
    st.markdown(f"按时提交 **{done}** 个村，迟报 **{late}** 个，未提交 **{todo}** 个（共 {len(status)} 个村）。"
                "点一个村打开它的填报表。")
    mark = {"已提交": "✓ 已提交", "迟报": "⚠ 迟报", "未提交": "✗ 未提交"}
    for r in status.to_dict("records"):
        when = f"，{datetime_zh(r['submitted_at'])}" if pd.notna(r["submitted_at"]) else (
            "，有草稿" if r["has_draft"] else "")
        st.button(f"{r['name']}　{mark[r['status']]}{when}", key=f"pf_open_{r['code']}", width="stretch",
                  on_click=_open_village, args=(r["code"],))
    text = mf.reminder_text(status, program.meta.short_title, period, due)
    if text:
        st.markdown("**催报**（点右上角复制，发到工作群）")
        st.code(text, language=None, wrap_lines=True)
    else:
        st.success("各村都已提交。")
    st.stop()

if len(writable) > 1:
    st.button("‹ 返回各村填报情况", key="pf_back", on_click=_open_village, args=(None,))
    st.selectbox("村", list(names), format_func=names.get, key="pf_village")
village = st.session_state["pf_village"]
form = mf.load_form(eng, program, period, village)
st.subheader(f"{form.name} · {period_zh(period)}")
sub = mf.submission(eng, program, period, village)


def _num(v, row) -> str:
    if v is None or pd.isna(v):
        return "（空）"
    if row["kind"] == "flag":
        return "是" if v == 1 else "否"
    return number(v, row["unit"], 0 if row["step"] >= 1 else 2)


# the value reported before: last month's, else the newest month before (named), else none
if form.last_period is None:
    last_label = None
elif form.last_period == mf.shift(period, -1):
    last_label = "上月"
else:
    last_label = f"上次（{period_zh(form.last_period)}）"


# ---- already submitted: say when, and whether on time ------------------------------------
if sub["submitted_at"] is not None:
    when = datetime_zh(sub["submitted_at"])
    if sub["on_time"]:
        st.success(f"已于 {when} 提交，按时（截止 {date_zh(sub['due'])}）。")
    else:
        st.warning(f"已于 {when} 提交，迟报（截止 {date_zh(sub['due'])}）。")
    for r in form.rows.to_dict("records"):
        st.markdown(f"**{r['label']}**：{_num(r['value'], r)}")
    st.info(f"提交后不能再改。{mf.FIX_HINT}")
    st.page_link("admin/report_fix.py", label="去“月报更正”", icon=":material/edit:")
    st.stop()

# ---- the form ------------------------------------------------------------------------------
state_key = ("pf_loaded", period, village)
codes = form.rows["code"].tolist()


def _key(code: str) -> str:
    return f"pf_{period}_{village}_{code}"


def _typed() -> dict:
    return {c: st.session_state.get(_key(c)) for c in codes}


if st.session_state.get("pf_loaded") != state_key:  # first time on this month and village: restore the draft
    draft = mf.load_draft(eng, program, period, village)
    for c in codes:
        v = (draft or {}).get("values", {}).get(c, "") if draft else ""
        st.session_state[_key(c)] = float(v) if str(v).strip() not in ("", "None", "nan") else None
    st.session_state["pf_loaded"] = state_key
    st.session_state["pf_draft_note"] = (f"已恢复 {datetime_zh(draft['saved_at'])} 保存的草稿" if draft else "")


def _autosave() -> None:
    """Each entered field (on leaving it) saves the draft: a dropped connection loses at most the field being typed."""
    try:
        mf.save_draft(eng, program, period, village, _typed(), actor)
        st.session_state["pf_draft_note"] = f"草稿已自动保存（{datetime_zh(mf.now_china())}）"
    except RuralcoreError as e:
        st.session_state["pf_draft_note"] = f"草稿未保存：{e}"


if st.session_state.get("pf_draft_note"):
    st.caption(st.session_state["pf_draft_note"])
typed = _typed()
# while typing, only what was typed is judged (a blank field is the import's problem at 提交)
checked = mf.check(eng, program, period, village, typed) if any(v is not None for v in typed.values()) else {}
problems = {k: v for k, v in checked.items() if k and typed.get(k) is not None}
for r in form.rows.to_dict("records"):
    lo, hi = r["min"], r["max"]
    rng = "是填1，否填0" if r["kind"] == "flag" else (
        f"允许 {number(lo, '', 0)} 至 {number(hi, '', 0)}" if hi is not None and pd.notna(hi)
        else f"不小于 {number(lo, '', 0)}" if lo is not None and pd.notna(lo) else "")
    st.number_input(f"{r['label']}（{r['unit']}）", value=None, step=float(r["step"]),
                    format="%d" if r["step"] >= 1 else "%.2f", key=_key(r["code"]), on_change=_autosave,
                    help=r["help"], placeholder="请输入数字")
    st.caption(f"{rng}；{last_label} {_num(r['last'], r)}" if last_label else f"{rng}；此前没有报送记录")
    for msg in problems.get(r["code"], []):
        st.error(msg)

c1, c2 = st.columns(2)
if c1.button("保存草稿", key="pf_save", width="stretch"):
    _autosave()
    st.rerun()
if c2.button("提交", key="pf_submit", type="primary", width="stretch"):
    try:
        mf.submit(eng, program, period, village, typed, actor)
    except RuralcoreError as e:
        st.error(str(e))
    else:
        st.session_state.pop("pf_loaded", None)
        st.rerun()
