"""When a programme's milestones were done: stored records (table ``milestone_records``).

One record per programme and dated milestone (kickoff, promotion meeting, …): the day it
was done and a note. Recurring milestones (monthly reports) are never recorded here —
whether each month came in is ruralcore.app.reporting's business. Writes go through
ruralcore.store.write (audited, versioned, scope-checked: a programme-level record lies
in the programme's region, see :func:`program_region`).
"""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pandas as pd
import sqlalchemy as sa

from ruralcore.kernel.errors import InputError, Problem, StaleWriteError
from ruralcore.rules.programs import Program, load_program
from ruralcore.rules.regions import program_region  # noqa: F401 (the record's region; here since it began here)
from ruralcore.auth.scope import user_name
from ruralcore.store import queries, write
from ruralcore.store.models import MilestoneRecord

TABLE = MilestoneRecord.__table__
CHINA = ZoneInfo("Asia/Shanghai")
RECORD_COLUMNS = ["code", "name", "start", "due", "recurring", "ref", "assumed",
                  "id", "done_on", "note", "recorded_by", "version"]


def today_china() -> dt.date:
    return dt.datetime.now(CHINA).date()


def _milestone(program: Program, code: str):
    m = next((m for m in program.milestones if m.code == code), None)
    if m is None:
        known = "、".join(f"{x.code}（{x.name}）" for x in program.milestones if x.recurring is None)
        raise InputError(Problem(f"方案“{program.id}”没有里程碑“{code}”。可记录的里程碑：{known or '（无）'}",
                                 column="milestone"))
    if m.recurring is not None:
        raise InputError(Problem(f"里程碑“{m.name}”（{code}）按月重复，不能记录为一次完成；"
                                 "每月是否报送请在月报中查看", column="milestone"))
    return m


def _current(conn: sa.Connection, program_id: str, code: str):
    return queries.first(conn, TABLE, program=program_id, milestone=code)


def _as_date(v) -> dt.date:
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    return dt.date.fromisoformat(str(v)[:10])


def done_dates(engine: sa.Engine, program_id: str) -> dict[str, dt.date]:
    """Milestone code → the day it was recorded as done."""
    rows = queries.rows(engine, TABLE, columns=["milestone", "done_on"], program=program_id)
    return {str(r["milestone"]): _as_date(r["done_on"]) for r in rows}


def record_done(engine: sa.Engine, program_id: str, code: str, done_on: dt.date, note: str, user,
                expected_version: int | None = None, today: dt.date | None = None) -> MilestoneRecord:
    """Record (or change) the day milestone ``code`` was done.

    ``expected_version``: the version of the record the user read, None when there was
    none; a record written meanwhile by someone else → StaleWriteError, nothing written.
    A future ``done_on`` (after ``today``, default today in China) is refused."""
    program = load_program(program_id)
    m = _milestone(program, code)
    if not isinstance(done_on, dt.date):
        raise InputError(Problem(f"完成日期应为日期，实际为 {done_on!r}", column="done_on"))
    done_on = _as_date(done_on)
    today = today or today_china()
    if done_on > today:
        raise InputError(Problem(f"完成日期 {done_on.isoformat()} 晚于今天 {today.isoformat()}："
                                 f"尚未发生的完成不能记录（里程碑“{m.name}”）", column="done_on"))
    values = {"done_on": done_on, "note": str(note or "").strip(), "recorded_by": user_name(user)}
    with engine.begin() as conn:
        cur = _current(conn, program_id, code)
        if cur is None:
            if expected_version is not None:
                raise StaleWriteError(f"里程碑“{m.name}”的完成记录已被他人清除（您读取的是版本 {expected_version}），"
                                      "本次未保存，请刷新后重试。")
            return write.insert(conn, MilestoneRecord, {"program": program_id, "milestone": code, **values}, user)
        if expected_version is None:
            raise StaleWriteError(f"里程碑“{m.name}”已由 {cur['recorded_by'] or '他人'} 记录为 "
                                  f"{_as_date(cur['done_on']).isoformat()} 完成（版本 {cur['version']}），"
                                  "本次未保存，请刷新后重试。")
        return write.update(conn, MilestoneRecord, cur["id"], values, expected_version, user)


def clear_done(engine: sa.Engine, program_id: str, code: str, user, expected_version: int) -> None:
    """Remove the done record of milestone ``code`` (the version the user read)."""
    program = load_program(program_id)
    m = _milestone(program, code)
    with engine.begin() as conn:
        cur = _current(conn, program_id, code)
        if cur is None:
            raise StaleWriteError(f"里程碑“{m.name}”没有完成记录（可能已被他人清除），本次未修改，请刷新后重试。")
        write.delete(conn, MilestoneRecord, cur["id"], expected_version, user)


def records(engine: sa.Engine, program_id: str) -> pd.DataFrame:
    """Every milestone of the programme (programme order) with its done record, if any:
    code, name, start, due, recurring, ref, assumed, id, done_on, note, recorded_by, version."""
    program = load_program(program_id)
    ms = pd.DataFrame({
        "code": [m.code for m in program.milestones], "name": [m.name for m in program.milestones],
        "start": [m.start for m in program.milestones], "due": [m.due for m in program.milestones],
        "recurring": [m.recurring for m in program.milestones], "ref": [m.ref for m in program.milestones],
        "assumed": [m.assumed for m in program.milestones],
    }, dtype=object)
    rec = queries.frame(engine, TABLE, columns=["milestone", "id", "done_on", "note", "recorded_by", "version"],
                        program=program_id).rename(columns={"milestone": "code"}).astype(object)
    if len(rec):
        rec["done_on"] = rec["done_on"].map(_as_date)
    out = ms.merge(rec, on="code", how="left") if len(ms) else pd.DataFrame(columns=RECORD_COLUMNS)
    return out[RECORD_COLUMNS]
