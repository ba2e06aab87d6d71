"""The command line's own help and usage errors, in Chinese.

Typer/click print English help (“Usage:”, “Options”, “Show this message and exit.”) and
English usage errors. ``preflight`` reads the words of a command line before click does:
it finds the (sub)command, prints its help for ``--help``/``-h`` and refuses an unknown
command or an option placed before the subcommand. ``describe`` turns the usage errors
click still raises (a missing argument, an unknown option, a bad number) into a Chinese
message. Both only read the click command objects (names, metavars, help texts).
"""
from __future__ import annotations

import re
import unicodedata

import typer

EXIT_USAGE = 2
HELP_FLAGS = ("--help", "-h")
PROG = "ruralcore"


class UsageProblem(Exception):
    """A command line that cannot be run; the message is Chinese, the exit status 2."""

    def __init__(self, message: str, command=None, path: str = PROG):
        self.command, self.path = command, path
        super().__init__(message)

    def render(self) -> str:
        tail = f"\n{usage_line(self.command, self.path)}" if self.command is not None else ""
        return f"错误：{self}{tail}\n用 {self.path} --help 查看完整说明。"


def root_command(app: typer.Typer):
    return typer.main.get_command(app)


def _is_group(cmd) -> bool:
    return hasattr(cmd, "commands")


def _subcommands(group) -> dict:
    return dict(sorted(group.commands.items()))


def preflight(app: typer.Typer, argv: list[str]):
    """Help or a usage refusal before click runs. Returns (exit status or None, command,
    path): a status when the line was handled here (help printed: 0), None when click
    should run it; the command found, so click's own errors can show its usage."""
    cmd, path, i = root_command(app), PROG, 0
    while _is_group(cmd):
        if i >= len(argv):  # a group without its subcommand: show what it offers
            typer.echo(render_help(cmd, path))
            return (0 if path == PROG else EXIT_USAGE), cmd, path
        word = argv[i]
        if word in HELP_FLAGS:
            typer.echo(render_help(cmd, path))
            return 0, cmd, path
        if word.startswith("-"):
            raise UsageProblem(_option_before_command(cmd, path, word, argv[i + 1:]), cmd, path)
        sub = cmd.commands.get(word)
        default = getattr(cmd, "default_command", None)
        if sub is None and default:  # `ruralcore funds PROGRAM`: the group's default subcommand
            cmd = cmd.commands[default]
            continue
        if sub is None:
            raise UsageProblem(f"没有命令“{word}”。{path} 的子命令有：{'、'.join(_subcommands(cmd))}", cmd, path)
        cmd, path, i = sub, f"{path} {word}", i + 1
    rest = argv[i:]
    if "--" in rest:
        rest = rest[:rest.index("--")]
    if any(w in HELP_FLAGS for w in rest):
        typer.echo(render_help(cmd, path))
        return 0, cmd, path
    return None, cmd, path


def _option_before_command(group, path: str, word: str, after: list[str]) -> str:
    name = word.split("=", 1)[0]
    owners = [n for n, c in _walk(group) if any(name in p.opts for p in c.params)]
    if owners:
        meant = next((w for w in after if not w.startswith("-") and w in group.commands), None)
        if meant and not any(n.split()[0] == meant for n in owners):
            return f"{path} {meant} 没有选项“{name}”"
        example = next((n for n in owners if meant and n.split()[0] == meant), owners[0])
        return (f"选项“{name}”应写在子命令之后，例如：{path} {example} … {name} …"
                f"（{path} 后面先写子命令）")
    return f"没有选项“{name}”；{path} 后面应先写子命令：{'、'.join(_subcommands(group))}"


def _walk(group, prefix: str = ""):
    for name, c in _subcommands(group).items():
        full = f"{prefix}{name}"
        if _is_group(c):
            yield from _walk(c, full + " ")
        else:
            yield full, c


# ---- help ---------------------------------------------------------------------------------

# what a value is called in usage lines, by parameter name (one vocabulary for every command)
LABELS = {
    "program": "方案", "file": "文件", "values": "文件", "problems": "文件", "out": "文件", "period": "月份", "db": "地址",
    "user": "用户名", "username": "用户名", "auditor": "用户名", "as_of": "日期", "issued": "日期",
    "date": "日期", "start": "开始日期", "end": "结束日期", "n": "N", "county": "县", "type_": "类型",
    "seq": "顺序号", "scale": "规模", "case_id": "案件编号", "state": "状态", "role": "角色",
    "region": "区域代码", "name": "名称", "level": "层级", "doc_number": "文号",
}


def _label(param) -> str:
    """How a parameter is written in usage: an argument by its Chinese name, an option by
    its name and what its value is."""
    value = param.metavar if param.metavar and not param.metavar.isascii() else LABELS.get(param.name, "值")
    if param.param_type_name == "argument":
        return value
    name = max(param.opts, key=len)
    if getattr(param, "is_flag", False):
        return name
    return f"{name} {value}"


def usage_line(cmd, path: str) -> str:
    if _is_group(cmd):
        return f"用法：{path} 子命令 [参数与选项]"
    parts = [path]
    for p in cmd.params:
        if p.param_type_name == "argument":
            parts.append(_label(p))
    for p in cmd.params:
        if p.param_type_name == "option" and p.required:
            parts.append(_label(p))
    if any(p.param_type_name == "option" and not p.required for p in cmd.params):
        parts.append("[选项]")
    return "用法：" + " ".join(parts)


def _width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def _rows(rows: list[tuple[str, str]]) -> list[str]:
    w = max((_width(a) for a, _ in rows), default=0)
    return [f"  {a}{' ' * (w - _width(a))}  {b}".rstrip() for a, b in rows]


def _param_help(p) -> str:
    text = (p.help or "").strip()
    notes = []
    if p.required:
        notes.append("必填")
    default = p.default
    if (not p.required and p.param_type_name == "option" and not getattr(p, "is_flag", False)
            and default not in (None, "", False) and not callable(default)):
        notes.append(f"默认：{default}")
    return text + (f"（{'，'.join(notes)}）" if notes else "")


def _first_paragraph(text: str | None) -> str:
    return " ".join((text or "").strip().split("\n\n")[0].split())


def render_help(cmd, path: str) -> str:
    out = [usage_line(cmd, path), ""]
    if cmd.help:
        out += [p.strip() for p in cmd.help.strip().split("\n\n")] + [""]
    if _is_group(cmd):
        out.append("子命令：")
        out += _rows([(n, _first_paragraph(c.help)) for n, c in _subcommands(cmd).items()])
        out += ["", f"查看某个子命令的用法：{path} 子命令 --help"]
        if path == PROG:
            out += ["出错时输出中文说明，状态码 2；数据库地址用子命令的 --db 选项或环境变量 DATABASE_URL。"]
        return "\n".join(out)
    args = [p for p in cmd.params if p.param_type_name == "argument"]
    opts = [p for p in cmd.params if p.param_type_name == "option"]
    if args:
        out.append("参数：")
        out += _rows([(_label(p), _param_help(p)) for p in args])
        out.append("")
    out.append("选项：")
    out += _rows([(_label(p), _param_help(p)) for p in opts] + [("--help, -h", "显示本说明")])
    return "\n".join(out)


# ---- usage errors raised by click ----------------------------------------------------------

def _kind(exc) -> set[str]:
    return {k.__name__ for k in type(exc).__mro__}


def describe(exc, cmd=None, path: str = PROG) -> str:
    """A Chinese message, usage line and hint for a click usage error (exit status 2);
    ``cmd`` and ``path`` (from preflight) when the error does not carry its context."""
    ctx = getattr(exc, "ctx", None)
    if ctx is not None:
        cmd, path = ctx.command, ctx.command_path
    kinds = _kind(exc)
    param = getattr(exc, "param", None)
    if "NoArgsIsHelpError" in kinds and cmd is not None:
        return render_help(cmd, path)
    if "MissingParameter" in kinds:
        msg = f"缺少{'参数' if param is not None and param.param_type_name == 'argument' else '选项'}"
        if param is not None:
            msg += f"“{_label(param)}”" + (f"（{param.help}）" if param.help else "")
    elif "NoSuchOption" in kinds:
        name = exc.option_name
        if name[1:].replace(".", "", 1).isdigit():
            msg = f"“{name}”不能是负数"
        else:
            msg = f"没有选项“{name}”"
            if getattr(exc, "possibilities", None):
                msg += f"，是否想用 {'、'.join(sorted(exc.possibilities))}？"
    elif "BadOptionUsage" in kinds:
        name = exc.option_name
        if "requires" in exc.message or "argument" in exc.message:
            msg = f"选项“{name}”后面缺少取值"
        elif "does not take" in exc.message:
            msg = f"选项“{name}”不带取值"
        else:
            msg = f"选项“{name}”的用法不对"
    elif "BadParameter" in kinds:
        msg = _bad_value(exc, param)
    elif "extra argument" in getattr(exc, "message", ""):
        m = re.search(r"\((.*)\)\s*$", exc.message)
        msg = f"多余的参数“{m.group(1) if m else ''}”"
    elif "No such command" in getattr(exc, "message", ""):
        name = exc.message.split("'")[1] if "'" in exc.message else ""
        msg = f"没有命令“{name}”"
    else:
        msg = "命令行的写法不对"
    return UsageProblem(msg, cmd, path).render()


def _bad_value(exc, param) -> str:
    """Every parameter of ours is text parsed by the command itself (with its own Chinese
    message); this only catches what click refuses before that."""
    return f"“{_label(param)}”的取值无效" if param is not None else "取值无效"
