"""Shared helpers of the command line: argument parsing with Chinese messages, output."""
from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any

import pandas as pd
import typer

from ruralcore.kernel.errors import InputError, Problem
from ruralcore.kernel.limits import check_year

# The `ruralcore` command: each module of this package registers its group on it.
app = typer.Typer(
    name="ruralcore",
    help="数字乡村建设：文件规则、计分、工作日、资金与数据。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def parse_date(text: str, what: str = "日期") -> dt.date:
    try:
        d = dt.date.fromisoformat(text.strip())
    except (ValueError, AttributeError):
        raise InputError(Problem(f"{what}“{text}”格式不对，应为 YYYY-MM-DD，例如 2019-09-27")) from None
    check_year(d.year, what, text)  # 9999-12-31 would overflow date arithmetic
    return d


def parse_period(text: str) -> str:
    from ruralcore.io.excel.layout import parse_period as parse

    try:
        return parse(text)
    except InputError as e:  # the command line names no column
        raise InputError(Problem(e.problems[0].message)) from None


def parse_int(text: str, what: str, low: int = 0, high: int | None = None) -> int:
    """A whole number typed on the command line, within [low, high]."""
    try:
        n = int(str(text).strip())
    except ValueError:
        n = None
    if n is None or n < low or (high is not None and n > high):
        rng = f"{low}–{high} 之间的整数" if high is not None else f"不小于 {low} 的整数"
        raise InputError(Problem(f"{what}“{text}”无效，应为{rng}"))
    return n


def to_jsonable(obj: Any) -> Any:
    if isinstance(obj, pd.DataFrame):
        return [to_jsonable(r) for r in obj.to_dict(orient="records")]
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, (dt.date, dt.datetime)):
        return obj.isoformat()
    if isinstance(obj, pd.Timestamp):
        return obj.date().isoformat()
    if hasattr(obj, "item") and not isinstance(obj, (str, bytes)):
        try:
            obj = obj.item()
        except (ValueError, AttributeError):
            pass
    if isinstance(obj, float) and obj != obj:  # NaN
        return None
    if obj is pd.NA or obj is pd.NaT:
        return None
    from decimal import Decimal
    if isinstance(obj, Decimal):
        return int(obj) if obj == obj.to_integral_value() else str(obj)
    return obj


def echo_json(obj: Any) -> None:
    typer.echo(json.dumps(to_jsonable(obj), ensure_ascii=False, indent=2))


def echo_table(df: pd.DataFrame, headers: dict[str, str] | None = None, title: str | None = None) -> None:
    """A plain aligned table with Chinese headers (East Asian wide characters count double)."""
    if title:
        typer.echo(title)
    if headers:
        df = df[[c for c in headers if c in df.columns]].rename(columns=headers)
    if df.empty:
        typer.echo("（无）")
        return
    cells = [[str(c) for c in df.columns]] + [["" if _isna(v) else _fmt(v) for v in row] for row in df.itertuples(index=False)]
    widths = [max(_w(r[i]) for r in cells) for i in range(len(df.columns))]
    for j, row in enumerate(cells):
        typer.echo("  ".join(v + " " * (widths[i] - _w(v)) for i, v in enumerate(row)).rstrip())
        if j == 0:
            typer.echo("  ".join("-" * w for w in widths))


def _isna(v) -> bool:
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def _fmt(v) -> str:
    if isinstance(v, float):
        return f"{v:,.2f}".rstrip("0").rstrip(".") if v != int(v) else f"{int(v):,}"
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, (list, tuple)):
        return "、".join(map(str, v))
    return str(v)


def _w(s: str) -> int:
    import unicodedata
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


DB_HELP = "数据库地址（默认取环境变量 DATABASE_URL，否则 data/ruralcore.db）"
USER_HELP = ("以哪个账户的名义写入（记入审计日志）：须为已有、启用的账户，并像在页面上一样核对其角色和区域；"
             "不写则记为“系统（命令行，操作系统用户 …）”")


def command_group(name: str, help: str, **settings) -> typer.Typer:
    """A group of commands, ``ruralcore NAME …`` (no arguments: its help)."""
    group = typer.Typer(help=help, no_args_is_help=True, **settings)
    app.add_typer(group, name=name)
    return group


def open_engine(db: str | None):
    """The store for ``--db`` (else DATABASE_URL, else the default SQLite file); a bad or
    unreachable address is a Chinese RuralcoreError from the store."""
    from ruralcore.store import db as store_db
    return store_db.get_engine(db or None)


def author(engine, user: str | None):
    """The principal ``--user`` names on ``engine`` (an enabled account, checked like a page's
    user); no name: the system, as the operating-system user (accounts.command_line_author)."""
    from ruralcore.auth.accounts import command_line_author
    return command_line_author(engine, user)


# The options most commands share, declared once (typer reads them from the annotation):
# ``as_json: AsJson = False``, ``db: Db = None``, ``user: User`` (required) or ``user: User = None``.
AsJson = Annotated[bool, typer.Option("--json", help="输出 JSON")]
Db = Annotated[str | None, typer.Option("--db", help=DB_HELP)]
User = Annotated[str | None, typer.Option("--user", help=USER_HELP)]
# and the options several registers share: ``period: Month``, ``measures: Measures = ""``,
# ``on: day_option("会商日期")`` (a required date, read with parse_date), a region
# ``county: place_option("--county", "报告的试点县（区）")``.
Month = Annotated[str, typer.Option("--period", help="月份 YYYY-MM")]
Measures = Annotated[str, typer.Option("--measures", help="采取的措施")]


def picked(record: Any, *fields: str | tuple[str, str]) -> dict[str, Any]:
    """A written record's fields for ``echo_done``: a name, or (json key, attribute)."""
    pairs = [f if isinstance(f, tuple) else (f, f) for f in fields]
    return {key: getattr(record, attr) for key, attr in pairs}


def day_option(word: str) -> Any:
    return Annotated[str, typer.Option("--on", help=f"{word} YYYY-MM-DD")]


def place_option(flag: str, word: str) -> Any:
    """A required region option; the domain accepts its name or its code."""
    return Annotated[str, typer.Option(flag, help=f"{word}：名称或区域代码")]


def program_arg(example: str | None = None, word: str = "方案编号") -> Any:
    """The PROGRAM argument as an annotation, its help naming an example: ``program: program_arg("huayuan-2019")``
    reads 方案编号，如 huayuan-2019."""
    return Annotated[str, typer.Argument(help=f"{word}，如 {example}" if example else word)]


def echo_rows(as_json: bool, rows: pd.DataFrame, headers: dict[str, str] | None, title: str | None = None,
              data: Any = None) -> bool:
    """A listing: with --json ``data`` (default ``rows``), otherwise ``rows`` as a table with the
    Chinese ``headers``. True when the table was printed, so the caller can add lines below it."""
    if as_json:
        echo_json(rows if data is None else data)
        return False
    echo_table(rows, headers, title=title)
    return True


def echo_done(as_json: bool, result: Any, message: str) -> None:
    """What a command wrote: ``result`` with --json, otherwise the one-line Chinese ``message``."""
    if as_json:
        echo_json(result)
    else:
        typer.echo(message)
