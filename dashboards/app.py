"""Entry point of the ruralcore dashboards: one app, a section per audience (st.navigation)."""
from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

# `streamlit run dashboards/app.py` puts dashboards/ on sys.path; the pages import `dashboards.ui…`.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

# Material icons, not emoji: the servers' and projectors' browsers often lack an emoji font.
st.set_page_config(page_title="数字乡村建设看板", page_icon=":material/agriculture:", layout="wide")

pages = {
    "县领导小组": [
        st.Page("county/overview.py", title="总览", icon=":material/dashboard:", default=True),
        st.Page("county/drilldown.py", title="逐级查看", icon=":material/account_tree:"),
        st.Page("county/milestones.py", title="里程碑", icon=":material/flag:"),
        st.Page("county/whatif.py", title="假设评分", icon=":material/calculate:"),
        st.Page("county/entry.py", title="数据填报", icon=":material/edit_note:"),
    ],
    "试点验收": [
        st.Page("acceptance/cases.py", title="验收案件", icon=":material/assignment:"),
        st.Page("acceptance/check.py", title="验收检查", icon=":material/fact_check:"),
    ],
    "市级督导": [
        st.Page("supervision/board.py", title="试点进度", icon=":material/view_timeline:"),
        st.Page("supervision/scorecard.py", title="县区评分", icon=":material/leaderboard:"),
        st.Page("supervision/laggards.py", title="落后督办", icon=":material/priority_high:"),
        st.Page("supervision/resettlement.py", title="银川移民区", icon=":material/cell_tower:"),
        st.Page("supervision/circular.py", title="月度通报", icon=":material/campaign:"),
    ],
    "方案": [st.Page("pages/programs.py", title="政策文件与规则", icon=":material/description:")],
    "系统": [
        st.Page("admin/login.py", title="登录", icon=":material/login:"),
        st.Page("admin/report_fix.py", title="月报更正", icon=":material/edit:"),
        st.Page("admin/households.py", title="一户一档", icon=":material/family_restroom:"),
        st.Page("admin/audit.py", title="审计日志", icon=":material/history:"),
        st.Page("admin/accounts.py", title="账户管理", icon=":material/manage_accounts:"),
    ],
}
# expanded: list every page; a collapsed list shows Streamlit's English “View N more”
st.navigation(pages, expanded=True).run()
