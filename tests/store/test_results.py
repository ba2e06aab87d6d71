"""The warnings kept in the analytics rows (ruralcore.store.results) never drift from the
warnings projected from the raw months (ruralcore.app.forecast.from_store): on the demo of
every programme and month, and after writes to a month that later months look back at — each
unit's verdict on its own row and the counts summed for every region above it — on SQLite and
PostgreSQL; a programme whose targets changed is judged again."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from ruralcore.app import forecast as fc
from ruralcore.app import overview as ov
from ruralcore.demo import build_demo
from ruralcore.kernel.principal import system
from ruralcore.rules.programs import all_programs, load_program
from ruralcore.store import analytics, db, reports, results
from tests.support import first_township_reader, fresh_database

SYS = system("测试")


def _own_verdicts(engine, program, period: str) -> pd.DataFrame:
    """(region, target) → verdict read from the own rows' columns."""
    cols = results.verdict_columns(program)
    flat = [c for v in cols.values() for c in v.values()]
    with engine.connect() as c:
        rows = pd.DataFrame(c.execute(sa.text(
            f"SELECT region, {', '.join(chr(34) + x + chr(34) for x in flat)} FROM {analytics.table_name(program.id)} "
            "WHERE period = :p AND total = 0"), {"p": period}).all(), columns=["region", *flat])
    out = []
    for t, by in cols.items():
        for v, col in by.items():
            hit = rows[rows[col] == 1]
            out.append(pd.DataFrame({"region": hit["region"].astype(object), "target": t, "verdict": v}))
        assert (rows[list(by.values())].sum(axis=1) <= 1).all()  # one verdict at most
    return pd.concat(out, ignore_index=True).sort_values(["region", "target"]).reset_index(drop=True)


def _check(engine, program, periods) -> None:
    cols = results.verdict_columns(program)
    regions = ov.region_frame(engine, program.id)
    for p in periods:
        full = fc.from_store(engine, program, p, regions=regions)
        full = full[full["target"].isin(list(cols))]
        want = pd.crosstab(full["target"], full["verdict"]).reindex(
            index=list(cols), columns=list(results.VERDICT_KEYS), fill_value=0)
        assert results.counts(engine, program, p).equals(want.rename_axis("target").rename_axis(None, axis=1)
                                                         .astype("int64")), (program.id, p)
        mine = full[["region", "target", "verdict"]].sort_values(["region", "target"]).to_numpy(dtype=object)
        kept = _own_verdicts(engine, program, p).to_numpy(dtype=object)
        assert kept.shape == mine.shape and (kept == mine).all(), (program.id, p)
        # every region above: its sum row counts the units below it
        frame = regions[regions["level"] != ""]
        for area in frame.index[frame["level"].isin(["county", "township"])][:4]:
            inside = full[full["region"].isin([area, *_below(regions, area)])]  # itself when it is a unit
            got = results.counts(engine, program, p, area)
            assert int(got.to_numpy().sum()) == len(inside), (program.id, p, area)


def _check_kept(engine, program, periods) -> None:
    """The every-unit results and the scores kept on the own rows are the rules' on the month's
    frame (targets.evaluate, unit_summary; ov.ranking), for every unit and summed for every
    region above."""
    from ruralcore.rules import targets as tg

    regions = ov.region_frame(engine, program.id)
    cols = results.unit_columns(program)
    for p in periods:
        month = ov.load_month(engine, program.id, p)
        if program.rubric is not None:
            want = ov.ranking(program, month, regions)[["region", "score"]].sort_values("region")
            got = results.scored_units(engine, program, p)
            assert got["region"].tolist() == want["region"].tolist(), (program.id, p)
            assert np.array_equal(got["score"].to_numpy(), want["score"].to_numpy()), (program.id, p)
        if not cols:
            continue
        ev = tg.evaluate(program, month, region_frame=regions, codes=list(cols))
        whole = results.unit_counts(engine, program, p)
        for t in cols:
            level = program.target(t).applies_to
            res = tg.unit_summary(ev[ev["target"] == t][["region", "value", "met"]], ov.unit_codes(regions, level))
            assert whole.loc[t, "met"] == res["met"], (program.id, p, t)
            assert whole.loc[t, "val"] == res["met"] + len(res["failing"]), (program.id, p, t)
            first = results.failing_units(engine, program, p, t, 5)["region"].tolist()
            assert first == sorted(res["failing"]["region"])[:5], (program.id, p, t)
            for area in regions.index[regions["level"].isin(["county", "township"])][:4]:
                inside = ov.unit_codes(regions.loc[[area, *_below(regions, area)]], level) or []
                part = tg.unit_summary(ev[ev["target"] == t][["region", "value", "met"]], inside)
                got = results.unit_counts(engine, program, p, area)
                assert (got.loc[t, "met"], got.loc[t, "val"]) == (part["met"], part["met"] + len(part["failing"])), \
                    (program.id, p, t, area)


def _below(regions: pd.DataFrame, code: str) -> set:
    out, edge = set(), {code}
    while edge:
        edge = set(regions.index[regions["parent"].isin(list(edge))])
        out |= edge
    return out


@pytest.fixture(params=["sqlite", "postgresql"])
def demo(request, tmp_path):
    with fresh_database(request.param, tmp_path, "results") as url:
        eng = db.get_engine(url)
        build_demo(eng, "county")
        yield eng


def test_kept_verdicts_are_the_projected_ones_then_after_writes(demo):
    for program in all_programs():
        if results.verdict_columns(program):
            _check(demo, program, ov.periods(demo, program.id))
        _check_kept(demo, program, ov.periods(demo, program.id))
    # writes to a month three from the end: its verdicts and those of the two months after it
    program = load_program("huayuan-2019")
    periods = ov.periods(demo, program.id)
    month = periods[-3]
    rng = np.random.default_rng(7)
    villages = sorted(reports.load_reports(demo, program.id, [month])["region"].unique())
    for _ in range(3):
        some = list(rng.choice(villages, size=3, replace=False))
        frame = pd.DataFrame({"region": some, "field": "natural_villages_4g",
                              "value": rng.integers(0, 3, size=3).astype(float)})
        reports.upsert_reports(demo, program.id, month, frame, SYS)
        _check(demo, program, periods[-3:])
        _check_kept(demo, program, periods[-3:])
    # one village's whole month corrected to nothing for one field (its value goes)
    one = villages[0]
    reports.upsert_reports(demo, program.id, periods[-2], pd.DataFrame(
        {"region": [one], "field": ["natural_villages_fiber"], "value": [np.nan]}), SYS)
    _check(demo, program, periods[-2:])
    _check_kept(demo, program, periods[-2:])


def test_a_programme_whose_targets_changed_is_judged_again(demo):
    program = load_program("huayuan-2019")
    table = analytics.table_name(program.id)
    column = results.all_columns(program)[0]
    with demo.begin() as c:  # as if the file named other columns: one is gone
        c.exec_driver_sql(f'ALTER TABLE {table} DROP COLUMN "{column}"')
        c.exec_driver_sql(f'ALTER TABLE {table} ADD COLUMN "r_stale_00000000_met" INTEGER NOT NULL DEFAULT 0')
    analytics.ensure(demo, program.id)  # what the readers call: it finds it missing and judges every month
    with demo.connect() as c:
        have = analytics._existing_columns(c, table)
    assert column in have and "r_stale_00000000_met" not in have
    _check(demo, program, ov.periods(demo, program.id)[-2:])


def test_the_warnings_of_an_account_are_those_of_its_regions(demo):
    """fc.warnings over what a township officer reads equals the projection kept to its regions."""
    from ruralcore.rules.rights import keep_visible

    program = load_program("huayuan-2019")
    regions = ov.region_frame(demo, program.id)
    period = ov.periods(demo, program.id)[-1]
    town, seen = first_township_reader(demo)
    got = fc.warnings(demo, program, period, regions, town, seen)["summary"].set_index("target")
    full = keep_visible(fc.from_store(demo, program, period, regions=regions), seen, "region")
    want = fc.summary(full).set_index("target")
    assert len(got) and got[fc.VERDICTS].sort_index().equals(want[fc.VERDICTS].sort_index())
    whole = fc.warnings(demo, program, period, regions)["summary"].set_index("target")
    assert whole[fc.VERDICTS].sort_index().equals(fc.summary(fc.from_store(demo, program, period, regions=regions))
                                                  .set_index("target")[fc.VERDICTS].sort_index())
    first = fc.warning_regions(demo, program, period, "coverage_4g_all", pd.DataFrame(), regions, 5, seen)
    assert len(first) and set(first["region"]) <= set(seen)


def test_targets_above_the_report_level_from_the_sum_rows_are_those_from_the_units(demo, monkeypatch):
    """A county's (a city's …) warnings projected from its level's sum rows equal those rolled
    up from its units, in every programme and month; and when the months hold a row the sums
    leave out, they come from the units."""
    from ruralcore.store import analytics as an

    def rows_of(program, p, regions):
        kept = results.verdict_columns(program)
        above = [t for t in fc.dated_targets(program)["target"] if t not in kept]
        want = fc.from_store(demo, program, p, regions=regions, targets=above)
        return fc.warnings(demo, program, p, regions)["rows"], want

    def same(a, b):
        cols = [c for c in b.columns if c != "behind_from"]
        a, b = a[cols].reset_index(drop=True), b[cols].reset_index(drop=True)
        assert len(a) == len(b)
        for c in cols:
            if b[c].dtype.kind in "fi":
                np.testing.assert_allclose(a[c].astype(float), b[c].astype(float), atol=1e-9)
            else:
                assert (a[c].astype(str).to_numpy() == b[c].astype(str).to_numpy()).all(), c

    for program in all_programs():
        regions = ov.region_frame(demo, program.id)
        for p in ov.periods(demo, program.id):
            same(*rows_of(program, p, regions))
    program = load_program("rongshui-2019")
    monkeypatch.setattr(an, "own_rows_at", lambda *a, **k: 1)  # as if a code were outside the tree
    regions = ov.region_frame(demo, program.id)
    same(*rows_of(program, ov.periods(demo, program.id)[-1], regions))
