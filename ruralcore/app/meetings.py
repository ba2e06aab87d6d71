"""谭家场 三(四)9: the monthly data-sharing consultation (每月会商) on households at risk
of returning to poverty, led by the township's rural-revitalisation office — one record
per meeting (table ``meeting_records``): date, chair unit, attending units, households
discussed (ids in the household archive, shown masked), measures and follow-up.

The recurring milestone of the consultation (a monthly milestone whose clause is the
consultation's, ``CONSULTATION_MILESTONES``) is met for a month by a record held in that
month — :func:`months` — never by a tick. Writes go through ruralcore.store.write
(audited, versioned, scope-checked on the record's township).
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
import sqlalchemy as sa

from ruralcore.kernel.errors import InputError, Problem
from ruralcore.app.milestone_records import program_region, today_china
from ruralcore.rules.programs import load_program
from ruralcore.auth.scope import user_name
from ruralcore.store import queries, write
from ruralcore.store.models import Household, MeetingRecord

TABLE = MeetingRecord.__table__
CONSULTATION_MILESTONES = {"tanjiachang-2023": "monthly_consultation"}
COLUMNS = ["id", "held_on", "month", "chair", "attendees", "households", "household_names", "measures",
           "follow_up", "recorded_by", "version"]


def milestone(program_id: str):
    """The programme's monthly consultation milestone (InputError when it has none)."""
    program = load_program(program_id)
    code = CONSULTATION_MILESTONES.get(program_id)
    m = next((m for m in program.milestones if m.code == code), None)
    if m is None:
        raise InputError(Problem(f"方案“{program_id}”没有每月会商的规定", column="方案"))
    return m


def _household_ids(engine: sa.Engine, ids) -> list[int]:
    try:
        ids = sorted({int(str(i).strip()) for i in ids if str(i).strip()})
    except ValueError:
        raise InputError(Problem("研判农户应为一户一档中的农户编号（整数）", column="研判农户")) from None
    if ids:
        have = {r["id"] for r in queries.rows(engine, Household, columns=["id"], within={"id": ids})}
        missing = [i for i in ids if i not in have]
        if missing:
            raise InputError(Problem(f"一户一档中没有这些农户：{'、'.join(map(str, missing))}", column="研判农户"))
    return ids


def add(engine: sa.Engine, program_id: str, held_on: dt.date, chair: str, attendees, households, measures: str,
        follow_up: str, user, today: dt.date | None = None) -> MeetingRecord:
    """Record one consultation. ``attendees``: units (a list or text joined with 、);
    ``households``: ids in the household archive. A future date, no chair or no
    attending unit is refused (nothing written)."""
    m = milestone(program_id)
    today = today or today_china()
    problems = []
    if held_on > today:
        problems.append(Problem(f"会商日期 {held_on.isoformat()} 晚于今天，尚未召开的会商不能记录", column="会商日期"))
    if not str(chair or "").strip():
        problems.append(Problem(f"请写明牵头单位（{m.responsible[0] if m.responsible else '牵头单位'}）", column="牵头单位"))
    units = [u.strip() for u in (attendees.split("、") if isinstance(attendees, str) else attendees) if u.strip()]
    if not units:
        problems.append(Problem("请写明参加单位", column="参加单位"))
    if problems:
        raise InputError(problems, source="会商记录")
    ids = _household_ids(engine, households or [])
    return write.insert(engine, MeetingRecord, {
        "program": program_id, "region": program_region(program_id), "held_on": held_on, "chair": chair.strip(),
        "attendees": "、".join(units), "households": ",".join(map(str, ids)), "measures": str(measures or "").strip(),
        "follow_up": str(follow_up or "").strip(), "recorded_by": user_name(user)}, user)


def update(engine: sa.Engine, record_id: int, changes: dict, expected_version: int, user) -> MeetingRecord:
    """Change a record (e.g. the follow-up) carrying the version the user read."""
    return write.update(engine, MeetingRecord, record_id, changes, expected_version, user)


def records(engine: sa.Engine, program_id: str, visible=None) -> pd.DataFrame:
    """The programme's consultations, newest first: COLUMNS. ``household_names``: the
    households discussed as 户主姓名（编号） — the archive's head name, no ID or phone."""
    with engine.connect() as conn:
        rows = queries.rows(conn, TABLE, program=program_id, order_by=["held_on", "id"], desc=True)
        out = pd.DataFrame(rows, columns=[c.name for c in TABLE.columns], dtype=object)
        if visible is not None:
            out = out[out["region"].isin(list(visible))]
        ids = sorted({int(i) for s in out["households"] for i in str(s).split(",") if i})
        names = {r["id"]: r["head_name"] for r in queries.rows(conn, Household, columns=["id", "head_name"],
                                                                 within={"id": ids})} if ids else {}
    out["held_on"] = out["held_on"].map(lambda d: d if isinstance(d, dt.date) else dt.date.fromisoformat(str(d)[:10]))
    out["month"] = out["held_on"].map(lambda d: f"{d.year}-{d.month:02d}")
    out["household_names"] = out["households"].map(
        lambda s: "、".join(f"{names.get(int(i), '')}（{i}）" for i in str(s).split(",") if i))
    return out[COLUMNS].reset_index(drop=True)


def months(engine: sa.Engine, program_id: str, first: str, last: str, visible=None) -> pd.DataFrame:
    """Per month from ``first`` to ``last`` (YYYY-MM): meetings held and whether the
    monthly consultation milestone is met (a record in that month), with its clause."""
    m = milestone(program_id)
    rec = records(engine, program_id, visible)
    span = pd.period_range(first, last, freq="M").strftime("%Y-%m")
    held = rec.groupby("month").size() if len(rec) else pd.Series(dtype="int64")
    out = pd.DataFrame({"month": span})
    out["meetings"] = out["month"].map(held).fillna(0).astype(int)
    out["met"] = out["meetings"] > 0
    out["ref"] = m.ref
    return out
