"""Named reads and locks of the registers, 督办 notices and records (awards, responsibility,
station register, fund entries) that are more than a row lookup of store.queries; the
domain modules decide with what they return. ``target`` as in store.queries."""
from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from ruralcore.store.models import AwardApproval, AwardEntry
from ruralcore.store.queries import Target, _conn


def serialise(conn: sa.Connection, key: str) -> None:
    """Hold writers of ``key`` back until ``conn``'s transaction ends: a PostgreSQL advisory
    lock on PostgreSQL, the database's write lock (BEGIN IMMEDIATE) on SQLite."""
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": key})
    else:  # SQLite: take the database's write lock before reading
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def held_awards(target: Target, program: str, other_than_batch: str, none: str) -> pd.DataFrame:
    """region, award of the programme's award entries of batches other than
    ``other_than_batch`` whose award is not ``none``."""
    e = AwardEntry.__table__
    with _conn(target) as conn:
        rows = conn.execute(sa.select(e.c.region, e.c.award).where(
            e.c.program == program, e.c.batch != other_than_batch, e.c.award != none)).all()
    return pd.DataFrame(rows, columns=["region", "award"], dtype=object)


def award_entries(target: Target, program: str) -> pd.DataFrame:
    """Every award entry of the programme with its approval's approved_by, approved_on,
    meeting and period."""
    e, a = AwardEntry.__table__, AwardApproval.__table__
    q = (sa.select(e, a.c.approved_by, a.c.approved_on, a.c.meeting, a.c.period)
         .join(a, a.c.id == e.c.approval).where(e.c.program == program))
    with _conn(target) as conn:
        rows = conn.execute(q).mappings().all()
    cols = [c.name for c in e.columns] + ["approved_by", "approved_on", "meeting", "period"]
    return pd.DataFrame([dict(r) for r in rows], columns=cols, dtype=object)


def responsibility_sources(target: Target, program: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """What can carry a responsible: the pilots (code, name, county), the stations
    (number, village, township, region) and the townships (code, name), each by code."""
    p = {"p": program}
    with _conn(target) as conn:
        pil = pd.DataFrame(conn.execute(sa.text(
            "SELECT code, name, county FROM pilots WHERE program = :p ORDER BY code"), p).all(),
            columns=["code", "name", "county"], dtype=object)
        st = pd.DataFrame(conn.execute(sa.text(
            "SELECT number, village, township, region FROM stations WHERE program = :p ORDER BY number"),
            p).all(), columns=["number", "village", "township", "region"], dtype=object)
        towns = pd.DataFrame(conn.execute(sa.text(
            "SELECT code, name FROM regions WHERE program = :p AND level = 'township' ORDER BY code"),
            p).all(), columns=["code", "name"], dtype=object)
    return pil, st, towns


_FUND_SUBJECTS = (
    ("pilot", "SELECT code, name FROM pilots WHERE program = :p ORDER BY code"),
    ("station", "SELECT number AS code, village AS name FROM stations WHERE program = :p ORDER BY number"),
    ("region", "SELECT code, name FROM regions WHERE program = :p AND level IN ('city', 'county') ORDER BY code"))


def fund_subjects(target: Target, program: str) -> tuple[str, pd.DataFrame]:
    """What the programme's fund entries belong to: its pilots (column ``pilot``), else its
    stations (``station``), else its city and county regions (``region``) — code, name."""
    with _conn(target) as conn:
        for column, sql in _FUND_SUBJECTS:
            rows = pd.read_sql(sa.text(sql), conn, params={"p": program})
            if len(rows):
                break
    return column, rows


def fund_entries(target: Target, program: str) -> pd.DataFrame:
    """id, kind, pilot, station, region, amount_yuan, on_date, source_category,
    use_category, note of the programme's fund entries, newest first."""
    with _conn(target) as conn:
        return pd.read_sql(sa.text(
            "SELECT id, kind, pilot, station, region, amount_yuan, on_date, source_category, use_category, note "
            "FROM fund_entries WHERE program = :p ORDER BY on_date DESC, id DESC"), conn, params={"p": program})
