"""report_totals (migration 0006) never drifts from the reports it sums: after every way
reports are written — upsert (page save, Excel import, report fix), single-record writes,
bulk insert, demo build and rebuild, backup restore, plain SQL — on SQLite and PostgreSQL.
A write that fails leaves the sums as they were."""
from __future__ import annotations

import threading
from datetime import datetime

import pandas as pd
import pytest
import sqlalchemy as sa

from ruralcore.store import backup
from ruralcore.app import entry
from ruralcore.io import excel
from ruralcore.kernel.errors import InputError, StaleWriteError
from ruralcore.store import db, reports, write
from ruralcore.store.models import Report
from ruralcore.kernel.principal import system
from tests.support import migrated_to

P = "huayuan-2019"
AT = datetime(2019, 6, 5, 9, 30)

# every group of reports, summed over the rows themselves
SUMMED = ("SELECT program, period, field, SUM(value) AS total, COUNT(value) AS n, COUNT(*) AS n_rows "
          "FROM reports GROUP BY program, period, field")
KEPT = ("SELECT program, period, field, CASE WHEN n > 0 THEN total END AS total, n, n_rows "
        "FROM report_totals WHERE n_rows <> 0")


def _frame(engine, sql: str) -> pd.DataFrame:
    with engine.connect() as c:
        df = pd.DataFrame(c.execute(sa.text(sql)).mappings().all(),
                          columns=["program", "period", "field", "total", "n", "n_rows"])
    df = df.astype({"total": "float64", "n": "int64", "n_rows": "int64"})
    return df.sort_values(["program", "period", "field"]).reset_index(drop=True)


def assert_no_drift(engine, exact: bool = True) -> pd.DataFrame:
    """report_totals holds exactly the GROUP BY over reports (every programme), no group
    too many, and period_totals gives what summing the reports gives."""
    summed, kept = _frame(engine, SUMMED), _frame(engine, KEPT)
    pd.testing.assert_frame_equal(kept, summed, check_exact=exact, rtol=1e-12)
    with engine.connect() as c:  # emptied groups are at zero, never below
        assert c.execute(sa.text("SELECT COUNT(*) FROM report_totals WHERE n_rows < 0 OR n < 0 "
                                 "OR (n_rows = 0 AND (n <> 0 OR total <> 0))")).scalar() == 0
    for program in summed["program"].unique():
        pd.testing.assert_frame_equal(reports.period_totals(engine, program),
                                      reports.period_totals_from_reports(engine, program),
                                      check_exact=exact, rtol=1e-12)
    return summed


def values(rows):
    return pd.DataFrame(rows, columns=["region", "field", "value"])


MAY = values([
    ("433124100", "households", 1520), ("433124100", "broadband_households", 640),
    ("433124101", "households", 980), ("433124101", "broadband_households", 392),
    ("433124102", "households", 0), ("433124102", "broadband_households", None),
])


def test_upsert_insert_update_clear_and_unchanged_keep_the_sums(engine):
    reports.upsert_reports(engine, P, "2019-05", MAY, system("张三"), submitted_at=AT)
    reports.upsert_reports(engine, P, "2019-06", MAY.iloc[:3], system("张三"), submitted_at=AT)
    s = assert_no_drift(engine).set_index(["period", "field"])
    assert s.loc[("2019-05", "households"), "total"] == 2500
    assert s.loc[("2019-05", "broadband_households"), ["total", "n", "n_rows"]].tolist() == [1032, 2, 3]
    changed = values([("433124100", "households", 1600),             # update
                      ("433124101", "broadband_households", None),   # a value cleared
                      ("433124102", "broadband_households", 7),      # an empty value filled
                      ("433124103", "households", 55)])              # insert
    assert reports.upsert_reports(engine, P, "2019-05", changed, system("李四")) == \
        {"inserted": 1, "updated": 3, "unchanged": 0}
    s = assert_no_drift(engine).set_index(["period", "field"])
    assert s.loc[("2019-05", "households"), ["total", "n"]].tolist() == [2635, 4]
    assert s.loc[("2019-05", "broadband_households"), ["total", "n"]].tolist() == [647, 2]
    reports.upsert_reports(engine, P, "2019-05", changed, system("李四"))  # the same again: nothing moves
    assert_no_drift(engine)
    # a month whose values are all empty: the sum is empty, not 0 (as SUM over reports)
    reports.upsert_reports(engine, P, "2019-07", values([("433124100", "study_room", None)]), system("张三"))
    t = reports.period_totals(engine, P).set_index(["period", "field"])
    assert t.loc[("2019-07", "study_room"), "n"] == 0 and pd.isna(t.loc[("2019-07", "study_room"), "total"])
    assert_no_drift(engine)


def test_refused_writes_leave_the_sums_as_they_were(engine):
    reports.upsert_reports(engine, P, "2019-05", MAY, system("张三"))
    before = assert_no_drift(engine)
    with pytest.raises(StaleWriteError):  # the second row's version moved: nothing written
        reports.upsert_reports(engine, P, "2019-05", values([("433124100", "households", 1),
                                                             ("433124101", "households", 2)]),
                               system("李四"), expected_versions={("433124100", "households"): 1,
                                                        ("433124101", "households"): 5})
    with pytest.raises(InputError):  # one bad number: nothing written
        reports.upsert_reports(engine, P, "2019-05", values([("433124100", "households", 1),
                                                             ("433124101", "households", "很多")]), system("李四"))
    pd.testing.assert_frame_equal(assert_no_drift(engine), before)


def test_single_record_writes_bulk_insert_and_plain_sql_keep_the_sums(engine):
    write.bulk_insert(engine, Report, pd.DataFrame({
        "program": P, "period": "2019-08", "region": ["433124100", "433124101", "433124102"],
        "field": "households", "value": [10.0, None, 30.0], "submitted_at": AT}), system("系统"))
    assert_no_drift(engine)
    row = write.insert(engine, Report, {"program": P, "period": "2019-08", "region": "433124103",
                                        "field": "households", "value": 4, "submitted_at": AT}, system("系统"))
    assert_no_drift(engine)
    row = write.update(engine, Report, row.id, {"value": 40}, 1, system("系统"))
    assert_no_drift(engine)
    write.update(engine, Report, row.id, {"field": "residents", "period": "2019-09"}, 2, system("系统"))  # moves group
    assert_no_drift(engine)
    write.delete(engine, Report, row.id, 3, system("系统"))
    assert_no_drift(engine)
    with engine.begin() as c:
        c.execute(sa.text("UPDATE reports SET value = value * 2 WHERE period = '2019-08'"))
    assert_no_drift(engine)
    with engine.begin() as c:
        c.execute(sa.text("DELETE FROM reports WHERE period = '2019-08'"))
    assert_no_drift(engine)
    assert reports.period_totals(engine, P).empty  # emptied groups are not listed


def test_fractional_values_agree_to_rounding(engine):
    reports.upsert_reports(engine, P, "2019-05", values([("433124100", "households", 0.1),
                                                         ("433124101", "households", 0.2)]), system("张三"))
    reports.upsert_reports(engine, P, "2019-05", values([("433124100", "households", 0.3)]), system("张三"))
    assert_no_drift(engine, exact=False)


def _reference(engine, program, upto, codes) -> pd.DataFrame:
    """period_totals over ``codes`` the plain way: the reports rows summed by pandas."""
    rep = reports.load_reports(engine, program)
    rep = rep[(rep["period"] <= upto) & rep["region"].isin(set(codes))]
    g = rep.groupby(["period", "field"], as_index=False).agg(total=("value", "sum"), n=("value", "count"))
    g["total"] = g["total"].where(g["n"] > 0)
    return g.sort_values(["period", "field"]).reset_index(drop=True).astype({"n": "int64"})


@pytest.mark.parametrize("few", [5000, 0], ids=["few-regions-summed", "most-regions-subtracted"])
def test_region_subset_sums_only_those_regions(engine, monkeypatch, few):
    """An account that reads part of the area: its regions summed directly, or (most of the
    area) the kept sums minus the regions left out — the same figures either way."""
    monkeypatch.setattr(reports, "FEW_REGIONS", few)
    reports.upsert_reports(engine, P, "2019-05", MAY, system("张三"))
    reports.upsert_reports(engine, P, "2019-06", MAY.iloc[1:], system("张三"))
    reports.upsert_reports(engine, P, "2019-07", values([("433124102", "study_room", None)]), system("张三"))
    reports.upsert_reports(engine, P, "2019-08", values([("433124100", "residents", 5)]), system("张三"))  # one region only
    reports.upsert_reports(engine, P, "2019-09", MAY, system("张三"))  # after ``upto``
    everyone = sorted(MAY["region"].unique())
    for codes in (everyone, everyone[:1], everyone[1:], ["433124102"], ["433124100", "433124999"], []):
        got = reports.period_totals(engine, P, "2019-08", regions=codes)
        want = _reference(engine, P, "2019-08", codes)
        pd.testing.assert_frame_equal(got.reset_index(drop=True), want, check_dtype=False, obj=str(codes))
    part = reports.period_totals(engine, P, "2019-05", regions=["433124100", "433124102"])
    assert part[["period", "field", "total", "n"]].values.tolist() == [
        ["2019-05", "broadband_households", 640.0, 1], ["2019-05", "households", 1520.0, 2]]
    alone = reports.period_totals(engine, P, regions=["433124102"]).set_index(["period", "field"])
    assert pd.isna(alone.loc[("2019-07", "study_room"), "total"]) and alone.loc[("2019-07", "study_room"), "n"] == 0


def test_most_of_the_area_is_read_in_one_snapshot(engine, monkeypatch):
    """The kept sums and the left-out regions are separate reads: a write to a left-out
    region committed between them must not be subtracted from sums that never held it."""
    monkeypatch.setattr(reports, "FEW_REGIONS", 0)
    reports.upsert_reports(engine, P, "2019-05", MAY, system("张三"))
    chosen = ["433124100", "433124101"]
    before = _reference(engine, P, "2019-05", chosen)
    real_region_sums = reports._region_sums

    def write_then_sum(*args):
        if not getattr(write_then_sum, "done", False):
            write_then_sum.done = True  # another user saves the left-out village meanwhile
            reports.upsert_reports(engine, P, "2019-05", values([("433124102", "households", 500)]), system("李四"))
        return real_region_sums(*args)

    monkeypatch.setattr(reports, "_region_sums", write_then_sum)
    got = reports.period_totals(engine, P, "2019-05", regions=chosen)
    assert write_then_sum.done
    pd.testing.assert_frame_equal(got.reset_index(drop=True), before, check_dtype=False)
    monkeypatch.setattr(reports, "_region_sums", real_region_sums)
    pd.testing.assert_frame_equal(reports.period_totals(engine, P, "2019-05", regions=chosen).reset_index(drop=True),
                                  before, check_dtype=False)  # the write changed nothing the two read
    assert_no_drift(engine)


def test_demo_build_rebuild_import_entry_and_restore_keep_the_sums(db_url, tmp_path):
    from ruralcore.demo import build_demo
    eng = db.get_engine(db_url)
    build_demo(eng, "county")
    assert_no_drift(eng)
    build_demo(eng, "county")  # rebuilt from scratch: old rows deleted, new ones counted once
    start = assert_no_drift(eng)
    period = reports.period_totals(eng, P)["period"].max()
    # the page's save (entry) and the Excel import (the report-fix page takes the same upsert)
    town = entry.groups(eng, P)["code"].iat[0]
    sheet = entry.load_sheet(eng, P, period, town)
    edited = sheet.frame.copy()
    edited.at[0, "households"] = edited.at[0, "households"] + 7
    assert entry.save(eng, sheet, edited, system("花垣镇填报员"))["updated"] == 1
    assert_no_drift(eng)
    workbook = excel.export(eng, P, period)
    with eng.begin() as c:
        c.execute(sa.text("DELETE FROM reports WHERE program = :p AND period = :m"), {"p": P, "m": period})
    assert period not in set(reports.period_totals(eng, P)["period"])
    assert_no_drift(eng)
    assert excel.import_file(eng, P, workbook, period, system("张三"))["inserted"] > 0
    after = assert_no_drift(eng)
    households = after.set_index(["program", "period", "field"]).loc[(P, period, "households"), "total"]
    assert households == start.set_index(["program", "period", "field"]).loc[(P, period, "households"), "total"] + 7
    # backup, then change everything, then restore: the sums are the backup's again
    zipped = tmp_path / "b.zip"
    backup.backup(eng, zipped)
    reports.upsert_reports(eng, P, period, values([(sheet.frame["code"].iat[0], "households", 1)]), system("李四"))
    with eng.begin() as c:
        c.execute(sa.text("DELETE FROM reports WHERE program <> :p"), {"p": P})
    assert_no_drift(eng)
    backup.restore(eng, zipped)
    pd.testing.assert_frame_equal(assert_no_drift(eng), after)


def test_upgrade_from_0005_sums_what_is_already_stored(db_url):
    with migrated_to(db_url, "0005") as conn:
        conn.execute(sa.text(
            "INSERT INTO reports (program, period, region, field, value, submitted_by, submitted_at, version) "
            "VALUES (:p, '2019-05', :r, 'households', :v, '张三', :t, 1)"),
            [{"p": P, "r": r, "v": v, "t": AT} for r, v in (("433124100", 1520), ("433124101", None),
                                                            ("433124102", 980))])
    eng = db.get_engine(db_url)  # upgraded to the head on first use
    assert_no_drift(eng)
    assert reports.period_totals(eng, P)[["total", "n"]].values.tolist() == [[2500.0, 2]]
    reports.upsert_reports(eng, P, "2019-05", values([("433124101", "households", 5)]), system("李四"))
    assert_no_drift(eng)  # and the triggers run from then on
    assert reports.period_totals(eng, P)[["total", "n"]].values.tolist() == [[2505.0, 3]]


def test_postgresql_truncate_clears_the_sums(engine):
    if engine.dialect.name != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's; SQLite's DELETE without WHERE fires the delete trigger")
    reports.upsert_reports(engine, P, "2019-05", MAY, system("张三"))
    with engine.begin() as c:
        c.execute(sa.text("TRUNCATE reports"))
    assert_no_drift(engine)
    assert reports.period_totals(engine, P).empty


def test_postgresql_writers_of_reports_wait_for_each_other_instead_of_deadlocking(engine):
    """One inserts field A then updates field B, the other the reverse: without the writers'
    lock each would hold a totals row the other needs. The second waits at its first write."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time")
    reports.upsert_reports(engine, P, "2019-05", MAY, system("张三"))
    ins = sa.text("INSERT INTO reports (program, period, region, field, value, submitted_by, submitted_at, version) "
                  "VALUES (:p, '2019-05', :r, :f, 1, 'x', :t, 1)")
    upd = sa.text("UPDATE reports SET value = value + 1 WHERE program = :p AND period = '2019-05' "
                  "AND region = '433124100' AND field = :f")
    errors: list = []

    def second() -> None:
        try:
            with engine.begin() as c:
                c.execute(ins, {"p": P, "r": "433124200", "f": "households", "t": AT})
                c.execute(upd, {"p": P, "f": "broadband_households"})
        except Exception as e:  # noqa: BLE001 - reported to the main thread
            errors.append(e)

    with engine.begin() as first:
        first.execute(ins, {"p": P, "r": "433124201", "f": "broadband_households", "t": AT})
        other = threading.Thread(target=second)
        other.start()
        other.join(1.0)
        assert other.is_alive()  # waiting for the first writer, holding nothing yet
        first.execute(upd, {"p": P, "f": "households"})
    other.join(30)
    assert not other.is_alive() and errors == []
    s = assert_no_drift(engine).set_index(["period", "field"])
    assert s.loc[("2019-05", "households"), "total"] == 2500 + 1 + 1
