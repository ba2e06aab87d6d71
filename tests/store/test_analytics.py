"""The analytics tables (ruralcore.store.analytics) never drift from the reports they are
made from: after random writes — new values, corrections, empty values, several months
and regions, single-record writes, a region moved in the tree, a restore — every own row
and every sum row of every level equals what pandas computes from the raw reports, on
SQLite and PostgreSQL. Plus the rebuild command's contract."""
from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings, strategies as st

from ruralcore.store import backup
from ruralcore.cli import main
from ruralcore.kernel.principal import system
from ruralcore.store import analytics, regions as store_regions, reports, write
from ruralcore.store.models import Report

P = "analytics-test"  # no programme file: any field, only finite values
FIELDS = ["households", "broadband", "stations"]
PERIODS = ["2019-05", "2019-06", "2020-01"]
SYS = system("测试")


def _tree(move: bool = False) -> pd.DataFrame:
    """province > city > 2 counties > 3 townships > 7 villages (+ a pilot under a village);
    ``move`` puts village V3 under township T2 instead of T1."""
    rows = [("PR", "province", ""), ("CI", "city", "PR"), ("K1", "county", "CI"), ("K2", "county", "CI"),
            ("T1", "township", "K1"), ("T2", "township", "K1"), ("T3", "township", "K2")]
    rows += [(f"V{i}", "village", t) for i, t in
             zip(range(1, 8), ["T1", "T1", "T2" if move else "T1", "T2", "T2", "T3", "T3"])]
    rows += [("PI", "pilot", "V6")]
    return pd.DataFrame({"code": [r[0] for r in rows], "name": [r[0] + "演示" for r in rows],
                         "level": [r[1] for r in rows], "parent": [r[2] for r in rows], "program": P,
                         "kind": "", "code_source": "", "ref": ""})


# regions that report: the villages, the pilot, county K1's own fields, and a code the tree does not know
UNITS = [f"V{i}" for i in range(1, 8)] + ["PI", "K1", "XX"]


def _expected(engine) -> dict[str, tuple[pd.DataFrame, pd.DataFrame]]:
    """period → (own rows, sum rows) computed by pandas from the raw reports and the tree."""
    with engine.connect() as c:
        rep = pd.DataFrame(c.execute(sa.text("SELECT period, region, field, value FROM reports WHERE program = :p"),
                                     {"p": P}).all(), columns=["period", "region", "field", "value"])
        tree = pd.DataFrame(c.execute(sa.text("SELECT code, level, parent FROM regions")).all(),
                            columns=["code", "level", "parent"]).set_index("code")
    rep["value"] = rep["value"].astype("float64")
    out = {}
    for period, month in rep.groupby("period"):
        fields = sorted(month["field"].unique())
        own = month.pivot(index="region", columns="field", values="value").reindex(columns=fields)
        own.index.name, own.columns.name = "region", None
        # every (reported region, ancestor strictly above it) pair
        pairs, cur = [], pd.Series(month["region"].unique(), dtype=object)
        base = cur.copy()
        for _ in range(10):
            cur = cur.map(tree["parent"]).replace("", np.nan)
            keep = cur.notna()
            if not keep.any():
                break
            pairs.append(pd.DataFrame({"region": base[keep].to_numpy(), "anc": cur[keep].to_numpy()}))
            base, cur = base[keep], cur[keep]
        pairs = pd.concat(pairs) if pairs else pd.DataFrame({"region": [], "anc": []})
        below = month.merge(pairs, on="region")
        g = below.groupby(["anc", "field"])["value"]
        sums = g.sum(min_count=1).unstack().reindex(columns=fields)
        n = g.count().unstack().reindex(columns=fields).fillna(0).astype("int64")
        totals = pd.concat([tree.reindex(sums.index)[["level", "parent"]].fillna(""), sums,
                            n.rename(columns=lambda f: "n:" + f)], axis=1)
        totals.index.name = "region"
        out[period] = (own.sort_index(), totals.sort_index())
    return out


def _table(expected: dict, tree: pd.DataFrame) -> pd.DataFrame:
    """The expected rows of the whole analytics table, as SELECTed (NULL/0 for a field
    without reports that month)."""
    cols = ["period", "region", "total", "level", "parent"] + [c for f in FIELDS for c in ("v_" + f, "n_" + f)]
    parts = []
    for period, (own, tot) in expected.items():
        place = tree.reindex(own.index)[["level", "parent"]].fillna("")
        for total, rows, where in ((0, own, place), (1, tot, tot)):
            frame = pd.DataFrame({"period": period, "region": rows.index, "total": total,
                                  "level": where["level"].to_numpy(), "parent": where["parent"].to_numpy()})
            for f in FIELDS:
                given = f in own.columns
                frame["v_" + f] = rows[f].to_numpy() if given else np.nan
                count = (own[f].notna() if total == 0 else tot[f"n:{f}"]) if given else 0
                frame["n_" + f] = np.asarray(count, dtype="int64") if given else 0
            parts.append(frame)
    out = pd.concat(parts) if parts else pd.DataFrame(columns=cols)
    out = out[cols].astype({c: "float64" for c in cols if c.startswith("v_")}
                           | {c: "int64" for c in cols if c.startswith("n_") or c == "total"})
    return out.sort_values(["period", "total", "region"]).reset_index(drop=True)


def assert_in_step(engine, period: str) -> None:
    """The whole table equals pandas over the reports; the read API gives ``period``'s rows."""
    expected = _expected(engine)
    with engine.connect() as c:
        tree = pd.DataFrame(c.execute(sa.text("SELECT code, level, parent FROM regions")).all(),
                            columns=["code", "level", "parent"]).set_index("code")
        want = _table(expected, tree)
        res = c.execute(sa.text(f'SELECT * FROM "{analytics.table_name(P)}" ORDER BY period, total, region'))
        got = pd.DataFrame(res.all(), columns=list(res.keys()))
    for col in want.columns:  # a field never written has no column yet
        if col not in got.columns:
            got[col] = 0 if col.startswith("n_") else np.nan
    pd.testing.assert_frame_equal(got[want.columns].astype(want.dtypes.to_dict()), want, check_exact=False, rtol=1e-9)
    got_own = analytics.month_rows(engine, P, period)
    got_tot = analytics.level_totals(engine, P, period)
    if period not in expected:
        assert got_own.empty and got_tot.empty, period
        return
    own, tot = expected[period]
    pd.testing.assert_frame_equal(got_own, own, check_exact=False, rtol=1e-9, check_index_type=False,
                                  check_column_type=False)
    pd.testing.assert_frame_equal(got_tot, tot, check_exact=False, rtol=1e-9, check_index_type=False,
                                  check_column_type=False, check_dtype=False)


value = st.one_of(st.none(), st.integers(0, 1000).map(float), st.floats(0, 1e6, allow_nan=False).map(lambda x: round(x, 2)))
cell = st.tuples(st.sampled_from(UNITS), st.sampled_from(FIELDS), value)
write_op = st.tuples(st.just("write"), st.sampled_from(PERIODS),
                     st.lists(cell, min_size=1, max_size=12, unique_by=lambda c: (c[0], c[1])), st.booleans())
op = st.one_of(write_op, write_op, write_op, st.tuples(st.just("record"), st.sampled_from(PERIODS), value),
               st.tuples(st.just("move"), st.booleans()), st.tuples(st.just("restore")))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(op, min_size=1, max_size=5))
def test_analytics_rows_equal_pandas_over_the_reports_after_random_writes(engine, ops, monkeypatch):
    store_regions.sync_regions(engine, _tree(), SYS)
    saved = io.BytesIO()
    backup.backup(engine, saved)  # the state this example starts from
    for o in ops:
        if o[0] == "write":  # an import, a page save or a correction of some cells
            _, period, cells, whole_month = o
            # whole_month: as a large import does, rebuild the month instead of the touched regions
            monkeypatch.setattr(analytics, "FEW_REGIONS", 0 if whole_month else 2000)
            reports.upsert_reports(engine, P, period, pd.DataFrame(cells, columns=["region", "field", "value"]), SYS)
        elif o[0] == "record":  # a single-record write (store.write) of one value, then its deletion or change
            _, period, v = o
            with engine.connect() as c:
                row = c.execute(sa.text("SELECT id, version, value FROM reports WHERE program = :p AND period = :m "
                                        "ORDER BY id LIMIT 1"), {"p": P, "m": period}).first()
            if row is None:
                write.insert(engine, Report, {"program": P, "period": period, "region": "V5", "field": "stations",
                                              "value": v, "submitted_by": "测试", "submitted_at": "2019-06-05T09:30:00"},
                             SYS)
            elif v is None:
                write.delete(engine, Report, row[0], row[1], SYS)
            else:
                write.update(engine, Report, row[0], {"value": v}, row[1], SYS)
        elif o[0] == "move":  # the tree changes: the sums follow
            store_regions.sync_regions(engine, _tree(move=o[1]), SYS)
        else:
            saved.seek(0)
            backup.restore(engine, saved)
        assert_in_step(engine, o[1] if o[0] in ("write", "record") else PERIODS[0])


def test_a_database_without_analytics_is_built_on_first_read(engine):
    store_regions.sync_regions(engine, _tree(), SYS)
    reports.upsert_reports(engine, P, "2019-05", pd.DataFrame(
        [("V1", "households", 10.0), ("V2", "households", 5.0)], columns=["region", "field", "value"]), SYS)
    with engine.begin() as c:  # as after an upgrade from a database without the layer
        c.exec_driver_sql(f'DROP TABLE "{analytics.table_name(P)}"')
    with engine.connect() as c:
        assert analytics.missing_months(c) == {P: ["2019-05"]}
    tot = analytics.level_totals(engine, P, "2019-05", level="township")
    assert tot.loc["T1", "households"] == 15.0 and tot.loc["T1", "n:households"] == 2
    assert analytics.ensure(engine) == 0
    assert_in_step(engine, "2019-05")


def test_one_level_and_one_parents_children(engine):
    store_regions.sync_regions(engine, _tree(), SYS)
    reports.upsert_reports(engine, P, "2019-05", pd.DataFrame(
        [("V1", "households", 10.0), ("V2", "households", 5.0), ("V2", "broadband", 2.0), ("V4", "households", 1.0),
         ("V6", "households", None), ("PI", "households", 4.0), ("K1", "stations", 1.0)],
        columns=["region", "field", "value"]), SYS)
    whole = analytics.level_totals(engine, P, "2019-05")
    assert sorted(whole.index) == ["CI", "K1", "K2", "PR", "T1", "T2", "T3", "V6"]  # every region with reports below
    for level in ("township", "county"):
        pd.testing.assert_frame_equal(analytics.level_totals(engine, P, "2019-05", level=level),
                                      whole[whole["level"] == level])
    county = analytics.level_totals(engine, P, "2019-05", parent="CI")
    assert list(county.index) == ["K1", "K2"]
    assert county.loc["K1", "households"] == 16.0 and county.loc["K1", "n:households"] == 3
    assert county.loc["K2", "households"] == 4.0 and county.loc["K2", "n:households"] == 1  # V6 gave no value
    assert np.isnan(county.loc["K1", "stations"]) and county.loc["K1", "n:stations"] == 0  # K1's own: not below it
    assert whole.loc["CI", "stations"] == 1.0  # ... but below the city
    assert list(analytics.counts(county).columns) == list(analytics.sums(county).columns) == ["broadband", "households",
                                                                                              "stations"]
    kids = analytics.month_rows(engine, P, "2019-05", parent="T1")
    assert list(kids.index) == ["V1", "V2"] and kids.loc["V2", "broadband"] == 2.0 and np.isnan(kids.loc["V1", "broadband"])
    assert list(analytics.month_rows(engine, P, "2019-05", level="county").index) == ["K1"]


def test_month_rows_has_the_shape_of_overview_load_month(engine):
    from ruralcore.app.overview import load_month

    store_regions.sync_regions(engine, _tree(), SYS)
    reports.upsert_reports(engine, P, "2019-06", pd.DataFrame(
        [("V1", "households", 10.0), ("V2", "broadband", None), ("XX", "households", 3.5)],
        columns=["region", "field", "value"]), SYS)
    pd.testing.assert_frame_equal(analytics.month_rows(engine, P, "2019-06"), load_month(engine, P, "2019-06"))


# ---- the rebuild command ---------------------------------------------------------------------

def _rows(engine, period: str | None = None) -> list:
    sql = f'SELECT * FROM "{analytics.table_name("huayuan-2019")}"' + (" WHERE period = :p" if period else "")
    with engine.connect() as c:
        return sorted(map(tuple, c.execute(sa.text(sql + " ORDER BY period, total, region"), {"p": period}).all()))


def test_rebuild_command(db_url, engine, capsys):
    P2 = "huayuan-2019"
    reports.upsert_reports(engine, P2, "2019-05", pd.DataFrame(
        [("433124100", "households", 1520.0), ("433124101", "households", 980.0)],
        columns=["region", "field", "value"]), SYS)
    reports.upsert_reports(engine, P2, "2019-06", pd.DataFrame(
        [("433124100", "households", 1530.0)], columns=["region", "field", "value"]), SYS)
    before = _rows(engine)
    with engine.begin() as c:  # damage one month's rows behind the writers' back
        c.exec_driver_sql(f'DELETE FROM "{analytics.table_name(P2)}" WHERE period = \'2019-05\'')
    capsys.readouterr()

    for bad, words in ((["nosuch-2020"], "未知的方案"), ([P2, "--period", "2019-13"], "2019-13"),
                       (["--period", "05/2019"], "05/2019")):
        assert main(["analytics", "rebuild", *bad, "--db", db_url]) == 2
        err = capsys.readouterr().err
        assert words in err and "Traceback" not in err
        assert not _rows(engine, "2019-05")  # nothing was rebuilt on a refusal

    assert main(["analytics", "rebuild", P2, "--period", "2019-05", "--db", db_url]) == 0
    out = capsys.readouterr().out
    assert "已重建分析表" in out and f"{P2} 2019-05" in out and "行" in out and "秒" in out
    assert _rows(engine) == before

    assert main(["analytics", "rebuild", "--db", db_url]) == 0  # every programme, every month
    out = capsys.readouterr().out
    assert "全部方案" in out and "2 个月" in out and "2019-06" in out
    assert _rows(engine) == before
