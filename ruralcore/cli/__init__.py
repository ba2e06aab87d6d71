"""The `ruralcore` command. Each group of commands lives in its own module and
registers itself on ``app``; ``main`` turns every user error into a Chinese message
on stderr and exit status 2, never a traceback."""
from __future__ import annotations

import os
import sys

import click
import typer

from ruralcore.kernel.errors import RuralcoreError

from ruralcore.cli.common import app  # the command every group registers on

# Importing the modules registers their commands on ``app``.
from ruralcore.cli import rules, scoring, money, data, demo, circular, admin, acceptance, registers, duban, analytics  # noqa: E402,F401
from ruralcore.cli import usage  # noqa: E402

EXIT_USER_ERROR = 2
# click's exceptions: Typer ≥ 0.20 ships its own copy of click, older versions use click's
_CLICK_ERRORS = tuple({click.ClickException, getattr(typer.exceptions, "TyperException", click.ClickException)})
_EXITS = tuple({click.exceptions.Exit, typer.Exit})
_ABORTS = tuple({click.exceptions.Abort, typer.Abort})


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    cmd, path = None, usage.PROG
    try:
        handled, cmd, path = usage.preflight(app, argv)  # --help, unknown command, misplaced option
        if handled is not None:
            return handled
        rc = app(args=argv, prog_name=usage.PROG, standalone_mode=False)
        return rc if isinstance(rc, int) else 0  # a command's typer.Exit(n) comes back as n
    except usage.UsageProblem as exc:
        typer.echo(exc.render(), err=True)
        return EXIT_USER_ERROR
    except RuralcoreError as exc:
        typer.echo(f"错误：{exc}", err=True)
        return EXIT_USER_ERROR
    except _EXITS as exc:
        return exc.exit_code
    except _ABORTS:
        typer.echo("已取消", err=True)
        return 1
    except _CLICK_ERRORS as exc:  # a usage error click found (missing argument, bad number …)
        typer.echo(usage.describe(exc, cmd, path), err=True)
        return EXIT_USER_ERROR
    except Exception as exc:  # a bug, not the user's fault: no traceback unless asked for
        if os.environ.get("RURALCORE_DEBUG"):
            raise
        typer.echo(f"内部错误（{type(exc).__name__}：{exc}）。这不是您的输入造成的，请把这条信息"
                   "告诉系统管理员；设置环境变量 RURALCORE_DEBUG=1 可看到详细信息。", err=True)
        return 1


def run() -> None:  # console-script entry point
    sys.exit(main())
