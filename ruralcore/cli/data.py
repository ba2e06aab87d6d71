"""Commands for the monthly report spreadsheets: template, export, import.

`--db URL` overrides the environment variable DATABASE_URL. Bad input raises InputError,
which ruralcore.cli.main prints in Chinese with exit status 2; nothing is written then.
"""
from __future__ import annotations

import sys
from pathlib import Path

import typer

from ruralcore.kernel.errors import InputError, Problem
from ruralcore.cli.common import app
from ruralcore.kernel.limits import PROBLEMS_SHOWN
from ruralcore.cli.common import Db, Month, User, author, open_engine, parse_period, program_arg

Program = program_arg(word="方案代码")
TemplateProgram = program_arg("huayuan-2019", "方案代码")


def _template_engine(db: str | None):
    """The store for the template's regions: --db, else DATABASE_URL, else the default
    database file when it exists; None (the region files) otherwise — a template never
    creates a database."""
    import os

    from ruralcore.rules.programs import DATA_DIR
    if db or os.environ.get("DATABASE_URL") or (Path(DATA_DIR) / "ruralcore.db").exists():
        return open_engine(db)
    return None


def _write(out: Path, data: bytes) -> None:
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
    except OSError as exc:
        raise InputError(Problem(f"无法写入文件 {out}：{exc.strerror or exc}")) from None


def _progress(fraction: float, message: str) -> None:
    """A percentage line on stderr, rewritten in place on a terminal."""
    line = f"{fraction * 100:5.1f}%  {message}"
    tty = sys.stderr.isatty()
    if tty and fraction < 1:
        sys.stderr.write("\r" + line + " " * 10)
    else:
        sys.stderr.write(("\r" if tty else "") + line + "\n")
    sys.stderr.flush()


@app.command("template")
def template_cmd(
    program: TemplateProgram,
    out: Path = typer.Option(..., "--out", help="输出的 .xlsx 文件"),
    db: Db = None,
    level: str | None = typer.Option(None, "--level", help="填报层级（默认取方案规定的填报层级）"),
) -> None:
    """生成空白月报模板（.xlsx）：区域代码和名称已填好，每个字段一列。"""
    from ruralcore.io import excel
    from ruralcore.rules.programs import load_program

    load_program(program)
    if out.suffix.lower() != ".xlsx":
        raise InputError(Problem(f"模板文件名应以 .xlsx 结尾：{out}"))
    data = excel.template(program, engine=_template_engine(db), level=level)
    _write(out, data)
    typer.echo(f"已生成模板：{out}")


@app.command("export")
def export_cmd(
    program: Program,
    period: Month,
    out: Path = typer.Option(..., "--out", help="输出文件（.xlsx 或 .csv）"),
    db: Db = None,
) -> None:
    """导出某月的月报（与模板格式相同，可直接再导入）。"""
    from ruralcore.io import excel
    from ruralcore.rules.programs import load_program

    load_program(program)
    period = parse_period(period)
    fmt = out.suffix.lower().lstrip(".")
    if fmt not in ("xlsx", "csv"):
        raise InputError(Problem(f"导出文件名应以 .xlsx 或 .csv 结尾：{out}"))
    _write(out, excel.export(open_engine(db), program, period, fmt=fmt))
    typer.echo(f"已导出 {period} 月报：{out}")


@app.command("import")
def import_cmd(
    program: Program,
    file: Path = typer.Argument(..., help="填好的 .xlsx 或 .csv 文件"),
    period: Month = ...,
    user: User = None,
    problems: Path | None = typer.Option(None, "--problems", help="有问题时把全部问题写入这个 .csv 文件（屏幕上只列前 50 处）"),
    db: Db = None,
) -> None:
    """导入月报：逐行校验，有任何错误则列出问题（前 50 处，其余计数）且不写入任何数据。"""
    from ruralcore.io import excel
    from ruralcore.rules.programs import load_program

    load_program(program)
    period = parse_period(period)
    engine = open_engine(db)
    by = author(engine, user)
    try:
        result = excel.import_file(engine, program, file, period, by, progress=_progress)
    except InputError as err:
        if problems is None and len(err.problems) <= PROBLEMS_SHOWN:
            raise
        typer.echo(f"错误：{err}", err=True)
        if problems is not None:
            from ruralcore.kernel.cellsafe import problems_csv
            _write(problems, problems_csv(err.problems))
            typer.echo(f"全部 {len(err.problems):,} 处问题已写入 {problems}", err=True)
        else:
            typer.echo("加 --problems 文件.csv 可导出全部问题。", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"导入完成（{period}，{result['rows']} 个区域，{result['values']} 个数值）："
               f"新增 {result['inserted']}，更新 {result['updated']}，未变 {result['unchanged']}")
