"""Named statements of sign-in: login attempts (the throttle counts them), the lock that
serialises the attempts on one account, and sessions (only a token's hash is stored).
ruralcore.auth.accounts decides with them; every function joins the caller's transaction."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from ruralcore.store.models import Account, LoginAttempt, UserSession

ATTEMPTS, SESSIONS, ACCOUNTS = LoginAttempt.__table__, UserSession.__table__, Account.__table__


def recent_failures(conn: sa.Connection, username: str) -> list[datetime]:
    """Bad-password attempts since the last success, newest first (50 at most)."""
    t = ATTEMPTS
    last_ok = conn.execute(sa.select(sa.func.max(t.c.at)).where(t.c.username == username, t.c.ok)).scalar()
    q = sa.select(t.c.at).where(t.c.username == username, sa.not_(t.c.ok), t.c.reason == "bad_password")
    if last_ok is not None:
        q = q.where(t.c.at > last_ok)
    return [r[0] for r in conn.execute(q.order_by(t.c.at.desc(), t.c.id.desc()).limit(50)).all()]


def record_attempt(conn: sa.Connection, username: str, now: datetime, ok: bool, reason: str) -> int:
    """One login attempt; its id."""
    res = conn.execute(sa.insert(ATTEMPTS).values(username=username, at=now, ok=ok, reason=reason))
    return res.inserted_primary_key[0]


def mark_attempt_ok(conn: sa.Connection, attempt: int) -> None:
    conn.execute(sa.update(ATTEMPTS).where(ATTEMPTS.c.id == attempt).values(ok=True, reason="ok"))


def lock_account(conn: sa.Connection, username: str) -> None:
    """Serialise the attempts on one account until the transaction ends: a row lock on
    PostgreSQL (an unknown name has no row, and no password to guess); on SQLite the
    database's write lock, taken before the first read."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        conn.execute(sa.select(ACCOUNTS.c.username).where(ACCOUNTS.c.username == username).with_for_update())


def start(conn: sa.Connection, token_hash: str, username: str, now: datetime) -> None:
    conn.execute(sa.insert(SESSIONS).values(token_hash=token_hash, username=username, started_at=now, last_seen=now))


def session(conn: sa.Connection, token_hash: str) -> dict | None:
    row = conn.execute(sa.select(SESSIONS).where(SESSIONS.c.token_hash == token_hash)).mappings().first()
    return dict(row) if row else None


def touch(conn: sa.Connection, token_hash: str, **values) -> None:
    """Set ``last_seen`` or ``ended_at`` of one session."""
    conn.execute(sa.update(SESSIONS).where(SESSIONS.c.token_hash == token_hash).values(**values))


def end_all(conn: sa.Connection, username: str, now: datetime) -> int:
    """End every open session of ``username``; how many."""
    res = conn.execute(sa.update(SESSIONS).where(SESSIONS.c.username == username, SESSIONS.c.ended_at.is_(None))
                       .values(ended_at=now))
    return res.rowcount


def end_live(conn: sa.Connection, token_hash: str, now: datetime) -> str | None:
    """End the session of ``token_hash`` if it is open; the user name (None: nothing ended)."""
    live = (SESSIONS.c.token_hash == token_hash) & SESSIONS.c.ended_at.is_(None)
    user = conn.execute(sa.select(SESSIONS.c.username).where(live)).scalar()
    if user is not None:
        conn.execute(sa.update(SESSIONS).where(live).values(ended_at=now))
    return user

