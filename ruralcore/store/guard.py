"""Scope applied to the store: the region tree as stored (over the region files'), the
region each stored row belongs to (through its pilot, station, officer, case or
household), and the checks every audited write makes (:mod:`ruralcore.store.write`) and
the regions a principal reads. The policy itself is :mod:`ruralcore.rules.rights`."""
from __future__ import annotations

from typing import Iterable

import numpy as np
import pandas as pd
import sqlalchemy as sa

from ruralcore.kernel.errors import PermissionDenied
from ruralcore.kernel.principal import Principal, require, restricted
from ruralcore.rules.regions import program_region
from ruralcore.store.models import MODELS, TABLE_LABELS
from ruralcore.rules.rights import (HOUSEHOLD_TABLES, READS_EVERYTHING, UNREGIONED_WRITERS, ancestors, can_write_table,
                      file_tree, inside)

Actor = Principal

def region_tree(conn: sa.Connection | None = None) -> pd.DataFrame:
    """code -> (name, parent): the store's regions over the region files' (the store wins)."""
    files = file_tree().reset_index()
    if conn is None:
        return file_tree()
    rows = conn.execute(sa.text("SELECT code, name, parent FROM regions")).fetchall()
    if not rows:
        return file_tree()
    db = pd.DataFrame(rows, columns=["code", "name", "parent"], dtype=object)
    # a database built before the region files named a county's city keeps the county
    # without a parent: take the files' parent there, so a city account reads it
    files_parent = files.set_index("code")["parent"].replace("", np.nan)
    db["parent"] = db["parent"].replace("", np.nan).fillna(db["code"].map(files_parent)).fillna("")
    both = pd.concat([db, files.astype(object)], ignore_index=True).drop_duplicates("code", keep="first")
    return both.set_index("code")


def _name(tree: pd.DataFrame, code: str) -> str:
    n = tree["name"].get(code) if code in tree.index else None
    return f"{n}（{code}）" if n else str(code)


def refuse(actor: Actor, table: str, codes: Iterable[str], tree: pd.DataFrame | None = None,
           label: str | None = None) -> PermissionDenied:
    """The Chinese refusal naming the region(s), the table, the user and the role."""
    tree = region_tree() if tree is None else tree
    what = label or TABLE_LABELS.get(table, table)
    codes = [c for c in dict.fromkeys(codes)]
    if not can_write_table(actor, table):
        return PermissionDenied(f"无权限：{actor.name}（{actor.role_label}）不能修改“{what}”，本次未写入任何数据。")
    shown = "、".join(_name(tree, c) for c in codes[:5]) + (f" 等 {len(codes)} 个区域" if len(codes) > 5 else "")
    return PermissionDenied(
        f"无权限：{actor.name}（{actor.role_label}，管辖 {_name(tree, actor.region)}）不能修改"
        f" {shown or '未标明区域'} 的“{what}”，本次未写入任何数据。")


def check_write(conn: sa.Connection | None, user, table: str, codes: Iterable[str] | pd.Series) -> None:
    """Raise PermissionDenied unless ``user`` may write ``table`` in every one of
    ``codes``. The system principal always passes; a bare str is refused (TypeError)."""
    if not _regions_decide(user, table):
        return
    uniq = pd.unique(pd.Series(list(codes) if not isinstance(codes, pd.Series) else codes, dtype=object)
                     .fillna(""))
    tree = region_tree(conn)
    ok = inside(tree, uniq, user.region)
    if not ok.all():
        raise refuse(user, table, [str(c) for c in uniq[~ok]], tree)


def visible_regions(actor, conn: sa.Connection | None = None) -> pd.Index | None:
    """Codes ``actor`` reads (None: everything — the auditor, the system, or nobody signed in
    on a public page)."""
    if not restricted(actor) or actor.role in READS_EVERYTHING:
        return None
    tree = region_tree(conn)
    return tree.index[inside(tree, tree.index.to_series(), actor.region)]


def _lookup(conn: sa.Connection, table: str, key: str, keys: pd.Series) -> pd.DataFrame:
    """Rows of ``table`` whose ``key`` is in ``keys`` (all columns), indexed by key."""
    t = MODELS[table].__table__
    want = [k for k in pd.unique(keys.dropna()).tolist()]
    if not want:
        return pd.DataFrame(columns=[c.name for c in t.columns]).set_index(key)
    rows = []
    for i in range(0, len(want), 900):  # SQLite's bound-parameter limit
        rows += conn.execute(sa.select(t).where(t.c[key].in_(want[i:i + 900]))).mappings().all()
    frame = pd.DataFrame([dict(r) for r in rows], columns=[c.name for c in t.columns])
    frame[key] = frame[key].astype(object)
    return frame.set_index(key)


def _first(*cols: pd.Series) -> pd.Series:
    out = cols[0].astype(object).replace("", np.nan)
    for c in cols[1:]:
        out = out.fillna(c.astype(object).replace("", np.nan))
    return out


def row_regions(conn: sa.Connection, table: str, rows: pd.DataFrame) -> pd.Series:
    """The region code each row of ``table`` belongs to (looked up through the row's
    pilot, station, officer, case or household where it has no region column)."""
    def col(name: str) -> pd.Series:
        return rows[name].astype(object) if name in rows.columns else pd.Series(np.nan, index=rows.index, dtype=object)

    def via(parent: str, key_col: str, key: str = None) -> pd.Series:
        keys = col(key_col)
        if parent == "pilots":
            ref = _lookup(conn, "pilots", "code", keys)
            return keys.map(_first(ref["region"], ref["county"]) if len(ref) else {})
        if parent == "stations":
            ref = _lookup(conn, "stations", "number", keys)
            return keys.map(_first(ref["region"], ref["township"]) if len(ref) else {})
        if parent == "officers":
            ref = _lookup(conn, "officers", "id", keys)
            return keys.map(row_regions(conn, "officers", ref.reset_index()).set_axis(ref.index) if len(ref) else {})
        if parent == "acceptance_cases":
            ref = _lookup(conn, "acceptance_cases", "id", keys)
            return keys.map(row_regions(conn, "acceptance_cases", ref.reset_index()).set_axis(ref.index) if len(ref) else {})
        if parent == "households":
            ref = _lookup(conn, "households", "id", keys)
            return keys.map(ref["village"] if len(ref) else {})
        raise KeyError(parent)

    if table in ("reports", "report_drafts", "task_progress", "accounts", "award_register", "responsibles",
                 "notices", "meeting_records", "event_reports", "trainee_files"):
        out = col("region")
    elif table == "regions":
        out = _first(col("parent"), col("code"))  # a region belongs to whoever holds its parent
    elif table == "pilots":
        out = _first(col("region"), col("county"))
    elif table == "stations":
        out = _first(col("region"), col("township"))
    elif table in ("pilot_indicators",):
        out = via("pilots", "pilot")
    elif table in ("station_equipment", "officers"):
        out = via("stations", "station")
    elif table in ("officer_training", "officer_assessments"):
        out = via("officers", "officer")
    elif table == "acceptance_cases":
        st = col("subject_type")
        subj = col("subject")
        out = subj.where(st == "village")
        p, s = st == "pilot", st == "station"
        if p.any():
            out[p] = via("pilots", "subject")[p]
        if s.any():
            out[s] = via("stations", "subject")[s]
    elif table == "acceptance_items":
        out = via("acceptance_cases", "case_id")
    elif table == "fund_entries":
        out = _first(col("region"), via("pilots", "pilot"), via("stations", "station"))
    elif table in ("milestone_records", "award_approvals"):  # programme-level: the programme's (county) region
        out = col("program").map(lambda p: program_region(str(p)))
    elif table == "households":
        out = col("village")
    elif table in HOUSEHOLD_TABLES:
        out = via("households", "household")
    else:
        out = pd.Series("", index=rows.index, dtype=object)
    return out.fillna("").astype(object)


def check_rows(conn: sa.Connection, user, table: str, rows: pd.DataFrame) -> None:
    """check_write for whole rows of ``table`` (their regions looked up only when they decide)."""
    if _regions_decide(user, table):
        check_write(conn, user, table, row_regions(conn, table, rows))


def _regions_decide(user, table: str) -> bool:
    """Whether the regions of the rows decide a write of ``table`` by ``user``: not for the
    system (always allowed) nor a table written without regions; a table the role does not
    write at all is refused here (PermissionDenied), a bare str too (TypeError)."""
    if require(user).is_system:
        return False
    if not can_write_table(user, table):
        raise refuse(user, table, [])
    return table not in UNREGIONED_WRITERS


def visible_programs(actor, program_regions: dict[str, Iterable[str]],
                     conn: sa.Connection | None = None) -> list[str]:
    """The programmes ``actor`` reads: those with at least one region inside the actor's
    region, or whose area holds the actor's region (a township officer reads its county's
    programme, limited to its township). ``program_regions``: programme id → its codes, or a
    function giving them (called only for an account that does not read everything: a
    country's tree is half a million codes)."""
    if not restricted(actor) or actor.role in READS_EVERYTHING:  # the system, or nobody (public pages)
        return list(program_regions)
    tree = region_tree(conn)
    above = set(ancestors(tree, actor.region))
    out = []
    for pid, codes in program_regions.items():
        codes = list(codes() if callable(codes) else codes)
        if above.intersection(codes) or inside(tree, codes, actor.region).any():
            out.append(pid)
    return out
