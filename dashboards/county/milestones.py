"""里程碑: the programme's milestones with due date, status as of the data's date, the day
each was done and its clause; a county admin records a milestone as done (or clears the
record). Milestones are programme-level: every account that reads the programme sees
them (page_setup offers only those programmes). Writes go through
ruralcore.app.milestone_records as the signed-in account (scope-checked, audited; the version
the user saw is carried, so a change made meanwhile is refused)."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from dashboards.ui import tables
from dashboards.ui.context import current_program, engine, page_setup
from ruralcore.app import meetings as mt
from ruralcore.app import milestone_records as mr
from ruralcore.app import overview as ov
from ruralcore.kernel.errors import RuralcoreError
from ruralcore.kernel.fmt import date_zh, period_zh
from ruralcore.rules.programs import ASSUMED_LABEL

SEEN_KEY = "ms_seen"  # {programme: {code: version}} as last shown to this user


def _versions(rec: pd.DataFrame) -> dict[str, int]:
    have = rec[rec["version"].notna()]
    return dict(zip(have["code"], have["version"].astype(int)))


def _text(s: pd.Series) -> pd.Series:
    """Text with blanks for milestones not recorded (an all-missing column comes as float)."""
    return s.astype(object).where(s.notna(), "")


actor = page_setup("milestones")  # signed out: the login hint, the page stops
program = current_program()
eng = engine()
if not program.milestones:
    st.info("该方案没有里程碑。")
    st.stop()

as_of = ov.as_of_date(eng, program.id, ov.periods(eng, program.id)) or mr.today_china()
rec = mr.records(eng, program.id)
seen = st.session_state.get(SEEN_KEY, {}).get(program.id, _versions(rec))
dated = rec[rec["recurring"].isna()]

st.caption(f"{program.meta.short_title} · 状态按数据截至日 {date_zh(as_of)} 计算；完成日期晚于该日的里程碑仍按未完成计")

# ---- the form first handles a submit, so the table below shows the result ------------------
labels = {r.code: f"{r.name}（截止 {date_zh(r.due)}）" for r in dated.itertuples()}
st.subheader("记录完成情况")
if not labels:
    st.info("该方案只有按月重复的里程碑（月报），不需要逐项记录。")
else:
    with st.form("ms_form"):
        code = st.selectbox("里程碑", list(labels), format_func=labels.get, key="ms_code")
        done_on = st.date_input("完成日期（年/月/日）", value=min(as_of, mr.today_china()), min_value=dt.date(2010, 1, 1),
                                max_value=mr.today_china(), format="YYYY/MM/DD", key="ms_done_on")
        note = st.text_input("备注", key="ms_note", help="如：会议纪要文号、验收意见")
        left, right = st.columns(2)
        save = left.form_submit_button("记录完成", type="primary")
        clear = right.form_submit_button("清除记录")
    if save or clear:
        expected = seen.get(code)
        try:  # the store checks the account's role and region: a refusal writes nothing
            if save:
                mr.record_done(eng, program.id, code, done_on, note, actor, expected_version=expected)
                msg = f"已记录：“{labels[code]}”于 {date_zh(done_on)} 完成。"
            elif expected is None:
                raise RuralcoreError(f"“{labels[code]}”没有完成记录，无需清除。")
            else:
                mr.clear_done(eng, program.id, code, actor, expected_version=expected)
                msg = f"已清除：“{labels[code]}”的完成记录。"
        except RuralcoreError as e:
            st.error(str(e))
        else:
            st.success(msg)
        rec = mr.records(eng, program.id)

st.session_state.setdefault(SEEN_KEY, {})[program.id] = _versions(rec)

# ---- the table ------------------------------------------------------------------------
done = {c: d for c, d in zip(rec["code"], rec["done_on"]) if isinstance(d, dt.date)}
table = ov.milestone_table(program, as_of, done)
counts = table["status"].value_counts()  # every row of the table below, monthly ones too
cols = st.columns(4)
for col, (key, label) in zip(cols, [("done", "已完成"), ("overdue", "已逾期"), ("due_soon", "即将到期"),
                                    ("on_track", "正常")]):
    col.metric(label, f"{int(counts.get(key, 0))} 项")

by_code = rec.set_index("code")
late = table["days_late"].to_numpy()
shown = pd.DataFrame({
    "里程碑": table["name"],
    "截止日期": [("每月" if r else "") + date_zh(d) for d, r in zip(table["due"], table["recurring"].notna())],
    "状态": table["status_label"].where(~((table["status"] == "done") & (late > 0)),
                                        "已完成（逾期 " + pd.Series(late, index=table.index).astype(str) + " 天）"),
    "完成日期": [date_zh(d) if isinstance(d, dt.date) else "" for d in table["code"].map(by_code["done_on"])],
    "记录人": _text(table["code"].map(by_code["recorded_by"])),
    "备注": _text(table["code"].map(by_code["note"])),
    "条款": table["ref"] + table["assumed"].map(lambda a: f"（{ASSUMED_LABEL}）" if a else ""),
})
tables.grid(shown, hide_index=True, width="stretch", key="ms_table")
tables.excel_button(shown, f"里程碑-{program.meta.short_title}", "ms_xlsx")
if table["recurring"].notna().any():
    st.caption("按月重复的里程碑（月报等）不逐项记录：每月是否报送见月报与督办页面。")
if program.id in mt.CONSULTATION_MILESTONES:  # 每月会商: met by a record of the month, not a tick
    month = f"{as_of.year}-{as_of.month:02d}"
    m = mt.months(eng, program.id, month, month).iloc[0]
    st.caption(f"{mt.milestone(program.id).name}（{m['ref']}）：{period_zh(month)}"
               + (f"已有{m['meetings']}次会商记录，本月已完成。" if m["met"] else "还没有会商记录，本月未完成。")
               + "见“会商记录”页。")
