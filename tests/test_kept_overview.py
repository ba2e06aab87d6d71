"""总览's tiles and ranking from the kept results (ruralcore.app.kept) are those the rules give
on the month's rows (ruralcore.app.overview.target_tiles, ranking): every programme and
month of the demo, for the whole area and for a township officer, on SQLite and PostgreSQL;
and after a write that fails a village."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ruralcore.app import kept
from ruralcore.app import overview as ov
from ruralcore.auth.scope import Actor, visible_regions
from ruralcore.demo import build_demo
from ruralcore.kernel.principal import system
from ruralcore.rules.programs import all_programs, load_program
from ruralcore.rules.rights import keep_visible
from ruralcore.store import db, reports
from tests.support import first_township_reader, fresh_database


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def demo(request, tmp_path_factory):
    with fresh_database(request.param, tmp_path_factory.mktemp("kept"), "kept") as url:
        eng = db.get_engine(url)
        build_demo(eng, "county")
        yield eng


def _same_tiles(got: pd.DataFrame, want: pd.DataFrame, where) -> None:
    assert got["target"].tolist() == want["target"].tolist(), where
    for c in ov.TILE_COLUMNS:
        a, b = got[c].tolist(), want[c].tolist()
        if c in ("value", "previous", "delta"):
            assert np.allclose(np.asarray(a, dtype=float), np.asarray(b, dtype=float), rtol=1e-12, atol=1e-9,
                               equal_nan=True), (where, c)
        else:
            assert len(a) == len(b) and all(x == y or (pd.isna(x) is True and pd.isna(y) is True)
                                            for x, y in zip(a, b)), (where, c, a, b)


def _tiles(engine, program, period, actor=None):
    regions = ov.region_frame(engine, program.id)
    month = ov.load_month(engine, program.id, period)
    before = [p for p in ov.periods(engine, program.id) if p < period]
    seen = None
    if actor is not None:
        with engine.connect() as c:
            seen = frozenset(visible_regions(actor, c))
        regions = regions[regions.index.isin(list(seen))]
        month = month[month.index.isin(list(seen))]
    totals = reports.period_totals(engine, program.id, period, None if seen is None else sorted(seen))
    prev = kept.month_values(program, totals, before[-1]) if before else None
    want = ov.target_tiles(program, month, prev, regions)
    got = kept.target_tiles(engine, program, period, totals, prev, regions, actor.region if actor else None, seen,
                            lambda: month)
    return got, want


def test_tiles_are_those_of_the_months_rows(demo):
    for program in all_programs():
        for period in ov.periods(demo, program.id):
            got, want = _tiles(demo, program, period)
            _same_tiles(got, want, (program.id, period))
    program = load_program("huayuan-2019")
    regions = ov.region_frame(demo, program.id)
    town = regions.index[regions["level"] == "township"][0]
    for period in ov.periods(demo, program.id)[-2:]:
        got, want = _tiles(demo, program, period, Actor("t", "township_officer", town))
        _same_tiles(got, want, (program.id, period, town))


def test_ranking_is_that_of_the_months_rows_then_after_a_write(demo):
    program = load_program("huayuan-2019")
    regions = ov.region_frame(demo, program.id)
    periods = ov.periods(demo, program.id)

    def check(period, before):
        whole = ov.ranking(program, ov.load_month(demo, program.id, period), regions)
        want = ov.with_rank_change(whole, ov.ranks(program, ov.load_month(demo, program.id, before))
                                   if before else None)
        got = kept.ranking(demo, program, period, before)
        cols = ["region", "score", "rank", "award", "award_label", "rank_label", "rank_up"]
        for c in cols:
            assert got[c].astype(object).tolist() == want[c].astype(object).tolist() or \
                np.allclose(got[c].to_numpy(float), want[c].to_numpy(float), equal_nan=True), (period, c)

    for i, period in enumerate(periods):
        check(period, periods[i - 1] if i else None)
    # a village of the newest month loses its 4G: its score, rank and tile change alike
    month = ov.load_month(demo, program.id, periods[-1])
    one = month.index[0]
    reports.upsert_reports(demo, program.id, periods[-1], pd.DataFrame(
        {"region": [one], "field": ["natural_villages_4g"], "value": [0.0]}), system("测试"))
    check(periods[-1], periods[-2])
    got, want = _tiles(demo, program, periods[-1])
    _same_tiles(got, want, "after")
    assert any(one in " ".join(x) or ov.names(regions, [one])[0] in " ".join(x) for x in got["failing"])


def test_an_account_ranking_keeps_the_whole_rank(demo):
    """A township officer sees its villages with their ranks over the whole county."""
    program = load_program("huayuan-2019")
    period = ov.periods(demo, program.id)[-1]
    _, seen = first_township_reader(demo)
    board = kept.ranking(demo, program, period, None)
    mine = keep_visible(board, seen, "region")
    assert 0 < len(mine) < len(board) and mine["rank"].max() > len(mine) - 1


def test_compare_tables_and_heatmap_are_those_of_the_months_rows(demo):
    """The comparison of a level above the report level from its sum rows, and the heatmap of
    the lowest scores from their rows alone, equal the month's rows' (every programme and month)."""
    for program in all_programs():
        regions = ov.region_frame(demo, program.id)
        for period in ov.periods(demo, program.id):
            month = ov.load_month(demo, program.id, period)
            for level in {ov.compare_level(program), ov.report_level(program), "county"}:
                want = ov.compare_table(program, month, regions, level)
                got = kept.compare_table(demo, program, period, regions, level, None, lambda: month)
                assert got.index.tolist() == want.index.tolist() and list(got.columns) == list(want.columns), \
                    (program.id, period, level)
                assert got["name"].tolist() == want["name"].tolist()
                assert np.allclose(got.drop(columns="name").to_numpy(float), want.drop(columns="name").to_numpy(float),
                                   rtol=1e-12, atol=1e-9, equal_nan=True), (program.id, period, level)
    program = load_program("huayuan-2019")
    regions = ov.region_frame(demo, program.id)
    for period in ov.periods(demo, program.id)[-3:]:
        month = ov.load_month(demo, program.id, period)
        board = kept.ranking(demo, program, period, None)
        want = ov.heatmap(program, month, regions, rows=12, ranked=board)
        got = kept.heatmap(demo, program, period, regions, 12, board)
        assert got["labels"] == want["labels"] and (got["shown"], got["total"], got["left_tied"]) == \
            (want["shown"], want["total"], want["left_tied"])
        assert got["status"].equals(want["status"]) and got["values"].equals(want["values"])


def test_a_heatmap_cut_through_a_tie_says_so():
    """The lowest scores shown stop inside a tie: how many equals were left out is counted."""
    keys = np.array([1.0, 2.0, 3.0, 3.0, 3.0, 4.0])
    assert ov.tied_beyond(keys, 3) == 2 and ov.tied_beyond(keys, 2) == 0 and ov.tied_beyond(keys, 6) == 0
