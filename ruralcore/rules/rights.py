"""Who may write and read what, decided on the region tree — the policy, without the
database: the tables each role writes, who reads the logs and sees unmasked personal
numbers, and the vectorised decisions over region codes (which pages a role opens:
:mod:`ruralcore.auth.pages`).
Callers use it through :mod:`ruralcore.auth.scope`; :mod:`ruralcore.store.guard` applies it to
every stored row."""
from __future__ import annotations

from typing import Iterable

import numpy as np
import pandas as pd

from ruralcore.kernel.principal import Principal, require

Actor = Principal

HOUSEHOLD_TABLES = frozenset({"households", "household_members", "household_income",
                              "household_measures", "household_history"})


REGIONAL_TABLES = frozenset({
    "regions", "reports", "pilots", "pilot_indicators", "stations", "station_equipment", "officers",
    "officer_training", "acceptance_cases", "acceptance_items", "fund_entries", "task_progress",
    "accounts", "milestone_records", "report_drafts", "award_approvals", "award_register", "responsibles",
    "notices", "meeting_records", "event_reports", "trainee_files", "officer_assessments",
    *HOUSEHOLD_TABLES,
})


# Tables with no region of their own: who may write them at all (scope does not apply).
UNREGIONED_WRITERS = {
    "what_if_scenarios": frozenset({"county_admin", "city_supervisor"}),  # planning, not data
}


# Which tables each role may write (inside its region). Data entry by townships and
# villages; acceptance by inspectors; accounts and everything else of a county by its admin.
WRITES: dict[str, frozenset[str]] = {
    # issues 督办 notices (ruralcore.app.notices: who to whom); marks the counties' 重要情况报告 read
    "city_supervisor": frozenset({"notices", "event_reports"}),
    "county_admin": REGIONAL_TABLES,
    "township_officer": frozenset({"notices", "reports", "report_drafts", "task_progress", "pilot_indicators", "stations",
                                   "meeting_records",
                                   "station_equipment", "officers", "officer_training", *HOUSEHOLD_TABLES}),
    "village_reporter": frozenset({"reports", "report_drafts", "task_progress", *HOUSEHOLD_TABLES}),
    "inspector": frozenset({"acceptance_cases", "acceptance_items", "fund_entries", "pilots"}),
    "auditor": frozenset(),
}


# Reading: everyone reads data inside its region; the audit log and the PII access log
# only the auditor (everything) and a county admin (its county's entries).
READS_EVERYTHING = frozenset({"auditor"})


LOG_READERS = frozenset({"auditor", "county_admin"})


LOG_TABLES = frozenset({"audit_log", "pii_access_log"})


# Roles that see ID-card and phone numbers unmasked (and whose views are logged).
PII_ROLES = frozenset({"county_admin", "township_officer"})


# Roles a county admin may hand out (never a city-wide or audit role).
COUNTY_GRANTABLE = frozenset({"county_admin", "township_officer", "village_reporter", "inspector"})


def file_tree() -> pd.DataFrame:
    """code -> (name, parent) from the region files (no database)."""
    from ruralcore.rules.regions import load_regions

    return load_regions()[["code", "name", "parent"]].set_index("code")


def inside(tree: pd.DataFrame, codes: Iterable[str] | pd.Series, root: str) -> np.ndarray:
    """For each code: is ``root`` the code itself or one of its ancestors? Vectorised:
    one walk up the tree per generation for all codes at once."""
    cur = pd.Series(list(codes) if not isinstance(codes, pd.Series) else codes.to_numpy(), dtype=object)
    parent = tree["parent"].replace("", np.nan)
    hit = (cur == root).to_numpy(dtype=bool, copy=True)  # copy-on-write: a writable array
    for _ in range(8):  # province > city > county > township > village > natural village
        cur = cur.map(parent)
        if cur.isna().all():
            break
        hit |= (cur == root).to_numpy(dtype=bool)
    return hit


def ancestors(tree: pd.DataFrame, code: str) -> list[str]:
    """``code`` and its ancestors in ``tree`` (a frame indexed by code with a ``parent``
    column), nearest first."""
    out: list[str] = []
    while isinstance(code, str) and code and code in tree.index and code not in out:
        out.append(code)
        code = tree["parent"].get(code)
    return out


def keep_visible(frame: pd.DataFrame, visible: pd.Index | set | None, column: str | None = None) -> pd.DataFrame:
    """Rows of ``frame`` whose region (``column``, or the index) is in ``visible``
    (None: all rows). Vectorised."""
    if visible is None:
        return frame
    codes = pd.Index(frame.index if column is None else frame[column])
    return frame[codes.isin(list(visible))]


def can_write_table(actor: Actor, table: str) -> bool:
    if require(actor).is_system:
        return True
    if table in UNREGIONED_WRITERS:
        return actor.role in UNREGIONED_WRITERS[table]
    return table in WRITES[actor.role]


def can_write(actor: Actor, table: str, region_code, tree: pd.DataFrame | None = None):
    """May ``actor`` write rows of ``table`` in ``region_code``? A scalar gives a bool, a
    list/Series/array gives a boolean array (one decision per region, vectorised)."""
    if require(actor).is_system:
        return _decide(region_code, True)
    if not can_write_table(actor, table):
        return _decide(region_code, False)
    if table in UNREGIONED_WRITERS:
        return _decide(region_code, True)
    return _decide(region_code, actor.region, tree)


def can_read(actor: Actor, table: str, region_code, tree: pd.DataFrame | None = None):
    """May ``actor`` read rows of ``table`` in ``region_code``? (scalar or vectorised)"""
    if require(actor).is_system or actor.role in READS_EVERYTHING:
        return _decide(region_code, True)
    if table in LOG_TABLES and actor.role not in LOG_READERS:
        return _decide(region_code, False)
    if table in UNREGIONED_WRITERS:
        return _decide(region_code, True)
    return _decide(region_code, actor.region, tree)


def _decide(region_code, rule: bool | str, tree: pd.DataFrame | None = None):
    """``rule`` for every code of ``region_code``: all True, all False, or (a region code)
    whether each code lies inside that region. A scalar code gives a bool, else an array."""
    scalar = isinstance(region_code, str) or region_code is None
    codes = [region_code] if scalar else list(region_code)
    if isinstance(rule, bool):
        out = np.full(len(codes), rule, dtype=bool)
    else:
        out = inside(file_tree() if tree is None else tree, codes, rule)
    return bool(out[0]) if scalar else out


def sees_pii(actor) -> bool:
    """Whether ID-card and phone numbers are shown unmasked to ``user``."""
    return require(actor).is_system or actor.role in PII_ROLES
