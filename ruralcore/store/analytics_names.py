"""The analytics tables' names: the table of a programme, the columns of a field, the columns
a table has. Shared by store.analytics (which builds the tables) and store.results (which
keeps the verdicts in them)."""
from __future__ import annotations

import hashlib
import re

import sqlalchemy as sa

PREFIX = "analytics_"
_SAFE = re.compile(r"^[A-Za-z0-9_]{1,58}$")
_PROGRAM_SAFE = re.compile(r"^[a-z0-9-]{1,40}$")


def table_name(program: str) -> str:
    """The analytics table of ``program``: ``analytics_huayuan_2019``; an id that is not
    lower-case letters, digits and hyphens gets a hashed name."""
    if _PROGRAM_SAFE.match(program):
        return PREFIX + program.replace("-", "_")
    return PREFIX + "h" + hashlib.sha1(program.encode("utf-8")).hexdigest()[:16]


def columns(field: str) -> tuple[str, str]:
    """The (value, count) column names of ``field``: ``v_<field>``, ``n_<field>``."""
    if _SAFE.match(field):
        return "v_" + field, "n_" + field
    h = hashlib.sha1(field.encode("utf-8")).hexdigest()[:16]
    return "v__" + h, "n__" + h


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def existing_columns(conn: sa.Connection, table: str) -> list[str] | None:
    """The table's column names, None when it does not exist (one catalogue query)."""
    if conn.dialect.name == "postgresql":
        names = [r[0] for r in conn.execute(sa.text(
            "SELECT attname FROM pg_attribute WHERE attrelid = to_regclass(:t) AND attnum > 0 "
            "AND NOT attisdropped ORDER BY attnum"), {"t": _q(table)})]
    elif conn.dialect.name == "sqlite":
        names = [r[1] for r in conn.exec_driver_sql(f"PRAGMA table_info({_q(table)})")]
    else:
        insp = sa.inspect(conn)
        return [c["name"] for c in insp.get_columns(table)] if insp.has_table(table) else None
    return names or None
