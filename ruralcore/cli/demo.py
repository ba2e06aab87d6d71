"""Commands: demo (build the seeded demo database), reporting (monthly reporting rates)."""
from __future__ import annotations

import sys

import typer

from ruralcore.kernel.errors import InputError, Problem
from ruralcore.rules.programs import load_program
from ruralcore.cli.common import app
from ruralcore.cli.common import AsJson, Db, echo_json, echo_table, open_engine, parse_period, program_arg

Program = program_arg("huayuan-2019")
LEVEL_ZH = {"township": "乡镇", "county": "县（区、市）"}


def _terminal_progress(fraction: float, message: str) -> None:
    """One line rewritten in place: [#####.....]  50% 写入月报…"""
    width = 30
    done = int(round(fraction * width))
    end = "\n" if fraction >= 1 else ""
    sys.stderr.write(f"\r[{'#' * done}{'.' * (width - done)}] {fraction * 100:3.0f}% {message}\033[K{end}")
    sys.stderr.flush()


@app.command("demo")
def demo_cmd(
    scale: str = typer.Option("county", "--scale", help="规模：county（约300个行政村）| city（约5千）| province（约3万）| national（约50万，12个月，只能用 PostgreSQL）"),
    db: Db = None,
) -> None:
    """生成演示数据（固定随机种子，每次相同；所有生成的名称均标“演示”）。已有真实数据的数据库拒绝覆盖。"""
    from ruralcore.demo import SCALES, build_demo

    if scale not in SCALES:
        raise InputError(Problem(f"规模“{scale}”无效，应为 {' | '.join(SCALES)}", column="--scale"))
    if scale == "national":
        from ruralcore.demo.national import build_national, refuse_unless_postgresql
        from ruralcore.store.db import default_url
        refuse_unless_postgresql(db or default_url())  # before a SQLite file is even created
        engine = open_engine(db)
        out = build_national(engine, progress=_terminal_progress)
        size = "—" if out["bytes"] is None else f"{out['bytes'] / 2**30:.1f} GiB"
        typer.echo(f"全国规模演示数据库已生成：{engine.url.render_as_string(hide_password=True)}")
        typer.echo(f"演示行政村 {out['villages']:,} 个，月报 {out['reports']:,} 行；"
                   f"用时 {out['seconds']:.0f} 秒，数据库占用磁盘 {size}")
        return
    engine = open_engine(db)
    counts = build_demo(engine, scale, progress=_terminal_progress)
    typer.echo(f"演示数据库已生成：{engine.url.render_as_string(hide_password=True)}")
    from ruralcore.store.models import TABLE_LABELS
    typer.echo("，".join(f"{TABLE_LABELS.get(k, k)} {v:,} 行" for k, v in counts.items()))


@app.command("reporting")
def reporting_cmd(
    program: Program,
    period: str = typer.Option(..., "--period", help="报告期 YYYY-MM"),
    json_: AsJson = False,
    db: Db = None,
) -> None:
    """月报报送情况：应报、已报、按时、迟报、未报及报送率、及时率（按乡镇和县）。"""
    from ruralcore.app.reporting import reporting_from_store

    period = parse_period(period)
    load_program(program)  # unknown programme: Chinese error before touching the database
    out = reporting_from_store(open_engine(db), program, period)
    cols = ["level", "region", "name", "expected", "received", "on_time", "late", "missing",
            "reporting_rate", "on_time_rate"]
    rows = out["rows"][cols].copy()
    for c in ("reporting_rate", "on_time_rate"):
        rows[c] = rows[c].astype(float).round(1)
    total = {k: (round(v, 1) if isinstance(v, float) else v) for k, v in out["total"].items()}
    if json_:
        echo_json({"program": out["program"], "period": period, "due_date": out["due_date"],
                   "report_level": out["report_level"], "rows": rows, "total": total})
        return
    if total["expected"] == 0:
        typer.echo(f"提示：数据库中没有本方案“{out['report_level']}”级的填报单位（可先运行 ruralcore demo 生成演示数据）", err=True)
    rows["level"] = rows["level"].map(LEVEL_ZH).fillna(rows["level"])
    typer.echo(f"{load_program(program).meta.short_title} {period} 月报，截止 {out['due_date'].isoformat()}")
    echo_table(rows, {"level": "层级", "region": "代码", "name": "名称", "expected": "应报", "received": "已报",
                      "on_time": "按时", "late": "迟报", "missing": "未报", "reporting_rate": "报送率%",
                      "on_time_rate": "及时率%"})
    t = total
    rate = "—" if t["reporting_rate"] is None else f"{t['reporting_rate']}%"
    timely = "—" if t["on_time_rate"] is None else f"{t['on_time_rate']}%"
    typer.echo(f"合计：应报 {t['expected']}，已报 {t['received']}，按时 {t['on_time']}，迟报 {t['late']}，"
               f"未报 {t['missing']}；报送率 {rate}，及时率 {timely}")
