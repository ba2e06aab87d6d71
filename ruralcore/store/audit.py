"""The audit log: who changed what, when, from which value to which.

Writers call :func:`append` inside their own transaction, so a change and its audit
entries commit or roll back together.
"""
from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Iterable

import numpy as np
import pandas as pd
import sqlalchemy as sa

from ruralcore.store import _fast
from ruralcore.store.db import to_cst_naive
from ruralcore.store.models import AuditEntry

TABLE = AuditEntry.__table__
COLUMNS = ["id", "at", "user", "action", "table", "key", "field", "old", "new"]
# entries about a session (sign-in, refused sign-in, sign-out, timeout): audited, but they
# change no data, so they do not change the data token (store.meta.data_token)
SESSION_ACTIONS = ("login", "login_fail", "logout", "timeout")


def text(value: Any) -> str | None:
    """How a value is written into old/new: stable text, integral floats without '.0'."""
    if value is None:
        return None
    if isinstance(value, (float, np.floating)):
        if np.isnan(value):
            return None
        return str(int(value)) if float(value).is_integer() else repr(float(value))
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, (int, np.integer, Decimal)):
        return str(value)
    if isinstance(value, (datetime, date, pd.Timestamp)):
        return value.isoformat()
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def row_json(row: dict) -> str:
    return json.dumps({k: text(v) for k, v in row.items()}, ensure_ascii=False)


def text_column(values: pd.Series) -> list[str | None]:
    """Vectorised :func:`text` for a float column (the hot path: report values)."""
    v = pd.to_numeric(values, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    out = np.full(len(v), None, dtype=object)
    ok = ~np.isnan(v)
    integral = ok & (np.mod(v, 1, where=ok, out=np.zeros_like(v)) == 0) & (np.abs(v) < 2**53)
    out[integral] = v[integral].astype("int64").astype(str)
    other = ok & ~integral
    if other.any():
        out[other] = [repr(float(x)) for x in v[other]]
    return out.tolist()


def append(conn: sa.Connection, entries: Iterable[dict] | pd.DataFrame, user: str,
           at: datetime | None = None) -> int:
    """Add entries (dicts with action, table, key, field, old, new) to the log."""
    if isinstance(entries, pd.DataFrame):
        frame = entries
    else:
        frame = pd.DataFrame(list(entries), columns=["action", "table", "key", "field", "old", "new"])
    if frame.empty:
        return 0
    when = to_cst_naive(at)
    cols = {c: _none_for_nan(frame[c]) for c in ["action", "table", "key", "field", "old", "new"]}
    n = len(frame)
    _fast.insert_rows(conn, "audit_log", ["at", "username", "action", "table_name", "key", "field", "old", "new"],
                      [[when] * n, [user] * n] + [cols[c] for c in ["action", "table", "key", "field", "old", "new"]])
    return n


def log_pii_access(conn: sa.Connection, **row) -> None:
    """One entry of the log of unmasked household views (pii_access_log): at, username,
    household, village, role, purpose."""
    from ruralcore.store.models import PiiAccessLog

    conn.execute(sa.insert(PiiAccessLog.__table__).values(**row))


def _none_for_nan(s: pd.Series) -> list:
    vals = s.tolist()
    if not s.hasnans:
        return vals
    return [None if v is None or v != v else v for v in vals]  # NaN != NaN


def last_change(conn: sa.Connection, table: str, key: str) -> tuple[str, datetime] | None:
    """(user, at) of the newest audit entry of one record."""
    row = conn.execute(
        sa.select(TABLE.c.username, TABLE.c.at)
        .where(TABLE.c.table_name == table, TABLE.c.key == key)
        .order_by(TABLE.c.id.desc()).limit(1)
    ).first()
    return (row[0], row[1]) if row else None


def first_day(engine: sa.Engine) -> date | None:
    """The day of the oldest entry (None: an empty log)."""
    with engine.connect() as conn:
        first = conn.execute(sa.select(sa.func.min(TABLE.c.at))).scalar()
    return pd.Timestamp(first).date() if first is not None else None


def load_audit(engine: sa.Engine, user: str | None = None, table: str | None = None,
               since: datetime | date | None = None, until: datetime | date | None = None,
               key_prefix: str | None = None) -> pd.DataFrame:
    """Audit entries, oldest first; columns id, at, user, action, table, key, field, old, new.
    ``since`` is inclusive, ``until`` exclusive; a date means its midnight."""
    q = sa.select(TABLE.c.id, TABLE.c.at, TABLE.c.username, TABLE.c.action, TABLE.c.table_name,
                  TABLE.c.key, TABLE.c.field, TABLE.c.old, TABLE.c.new).order_by(TABLE.c.id)
    if user is not None:
        q = q.where(TABLE.c.username == user)
    if table is not None:
        q = q.where(TABLE.c.table_name == table)
    if since is not None:
        q = q.where(TABLE.c.at >= _as_datetime(since))
    if until is not None:
        q = q.where(TABLE.c.at < _as_datetime(until))
    if key_prefix:
        q = q.where(TABLE.c.key.startswith(key_prefix, autoescape=True))
    with engine.connect() as conn:
        rows = conn.execute(q).all()
    df = pd.DataFrame(rows, columns=COLUMNS) if rows else pd.DataFrame(columns=COLUMNS)
    df["id"] = df["id"].astype("int64")
    df["at"] = pd.to_datetime(df["at"])
    return df


def _as_datetime(d: datetime | date) -> datetime:
    if isinstance(d, datetime):
        return to_cst_naive(d)
    return datetime(d.year, d.month, d.day)
