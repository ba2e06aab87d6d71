"""Key tasks with areas, responsible units and due dates (谭家场 三、重点任务), and their
state from progress notes as of a date: not started / in progress / done / overdue."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ruralcore.kernel.errors import InputError, Problem
from ruralcore.rules.programs import Program

STATE_NAMES = {"not_started": "未启动", "in_progress": "推进中", "done": "已完成", "overdue": "已逾期"}


def tasks_frame(program: Program) -> pd.DataFrame:
    """One row per task: no, area, area_name, name, responsible (list), due, ref."""
    rows = [{"no": t.no, "area": t.area, "area_name": t.area_name, "name": t.name,
             "responsible": list(t.responsible), "due": t.due, "ref": t.ref} for t in program.tasks]
    return pd.DataFrame(rows, columns=["no", "area", "area_name", "name", "responsible", "due", "ref"])


def task_status(program: Program, notes: pd.DataFrame, as_of) -> pd.DataFrame:
    """The state of every task as of ``as_of``.

    ``notes``: ``no`` (task number), ``date``, ``progress`` (0–100 percent). Notes after
    ``as_of`` are ignored. Done: latest progress is 100. Overdue: not done and the due date
    has passed. In progress: some progress. Otherwise not started.
    """
    tasks = tasks_frame(program)
    as_of = pd.Timestamp(as_of).normalize()
    notes = notes.reset_index(drop=True)
    problems = []
    no = pd.to_numeric(notes["no"], errors="coerce")
    for i in np.flatnonzero((no.isna() | ~no.isin(tasks["no"])).to_numpy()):
        problems.append(Problem(f"任务序号“{notes['no'].iloc[i]}”不存在", row=int(i) + 1, column="no"))
    date = pd.to_datetime(notes["date"], errors="coerce")
    for i in np.flatnonzero(date.isna().to_numpy()):
        problems.append(Problem(f"日期“{notes['date'].iloc[i]}”格式不对，应为 YYYY-MM-DD", row=int(i) + 1, column="date"))
    prog = pd.to_numeric(notes["progress"], errors="coerce")
    for i in np.flatnonzero((prog.isna() | (prog < 0) | (prog > 100)).to_numpy()):
        problems.append(Problem(f"进度“{notes['progress'].iloc[i]}”无效，应为 0–100", row=int(i) + 1, column="progress"))
    if problems:
        raise InputError(problems, source="任务进展")

    n = pd.DataFrame({"no": no.astype("int64"), "date": date, "progress": prog})
    n = n[n["date"] <= as_of].sort_values(["no", "date"], kind="stable")
    latest = n.groupby("no").agg(progress=("progress", "last"), last_note=("date", "last"))
    out = tasks.join(latest, on="no")
    progress = out["progress"].fillna(0)
    due = pd.to_datetime(out["due"])
    done = progress >= 100
    overdue = ~done & due.notna() & (due < as_of)
    out["progress"] = progress
    out["state"] = np.select([done, overdue, progress > 0], ["done", "overdue", "in_progress"], "not_started")
    out["state_name"] = out["state"].map(STATE_NAMES)
    out["last_note"] = out["last_note"].dt.date
    return out


def _count_states(frame: pd.DataFrame, by: str) -> pd.DataFrame:
    out = pd.crosstab(frame[by], frame["state"]).reindex(columns=list(STATE_NAMES), fill_value=0)
    out["total"] = out.sum(axis=1)
    return out.reset_index()


def status_by_area(status: pd.DataFrame) -> pd.DataFrame:
    """Tasks per area and state (columns not_started, in_progress, done, overdue, total)."""
    out = _count_states(status, "area")
    names = status.drop_duplicates("area").set_index("area")["area_name"]
    out.insert(1, "area_name", out["area"].map(names))
    return out


def status_by_responsible(status: pd.DataFrame) -> pd.DataFrame:
    """Tasks per responsible unit and state; a task with several units counts for each."""
    return _count_states(status.explode("responsible"), "responsible")
