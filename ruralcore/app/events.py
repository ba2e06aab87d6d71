"""忻州 四(五): important matters are reported at once (重要情况随时报告). A pilot county
files a report (what, when, impact, measures); the city's supervisors read them, unread
first, and mark them read; the monthly circular lists the month's reports.

Table ``event_reports``; writes through ruralcore.store.write (audited, versioned,
scope-checked: a county files for itself, a city supervisor marks its counties' reports
read).
"""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pandas as pd
import sqlalchemy as sa

from ruralcore.kernel.errors import InputError, Problem
from ruralcore.app.milestone_records import today_china
from ruralcore.rules.programs import load_program
from ruralcore.auth.scope import user_name
from ruralcore.store import queries, write
from ruralcore.store.models import EventReport

TABLE = EventReport.__table__
CHINA = ZoneInfo("Asia/Shanghai")
COLUMNS = ["id", "county", "county_name", "title", "happened_on", "impact", "measures", "reported_by",
           "reported_at", "read", "read_by", "read_at", "version"]


def counties(program_id: str) -> pd.DataFrame:
    """The programme's counties that have pilots (code, name)."""
    from ruralcore.rules.regions import PILOTS_DIR, program_regions
    regs = program_regions(program_id)
    out = regs[regs["level"] == "county"][["code", "name"]]
    pilots = PILOTS_DIR / f"{program_id}.csv"
    if pilots.exists():
        with_pilots = set(pd.read_csv(pilots, dtype=str)["county"])
        out = out[out["code"].isin(with_pilots) | out["name"].isin(with_pilots)]
    return out.reset_index(drop=True)


def _county(program_id: str, county: str) -> str:
    c = counties(program_id)
    hit = c[(c["code"] == county.strip()) | (c["name"] == county.strip())]
    if hit.empty:
        raise InputError(Problem(f"“{county}”不是{load_program(program_id).meta.short_title}的试点县（区）。"
                                 f"可选：{'、'.join(c['name'])}", column="县（区）"))
    return str(hit["code"].iat[0])


def now_china() -> dt.datetime:
    return dt.datetime.now(CHINA).replace(tzinfo=None, microsecond=0)


def report(engine: sa.Engine, program_id: str, county: str, title: str, happened_on: dt.date, impact: str,
           measures: str, user, today: dt.date | None = None) -> EventReport:
    """File an important-matter report for ``county`` (code or name)."""
    code = _county(program_id, county)
    problems = []
    if not str(title or "").strip():
        problems.append(Problem("请写明发生了什么", column="事项"))
    if happened_on > (today or today_china()):
        problems.append(Problem(f"发生日期 {happened_on.isoformat()} 晚于今天", column="发生日期"))
    if problems:
        raise InputError(problems, source="重要情况报告")
    return write.insert(engine, EventReport, {
        "program": program_id, "region": code, "title": title.strip(), "happened_on": happened_on,
        "impact": str(impact or "").strip(), "measures": str(measures or "").strip(),
        "reported_by": user_name(user), "reported_at": now_china(), "read_by": ""}, user)


def mark_read(engine: sa.Engine, report_id: int, expected_version: int, user) -> EventReport:
    """A supervisor has read the report (who, when)."""
    return write.update(engine, EventReport, report_id, {"read_by": user_name(user), "read_at": now_china()},
                        expected_version, user)


def reports(engine: sa.Engine, program_id: str, visible=None, month: str | None = None) -> pd.DataFrame:
    """The programme's reports, unread first, then newest first: COLUMNS. ``month``
    (YYYY-MM): only those that happened in that month."""
    rows = queries.rows(engine, TABLE, program=program_id)
    out = pd.DataFrame(rows, columns=[c.name for c in TABLE.columns], dtype=object)
    if visible is not None:
        out = out[out["region"].isin(list(visible))]
    out["happened_on"] = out["happened_on"].map(lambda d: d if isinstance(d, dt.date) else dt.date.fromisoformat(str(d)[:10]))
    if month:
        out = out[out["happened_on"].map(lambda d: f"{d.year}-{d.month:02d}") == month]
    out["read"] = out["read_at"].notna()
    names = counties(program_id).set_index("code")["name"]
    out["county"] = out["region"]
    out["county_name"] = out["region"].map(names).fillna(out["region"])
    out = out.sort_values(["read", "reported_at", "id"], ascending=[True, False, False], kind="stable")
    return out[COLUMNS].reset_index(drop=True)
