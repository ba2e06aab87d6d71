"""验收检查: one case — its deadlines on the official calendar, the checklist generated
from the programme file with every failing item and its clause shown at once, the
buttons for the next step (a pass is refused while a required item fails), and the
record download. Rules: ruralcore.app.checklists / ruralcore.app.cases / ruralcore.app.records."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboards.acceptance.common import as_of_picker, day, restore_state, user, user_text, workdays_text
from dashboards.ui import tables
from dashboards.ui.context import current_program, engine, page_setup
from ruralcore.rules import acceptance, stations
from ruralcore.app import cases, checklists, records
from ruralcore.kernel.errors import RuralcoreError, StaleWriteError
from ruralcore.rules.programs import ASSUMED_LABEL

restore_state()
actor = page_setup("check")
program = current_program()
eng = engine()
as_of = as_of_picker()

listing = cases.list_cases(eng, program, as_of, viewer=actor)  # only cases in the account's area
if listing.empty:
    st.info("本账户管辖区域内还没有本方案的验收案件。")
    st.stop()
ids = sorted(listing["case"].astype(int).tolist(), reverse=True)
if st.session_state.get("acc_case") not in ids:
    st.session_state["acc_case"] = ids[0]
label = listing.set_index("case")
case_id = st.selectbox("验收案件", ids, key="acc_case",
                       format_func=lambda c: f"案件{c}：{label.at[c, 'subject_name']}（{label.at[c, 'state_name']}）")
case = cases.get_case(eng, case_id)

# the version this user read: kept across reruns so a concurrent change is refused, not overwritten
vkey = f"acc_version_{case_id}"
st.session_state.setdefault(vkey, case["version"])
expected = st.session_state[vkey]

msg = st.session_state.pop("acc_msg", None)
if msg:
    st.success(msg)
if expected != case["version"]:
    st.warning(f"本案件已被他人修改（您读取的是版本 {expected}，当前为版本 {case['version']}），保存将被拒绝。")
    if st.button("刷新为最新版本", key="acc_refresh"):
        st.session_state[vkey] = case["version"]
        st.rerun()


def done(new: dict, text: str) -> None:
    st.session_state[f"acc_version_{case_id}"] = new["version"]
    st.session_state["acc_msg"] = text
    st.rerun()


def attempt(fn, *args, **kw):
    """Run a step; a refusal (bad input, failing item, stale version) is shown, not raised."""
    try:
        return fn(*args, **kw)
    except StaleWriteError as e:
        st.error(f"未保存：{e}")
    except RuralcoreError as e:
        st.error(f"未保存：{e}")
    return None


row = label.loc[case_id]
subject_name = str(row["subject_name"]) if pd.notna(row["subject_name"]) else case["subject"]
c1, c2, c3, c4 = st.columns(4)
c1.metric("验收对象", subject_name)
wf = acceptance.workflow(program)  # this document's own path
c2.metric("状态", acceptance.state_names(program).get(case["state"], case["state"]))
c3.metric("当前环节", row["step_name"])
has_due = pd.notna(row["workdays_left"])
c4.metric("期限", day(row["due"]), workdays_text(row["workdays_left"]) if has_due else None,
          delta_color="inverse" if bool(row["overdue"]) else "off", delta_arrow="off")

st.subheader("各环节期限（官方工作日，含调休）")
steps = cases.step_deadlines(program, case, as_of)
tables.grid(pd.DataFrame({
    "环节": steps["step_name"], "期限": steps["due"].map(day), "完成日期": steps["done"].map(day),
    "情况": [("逾期完成" if late else "按期完成") if pd.notna(d) else workdays_text(left)
             for d, late, left in zip(steps["done"], steps["late"], steps["workdays_left"])],
}), hide_index=True, width="stretch")
if cases.has_limits(program):
    st.caption(f"各环节时限：{acceptance.limits_text(program)}")

state = case["state"]
step = acceptance.next_step(program, state)  # what the programme's path allows now
checking = step == "inspect"
writable = cases.may_record(eng, actor, case)  # read-only roles see the checklist, get no inputs


def station_inputs() -> dict:
    obs = checklists.station_observed(eng, program, case["subject"])
    k = f"acc_{case_id}_"
    stype = obs["type"]
    st.markdown(f"**站点类型：{stations.TYPE_NAMES[stype]}　站点编号：{obs['number']}**")
    a, b = st.columns(2)
    with a:
        st.markdown("**服务（" + program.checklist(stations.SERVICES_BY_TYPE[stype]).name + "）**")
        for it in program.checklist(stations.SERVICES_BY_TYPE[stype]).items:
            obs[f"svc_{it.code}"] = st.checkbox(it.name, value=obs[f"svc_{it.code}"], key=f"{k}svc_{it.code}")
    with b:
        st.markdown("**六有**")
        for it in program.checklist(stations.LIUYOU).items:
            obs[f"ly_{it.code}"] = st.checkbox(it.name, value=obs[f"ly_{it.code}"], key=f"{k}ly_{it.code}")
    st.markdown("**设备配置（数量）**")
    items = program.checklist(stations.EQUIP_BY_TYPE[stype]).items
    cols = st.columns(4)
    for i, it in enumerate(items):
        with cols[i % 4]:
            if "broadband" in it.code:
                obs["broadband_mbps"] = st.number_input(f"{it.name}（Mbps）", min_value=0, step=1,
                                                        value=int(obs["broadband_mbps"] or 0), key=f"{k}broadband_mbps")
            else:
                obs[f"eq_{it.code}"] = st.number_input(it.name, min_value=0, step=1, value=int(obs[f"eq_{it.code}"]),
                                                       key=f"{k}eq_{it.code}")
                if it.optional_if:
                    obs[f"excused_{it.code}"] = st.checkbox(f"免配：{it.optional_if}", value=obs[f"excused_{it.code}"],
                                                            key=f"{k}excused_{it.code}")
    st.markdown("**信息员年度培训学时**")
    ocols = st.columns(max(len(obs["officers"]), 1))
    for i, o in enumerate(obs["officers"]):
        o["training_hours"] = ocols[i].number_input(o["officer"], min_value=0.0, step=1.0,
                                                    value=float(o["training_hours"]), key=f"{k}hours_{i}")
    return obs


def pilot_inputs() -> pd.DataFrame:
    ptype, states = checklists.pilot_states(eng, case["subject"])
    names = checklists.pilot_state_names(program)
    cl = program.checklist(checklists.PILOT_CHECKLISTS[ptype])
    have = states.set_index("item")
    out = []
    k = f"acc_{case_id}_"
    for it in cl.items:
        a, b, c = st.columns([2, 3, 3])
        cur = have["state"].get(it.code, "not_built") if len(have) else "not_built"
        s = a.selectbox(f"{it.area}·{it.name}", list(names), index=list(names).index(cur), format_func=names.get,
                        key=f"{k}state_{it.code}")
        ev = b.text_input("佐证说明", value=str(have["evidence"].get(it.code, "") or "") if len(have) else "",
                          key=f"{k}ev_{it.code}")
        att = c.text_input("附件名称", value=str(have["attachments"].get(it.code, "") or "") if len(have) else "",
                           key=f"{k}att_{it.code}")
        out.append({"item": it.code, "state": s, "evidence": ev, "attachments": att})
    return pd.DataFrame(out)


def compliance_inputs() -> pd.DataFrame | None:
    """The 依法依规 items (忻州 二(二)): 合格 / 不合格 (/ 不适用 where the item may be excused)."""
    if not any(c.code == checklists.PILOT_COMPLIANCE for c in program.checklists):
        return None
    cl = program.checklist(checklists.PILOT_COMPLIANCE)
    st.markdown(f"**{cl.name}（{cl.ref}）**")
    out, k = [], f"acc_{case_id}_law_"
    for it in cl.items:
        a, b = st.columns([2, 3])
        opts = ["fail", "pass"] + (["na"] if it.optional_if else [])
        r = a.radio(it.spec or it.name, opts, format_func=checklists.RESULT_NAMES.get, horizontal=True, key=f"{k}{it.code}",
                    help=f"{it.optional_if}的可记为不适用" if it.optional_if else None)
        note = b.text_input("核验说明（文件名、文号等）", key=f"{k}{it.code}_note")
        out.append({"item": it.code, "result": r, "note": note})
    return pd.DataFrame(out)


def show_checklist(cl: pd.DataFrame) -> None:
    fails = checklists.failures(cl)
    if len(fails):
        st.error(f"**不合格项（{len(fails)}项）**\n\n" + "\n".join(
            f"- {r['name']}（{r['ref']}）：{r['reason']}" for r in fails.to_dict("records")))
    else:
        st.success("检查表各必备项均合格。")
    shown = checklists.display(cl)
    # a static table: long requirements wrap instead of being cut off
    st.table(shown.style.hide(axis="index").map(
        lambda v: "color: #c62828; font-weight: 700" if v == "不合格" else "", subset=["结果"]))


st.caption(f"验收流程（{wf.ref}）：" + "→".join(acceptance.step_names(program).values())
           + (f"；{wf.report_to}" if wf.report_to else "") + (f"（{ASSUMED_LABEL}）" if wf.assumed else ""))
st.subheader((wf.reinspection.name if state == "reinspecting" else wf.inspection.name) + "检查表" if checking else "检查表")
try:
    if checking and writable and case["subject_type"] == "station":
        checklist = checklists.station_checklist(program, station_inputs())
    elif checking and writable and case["subject_type"] == "pilot":
        checklist = checklists.pilot_checklist(program, checklists.pilot_states(eng, case["subject"])[0], pilot_inputs(),
                                               compliance_inputs())
    elif checking:
        checklist = checklists.subject_checklist(eng, program, case["subject_type"], case["subject"])
    else:
        checklist = cases.recorded_checklist(eng, case)
except RuralcoreError as e:
    st.error(str(e))
    st.stop()
show_checklist(checklist)

st.subheader("办理")
if not writable and step is not None:
    st.info(f"只读：{actor.name}（{actor.role_label}）可以查看本案件，但不能办理验收环节。")
elif step == "apply":
    on = st.date_input("申请验收日期（年/月/日）", value=as_of, key="acc_apply_on", format="YYYY/MM/DD")
    if st.button("记录申请验收", key="acc_do_apply", type="primary"):
        new = attempt(cases.record_application, eng, case_id, on, user(), expected)
        if new:
            done(new, f"已记录申请验收（{day(on)}）。初检期限：{day(cases.step_deadlines(program, new, as_of)['due'].iloc[1])}")
elif checking:
    on = st.date_input("检查日期（年/月/日）", value=as_of, key="acc_inspect_on", format="YYYY/MM/DD")
    inspectors = st.text_input("检查人员", value=case["inspectors"] or "", key=f"acc_inspectors_{case_id}")
    default_due = None
    try:
        default_due = cases.default_rectify_due(program, on)
    except RuralcoreError as e:
        st.error(str(e))
    custom = st.checkbox("整改通知书自定整改期限", key="acc_custom_due")
    due = st.date_input("整改期限（年/月/日）", value=default_due or on, key="acc_rectify_due", format="YYYY/MM/DD") if custom \
        else default_due
    if not custom:
        st.caption(f"不合格时整改期限：{day(due)}" + (
            f"（检查日后{program.setting('rectify_within_workdays')}个工作日）" if default_due else ""))
    b1, b2 = st.columns(2)
    if b1.button("检查合格", key="acc_do_pass", type="primary", icon=":material/check_circle:"):
        new = attempt(cases.record_inspection, eng, case_id, on, checklist, "pass", user(), expected,
                      inspectors=inspectors)
        if new:
            kind = wf.reinspection.name if state == "reinspecting" else wf.inspection.name
            done(new, f"已记录{kind}合格（{day(on)}），" + (f"待{wf.final.name}。" if wf.final else
                                                            "验收通过" + (f"，{wf.report_to}。" if wf.report_to else "。")))
    if b2.button("检查不合格，下发整改通知书", key="acc_do_fail", icon=":material/assignment_late:"):
        new = attempt(cases.record_inspection, eng, case_id, on, checklist, "fail", user(), expected,
                      inspectors=inspectors, rectify_due=due)
        if new:
            done(new, f"已下发整改通知书（{day(on)}），整改期限：{day(new['rectify_due'])}。")
elif step == "rectified":
    st.markdown(f"**整改通知书**：{day(case['rectify_notice_on'])}下发，整改期限 **{day(case['rectify_due'])}**。")
    on = st.date_input("整改完成日期（年/月/日）", value=as_of, key="acc_rectified_on", format="YYYY/MM/DD")
    if st.button("记录整改完成", key="acc_do_rectified", type="primary"):
        new = attempt(cases.record_rectified, eng, case_id, on, user(), expected)
        if new:
            done(new, f"已记录整改完成（{day(on)}），待复检。")
elif step == "final":
    on = st.date_input(f"{wf.final.name}日期（年/月/日）", value=as_of, key="acc_city_on", format="YYYY/MM/DD")
    if st.button(f"记录{wf.final.name}", key="acc_do_city", type="primary"):
        new = attempt(cases.record_city_acceptance, eng, case_id, on, user(), expected)
        if new:
            s = new.get("settlement")
            rule = next((r for r in program.funding if r.kind == "subsidy_amount" and s
                         and r.unit == f"station_{s['type']}"), None)
            extra = (f"补助{s['subsidy_yuan']:,}元" + (f"（{ASSUMED_LABEL}）" if rule is not None and rule.assumed else "")
                     + f"，已预拨{s['advance_yuan']:,}元，本次拨付{s['payable_yuan']:,}元"
                     + (f"，收回{s['recover_yuan']:,}元" if s["recover_yuan"] else "") + "。") if s else ""
            done(new, f"已记录{wf.final.name}（{day(on)}）。{extra}")
else:
    st.success(f"{acceptance.state_names(program).get(state, state)}（{day(case['city_accepted_on'])}）。")

if case["inspected_on"]:
    rec_cl = cases.recorded_checklist(eng, case)
    st.download_button("下载验收记录（Word）", records.acceptance_record(program, case, rec_cl, subject_name),
                       file_name=records.record_filename(case), key="acc_record", icon=":material/download:",
                       mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
st.caption(f"今天按 {day(as_of)} 计；操作人：{user_text()}。")
