"""Named reads for the supervision of pilots (忻州): the programme's pilots, their
indicators and fund entries, as the store holds them (ruralcore.app.supervision shapes them)."""
from __future__ import annotations

import pandas as pd
import sqlalchemy as sa


def pilots(engine: sa.Engine, program: str) -> pd.DataFrame:
    """Every column of the programme's pilots, by code."""
    with engine.connect() as conn:
        return pd.read_sql(sa.text("SELECT * FROM pilots WHERE program = :p ORDER BY code"), conn,
                           params={"p": program})


def region_names(engine: sa.Engine, program: str) -> pd.DataFrame:
    """code, name of the programme's stored regions."""
    with engine.connect() as conn:
        return pd.read_sql(sa.text("SELECT code, name FROM regions WHERE program = :p"), conn, params={"p": program})


def pilot_indicators(engine: sa.Engine, program: str) -> pd.DataFrame:
    """pilot, item, state of every indicator of the programme's pilots."""
    with engine.connect() as conn:
        return pd.read_sql(sa.text(
            "SELECT i.pilot, i.item, i.state FROM pilot_indicators i JOIN pilots p ON p.code = i.pilot "
            "WHERE p.program = :p"), conn, params={"p": program})


def funds(engine: sa.Engine, program: str) -> pd.DataFrame:
    """The programme's fund entries: pilot, region, kind, amount_yuan, use, on_date, source."""
    with engine.connect() as conn:
        return pd.read_sql(sa.text(
            "SELECT pilot, region, kind, amount_yuan, use, on_date, source FROM fund_entries WHERE program = :p"),
            conn, params={"p": program})


def pilot_city(engine: sa.Engine) -> str | None:
    """The city whose counties hold the stored pilots (the first by code)."""
    from ruralcore.store.models import Pilot, Region

    p, r = Pilot.__table__, Region.__table__
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.min(r.c.parent)).select_from(p.join(r, r.c.code == p.c.county))
                            .where(r.c.parent != "")).scalar()
