"""审计日志: who changed what, when, from which value to which, in which region (by
name) — filtered by user, region (chosen by name), table and date, exported to xlsx/csv
(formula-like text neutralised).
Auditors see everything; a county admin the records inside its county (on the region
tree); other roles cannot open the page."""
from __future__ import annotations

import streamlit as st

from dashboards.ui import tables
from dashboards.ui.context import engine, page_setup
from ruralcore.app import auditview
from ruralcore.kernel.errors import RuralcoreError
from ruralcore.app.auditview import TABLE_LABELS
from ruralcore.app.database import now_cst

MOST = 2000  # entries listed on the page (the export holds every one)

# page_setup refuses roles the registry (ruralcore.auth.pages) does not name; auditview limits the rows
actor = page_setup("audit", needs_program=False)

c1, c2, c3, c4, c5 = st.columns(5)
user = c1.text_input("用户", key="audit_user")
choices = auditview.region_choices(engine(), actor)
codes = ([""] if actor.role == "auditor" else []) + choices.index.tolist()
region = c2.selectbox("区域", codes, index=codes.index(actor.region) if actor.region in codes else 0,
                      format_func=lambda c: choices.get(c, "全部"), key="audit_region")
table_keys = [""] + [t for t in TABLE_LABELS if t not in ("audit_log", "pii_access_log")]
table = c3.selectbox("数据表", table_keys, format_func=lambda t: TABLE_LABELS.get(t, "全部"), key="audit_table")
# A date widget cannot read 2019年12月25日: its label says how the date is written. Both
# start filled in (the whole log), so no empty field shows an English placeholder.
today = now_cst().date()  # the log's clock (China Standard Time), not the server's
first = min(auditview.first_day(engine()) or today, today)
since = c4.date_input("开始日期（年/月/日）", value=first, max_value=today, key="audit_since", format="YYYY/MM/DD")
until = c5.date_input("结束日期（年/月/日）", value=today, key="audit_until", format="YYYY/MM/DD")
try:
    log = auditview.load(engine(), actor, user=user.strip() or None, region=region.strip() or None,
                         table=table or None, since=since, until=until)
except RuralcoreError as e:
    st.error(str(e))
    st.stop()
log = auditview.newest_first(log)
shown = min(len(log), MOST)
st.caption(f"共 {len(log):,} 条，最新的在前" + (f"；表中列出最新的 {MOST:,} 条，导出包含全部" if len(log) > MOST else "")
           + "。登录、登录失败和退出登录也记入日志。")
log = auditview.with_regions(engine(), log)  # 区域 (name) and 区域代码 beside each record
tables.grid(auditview.labelled(log.head(shown)), hide_index=True, height=520,
             column_config={"区域代码": st.column_config.TextColumn(width="small")})
stamp = today.strftime("%Y%m%d")
d1, d2 = st.columns(2)
d1.download_button("导出Excel", lambda: auditview.export(log, "xlsx"), file_name=f"审计日志-{stamp}.xlsx",
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="audit_xlsx",
                   on_click="ignore")
d2.download_button("导出CSV", lambda: auditview.export(log, "csv"), file_name=f"审计日志-{stamp}.csv",
                   mime="text/csv", key="audit_csv", on_click="ignore")
