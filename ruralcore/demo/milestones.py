"""Demo records of programme milestones done (table ``milestone_records``).

For every programme whose milestones are programme-level, each dated milestone due
before the data's as-of date is recorded done: most on time (0–14 days before the due
date, never before its start), one in three a few days late; when every dated milestone
falls before the as-of date the last one is left open, so the timeline still shows
something due. Seeded: identical on every run.

忻州's steps are done per pilot (table ``pilots``): there a programme milestone is done
when every pilot has done its step by the as-of date, on the day the last pilot did
(late when that day is after the due date); a milestone with no pilot step (确定试点对象)
is done on time, the pilots being named. Milestones some pilot has not done stay open, so
the overview's countdown agrees with the pilots' dates and the target cards.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ruralcore.rules.programs import load_program, program_ids

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


def pilot_program_records(program_id: str, as_of: dt.date, pilots: pd.DataFrame) -> pd.DataFrame:
    """The demo done records of a programme whose steps are per pilot: a milestone with
    pilot steps (ruralcore.app.supervision.STEPS) is done when every pilot of the programme
    has done it by ``as_of``, on the latest pilot's day; one without (due before
    ``as_of``) is done on time."""
    from ruralcore.app.supervision import STEPS

    prog = load_program(program_id)
    own = pilots[pilots["program"] == program_id] if "program" in pilots else pilots
    end = pd.Timestamp(as_of)
    rng = _rng(program_id)
    rows = []
    for m in prog.milestones:  # ≤ 10 entries
        if m.recurring is not None or m.due is None:
            continue
        cols = STEPS.get(m.code)
        if cols:
            done = pd.concat([pd.to_datetime(own[c]) for c in cols], axis=1)
            if done.isna().any().any() or (done > end).any().any():
                continue  # some pilot has not done this step yet: the milestone stays open
            day = done.max().max().date()
        elif m.due < as_of:
            day = max(m.due - dt.timedelta(days=int(rng.integers(0, 15))), m.start or m.due)
        else:
            continue
        late = (day - m.due).days
        rows.append({"program": program_id, "milestone": m.code, "done_on": day,
                     "note": f"演示：逾期 {late} 天完成（最后一个试点完成之日）" if late > 0 else "演示：按期完成",
                     "recorded_by": RECORDED_BY, "version": 1})
    return pd.DataFrame(rows, columns=COLUMNS)


def records(meta: pd.DataFrame, pilots: pd.DataFrame | None = None) -> pd.DataFrame:
    """Demo records for every programme with an ``as_of:<id>`` entry in the app_meta frame
    (per-pilot programmes from ``pilots``, the generated pilots frame; none without it)."""
    kv = dict(zip(meta["key"], meta["value"]))
    dates = {pid: dt.date.fromisoformat(str(kv[f"as_of:{pid}"])[:10])
             for pid in program_ids() if kv.get(f"as_of:{pid}")}
    parts = [program_records(pid, d) if pid not in PER_PILOT else pilot_program_records(pid, d, pilots)
             for pid, d in dates.items() if pid not in PER_PILOT or (pilots is not None and len(pilots))]
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame(columns=COLUMNS)
    out = pd.concat(parts, ignore_index=True)
    out.insert(0, "id", np.arange(1, len(out) + 1))
    return out
