"""Commands: funds (allocations and total in yuan; `funds categories` the closed list of
sources and uses; `funds record` one fund entry, refused in a forbidden category),
station-code (益农信息社 number)."""
from __future__ import annotations

import pandas as pd
import typer
from typer.core import TyperGroup

from ruralcore.app.funding import funds_summary
from ruralcore.rules.programs import ASSUMED_LABEL, load_program
from ruralcore.rules.stations import station_code
from ruralcore.cli.common import AsJson, Db, User, app, author, command_group, echo_json, echo_table, open_engine, parse_date
from ruralcore.cli.common import program_arg


class DefaultCommandGroup(TyperGroup):
    """A group whose first word may be a programme: `ruralcore funds PROGRAM` runs
    ``default_command`` (usage.preflight knows the attribute too)."""
    default_command = "summary"

    def parse_args(self, ctx, args):
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = [self.default_command, *args]
        return super().parse_args(ctx, args)


funds_app = command_group("funds", "资金：分配与合计（ruralcore funds 方案）、资金类别清单（categories）、记录一笔资金（record）。",
                          cls=DefaultCommandGroup)
Program = program_arg("xinzhou-2023")


@funds_app.command("summary")
def funds_cmd(program: Program, json_: AsJson = False) -> None:
    """资金：按文件规则计算的分配金额和合计（元）；也可写作 ruralcore funds 方案。"""
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
    unknown = summary.get("amounts_not_given") or []
    if unknown:
        typer.echo(f"合计：无法计算——文件未给出金额的有{len(unknown)}项（{'、'.join(unknown)}），"
                   f"表中0元为{ASSUMED_LABEL}的待填值，不是文件规定的金额")
    else:
        each = "每年" if summary.get("period") == "per_year" else ""
        typer.echo(f"合计：{each}{summary['total_yuan']:,} 元")
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


KIND_NAMES = {"source": "来源", "use": "用途"}


@funds_app.command("categories")
def categories_cmd(program: Program, json_: AsJson = False) -> None:
    """资金类别清单：每笔资金的来源和用途须从中选择，文件禁止的类别不能记录。"""
    from ruralcore.app.funding import fund_categories

    prog = load_program(program)
    cats = fund_categories(prog)
    if json_:
        echo_json(cats[["code", "name", "kind", "allowed", "ref"]].to_dict(orient="records"))
        return
    if cats.empty:
        typer.echo(f"{prog.meta.short_title}：文件未规定资金，没有资金类别")
        return
    shown = cats.assign(kind=cats["kind"].map(KIND_NAMES), allowed=cats["allowed"].map({True: "允许", False: "禁止"}),
                        note=cats["note"].fillna(""))
    echo_table(shown, {"code": "代码", "name": "类别", "kind": "来源/用途", "allowed": "是否允许", "ref": "条款",
                       "note": "说明"}, title=f"{prog.meta.short_title}：资金类别")


@funds_app.command("record")
def record_cmd(
    program: Program,
    kind: str = typer.Option(..., "--kind", help="allocation（资金下达）| county_matching（县级配套）| spending（支出）| advance（预拨）"),
    source: str = typer.Option(..., "--source", help="来源类别代码（ruralcore funds categories 方案 所列）"),
    use: str = typer.Option(..., "--use", help="用途类别代码（ruralcore funds categories 方案 所列）"),
    amount: str = typer.Option(..., "--amount", help="金额，整数元"),
    date: str = typer.Option(..., "--date", help="日期 YYYY-MM-DD"),
    pilot: str | None = typer.Option(None, "--pilot", help="试点代码（忻州）"),
    station: str | None = typer.Option(None, "--station", help="益农信息社编号（融水）"),
    region: str | None = typer.Option(None, "--region", help="区域代码"),
    note: str = typer.Option("", "--note", help="说明（只作记录，不决定是否允许）"),
    user: User = None,
    db: Db = None,
) -> None:
    """记录一笔资金：来源和用途各选一个类别；文件禁止的类别（如忻州 三(三) 偿还以往工程欠款）拒绝并写明条款，不写入。"""
    from ruralcore.kernel.errors import InputError, Problem
    from ruralcore.app.funding import record_fund_entries

    kinds = ("allocation", "county_matching", "spending", "advance")
    if kind not in kinds:
        raise InputError(Problem(f"资金种类“{kind}”无效，应为：{'、'.join(kinds)}", column="--kind"))
    if not (pilot or station or region):
        raise InputError(Problem("须写明资金属于哪个试点、站点或区域：--pilot、--station 或 --region", column="--pilot"))
    prog = load_program(program)
    on = parse_date(date, "日期")
    engine = open_engine(db)
    by = author(engine, user)
    entry = pd.DataFrame([{"kind": kind, "source_category": source, "use_category": use, "amount_yuan": amount,
                           "on_date": on, "pilot": pilot, "station": station, "region": region, "note": note}])
    entry["amount_yuan"] = pd.to_numeric(entry["amount_yuan"], errors="coerce").where(
        lambda v: v.notna(), entry["amount_yuan"])
    record_fund_entries(engine, prog, entry, by)
    typer.echo(f"已记录：{amount} 元（{source} → {use}，{on.isoformat()}）")


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
