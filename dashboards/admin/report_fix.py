"""月报更正: correct one stored monthly value, as the signed-in user. The region is chosen
by name among those the account may write (ruralcore.auth.scope); the new value starts at the
stored one, and a reason is required (logged with the change in the audit log). The
version read when the value was shown is checked on saving: a value someone else changed
in between is refused, never overwritten."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboards.ui import tables
from dashboards.ui.context import current_program, engine, page_setup
from ruralcore.app import auditview, entry
from ruralcore.kernel.errors import InputError, Problem, RuralcoreError, StaleWriteError
from ruralcore.kernel.fmt import datetime_zh, period_zh
from ruralcore.auth.scope import can_write, region_tree, visible_regions

actor = page_setup("report_fix")  # data writers and the auditor (ruralcore.auth.pages)
program = current_program()
months = entry.periods(engine(), program)
if not months:
    st.info("该方案在数据库中还没有月报数据。")
    st.stop()
rules = {r.code: r for r in entry.column_rules(program)}
units = entry.units(engine(), program)
names = units.set_index("code")["name"]
with engine().connect() as conn:
    mine = visible_regions(actor, conn)
    writable = units[can_write(actor, "reports", units["code"], region_tree(conn))]

c1, c2, c3 = st.columns([1, 2, 2])
period = c1.selectbox("月份", sorted(months, reverse=True), format_func=period_zh, key="fix_period")
field = c2.selectbox("指标", list(rules), format_func=lambda c: rules[c].label, key="fix_field")
stored = entry.stored_values(engine(), program.id, period)


def _number(v: float) -> str:
    return f"{v:,.0f}" if rules[field].step >= 1 else f"{v:,.2f}"


if writable.empty:
    st.info("本账户只能查看月报数值，不能更正。")
else:
    # a name alone; two units of the same name are told apart by the region they belong to
    twins = writable["name"].duplicated(keep=False)
    labels = dict(zip(writable["code"], writable["name"].where(~twins, writable["name"] + "（" + writable["group_name"] + "）")))
    region = c3.selectbox(entry.unit_label(program), writable["code"].tolist(), format_func=labels.get, key="fix_region")
    c3.caption(f"区域代码 {region}")
    cur = stored[(stored["region"] == region) & (stored["field"] == field)]
    cur_value = float(cur["value"].iat[0]) if len(cur) and pd.notna(cur["value"].iat[0]) else None
    cur_version = int(cur["version"].iat[0]) if len(cur) else 0
    if len(cur):
        st.markdown(f"**当前数值：{'（空）' if cur_value is None else _number(cur_value)}**　"
                    f"第 {cur_version} 版，{cur['submitted_by'].iat[0]} 于 "
                    f"{datetime_zh(pd.Timestamp(cur['submitted_at'].iat[0]))} 提交")
    else:
        st.markdown(f"**当前数值：无**　{period_zh(period)}尚未填报此项，保存后新增。")
    # what the form starts from: the value and version read when this choice was first shown
    if st.session_state.get("fix_shown") != (period, region, field):
        st.session_state["fix_shown"] = (period, region, field)
        st.session_state["fix_version"] = cur_version
        st.session_state["fix_value"] = cur_value
    rule = rules[field]
    with st.form("fix"):
        value = st.number_input(f"新数值：{rule.label}", step=float(rule.step),
                                min_value=None if rule.min is None else float(rule.min),
                                max_value=None if rule.max is None else float(rule.max),
                                format="%.0f" if rule.step >= 1 else "%.2f", help=rule.help, key="fix_value")
        reason = st.text_input("更正事由（必填，记入审计日志）", key="fix_reason",
                               placeholder="例如：村报数据录入错误，按纸质台账更正")
        save = st.form_submit_button("保存", type="primary")
    if save:
        try:
            reason = auditview.require_reason(reason)
            if value is None:
                raise InputError(Problem("请填写新数值", column="新数值"))
            res = entry.correct_value(engine(), program.id, period, region, field, value, actor,
                                      st.session_state["fix_version"], reason)  # one transaction with its reason
        except StaleWriteError as e:
            st.session_state["fix_version"] = cur_version  # the value shown above is the one now stored
            st.error(f"{e}\n\n上方“当前数值”已是最新。如仍需改为 {_number(value)}，请核对后再次点击保存。")
        except RuralcoreError as e:
            st.error(str(e))
        else:
            if res["inserted"] or res["updated"]:
                st.success(f"已保存：{labels[region]} {period_zh(period)}“{rule.label}”"
                           f"{'由 ' + _number(cur_value) + ' ' if cur_value is not None else ''}改为 {_number(value)}，"
                           f"事由已记入审计日志。")
            else:
                st.info("新数值与当前数值相同，未作修改。")
            stored = entry.stored_values(engine(), program.id, period)
            now = stored[(stored["region"] == region) & (stored["field"] == field)]
            st.session_state["fix_version"] = int(now["version"].iat[0]) if len(now) else 0

st.subheader("本账户可查看的数值")
shown = stored if mine is None else stored[stored["region"].isin(mine)]
table = shown[shown["field"] == field]
tables.grid(table.assign(name=table["region"].map(names).fillna(table["region"]),
                          submitted_at=table["submitted_at"].map(datetime_zh))
             [["name", "region", "value", "submitted_by", "submitted_at", "version"]]
             .rename(columns={"name": "区域", "region": "区域代码", "value": "数值", "submitted_by": "填报人",
                              "submitted_at": "提交时间", "version": "版本"}),
             column_config={"区域代码": st.column_config.TextColumn(width="small")}, hide_index=True, height=320)
