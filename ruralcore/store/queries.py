"""Named reads of stored rows for the layers above the store, so that no SQL is written
outside ruralcore/store/: rows of one table matching column values, in a given order.
``target`` is an Engine (a connection of its own) or a Connection (the caller's
transaction, e.g. to read and write in one)."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator, Sequence

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import Session

Target = sa.Engine | sa.Connection | Session


@contextmanager
def _conn(target: Target, begin: bool = False) -> Iterator[sa.Connection]:
    """A connection for ``target``: an Engine's own (one transaction with ``begin``), a
    Session's, or the Connection itself (the caller's transaction)."""
    if isinstance(target, sa.Engine):
        with (target.begin() if begin else target.connect()) as conn:
            yield conn
    elif isinstance(target, Session):
        yield target.connection()
    else:
        yield target


def _table(model_or_table) -> sa.Table:
    return model_or_table if isinstance(model_or_table, sa.Table) else model_or_table.__table__


def _select(table: sa.Table, columns: Sequence[str] | None, order_by: Sequence[str], desc: bool,
            equals: dict[str, Any], within: dict[str, Sequence]) -> sa.Select:
    q = sa.select(*[table.c[c] for c in columns]) if columns else sa.select(table)
    for col, value in equals.items():
        q = q.where(table.c[col] == value)
    for col, values in within.items():
        q = q.where(table.c[col].in_(list(values)))
    if order_by:
        q = q.order_by(*[table.c[c].desc() if desc else table.c[c] for c in order_by])
    return q


def rows(target: Target, model, *, columns: Sequence[str] | None = None, order_by: Sequence[str] = (),
         desc: bool = False, limit: int | None = None, within: dict[str, Sequence] | None = None,
         **equals) -> list[dict]:
    """The rows of ``model``'s table whose columns equal ``equals`` (and lie in ``within``),
    as dicts, ordered by ``order_by`` (descending with ``desc``)."""
    table = _table(model)
    q = _select(table, columns, order_by, desc, equals, within or {})
    if limit is not None:
        q = q.limit(limit)
    with _conn(target) as conn:
        return [dict(r) for r in conn.execute(q).mappings().all()]


def first(target: Target, model, *, columns: Sequence[str] | None = None, order_by: Sequence[str] = (),
          desc: bool = False, **equals) -> dict | None:
    """The first such row (None: none)."""
    found = rows(target, model, columns=columns, order_by=order_by, desc=desc, limit=1, **equals)
    return found[0] if found else None


def frame(target: Target, model, *, columns: Sequence[str] | None = None, order_by: Sequence[str] = (),
          within: dict[str, Sequence] | None = None, **equals) -> pd.DataFrame:
    """The same rows as a frame (every column of the table, or ``columns``, even when empty)."""
    table = _table(model)
    names = list(columns) if columns else [c.name for c in table.columns]
    return pd.DataFrame(rows(target, model, columns=columns, order_by=order_by, within=within, **equals),
                        columns=names)


def column(target: Target, model, name: str, *, order_by: Sequence[str] = (), **equals) -> list:
    """One column's values of the matching rows."""
    return [r[name] for r in rows(target, model, columns=[name], order_by=order_by, **equals)]


def largest(target: Target, model, name: str, **equals) -> Any:
    """The largest value of column ``name`` among the matching rows (None: no row)."""
    table = _table(model)
    q = sa.select(sa.func.max(table.c[name]))
    for col, value in equals.items():
        q = q.where(table.c[col] == value)
    with _conn(target) as conn:
        return conn.execute(q).scalar()
