"""Commands: responsible (the responsibility register), notices (督办 notices), forecast
(early warning). Same rules and messages as the 落后督办 page; ``--user`` names the
account acting, checked like a signed-in page user (unknown or not allowed: exit 2)."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ruralcore.kernel.errors import InputError, PermissionDenied, Problem
from ruralcore.cli.common import app
from ruralcore.cli.common import AsJson, Db, author, command_group, echo_rows, open_engine, parse_date, parse_int, parse_period
from ruralcore.cli.common import Month, program_arg

responsible_app = command_group("responsible", "责任清单：模板、导入、列表。")
notices_app = command_group("notices", "督办通知：下发、答复、办结、列表、Word。")
Program = program_arg()
Acting = Annotated[str, typer.Option("--user", help="以哪个账户的名义办理（须为已有、启用的账户，按其角色和区域核对权限）")]


def _acting(engine, user: str):
    from ruralcore.auth.scope import is_actor

    who = author(engine, user)
    if not is_actor(who):  # pragma: no cover - command_line_author returns an Actor for a name
        raise PermissionDenied("须用 --user 指明账户")
    return who


def _out(path: str, suffix: str) -> Path:
    p = Path(path)
    if p.suffix.lower() != suffix:
        raise InputError(Problem(f"--out：输出文件“{path}”应以 {suffix} 结尾"))
    if not p.parent.exists():
        raise InputError(Problem(f"--out：输出目录“{p.parent}”不存在"))
    return p


@responsible_app.command("template")
def responsible_template(program: Program,
                         out: str = typer.Option(..., "--out", help="输出的 .xlsx 文件"),
                         db: Db = None) -> None:
    """责任清单模板：每个试点、任务、乡镇、站点一行，已登记的责任人已填好。"""
    from ruralcore.rules.programs import load_program
    from ruralcore.app.responsibility import template

    load_program(program)
    path = _out(out, ".xlsx")
    path.write_bytes(template(open_engine(db), program))
    typer.echo(f"已生成：{path}")


@responsible_app.command("import")
def responsible_import(program: Program,
                       file: Path = typer.Argument(..., help="填好的责任清单 .xlsx"),
                       user: Acting = ...,
                       db: Db = None) -> None:
    """导入责任清单：逐行校验（指明行和列），有错则不写入；写入留痕。"""
    from ruralcore.rules.programs import load_program
    from ruralcore.app.responsibility import import_workbook

    load_program(program)
    if not file.is_file():
        raise InputError(Problem(f"找不到文件“{file}”"))
    engine = open_engine(db)
    n = import_workbook(engine, program, file.read_bytes(), _acting(engine, user))
    typer.echo(f"已导入责任清单 {n} 行")


@responsible_app.command("list")
def responsible_list(program: Program,
                     as_json: AsJson = False,
                     db: Db = None) -> None:
    """责任清单：对象、责任单位、责任领导、条款。"""
    from ruralcore.rules.programs import load_program
    from ruralcore.app.responsibility import register

    load_program(program)
    reg = register(open_engine(db), program)
    echo_rows(as_json, reg, {"subject": "对象代码", "subject_name": "对象名称", "unit": "责任单位", "leader": "责任领导",
                             "post": "职务", "ref": "条款"}, data=reg[["subject", "subject_name", "unit", "leader", "ref"]])


@notices_app.command("issue")
def notices_issue(program: Program,
                  subject: str = typer.Option(..., "--subject", help="督办对象代码（试点、任务、乡镇或站点）"),
                  due_days: str = typer.Option(..., "--due-days", help="答复期限（工作日）"),
                  reason: str = typer.Option(..., "--reason", help="督办事由"),
                  user: Acting = ...,
                  db: Db = None) -> None:
    """下发督办通知；最后一个词是通知编号。"""
    from ruralcore.app import notices as nt
    from ruralcore.rules.programs import load_program

    load_program(program)
    n = parse_int(due_days, "--due-days", 1, nt.MAX_DUE_DAYS)
    engine = open_engine(db)
    made = nt.issue(engine, program, subject, n, reason, _acting(engine, user), items=_items(engine, program, subject))
    typer.echo(f"已下发督办通知，致{made['unit']}（{made['leader']}），请于{made['due'].isoformat()}前答复。"
               f"编号 {made['number']}")


def _items(engine, program: str, subject: str) -> list[dict]:
    """A pilot's items behind today (忻州); other subjects: none."""
    from ruralcore.app import supervision as sv
    from ruralcore.app.milestone_records import today_china
    from ruralcore.rules.programs import load_program

    prog = load_program(program)
    try:
        data = sv.load_pilot_data(engine, prog)
    except Exception:  # a programme without pilots
        return []
    if subject not in data.pilots.index or not data.periods:
        return []
    rows = sv.supervise(data, data.periods[-1], today_china())["behind"]
    rows = rows[rows["pilot"] == subject]
    return [{"what": w, "due": str(d), "ref": r} for w, d, r in zip(rows["what"], rows["due"], rows["ref"])]


@notices_app.command("reply")
def notices_reply(number: str = typer.Argument(..., help="通知编号"),
                  text: str = typer.Option(..., "--text", help="整改措施"),
                  user: Acting = ...,
                  expected: str | None = typer.Option(None, "--expected", help="预计完成日期 YYYY-MM-DD"),
                  attachments: str = typer.Option("", "--attachments", help="附件名称"),
                  db: Db = None) -> None:
    """答复督办通知（被督办的单位）。"""
    from ruralcore.app import notices as nt

    exp = parse_date(expected, "预计完成日期") if expected else None
    engine = open_engine(db)
    made = nt.reply(engine, number, text, _acting(engine, user), expected_on=exp, attachments=attachments)
    typer.echo(f"已答复：{made['number']}（{made['state_label']}）")


@notices_app.command("close")
def notices_close(number: str = typer.Argument(..., help="通知编号"),
                  user: Acting = ...,
                  db: Db = None) -> None:
    """办结督办通知（下发的一方）。"""
    from ruralcore.app import notices as nt

    engine = open_engine(db)
    made = nt.close(engine, number, _acting(engine, user))
    typer.echo(f"已办结：{made['number']}")


@notices_app.command("list")
def notices_list(program: Program,
                 as_of: str | None = typer.Option(None, "--as-of", help="按哪天计算状态和剩余工作日 YYYY-MM-DD（默认今天）"),
                 as_json: AsJson = False,
                 db: Db = None) -> None:
    """督办通知列表：编号、对象、责任单位、状态、答复期限、剩余工作日。"""
    from ruralcore.app import notices as nt
    from ruralcore.rules.programs import load_program

    load_program(program)
    day = parse_date(as_of, "--as-of") if as_of else None
    frame = nt.list_notices(open_engine(db), program, day)
    frame["days"] = [nt.days_text(s, d) for s, d in zip(frame["state"], frame["days_left"])]
    echo_rows(as_json, frame, {"number": "编号", "subject_name": "督办对象", "unit": "责任单位", "state_label": "状态",
                               "due": "答复期限", "days": "剩余"},
              data=frame[["number", "subject", "unit", "state", "due", "days_left"]])


@notices_app.command("docx")
def notices_docx(number: str = typer.Argument(..., help="通知编号"),
                 out: str = typer.Option(..., "--out", help="输出的 .docx 文件"),
                 db: Db = None) -> None:
    """督办通知（Word，公文格式）。"""
    from ruralcore.app import notices as nt

    path = _out(out, ".docx")
    from ruralcore.app.notice_docs import to_docx

    path.write_bytes(to_docx(nt.get(open_engine(db), number)))
    typer.echo(f"已生成：{path}")


@app.command("forecast")
def forecast_cmd(program: Program,
                 period: Month,
                 as_json: AsJson = False,
                 db: Db = None) -> None:
    """预警：按最近几个月的趋势预测每个区域每个有期限的目标到期时能否完成。"""
    from ruralcore.app import forecast as fc
    from ruralcore.rules.programs import load_program

    prog = load_program(program)
    period = parse_period(period)
    out = fc.from_store(open_engine(db), prog, period)
    out["on_track"] = out["on_track"].astype(bool)
    echo_rows(as_json, out, {"region_name": "区域", "target_name": "目标", "value": "本月值", "deadline": "期限",
                             "projected": "预计到期值", "verdict": "预警", "needed_per_month": "每月还需增加"},
              data=out[["region", "target", "value", "deadline", "projected", "on_track", "needed_per_month"]])
