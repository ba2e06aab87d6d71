"""Named reads of acceptance cases and their funds that are more than a row lookup
(ruralcore.app.cases decides with them)."""
from __future__ import annotations

import sqlalchemy as sa

from ruralcore.store.models import AcceptanceCase, FundEntry
from ruralcore.store.queries import Target, _conn


def open_case_id(target: Target, program: str, subject_type: str, subject: str) -> int | None:
    """The id of a case of this subject not yet accepted (None: there is none)."""
    t = AcceptanceCase.__table__
    with _conn(target) as conn:
        return conn.execute(sa.select(t.c.id).where(
            t.c.program == program, t.c.subject_type == subject_type, t.c.subject == subject,
            t.c.state != "accepted")).scalar()


def advance_paid(target: Target, program: str, station: str) -> int:
    """The advance (预拨) paid to a station so far, in yuan."""
    t = FundEntry.__table__
    with _conn(target) as conn:
        return int(conn.execute(sa.select(sa.func.coalesce(sa.func.sum(t.c.amount_yuan), 0)).where(
            t.c.program == program, t.c.station == station, t.c.kind == "advance")).scalar())
