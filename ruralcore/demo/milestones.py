"""Demo records of programme milestones done (table ``milestone_records``).

For every programme whose milestones are programme-level (忻州's steps are per pilot,
in ``pilots``), each dated milestone due before the data's as-of date is recorded done:
most on time (0–14 days before the due date, never before its start), one in three a few
days late; when every dated milestone falls before the as-of date the last one is left
open, so the timeline still shows something due. Seeded: identical on every run.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ..programs import load_program, program_ids

SEED = 2019
PER_PILOT = frozenset({"xinzhou-2023"})  # milestones tracked per pilot, not per programme
RECORDED_BY = "演示数据生成器"
COLUMNS = ["program", "milestone", "done_on", "note", "recorded_by", "version"]


def _rng(program_id: str) -> np.random.Generator:
    return np.random.default_rng([SEED, sum(map(ord, program_id)), 7])


def program_records(program_id: str, as_of: dt.date) -> pd.DataFrame:
    """The demo done records of one programme as of ``as_of``."""
    prog = load_program(program_id)
    dated = [m for m in prog.milestones if m.recurring is None and m.due is not None]  # ≤ 10 entries
    before = [m for m in dated if m.due < as_of]
    if before and len(before) == len(dated):
        before = sorted(before, key=lambda m: m.due)[:-1]  # leave the last one open
    if not before:
        return pd.DataFrame(columns=COLUMNS)
    rng = _rng(program_id)
    n = len(before)
    due = np.array([m.due for m in before], dtype="datetime64[D]")
    start = np.array([m.start or m.due for m in before], dtype="datetime64[D]")
    early = rng.integers(0, 15, n).astype("timedelta64[D]")
    on_time = np.maximum(due - early, np.minimum(start, due))
    late_n = min(2, n // 3)
    late = np.zeros(n, dtype=bool)
    late[rng.choice(n, late_n, replace=False)] = True
    days_late = rng.integers(3, 11, n)
    late_on = np.minimum(due + days_late.astype("timedelta64[D]"), np.datetime64(as_of, "D"))
    done_on = np.where(late, late_on, on_time)
    note = np.where(late, [f"演示：逾期 {d} 天完成" for d in (late_on - due).astype(int)], "演示：按期完成")
    return pd.DataFrame({
        "program": program_id, "milestone": [m.code for m in before],
        "done_on": pd.to_datetime(done_on).date, "note": note, "recorded_by": RECORDED_BY, "version": 1,
    })[COLUMNS]


def records(meta: pd.DataFrame) -> pd.DataFrame:
    """Demo records for every programme with an ``as_of:<id>`` entry in the app_meta frame."""
    kv = dict(zip(meta["key"], meta["value"]))
    parts = [program_records(pid, dt.date.fromisoformat(str(kv[f"as_of:{pid}"])[:10]))
             for pid in program_ids() if pid not in PER_PILOT and kv.get(f"as_of:{pid}")]
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame(columns=COLUMNS)
    out = pd.concat(parts, ignore_index=True)
    out.insert(0, "id", np.arange(1, len(out) + 1))
    return out
