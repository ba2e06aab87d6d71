"""Named reads of 融水's stations, officers and their training, and of the task progress
of a programme (ruralcore.app.overview shapes them for the pages)."""
from __future__ import annotations

import pandas as pd
import sqlalchemy as sa


def stations(engine: sa.Engine, program: str) -> pd.DataFrame:
    """station (its number), type, township, region, village, is_demo, status, by number."""
    with engine.connect() as conn:
        return pd.read_sql(sa.text("SELECT number AS station, type, township, region, village, is_demo, status "
                                   "FROM stations WHERE program = :p ORDER BY number"), conn, params={"p": program})


def newest_training_year(engine: sa.Engine, program: str) -> int | None:
    """The newest year with a training record of one of the programme's officers."""
    with engine.connect() as conn:
        return conn.execute(sa.text(
            "SELECT MAX(t.year) FROM officer_training t JOIN officers o ON o.id = t.officer "
            "JOIN stations s ON s.number = o.station WHERE s.program = :p"), {"p": program}).scalar()


def officers(engine: sa.Engine, program: str, year: int | None) -> pd.DataFrame:
    """station, officer (id), name, registered, training_hours in ``year`` (0 without a record)."""
    with engine.connect() as conn:
        return pd.read_sql(sa.text(
            "SELECT o.station, o.id AS officer, o.name, o.registered, COALESCE(t.hours, 0) AS training_hours "
            "FROM officers o JOIN stations s ON s.number = o.station "
            "LEFT JOIN officer_training t ON t.officer = o.id AND t.year = :y "
            "WHERE s.program = :p ORDER BY o.id"), conn, params={"p": program, "y": year})


def task_progress(engine: sa.Engine, program: str) -> pd.DataFrame:
    """task_no, region, period, state of the programme's task progress records."""
    with engine.connect() as conn:
        return pd.read_sql(sa.text("SELECT task_no, region, period, state FROM task_progress WHERE program = :p"),
                           conn, params={"p": program})


def station_training(engine: sa.Engine, number: str, year: int | None) -> list[tuple[str, float]]:
    """(officer name, training hours in ``year`` — every year without one) of one station's
    officers, in the order they were registered."""
    from ruralcore.store.models import Officer, OfficerTraining

    of_t, tr_t = Officer.__table__, OfficerTraining.__table__
    q = (sa.select(of_t.c.name, sa.func.coalesce(sa.func.sum(tr_t.c.hours), 0))
         .select_from(of_t.outerjoin(tr_t, (tr_t.c.officer == of_t.c.id)
                                     & ((tr_t.c.year == year) if year else sa.true())))
         .where(of_t.c.station == number).group_by(of_t.c.id, of_t.c.name).order_by(of_t.c.id))
    with engine.connect() as conn:
        return [(n, float(h)) for n, h in conn.execute(q).all()]
