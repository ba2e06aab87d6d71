"""The `ruralcore` command. Each group of commands lives in its own module and
registers itself on ``app``; ``main`` turns every user error into a Chinese message
on stderr and exit status 2, never a traceback."""
from __future__ import annotations

import os
import sys

import click
import typer

from ..errors import RuralcoreError

app = typer.Typer(
    name="ruralcore",
    help="数字乡村建设：文件规则、计分、工作日、资金与数据。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Importing the modules registers their commands on ``app``.
from . import rules, scoring, money, data, demo, circular, admin, acceptance  # noqa: E402,F401

EXIT_USER_ERROR = 2


def main(argv: list[str] | None = None) -> int:
    try:
        app(args=argv, prog_name="ruralcore", standalone_mode=False)
        return 0
    except RuralcoreError as exc:
        typer.echo(f"错误：{exc}", err=True)
        return EXIT_USER_ERROR
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.exceptions.Abort:
        typer.echo("已取消", err=True)
        return 1
    except click.ClickException as exc:
        typer.echo(f"错误：{_zh_usage(exc)}", err=True)
        return EXIT_USER_ERROR
    except Exception as exc:  # a bug, not the user's fault: no traceback unless asked for
        if os.environ.get("RURALCORE_DEBUG"):
            raise
        typer.echo(f"内部错误（{type(exc).__name__}：{exc}）。这不是您的输入造成的，请把这条信息"
                   "告诉系统管理员；设置环境变量 RURALCORE_DEBUG=1 可看到详细信息。", err=True)
        return 1


def _zh_usage(exc: click.ClickException) -> str:
    msg = exc.format_message()
    for en, zh in {
        "Missing argument": "缺少参数", "Missing option": "缺少选项",
        "No such option": "没有这个选项", "No such command": "没有这个命令",
        "Invalid value for": "取值无效：", "Got unexpected extra argument": "多余的参数",
    }.items():
        msg = msg.replace(en, zh)
    return msg + "（用 --help 查看用法）"


def run() -> None:  # console-script entry point
    sys.exit(main())
