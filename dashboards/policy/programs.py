"""The five documents and the rules taken from them, each number with its clause — in
words: no programme id, code, ISO date or comparison operator (ruralcore.kernel.fmt.code_zh)."""
from __future__ import annotations

import html

import pandas as pd
import streamlit as st

from dashboards.ui.context import page_setup
from dashboards.ui.htmltable import fit_table
from ruralcore.rules.program_summary import program_summary
from ruralcore.kernel.fmt import OP_WORDS, code_zh, value_with_unit, yuan
from ruralcore.rules.indicators import indicator_formula
from ruralcore.rules.programs import ASSUMED_LABEL, all_programs, load_program
from ruralcore.rules.scoring import formula_text

# public (scope.PUBLIC_PAGES): open signed out too; signed in, the sidebar shows who and 退出登录
page_setup("programs", needs_program=False)
progs = all_programs()
fit_table(pd.DataFrame([{"方案": p.meta.short_title, "标题": p.meta.title, "文号": p.meta.doc_number or "—",
                         "印发日期": code_zh(p.meta.issued), "印发单位": p.meta.issuer} for p in progs]))
choice = st.selectbox("查看方案", [p.id for p in progs], format_func=lambda i: next(p.meta.short_title for p in progs if p.id == i))
s = program_summary(choice)
program = load_program(choice)


def _unit(target: dict) -> str:
    return program.indicator(target["indicator"]).unit if target.get("indicator") else ""


def _table(rows, cols):
    df = pd.DataFrame(rows)
    if df.empty:
        return
    if "assumed" in df:
        df["assumed"] = df["assumed"].map(lambda a: f"{ASSUMED_LABEL}：{a}" if isinstance(a, str) and a else "")
    shown = df[[c for c in cols if c in df]]
    shown = shown.assign(**{c: shown[c].map(code_zh) for c in shown.columns if c not in ("assumed", "name")})
    fit_table(shown.rename(columns=cols))


for row in s["targets"]:  # each target names the rule that colours it (listed under 判定规则)
    row["rule"] = row["status_rule"]["name"] if row["status_rule"] else "不考核（无量化指标）"
    row["goal"] = (f"{OP_WORDS.get(row['op'], row['op'])} {value_with_unit(row['threshold'], _unit(row))}"
                   if row.get("op") else "—")
for row in s["indicators"]:
    row["formula"] = indicator_formula(program, row["code"])
for row in s["funding"]:
    row["amount"] = yuan(row["amount_yuan"]) if row.get("amount_yuan") is not None else "文件未给出金额"
for title, key, cols in [
    ("判定规则（红黄绿灯）", "status_rules", {"name": "目标类别", "text": "规则", "ref": "条款", "assumed": "说明"}),
    ("指标（计算口径）", "indicators", {"name": "指标", "formula": "计算口径", "unit": "单位", "ref": "条款", "assumed": "说明"}),
    ("目标", "targets", {"name": "目标", "goal": "目标值", "rule": "判定规则", "due": "期限", "ref": "条款",
                        "assumed": "说明"}),
    ("里程碑", "milestones", {"name": "里程碑", "start": "开始", "due": "截止", "recurring": "周期", "ref": "条款", "assumed": "说明"}),
    ("资金规则", "funding", {"name": "规则", "amount": "金额", "unit": "单位", "ref": "条款", "assumed": "说明"}),
    ("验收流程", "acceptance_path", {"stage": "环节", "name": "名称", "by": "办理", "ref": "条款", "assumed": "说明"}),
    ("重点任务", "tasks", {"no": "序号", "area_name": "领域", "name": "任务", "responsible": "责任部门", "ref": "条款"}),
    ("其他要求（无量化指标）", "requirements", {"kind_name": "类别", "name": "要求", "responsible": "责任单位", "ref": "条款",
                                        "assumed": "说明"}),
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
    st.markdown(f"**给分办法**：{html.escape(formula_text(program.rubric))}")
    _table([{**i, "goal": value_with_unit(i["target"], "%"), "aspect": a["name"]}
            for a in r["aspects"] for i in a["indicators"]],
           {"aspect": "方面", "name": "指标", "goal": "满分值", "ref": "条款", "assumed": "说明"})
