"""Commands for the records the documents ask their offices to keep:
`ruralcore stations assign|list|retire` (融水 附件2 station number register),
`ruralcore awards propose|approve|list` (花垣 award approval and plaque register),
`ruralcore meetings add|list` (谭家场 每月会商), `ruralcore events report|list` (忻州 重要情况报告),
`ruralcore trainees add|list` (银川 学员档案), `ruralcore officers assess|list` (融水 信息员考核).

`--db URL` overrides DATABASE_URL. Bad input exits with status 2 and a Chinese message,
nothing written."""
from __future__ import annotations

from typing import Annotated

import typer

from ruralcore.cli.common import AsJson, Db, Measures, User, author, day_option, command_group, echo_done, echo_rows, open_engine, parse_int, picked, place_option, program_arg

Rongshui = program_arg("rongshui-2019")
Huayuan = program_arg("huayuan-2019")
Tanjiachang = program_arg("tanjiachang-2023")
Xinzhou = program_arg("xinzhou-2023")
Yinchuan = program_arg("yinchuan-2017")

stations_app = command_group("stations", "益农信息社编号登记（融水附件2）：分配、登记、撤销。")

TYPE_HELP = "站点类型：standard（标准站）、professional（专业站）、simple（简易站）"


@stations_app.command("assign")
def stations_assign(
    program: Rongshui,
    township: str = typer.Option(..., "--township", help="乡镇名称（如 融水镇）或区域代码"),
    type_: str = typer.Option(..., "--type", help=TYPE_HELP),
    user: User = ...,
    village: str = typer.Option("", "--village", help="站点所在行政村（可不填）"),
    number: str | None = typer.Option(None, "--number", help="登记已有的编号（不填则分配下一个空闲编号）"),
    as_json: AsJson = False,
    db: Db = None,
) -> None:
    """分配下一个空闲编号并登记；超过附件1该乡镇该类任务数、重复或已撤销的编号拒绝（状态码 2）。"""
    from ruralcore.app.station_register import assign

    eng = open_engine(db)
    row = assign(eng, program, township, type_, author(eng, user), village=village, number=number)
    echo_done(as_json, row, f"已登记：{row['number']}（{row['township']}，{_type_name(row['type'])}）")


def _type_name(t: str) -> str:
    from ruralcore.rules.stations import TYPE_NAMES
    return TYPE_NAMES.get(t, t)


@stations_app.command("list")
def stations_list(program: Rongshui, as_json: AsJson = False, db: Db = None) -> None:
    """站点编号登记簿：编号、乡镇、类型、所在村、状态。"""
    from ruralcore.rules.programs import load_program
    from ruralcore.app.station_register import register

    reg = register(open_engine(db), program)
    if echo_rows(as_json, reg, {"number": "编号", "township": "乡镇", "type_name": "类型", "village": "所在村",
                                "state_name": "状态"}, title=f"【{load_program(program).meta.short_title} 站点编号登记】",
                 data=reg[["number", "township", "type", "village", "state", "version"]]):
        typer.echo(f"共{len(reg)}个编号。")


@stations_app.command("retire")
def stations_retire(
    program: Rongshui,
    number: str = typer.Argument(..., help="要撤销的编号，如“桂BRS0001B”"),
    version: str = typer.Option(..., "--version", help="读取时的版本号（见 stations list --json 输出）"),
    user: User = ...,
    db: Db = None,
) -> None:
    """撤销一个编号：不再计入附件1任务数，也不再分配。"""
    from ruralcore.app.station_register import retire

    eng = open_engine(db)
    retire(eng, program, number, author(eng, user), parse_int(version, "版本号", low=1))
    typer.echo(f"已撤销：{number}")


# ---- 花垣 award list approval and plaque register -------------------------------------------

awards_app = command_group("awards", "评选审定与授牌登记（花垣三(二)、四(二)、四(三)、五(一)）。")
ScoredPeriod = Annotated[str, typer.Option("--period", help="依据哪个月的计分 YYYY-MM")]
Batch = Annotated[str | None, typer.Option("--batch", help="授牌批次：第一批、总结表彰（不填按月份取下一次授牌会议）")]


@awards_app.command("propose")
def awards_propose(program: Huayuan, period: ScoredPeriod, batch: Batch = None, as_json: AsJson = False,
                   db: Db = None) -> None:
    """按月计分提出本批达标、优秀候选村（得分、名次，并列同名次）。"""
    from ruralcore.app import awards as aw
    from ruralcore.cli.common import parse_period

    prop = aw.propose(open_engine(db), program, parse_period(period), batch)
    b = prop.attrs["batch"]
    cand = prop[prop["proposed"] != ""]
    shown = cand.assign(score=cand["score"].round(2), proposed=cand["proposed"].map(aw.AWARD_NAMES))
    if echo_rows(as_json, shown, {"rank_label": "名次", "name": "村（社区）", "township_name": "乡镇", "score": "得分",
                                  "proposed": "提议等次"}, title=f"【{b['name']}提议名单】依据 {period} 计分（{b['ref']}）",
                 data=cand.assign(batch=b["code"], batch_name=b["name"])[
                     ["region", "name", "township_name", "score", "rank", "proposed", "batch", "batch_name"]]):
        typer.echo(f"共{len(cand)}个村；{b['meeting']}（{b['due']}）授牌。")


@awards_app.command("approve")
def awards_approve(
    program: Huayuan,
    period: ScoredPeriod,
    user: User = ...,
    batch: Batch = None,
    changes: str | None = typer.Option(None, "--changes", help="对提议名单的调整（.csv 文件，列：村、等次、理由；每项须写理由）"),
    meeting: str | None = typer.Option(None, "--meeting", help="审定会议（不填为该批次的会议）"),
    on: str | None = typer.Option(None, "--on", help="审定日期 YYYY-MM-DD（不填为今天）"),
    as_json: AsJson = False,
    db: Db = None,
) -> None:
    """领导小组审定授牌名单（评选结果把关）：记录审定人、日期、会议和名单，调整须写理由。"""
    from ruralcore.app import awards as aw
    from ruralcore.cli.common import parse_date, parse_period

    eng = open_engine(db)
    ch = aw.read_changes(changes) if changes else None
    res = aw.approve(eng, program, parse_period(period), author(eng, user), changes=ch, batch=batch,
                     meeting=meeting, approved_on=parse_date(on, "审定日期") if on else None)
    echo_done(as_json, res, f"已审定{res['batch_name']}名单：{res['awarded']}个村授牌，调整{res['changed']}处；"
                            f"{res['approved_by']}，{res['approved_on']}，{res['meeting']}")


@awards_app.command("list")
def awards_list(
    program: Huayuan,
    as_json: AsJson = False,
    docx_out: str | None = typer.Option(None, "--docx", help="另存为 Word 授牌名单（.docx）"),
    db: Db = None,
) -> None:
    """授牌登记：按批次列出审定的村、等次、牌匾和授牌日期。"""
    from pathlib import Path

    from ruralcore.app import awards as aw
    from ruralcore.kernel.errors import InputError, Problem

    eng = open_engine(db)
    reg = aw.register(eng, program)
    if docx_out:
        if not docx_out.lower().endswith(".docx"):
            raise InputError(Problem(f"文件名应以 .docx 结尾：{docx_out}", column="--docx"))
        Path(docx_out).write_bytes(aw.register_docx(eng, program))
    shown = echo_rows(as_json, reg, {"batch_name": "批次", "region_name": "村（社区）", "township_name": "乡镇",
                                     "award_label": "等次", "plaque": "牌匾", "plaque_on": "授牌日期", "reason": "调整理由",
                                     "approved_by": "审定人", "approved_on": "审定日期"}, title="【授牌登记】",
                      data=reg[["region", "region_name", "award", "batch", "batch_name", "plaque", "plaque_on",
                                "reason", "approved_by", "approved_on"]])
    if shown and docx_out:
        typer.echo(f"已生成：{docx_out}")


# ---- 谭家场 monthly consultation records ----------------------------------------------------

meetings_app = command_group("meetings", "每月会商记录（谭家场三(四)9：防止返贫监测每月会商数据共享）。")


@meetings_app.command("add")
def meetings_add(
    program: Tanjiachang,
    on: day_option("会商日期"),
    chair: str = typer.Option(..., "--chair", help="牵头单位，如 乡乡村振兴办"),
    attendees: str = typer.Option(..., "--attendees", help="参加单位，用“、”分隔"),
    user: User = ...,
    households: str = typer.Option("", "--households", help="研判的农户（一户一档编号，用逗号分隔）"),
    measures: Measures = "",
    follow_up: str = typer.Option("", "--follow-up", help="跟进事项"),
    as_json: AsJson = False,
    db: Db = None,
) -> None:
    """记录一次每月会商。"""
    from ruralcore.app import meetings
    from ruralcore.cli.common import parse_date

    eng = open_engine(db)
    rec = meetings.add(eng, program, parse_date(on, "会商日期"), chair, attendees, households.split(","), measures,
                       follow_up, author(eng, user))
    echo_done(as_json, picked(rec, "id", "held_on", "chair", "attendees", "households", "version"),
              f"已记录会商：{rec.held_on.isoformat()}，{rec.chair}牵头，参加单位：{rec.attendees}")


@meetings_app.command("list")
def meetings_list(program: Tanjiachang, as_json: AsJson = False, db: Db = None) -> None:
    """会商记录（最新在前），研判农户只显示户主姓名和编号。"""
    from ruralcore.app import meetings

    rec = meetings.records(open_engine(db), program)
    echo_rows(as_json, rec, {"held_on": "会商日期", "chair": "牵头单位", "attendees": "参加单位", "household_names": "研判农户",
                             "measures": "措施", "follow_up": "跟进", "recorded_by": "记录人"}, title="【每月会商记录】",
              data=rec[["id", "held_on", "chair", "attendees", "households", "household_names", "measures",
                        "follow_up", "recorded_by", "version"]])


# ---- 忻州 important-matter reports ----------------------------------------------------------

events_app = command_group("events", "重要情况报告（忻州四(五)：重要情况随时报告）。")


@events_app.command("report")
def events_report(
    program: Xinzhou,
    what: str = typer.Option(..., "--what", help="发生了什么"),
    county: place_option("--county", "报告的试点县（区）") = ...,
    on: day_option("发生日期") = ...,
    user: User = ...,
    impact: str = typer.Option("", "--impact", help="影响"),
    measures: Measures = "",
    as_json: AsJson = False,
    db: Db = None,
) -> None:
    """报告一项重要情况（市级督导在“重要情况报告”页先看到未读的）。"""
    from ruralcore.app import events
    from ruralcore.cli.common import parse_date

    eng = open_engine(db)
    rec = events.report(eng, program, county, what, parse_date(on, "发生日期"), impact, measures, author(eng, user))
    echo_done(as_json, picked(rec, "id", ("county", "region"), "title", "happened_on", "reported_by", "reported_at"),
              f"已报告：{rec.title}（{rec.happened_on.isoformat()}）")


@events_app.command("list")
def events_list(program: Xinzhou, as_json: AsJson = False, db: Db = None) -> None:
    """重要情况报告：未读在前，其次最新在前。"""
    from ruralcore.app import events

    rep = events.reports(open_engine(db), program)
    echo_rows(as_json, rep.assign(read=rep["read"].map({True: "已读", False: "未读"})),
              {"read": "状态", "county_name": "县（区）", "title": "事项", "happened_on": "发生日期", "impact": "影响",
               "measures": "措施", "reported_by": "报告人", "read_by": "阅读人"}, title="【重要情况报告】", data=rep)


# ---- 银川 trainee files ----------------------------------------------------------------------

trainees_app = command_group("trainees", "学员档案（银川四(三)：电商培训学员档案，跟踪就业创业）。")


@trainees_app.command("add")
def trainees_add(
    program: Yinchuan,
    village: place_option("--village", "学员所在行政村"),
    name: str = typer.Option(..., "--name", help="学员姓名"),
    course: str = typer.Option(..., "--course", help="培训课程"),
    hours: str = typer.Option(..., "--hours", help="培训学时"),
    user: User = ...,
    id_number: str = typer.Option("", "--id-number", help="身份证号（列表中脱敏显示）"),
    phone: str = typer.Option("", "--phone", help="电话（列表中脱敏显示）"),
    as_json: AsJson = False,
    db: Db = None,
) -> None:
    """建立一名学员的档案。"""
    from ruralcore.app import trainees

    eng = open_engine(db)
    rec = trainees.add(eng, program, village, name, course, hours, author(eng, user), id_number=id_number, phone=phone)
    echo_done(as_json, picked(rec, "id", ("village", "region"), "name", "course", "hours"),
              f"已建档：{rec.name}（编号{rec.id}）")


@trainees_app.command("list")
def trainees_list(program: Yinchuan, as_json: AsJson = False, db: Db = None) -> None:
    """学员档案（身份证号、电话脱敏）与按档案计算的村均培训人数。"""
    from ruralcore.app import trainees

    eng = open_engine(db)
    rows = trainees.files(eng, program)
    target = trainees.target_from_files(eng, program)
    if echo_rows(as_json, rows, {"village_name": "村", "name": "姓名", "id_number": "身份证号", "phone": "电话",
                                 "course": "课程", "hours": "学时", "employment_label": "就业情况",
                                 "followed_up_on": "跟踪日期"}, title="【学员档案】", data={"files": rows, "target": target}):
        typer.echo(f"{target['name']}（{target['ref']}）：按档案 {target['trainees']} 人 ÷ {target['villages']} 个村 = 村均"
                   f"{target['per_village']:.1f}人，{'已达到' if target['met'] else '未达到'}")


# ---- 融水 officer assessment ----------------------------------------------------------------

officers_app = command_group("officers", "信息员量化考核（融水五(三)1；考核项目与分值文件未规定，系统默认）。")
Year = Annotated[str, typer.Option("--year", help="考核年度")]


@officers_app.command("assess")
def officers_assess(
    program: Rongshui,
    officer: str = typer.Option(..., "--officer", help="信息员编号（officers list 所列）"),
    year: Year = ...,
    score: list[str] = typer.Option(..., "--score", help="项目=得分，可重复，如“--score public_service=36”（项目代码见 officers list 的列名）"),
    user: User = ...,
    db: Db = None,
) -> None:
    """记录一名信息员某年度的考核得分（已有得分的项目按当前版本更正）。"""
    from ruralcore.app import officer_assessment as oa
    from ruralcore.kernel.errors import InputError, Problem

    eng = open_engine(db)
    y = parse_int(year, "考核年度", low=2000, high=2099)
    oid = parse_int(officer, "信息员编号", low=1)
    scores = {}
    for s in score:
        if "=" not in s:
            raise InputError(Problem(f"“{s}”应写成 项目=得分", column="--score"))
        k, v = s.split("=", 1)
        scores[k.strip()] = v.strip()
    cur = oa.table(eng, program, y)
    row = cur[cur["officer"] == oid]
    if row.empty:
        raise InputError(Problem(f"找不到信息员 {oid}", column="--officer"))
    versions = {k: (None if pd_isna(row[f"version_{k}"].iat[0]) else int(row[f"version_{k}"].iat[0]))
                for k in scores if f"version_{k}" in row}
    oa.assess(eng, program, oid, y, scores, author(eng, user), versions)
    typer.echo(f"已记录：信息员 {oid} {y}年度考核")


def pd_isna(v) -> bool:
    import pandas as pd
    return bool(pd.isna(v))


@officers_app.command("list")
def officers_list(program: Rongshui, year: Year, as_json: AsJson = False, db: Db = None) -> None:
    """信息员：培训学时与各项考核得分、合计。"""
    from ruralcore.app import officer_assessment as oa
    from ruralcore.rules.programs import load_program

    y = parse_int(year, "考核年度", low=2000, high=2099)
    t = oa.table(open_engine(db), program, y)
    it = oa.items(load_program(program))
    echo_rows(as_json, t, {"officer": "编号", "name": "信息员", "station": "站点", "training_hours": "培训学时",
                           **{f"score_{c}": n for c, n in zip(it["code"], it["name"])}, "total": "合计"},
              title=f"【信息员考核 {y}年】（考核项目与分值：文件未规定，系统默认）",
              data=t[[c for c in t.columns if not c.startswith("version_")]])
