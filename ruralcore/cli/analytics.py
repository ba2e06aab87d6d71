"""`ruralcore analytics rebuild [PROGRAM] [--period YYYY-MM]`: rebuild the analytics tables
(ruralcore.store.analytics) from the stored reports, in one transaction."""
from __future__ import annotations

import time

import typer

from ruralcore.cli.common import DB_HELP, app, open_engine, parse_period

analytics_app = typer.Typer(help="分析表：按月、按区域层级预先汇总的月报数据（看板读取）。", no_args_is_help=True)
app.add_typer(analytics_app, name="analytics")


@analytics_app.command("rebuild")
def rebuild_cmd(
    program: str | None = typer.Argument(None, help="方案代码，如 huayuan-2019（不写则为全部方案）"),
    period: str | None = typer.Option(None, "--period", help="月份 YYYY-MM（不写则为全部月份）"),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """由月报数据重建分析表（每个区域一行、每个指标字段一列，另有各级区域的合计与填报数）。"""
    from ruralcore.rules.programs import load_program
    from ruralcore.store import analytics

    if program is not None:
        load_program(program)  # an unknown programme: a Chinese message, exit 2, nothing written
    if period is not None:
        period = parse_period(period)
    engine = open_engine(db)
    t0 = time.perf_counter()
    with engine.begin() as conn:
        done = analytics.rebuild(conn, program, period)
    seconds = time.perf_counter() - t0
    for d in done:
        typer.echo(f"{d['program']} {d['period']}：{d['rows']:,} 行（{d['seconds']:.2f} 秒）")
    what = (program or "全部方案") + (f" {period}" if period else "（全部月份）")
    months = len({(d["program"], d["period"]) for d in done})
    typer.echo(f"已重建分析表：{what}，{months} 个月，共 {sum(d['rows'] for d in done):,} 行，用时 {seconds:.2f} 秒")
