"""app_meta: small facts about the database (demo flag, per-programme data as-of date).
Writes go through :mod:`write`, so they are audited and version-checked."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from ruralcore.store import audit, write
from ruralcore.store.models import AppMeta
from ruralcore.kernel.principal import Principal

TABLE = AppMeta.__table__
DEMO_KEY = "demo"


def as_of_key(program: str) -> str:
    return f"as_of:{program}"


def get_meta(engine: sa.Engine) -> dict[str, str]:
    with engine.connect() as conn:
        return {k: v for k, v in conn.execute(sa.select(TABLE.c.key, TABLE.c.value)).all()}


def set_meta(engine: sa.Engine, key: str, value: str, user: Principal) -> None:
    """Insert or change one key (last writer wins: these are system facts, not user edits)."""
    with engine.begin() as conn:
        cur = conn.execute(sa.select(TABLE.c.value, TABLE.c.version).where(TABLE.c.key == key)).first()
        if cur is None:
            write.insert(conn, AppMeta, {"key": key, "value": str(value)}, user)
        elif cur[0] != str(value):
            write.update(conn, AppMeta, key, {"value": str(value)}, cur[1], user)


def is_demo(engine: sa.Engine) -> bool:
    return get_meta(engine).get(DEMO_KEY) == "1"


def as_of(engine: sa.Engine, program: str) -> date | None:
    """The data's as-of date for ``program`` recorded by an import or the demo builder."""
    v = get_meta(engine).get(as_of_key(program))
    return date.fromisoformat(v[:10]) if v else None


def set_as_of(engine: sa.Engine, program: str, day: date, user: Principal) -> None:
    set_meta(engine, as_of_key(program), day.isoformat(), user)


def data_token(engine: sa.Engine) -> str:
    """Changes whenever stored data changes: cache key for loaded frames.

    Every write appends to the audit log; bulk loads without audit add report rows or
    meta entries, so their newest ids are part of the token too. Sign-ins and sign-outs
    are audited but change no data: they are left out, or every new session would empty
    every page's caches for everyone.
    """
    quiet = ", ".join(f"'{a}'" for a in audit.SESSION_ACTIONS)
    with engine.connect() as conn:
        a = conn.execute(sa.text(f"SELECT MAX(id) FROM audit_log WHERE action NOT IN ({quiet})")).scalar()
        r = conn.execute(sa.text("SELECT MAX(id), MAX(version) FROM reports WHERE id = (SELECT MAX(id) FROM reports)")).first()
        m = conn.execute(sa.text("SELECT COUNT(*), MAX(value) FROM app_meta")).first()
    return f"{a}:{r[0]}:{m[0]}:{m[1]}"
