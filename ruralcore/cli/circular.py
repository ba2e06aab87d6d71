"""Command: circular — the month's circular (月度通报) as .docx and .xlsx."""
from __future__ import annotations

from pathlib import Path

import typer

from ruralcore.kernel.errors import InputError, Problem
from ruralcore.rules.programs import load_program
from ruralcore.cli.common import app
from ruralcore.cli.common import Db, open_engine, parse_date, parse_period, program_arg

Program = program_arg("xinzhou-2023")


@app.command("circular")
def circular_cmd(
    program: Program,
    period: str = typer.Option(..., "--period", help="通报月份 YYYY-MM"),
    out: str = typer.Option(..., "--out", help="输出文件（.docx 或 .xlsx；另一种格式写在旁边的同名文件）"),
    db: Db = None,
    as_of: str | None = typer.Option(None, "--as-of", help="进度截至日期 YYYY-MM-DD（默认该月最后一天）"),
    issued: str | None = typer.Option(None, "--issued", help="成文日期 YYYY-MM-DD（默认月报截止日后的第一个工作日）"),
    doc_number: str | None = typer.Option(None, "--doc-number", help="文号（默认留空待填，如 忻乡振办〔2023〕  号）"),
) -> None:
    """月度通报：县区排名、滞后试点、逾期节点、迟报未报，输出 Word 与 Excel。"""
    from ruralcore.app import circulars
    from ruralcore.app.overview import periods as stored_periods

    period = parse_period(period)
    path = Path(out)
    if path.suffix.lower() not in (".docx", ".xlsx"):
        raise InputError(Problem(f"--out：输出文件“{out}”应以 .docx 或 .xlsx 结尾"))
    if not path.parent.exists():
        raise InputError(Problem(f"--out：输出目录“{path.parent}”不存在"))
    prog = load_program(program)
    cut = parse_date(as_of, "截至日期") if as_of else None
    when = parse_date(issued, "成文日期") if issued else None
    engine = open_engine(db)
    have = stored_periods(engine, prog.id)
    if period not in have:
        shown = f"（已有 {have[0]} 至 {have[-1]}）" if have else "（数据库中没有该方案的月报）"
        raise InputError(Problem(f"--period：数据库中没有 {period} 的月报数据{shown}"))
    c = circulars.build(engine, prog, period, issued=when, as_of=cut, doc_number=doc_number)
    for p in circulars.write(c, path):
        typer.echo(f"已生成：{p}")
