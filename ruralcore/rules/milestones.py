"""Milestone status as of a date.

For each milestone: name, start, due (ISO), status, days_overdue, days_left, ref.

- ``done``: the milestone is in ``done`` (codes of finished milestones);
- ``overdue``: not done and the due date has passed (days_overdue = calendar days since);
- ``due_soon``: not done and due in 0–``DUE_SOON_DAYS`` (7) calendar days;
- ``on_track``: otherwise;
- ``unknown``: past its due date when there are no completion records (``recorded=False``).

A recurring monthly milestone (a monthly report) is due on day ``report_due_day``
(a programme setting) of the month after the period reported; its due date here is the
next such date on or after ``as_of``, so it is never overdue by itself (whether each
month's reports came in is ruralcore.app.reporting's business).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import numpy as np
import pandas as pd

from ruralcore.kernel.errors import RuralcoreError
from ruralcore.rules.programs import Program

DUE_SOON_DAYS = 7
STATUS_LABELS = {"done": "已完成", "on_track": "正常", "due_soon": "即将到期", "overdue": "已逾期",
                 "unknown": "未知（无完成记录）"}
COLUMNS = ["code", "name", "start", "due", "recurring", "status", "status_label", "days_overdue",
           "days_left", "responsible", "ref", "assumed"]


def next_monthly_due(as_of: dt.date, due_day: int) -> dt.date:
    """First day ``due_day`` of a month on or after ``as_of``."""
    if as_of.day <= due_day:
        return as_of.replace(day=due_day)
    y, m = (as_of.year + 1, 1) if as_of.month == 12 else (as_of.year, as_of.month + 1)
    return dt.date(y, m, due_day)


def _due_day(program: Program) -> int:
    try:
        day = int(program.setting("report_due_day"))
    except KeyError:
        raise RuralcoreError(f"方案“{program.id}”有按月里程碑，但没有设置项 report_due_day（月报截止日）") from None
    if not 1 <= day <= 28:
        raise RuralcoreError(f"方案“{program.id}”的设置项 report_due_day 应为 1–28 之间的日，实为 {day}")
    return day


def status(program: Program, as_of: dt.date, done: Iterable[str] | None = None,
           recorded: bool = True) -> pd.DataFrame:
    """Every milestone of ``program`` as of ``as_of``, in programme order.

    ``recorded=False``: nobody's completion records are at hand (the command line without
    a database), so a dated milestone past its due date is ``unknown`` (未知（无完成记录）),
    not overdue: whether it was done is not known."""
    done_set = set(done or ())
    unknown = done_set - {m.code for m in program.milestones}
    if unknown:
        raise RuralcoreError(f"方案“{program.id}”没有这些里程碑：{'、'.join(sorted(unknown))}")
    ms = program.milestones
    if not ms:
        return pd.DataFrame(columns=COLUMNS)
    due_day = _due_day(program) if any(m.recurring for m in ms) else None
    due = [m.due if m.recurring is None else next_monthly_due(as_of, due_day) for m in ms]
    due_arr = np.array(due, dtype="datetime64[D]")
    left = (due_arr - np.datetime64(as_of, "D")).astype(np.int64)
    is_done = np.array([m.code in done_set for m in ms])
    past = "overdue" if recorded else "unknown"
    st = np.select([is_done, left < 0, left <= DUE_SOON_DAYS], ["done", past, "due_soon"], "on_track")
    out = pd.DataFrame({
        "code": [m.code for m in ms], "name": [m.name for m in ms],
        "start": [m.start.isoformat() if m.start else None for m in ms],
        "due": [d.isoformat() for d in due],
        "recurring": [m.recurring for m in ms],
        "status": st.astype(object),
        "days_overdue": np.where(st == "overdue", -left, 0),
        "days_left": np.where((st == "done") | (left < 0), 0, left),
        "responsible": [list(m.responsible) for m in ms],
        "ref": [m.ref for m in ms], "assumed": [m.assumed for m in ms],
    })
    out["status_label"] = out["status"].map(STATUS_LABELS)
    return out[COLUMNS]
