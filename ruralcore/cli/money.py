"""Commands: funds (allocations and total in yuan), station-code (益农信息社 number)."""
from __future__ import annotations

import pandas as pd
import typer

from ..funding import funds_summary
from ..programs import ASSUMED_LABEL, load_program
from ..stations import station_code
from . import app
from .common import echo_json, echo_table


@app.command("funds")
def funds_cmd(
    program: str = typer.Argument(..., help="方案编号，如 xinzhou-2023"),
    json_: bool = typer.Option(False, "--json", help="输出 JSON"),
) -> None:
    """资金：按文件规则计算的分配金额和合计（元）。"""
    summary = funds_summary(load_program(program))
    if json_:
        echo_json(summary)
        return
    df = pd.DataFrame(summary["allocations"])
    if not df.empty:
        df["assumed"] = df["assumed"].map(lambda a: ASSUMED_LABEL if a else "")
        df["amount_yuan"] = df["amount_yuan"].map("{:,}".format)
        df["total_yuan"] = df["total_yuan"].map("{:,}".format)
    echo_table(df, {"name": "资金项目", "count": "数量", "amount_yuan": "单价（元）",
                    "total_yuan": "金额（元）", "ref": "条款", "assumed": "说明"},
               title=f"{program} 资金分配")
    typer.echo(f"合计：{summary['total_yuan']:,} 元")
    if summary.get("uses"):
        uses = pd.DataFrame(summary["uses"])
        uses["assumed"] = uses["assumed"].map(lambda a: ASSUMED_LABEL if a else "")
        uses["budget_yuan"] = uses["budget_yuan"].map("{:,}".format)
        echo_table(uses, {"use": "用途", "share_percent": "比例（%）", "budget_yuan": "预算（元）",
                          "ref": "条款", "assumed": "说明"}, title="用途")
    for p in summary.get("prohibitions", []):
        typer.echo(f"禁止：{p['name']}（{p['ref']}）")
    if summary.get("note"):
        typer.echo(f"说明：{summary['note']}")


@app.command("station-code")
def station_code_cmd(
    county: str = typer.Option(..., "--county", help="县名，如 融水苗族自治县 或 融水"),
    type_: str = typer.Option(..., "--type", help="standard（标准站）| professional（专业站）| simple（简易站）"),
    seq: str = typer.Option(..., "--seq", help="顺序号 1–9999"),
) -> None:
    """益农信息社编号：桂 + 车牌代码 + 县拼音首字母 + 4位顺序号 + B/Z/J。"""
    try:
        n = int(seq)
    except ValueError:
        n = seq  # station_code names the bad value in Chinese
    typer.echo(station_code(county, type_, n))
