"""督办 on 落后督办: the responsible leader of a laggard, its notices with state and days left,
and the forms of the loop — issue (supervisor), reply (the unit addressed), close or send
back (the issuer). Rules, scope and dates live in ruralcore.app.notices; this draws them."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from dashboards.ui import tables
from dashboards.ui.context import controls, engine
from ruralcore.app import notices as nt
from ruralcore.auth import scope
from ruralcore.kernel.errors import RuralcoreError
from ruralcore.kernel.fmt import date_zh
from ruralcore.app.milestone_records import today_china

ASSUMED = "文件未规定，系统默认"
SEEN = "duban_seen"  # notice number → the version the user read (stale writes refused)


def action_date() -> dt.date:
    """The day an action is recorded on, and the day states and days left are counted on
    (today by default; an earlier day records what was done on paper)."""
    today = today_china()
    return controls().date_input("办理日期（年/月/日）", value=today, max_value=today, min_value=dt.date(2020, 1, 1),
                         format="YYYY/MM/DD", key="db_day",
                         help="下发、答复、办结记为这一天；剩余工作日按这一天计算（节假日和调休上班日按国务院办公厅公布的安排）")


def notice_table(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "编号": frame["number"], "督办对象": frame["subject_name"], "责任单位": frame["unit"],
        "责任领导": frame["leader"], "状态": frame["state_label"],
        "答复期限": frame["due"].map(date_zh),
        "剩余（工作日）": [nt.days_text(s, d) for s, d in zip(frame["state"], frame["days_left"])],
        "下发日期": frame["issued_on"].map(date_zh),
    })


def leader_line(leaders: pd.DataFrame, pilot: str) -> None:
    if pilot in leaders.index:
        r = leaders.loc[pilot]
        phone = f"，联系电话 {r['phone']}" if r["phone"] else ""
        st.markdown(f"**包点领导**：{r['text']}{phone}（依据 {r['ref']}）" + ("　演示数据" if r["demo"] else ""))
    else:
        st.warning("该试点尚未登记包点领导（责任清单），不能下发督办通知。")


def warnings(program, rows: pd.DataFrame) -> None:
    """预警 beside 逾期: the pilot's dated targets projected to their deadlines."""
    from ruralcore.app import forecast as fc
    from ruralcore.kernel.fmt import period_zh

    st.subheader("预警（到期预测）")
    st.caption(fc.method_text(program))
    if rows.empty:
        st.info("该试点没有带期限、可按月预测的目标数据。")
        return
    rows = rows.sort_values(["verdict", "deadline"], key=lambda s: s.map({v: i for i, v in enumerate(
        ["预计逾期", "已逾期未完成", "预计按期完成", "已达标"])}) if s.name == "verdict" else s, kind="stable")
    def num(s: pd.Series) -> pd.Series:
        return s.map(lambda v: "—" if pd.isna(v) else f"{v:,.2f}".rstrip("0").rstrip("."))

    tables.grid(pd.DataFrame({
        "目标": rows["target_name"], "预警": rows["verdict"], "本月值": num(rows["value"]),
        "目标值": num(rows["threshold"]), "期限": rows["deadline"].map(date_zh),
        "预计到期值": num(rows["projected"]), "每月还需增加": num(rows["needed_per_month"]),
        "自何月落后": rows["behind_from"].map(lambda p: period_zh(p) if isinstance(p, str) else "—"),
        "依据条款": rows["ref"],
    }), hide_index=True, width="stretch", **tables.fit(len(rows)))


def _remember(frame: pd.DataFrame) -> None:
    st.session_state.setdefault(SEEN, {}).update(dict(zip(frame["number"], frame["version"].astype(int))))


def panel(program, pilot: str, name: str, behind: pd.DataFrame, actor, day: dt.date) -> None:
    """The pilot's notices and the forms the signed-in account may use."""
    eng = engine()
    st.subheader("督办通知")
    msg = st.session_state.pop("db_msg", None)
    if msg:
        st.success(msg)
    if scope.is_actor(actor) and actor.role in nt.ISSUERS:
        _issue_form(eng, program, pilot, name, behind, actor, day)
    mine = nt.list_notices(eng, program.id, day, actor)
    mine = mine[mine["subject"] == pilot].reset_index(drop=True)
    seen = st.session_state.get(SEEN, {})
    for row in mine.to_dict("records"):
        _notice(eng, row, actor, day, seen.get(row["number"], row["version"]))
    if mine.empty:
        st.caption("该试点还没有督办通知。")
    _remember(mine)


def _issue_form(eng, program, pilot, name, behind, actor, day) -> None:
    days, setting = nt.default_due_days(program)
    reason = "；".join(f"{w}（{r}）" for w, r in zip(behind["what"], behind["ref"])) if len(behind) else ""
    with st.form("db_issue"):
        st.markdown(f"**下发督办通知**：{name}")
        text = st.text_area("督办事由", value=f"{reason}。请限期整改并书面答复。" if reason else "", key="db_reason")
        n = st.number_input("答复期限（工作日）", min_value=1, max_value=nt.MAX_DUE_DAYS, value=days, step=1, key="db_days",
                            help=(f"{setting.name}：{ASSUMED}（{setting.assumed}）" if setting is not None and setting.assumed
                                  else "按工作日计算"))
        if setting is not None and setting.assumed:
            st.caption(f"默认答复期限{days}个工作日：{ASSUMED}。")
        go = st.form_submit_button("下发督办通知", type="primary")
    if go:
        items = [{"what": w, "due": d, "ref": r} for w, d, r in zip(behind["what"], behind["due"].astype(str), behind["ref"])]
        try:
            made = nt.issue(eng, program.id, pilot, int(n), text, actor, items=items, today=day)
        except RuralcoreError as e:
            st.error(str(e))
        else:
            st.success(f"已下发 {made['number']}，请{made['unit']}于{date_zh(made['due'])}前答复。")


def _notice(eng, row: dict, actor, day: dt.date, version: int) -> None:
    head = f"{row['number']} · {row['state_label']} · {nt.days_text(row['state'], row['days_left'])}"
    with st.expander(head, expanded=row["state"] != "closed"):
        st.markdown(f"致：{row['unit']}（{row['leader']}）　下发：{date_zh(row['issued_on'])}（{row['issued_by']}）　"
                    f"答复期限：{date_zh(row['due'])}")
        st.write(f"督办事由：{row['reason']}")
        if row["items"]:
            tables.grid(pd.DataFrame({"事项": [i.get("what", "") for i in row["items"]],
                                      "应完成时间": [date_zh(i.get("due")) if i.get("due") else "" for i in row["items"]],
                                      "依据条款": [i.get("ref", "") for i in row["items"]]}),
                        hide_index=True, width="stretch", **tables.fit(len(row["items"])))
        if row["replied_on"]:
            st.write(f"答复（{date_zh(row['replied_on'])}，{row['replied_by']}）：{row['reply_text']}")
            if row["expected_on"]:
                st.write(f"预计完成：{date_zh(row['expected_on'])}")
            if row["attachments"]:
                st.write(f"附件：{row['attachments']}")
        if row["return_note"]:
            st.write(f"退回意见：{row['return_note']}")
        key = row["number"]
        if not scope.is_actor(actor):
            return
        if row["state"] in (*nt.OPEN, "overdue") and actor.region == row["to_region"] and actor.role in nt.REPLIERS:
            with st.form(f"db_reply_{key}"):
                text = st.text_area("整改措施", key=f"db_text_{key}")
                exp = st.date_input("预计完成日期（年/月/日）", value=None, format="YYYY/MM/DD", key=f"db_exp_{key}")
                att = st.text_input("附件名称（多个用顿号分隔）", key=f"db_att_{key}")
                if st.form_submit_button("提交答复", type="primary"):
                    _act(lambda: nt.reply(eng, key, text, actor, expected_on=exp, attachments=att,
                                          expected_version=version, today=day), "已提交答复")
        if row["state"] == "replied" and actor.region == row["from_region"] and actor.role in nt.ISSUERS:
            with st.form(f"db_close_{key}"):
                note = st.text_input("退回意见（退回时填写）", key=f"db_note_{key}")
                c1, c2 = st.columns(2)
                if c1.form_submit_button("办结", type="primary"):
                    _act(lambda: nt.close(eng, key, actor, expected_version=version, today=day), "已办结")
                if c2.form_submit_button("退回重办"):
                    _act(lambda: nt.send_back(eng, key, note, actor, expected_version=version, today=day), "已退回")


def _act(do, done: str) -> None:
    try:
        made = do()
    except RuralcoreError as e:
        st.error(str(e))
    else:
        st.session_state.setdefault(SEEN, {})[made["number"]] = int(made["version"])
        st.session_state["db_msg"] = f"{done}：{made['number']}，状态“{made['state_label']}”。"
        st.rerun()
