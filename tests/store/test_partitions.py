"""Migration 0014: on PostgreSQL reports becomes partitioned by year (ruralcore.store.partitions)
and keeps every row, id, sequence position and report_totals sum; the store's writes run on
it as before. On SQLite the migration changes nothing and the same calls pass."""
from __future__ import annotations

from datetime import datetime

import pandas as pd
import pytest
import sqlalchemy as sa
from alembic import command

from ruralcore.store import db, partitions, reports
from ruralcore.kernel.principal import system
from tests.support import migrated_to
from tests.store.test_report_totals import KEPT, P, _frame, assert_no_drift, values

AT = datetime(2020, 2, 3, 10, 0)
ROWS = "SELECT id, program, period, region, field, value, submitted_by, version FROM reports ORDER BY id"
INSERT = sa.text("INSERT INTO reports (program, period, region, field, value, submitted_by, submitted_at, version) "
                 "VALUES (:p, :m, :r, :f, :v, '张三', :t, 1)")


def _rows(engine) -> pd.DataFrame:
    with engine.connect() as c:
        return pd.DataFrame(c.execute(sa.text(ROWS)).mappings().all())


def _where(engine) -> dict[int, str]:
    """id -> the partition holding the row (PostgreSQL)."""
    with engine.connect() as c:
        return dict(c.execute(sa.text("SELECT id, tableoid::regclass::text FROM reports")).all())


def _at_0013(url: str) -> None:
    """A database as today's release leaves it: schema 0013, reports of 2019 and 2020 (ids
    with a gap: rows deleted), report_totals kept by 0006's triggers."""
    with migrated_to(url, "0013") as conn:
        conn.execute(INSERT, [{"p": P, "m": m, "r": r, "f": f, "v": v, "t": AT}
                              for m in ("2019-11", "2019-12", "2020-01")
                              for r, f, v in (("433124100", "households", 1520), ("433124100", "broadband_households", 640),
                                              ("433124101", "households", 980), ("433124101", "broadband_households", None))])
        conn.execute(INSERT, {"p": "other", "m": "2019-12", "r": "x", "f": "households", "v": 5, "t": AT})
        conn.execute(sa.text("DELETE FROM reports WHERE program = 'other'"))  # the sequence moved past it


def test_upgrade_to_year_partitions_keeps_rows_ids_and_sums_and_writes_go_on(db_url):
    _at_0013(db_url)
    raw = db._make_engine(db_url)
    before, sums = _rows(raw), _frame(raw, KEPT)
    raw.dispose()
    assert before["id"].tolist() == list(range(1, 13))

    eng = db.get_engine(db_url)  # upgraded to the head on first use
    pg = eng.dialect.name == "postgresql"
    with eng.connect() as c:
        assert partitions.is_partitioned(c, "reports") is pg
        parts = partitions.partitions(c, "reports")
    if pg:
        assert parts["reports_2019"] == "FOR VALUES FROM ('2019-01') TO ('2020-01')"
        assert parts["reports_default"] == "DEFAULT"
        assert set(parts) == {f"reports_{y}" for y in partitions.YEARS} | {"reports_default"}
        assert set(_where(eng).values()) == {"reports_2019", "reports_2020"}
        with eng.connect() as c:  # the key holds period; the other constraints and index are made again
            assert c.execute(sa.text("SELECT pg_get_constraintdef(oid) FROM pg_constraint "
                                     "WHERE conname = 'reports_pkey'")).scalar() == "PRIMARY KEY (id, period)"
            assert c.execute(sa.text("SELECT count(*) FROM pg_trigger WHERE tgrelid = 'reports'::regclass "
                                     "AND NOT tgisinternal")).scalar() == 5  # 0006's lock and four sums
        indexes = {i["name"] for i in sa.inspect(eng).get_indexes("reports")}
        assert "ix_reports_program_region" in indexes
    else:
        assert parts == {}
    pd.testing.assert_frame_equal(_rows(eng), before)  # every row, with its id
    pd.testing.assert_frame_equal(_frame(eng, KEPT), sums)  # report_totals untouched
    assert_no_drift(eng)

    # a correction through the store (version checked), a new village, a year beyond the span
    changed = values([("433124100", "households", 1600), ("433124102", "households", 7)])
    assert reports.upsert_reports(eng, P, "2019-12", changed, system("李四"),
                                  expected_versions={("433124100", "households"): 1}) == \
        {"inserted": 1, "updated": 1, "unchanged": 0}
    reports.upsert_reports(eng, P, "2040-03", values([("433124100", "households", 3)]), system("李四"))
    after = _rows(eng).set_index("id")
    assert after.loc[5, ["value", "version"]].tolist() == [1600, 2]  # same id, version + 1
    # PostgreSQL's sequence went on where it stood, past the deleted 13 (SQLite takes max + 1)
    assert after.index.tolist() == list(range(1, 13)) + ([14, 15] if pg else [13, 14])
    # a row moved to another year by a plain UPDATE: PostgreSQL moves it between partitions
    with eng.begin() as c:
        c.execute(sa.text("UPDATE reports SET period = '2020-02' WHERE id = 1"))
    s = assert_no_drift(eng).set_index(["period", "field"])
    assert s.loc[("2019-11", "households"), "n"] == 1 and s.loc[("2020-02", "households"), "total"] == 1520
    assert s.loc[("2019-12", "households"), ["total", "n"]].tolist() == [1600 + 980 + 7, 3]
    assert s.loc[("2040-03", "households"), "total"] == 3
    if pg:
        where = _where(eng)
        assert where[15] == "reports_default" and where[1] == "reports_2020"
        with eng.begin() as c:  # the year gets a partition; its rows move there, the sums stay
            assert partitions.ensure_year(c, "reports", 2040)
            assert not partitions.ensure_year(c, "reports", 2040)
        assert _where(eng)[15] == "reports_2040"
        assert_no_drift(eng)
    else:
        with eng.begin() as c:
            assert not partitions.ensure_year(c, "reports", 2040)


def test_postgresql_downgrade_returns_the_plain_table_with_its_rows(engine):
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite's reports never changed (above)")
    reports.upsert_reports(engine, P, "2019-05", values([("433124100", "households", 1)]), system("张三"))
    reports.upsert_reports(engine, P, "2031-05", values([("433124100", "households", 2)]), system("张三"))
    before = _rows(engine)
    cfg = db.alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0013")
        assert not partitions.is_partitioned(conn, "reports")
        assert conn.execute(sa.text("SELECT pg_get_constraintdef(oid) FROM pg_constraint "
                                    "WHERE conname = 'reports_pkey'")).scalar() == "PRIMARY KEY (id)"
        assert conn.execute(sa.text("SELECT count(*) FROM pg_class WHERE relname LIKE 'reports\\_2%'")).scalar() == 0
    pd.testing.assert_frame_equal(_rows(engine), before)
    reports.upsert_reports(engine, P, "2019-06", values([("433124100", "households", 5)]), system("张三"))
    assert_no_drift(engine)
    assert _rows(engine)["id"].tolist() == [1, 2, 3]


def test_analytics_tables_are_partitioned_by_year_on_postgresql(engine):
    from ruralcore.store import analytics

    reports.upsert_reports(engine, P, "2019-05", values([("433124100", "households", 1520),
                                                         ("433124101", "households", 980)]), system("张三"))
    reports.upsert_reports(engine, P, "2040-05", values([("433124100", "households", 3)]), system("张三"))
    table = analytics.table_name(P)
    pg = engine.dialect.name == "postgresql"
    with engine.connect() as c:
        assert partitions.is_partitioned(c, table) is pg
        assert analytics.analytics_tables(c) == [table]  # its partitions are not tables of their own
        if pg:
            assert set(partitions.partitions(c, table)) == ({f"{table}_{y}" for y in partitions.YEARS}
                                                            | {f"{table}_default"})
            where = dict(c.execute(sa.text(f'SELECT period, tableoid::regclass::text FROM "{table}"')).all())
            assert where == {"2019-05": f"{table}_2019", "2040-05": f"{table}_default"}
    assert analytics.month_rows(engine, P, "2019-05")["households"].to_dict() == {"433124100": 1520, "433124101": 980}
    reports.upsert_reports(engine, P, "2040-05", values([("433124100", "households", 4)]), system("李四"))
    assert analytics.month_rows(engine, P, "2040-05")["households"].to_dict() == {"433124100": 4}
