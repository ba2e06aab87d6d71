"""The five documents and the rules taken from them, each number with its clause."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboards.ui.context import page_setup
from ruralcore.cli.rules import program_summary
from ruralcore.programs import ASSUMED_LABEL, all_programs

# public (scope.PUBLIC_PAGES): open signed out too; signed in, the sidebar shows who and 退出登录
page_setup("政策文件与规则", "programs", needs_program=False)
progs = all_programs()
st.dataframe(
    pd.DataFrame([{"方案": p.id, "标题": p.meta.title, "文号": p.meta.doc_number or "—",
                   "印发日期": f"{p.meta.issued:%Y年%-m月%-d日}", "印发单位": p.meta.issuer} for p in progs]),
    hide_index=True, use_container_width=True,
)
choice = st.selectbox("查看方案", [p.id for p in progs], format_func=lambda i: next(p.meta.short_title for p in progs if p.id == i))
s = program_summary(choice)


def _table(rows, cols):
    df = pd.DataFrame(rows)
    if df.empty:
        return
    if "assumed" in df:
        df["assumed"] = df["assumed"].map(lambda a: f"{ASSUMED_LABEL}：{a}" if isinstance(a, str) and a else "")
    st.dataframe(df[[c for c in cols if c in df]].rename(columns=cols), hide_index=True, use_container_width=True)


for row in s["targets"]:  # each target names the rule that colours it (listed under 判定规则)
    row["rule"] = row["status_rule"]["name"] if row["status_rule"] else "不考核（无量化指标）"
for title, key, cols in [
    ("判定规则（红黄绿灯）", "status_rules", {"name": "目标类别", "text": "规则", "ref": "条款", "assumed": "说明"}),
    ("目标", "targets", {"name": "目标", "op": "比较", "threshold": "目标值", "rule": "判定规则", "due": "期限", "ref": "条款",
                        "assumed": "说明"}),
    ("里程碑", "milestones", {"name": "里程碑", "start": "开始", "due": "截止", "recurring": "周期", "ref": "条款", "assumed": "说明"}),
    ("资金规则", "funding", {"name": "规则", "amount_yuan": "金额（元）", "unit": "单位", "ref": "条款", "assumed": "说明"}),
    ("重点任务", "tasks", {"no": "序号", "area_name": "领域", "name": "任务", "responsible": "责任部门", "ref": "条款"}),
    ("设置", "settings", {"name": "设置", "value": "值", "ref": "条款", "assumed": "说明"}),
    ("填报上限（超过即拒绝导入）", "bounds", {"name": "字段", "max": "上限", "unit": "单位", "ref": "条款", "assumed": "说明", "note": "备注"}),
]:
    if s[key]:
        st.subheader(title)
        _table(s[key], cols)
if s["rubric"]:
    r = s["rubric"]
    st.subheader(f"计分办法：达标 ≥ {r['pass_score']:g} 分，前 {r['excellent_top_n']} 名为优秀（{r['ref']}）")
    _table(r["aspects"], {"name": "方面", "points": "分值", "ref": "条款", "assumed": "说明"})
