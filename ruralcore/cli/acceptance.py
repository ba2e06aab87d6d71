"""`ruralcore acceptance …`: a programme's acceptance cases with their deadlines, the
checklist of a case, and its record as .docx. The same functions as the 试点验收 pages.

`--db URL` overrides DATABASE_URL. Bad input exits with status 2 and a Chinese message."""
from __future__ import annotations

from pathlib import Path

import typer

from ruralcore.rules.acceptance import STATE_NAMES
from ruralcore.cli.common import AsJson, Db, command_group, echo_rows, open_engine, parse_date, parse_int, program_arg

acceptance_app = command_group("acceptance", "试点验收：案件、检查表、验收记录。")
Program = program_arg("rongshui-2019", "方案代码")


@acceptance_app.command("cases")
def cases_cmd(
    program: Program,
    as_of: str = typer.Option(..., "--as-of", help="计算期限的日期 YYYY-MM-DD"),
    county: str | None = typer.Option(None, "--county", help="县级区域代码"),
    state: str | None = typer.Option(None, "--state", help="状态：" + "、".join(f"{k}（{v}）" for k, v in STATE_NAMES.items())),
    as_json: AsJson = False,
    db: Db = None,
) -> None:
    """验收案件：当前环节、期限（官方工作日）、剩余或逾期工作日，逾期在前。"""
    from ruralcore.app import cases
    from ruralcore.rules.programs import load_program

    prog = load_program(program)
    listing = cases.list_cases(open_engine(db), prog, parse_date(as_of, "计算期限的日期"), county=county, state=state)
    cols = ["case", "subject", "subject_name", "county_name", "state", "state_name", "step", "step_name", "due",
            "workdays_left", "overdue"]
    shown = echo_rows(as_json, listing, {"case": "案件", "subject_name": "验收对象", "subject": "编号", "county_name": "县",
                                         "state_name": "状态", "step_name": "当前环节", "due": "期限",
                                         "workdays_left": "剩余工作日", "overdue": "逾期"},
                      title=f"{prog.meta.short_title}：验收案件（截至 {as_of}）", data=listing[cols])
    if shown and cases.has_limits(prog):
        from ruralcore.rules.acceptance import limits_text
        typer.echo(f"各环节时限：{limits_text(prog)}")


@acceptance_app.command("checklist")
def checklist_cmd(
    case_id: str = typer.Argument(..., help="案件编号（ruralcore acceptance cases 所列）"),
    as_json: AsJson = False,
    db: Db = None,
) -> None:
    """一个案件的检查表：每项要求、检查情况、结果与依据条款（已检查的取记录的结果）。"""
    from ruralcore.app import cases, checklists

    case_id = parse_int(case_id, "案件编号", low=1)
    eng = open_engine(db)
    cl = cases.recorded_checklist(eng, cases.get_case(eng, case_id))
    if not echo_rows(as_json, checklists.display(cl), None, title=f"案件{case_id}：检查表", data=cl):
        return
    fails = checklists.failures(cl)
    typer.echo(f"不合格必备项：{len(fails)}项" + ("" if fails.empty else "：" + "；".join(
        fails["name"] + "（" + fails["ref"] + "）")))


@acceptance_app.command("record")
def record_cmd(
    case_id: str = typer.Argument(..., help="案件编号（ruralcore acceptance cases 所列）"),
    out: Path = typer.Option(..., "--out", help="输出的 .docx 文件"),
    db: Db = None,
) -> None:
    """生成验收记录（Word .docx）。"""
    from ruralcore.app import cases, records
    from ruralcore.kernel.errors import InputError, Problem
    from ruralcore.rules.programs import load_program

    if out.suffix.lower() != ".docx":
        raise InputError(Problem(f"验收记录文件名应以 .docx 结尾：{out}", column="--out"))
    case_id = parse_int(case_id, "案件编号", low=1)
    eng = open_engine(db)
    case = cases.get_case(eng, case_id)
    if not case["inspected_on"]:
        raise InputError(Problem(f"案件{case_id}尚未检查，没有验收记录", column="案件编号"))
    blob = records.acceptance_record(load_program(case["program"]), case, cases.recorded_checklist(eng, case))
    out.write_bytes(blob)
    typer.echo(f"已生成验收记录：{out}")
