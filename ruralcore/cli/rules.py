"""Commands: programs, show, workdays."""
from __future__ import annotations

import typer

from ruralcore.rules import workdays as wd
from ruralcore.kernel.errors import InputError, Problem
from ruralcore.rules.programs import ASSUMED_LABEL, all_programs, load_program
from ruralcore.rules.scoring import formula_text
from ruralcore.cli.common import app
from ruralcore.cli.common import AsJson, command_group, echo_json, echo_table, parse_date, parse_int, program_arg
from ruralcore.rules.program_summary import program_summary

import pandas as pd

Program = program_arg("huayuan-2019")


@app.command("programs")
def programs_cmd(json_: AsJson = False) -> None:
    """列出全部方案：编号、标题、文号、印发日期。"""
    rows = [
        {"id": p.id, "title": p.meta.title, "doc_number": p.meta.doc_number,
         "issued": p.meta.issued, "issuer": p.meta.issuer}
        for p in all_programs()
    ]
    if json_:
        echo_json(rows)
    else:
        echo_table(pd.DataFrame(rows), {"id": "方案", "title": "标题", "doc_number": "文号",
                                        "issued": "印发日期", "issuer": "印发单位"})


@app.command("show")
def show_cmd(program: Program, json_: AsJson = False) -> None:
    """显示一个方案的指标、目标、里程碑、配额、资金规则和计分办法，每项附条款。"""
    s = program_summary(program)
    if json_:
        echo_json(s)
        return
    m = s["meta"]
    typer.echo(f"{m['title']}")
    typer.echo(f"印发：{m['issuer']}  文号：{m['doc_number'] or '（无）'}  日期：{m['issued']}  范围：{m['scope']}")
    mark = lambda df: df.assign(assumed=df["assumed"].map(lambda a: f"{ASSUMED_LABEL}：{a}" if isinstance(a, str) and a else ""))  # noqa: E731
    sections = [
        ("设置", "settings", {"code": "代码", "name": "名称", "value": "值", "ref": "条款", "assumed": "说明"}),
        ("指标", "indicators", {"code": "代码", "name": "名称", "unit": "单位", "level": "层级", "ref": "条款", "assumed": "说明"}),
        ("判定规则（红黄绿灯）", "status_rules", {"name": "目标类别", "text": "规则", "ref": "条款", "assumed": "说明"}),
        ("目标", "targets", {"code": "代码", "name": "名称", "op": "比较", "threshold": "目标值", "applies_to": "考核层级", "rule": "判定规则", "due": "期限", "ref": "条款", "assumed": "说明"}),
        ("里程碑", "milestones", {"code": "代码", "name": "名称", "start": "开始", "due": "截止", "recurring": "周期", "ref": "条款", "assumed": "说明"}),
        ("资金规则", "funding", {"code": "代码", "name": "名称", "amount_yuan": "金额（元）", "unit": "单位", "ref": "条款", "assumed": "说明"}),
        ("验收流程", "acceptance_path", {"stage": "环节", "name": "名称", "by": "办理", "ref": "条款", "assumed": "说明"}),
        ("重点任务", "tasks", {"no": "序号", "area_name": "领域", "name": "任务", "responsible": "责任部门", "due": "期限", "ref": "条款"}),
        ("其他要求（无量化指标）", "requirements", {"kind_name": "类别", "name": "要求", "responsible": "责任单位", "ref": "条款", "assumed": "说明"}),
        ("填报上限（超过即拒绝导入）", "bounds", {"name": "字段", "max": "上限", "unit": "单位", "ref": "条款", "assumed": "说明", "note": "备注"}),
    ]
    for row in s["targets"]:
        row["rule"] = row["status_rule"]["name"] if row["status_rule"] else ""
    for title, key, headers in sections:
        if s[key]:
            typer.echo("")
            echo_table(mark(pd.DataFrame(s[key])), headers, title=f"【{title}】")
    for q in s["quotas"]:
        typer.echo("")
        rows = [{"region": r["region"], **r["counts"], "ref": r["ref"]} for r in q["rows"]]
        rows.append({"region": "合计（文件）", **q["totals"], "ref": q["ref"]})
        echo_table(pd.DataFrame(rows), {"region": "区域", **q["kinds"], "ref": "条款"}, title=f"【配额：{q['name']}】")
    for c in s["checklists"]:
        typer.echo("")
        echo_table(pd.DataFrame(c["items"]), {"code": "代码", "name": "项目", "area": "领域", "quantity": "数量", "ref": "条款"},
                   title=f"【检查表：{c['name']}】（{c['ref']}）")
    if s["rubric"]:
        r = s["rubric"]
        typer.echo("")
        rows = [{"code": a["code"], "name": a["name"], "points": a["points"],
                 "indicators": "、".join(f"{i['code']}≥{i['target']:g}" + (f"（{ASSUMED_LABEL}：{i['assumed']}）" if i.get("assumed") else "")
                                        for i in a["indicators"]),
                 "ref": a["ref"], "assumed": f"{ASSUMED_LABEL}：{a['assumed']}" if a.get("assumed") else ""}
                for a in r["aspects"]]
        echo_table(pd.DataFrame(rows), {"code": "代码", "name": "方面", "points": "分值", "indicators": "指标（满分值）", "ref": "条款", "assumed": "说明"},
                   title=f"【计分办法】达标 ≥ {r['pass_score']:g} 分；前 {r['excellent_top_n']} 名为优秀（{r['ref']}）")
        typer.echo(f"给分办法：{formula_text(load_program(program).rubric)}")


workdays_app = command_group("workdays", "官方工作日（含调休）计算。")


@workdays_app.command("add", context_settings={"ignore_unknown_options": True})  # N = -5 reaches the check
def workdays_add(date: str = typer.Argument(..., help="起始日期 YYYY-MM-DD"),
                 n: str = typer.Argument(..., help="工作日数")) -> None:
    """输出起始日期之后第 N 个工作日（YYYY-MM-DD）；N 为 0 时为当日或其后第一个工作日。"""
    d = parse_date(date)
    k = parse_int(n, "工作日数 N", low=0)
    typer.echo(wd.add_workdays(d, k).isoformat())


@workdays_app.command("count")
def workdays_count(start: str = typer.Argument(..., help="开始日期 YYYY-MM-DD（不计入）"),
                   end: str = typer.Argument(..., help="结束日期 YYYY-MM-DD（计入）")) -> None:
    """输出开始日期之后至结束日期（含）的工作日数。"""
    typer.echo(str(wd.count_workdays(parse_date(start, "开始日期"), parse_date(end, "结束日期"))))
