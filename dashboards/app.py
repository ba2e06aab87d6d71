"""Entry point of the ruralcore dashboards (st.navigation, one section per audience)."""
from __future__ import annotations

import streamlit as st

st.set_page_config(page_title="数字乡村建设看板", page_icon="🌾", layout="wide")

pages = {
    "方案": [st.Page("pages/programs.py", title="政策文件与规则", icon="📄", default=True)],
}
st.navigation(pages).run()
