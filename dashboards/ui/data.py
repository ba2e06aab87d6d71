"""Cached access to ruralcore.app.overview for the pages.

Frames are cached with st.cache_data keyed by the database URL (db_url), a data token that
changes whenever stored data changes (ruralcore.app.overview.data_token), the programme and
the month; so a page rerun costs only what changed. (The key parameters must not start
with an underscore: Streamlit leaves such parameters out of the cache key.)
"""
from __future__ import annotations

import os

import pandas as pd
import streamlit as st

from ruralcore.app import overview as ov
from ruralcore.rules.programs import load_program

from .db import engine


def url() -> str:
    return os.environ.get("DATABASE_URL") or ""


def token() -> str:
    return ov.data_token(engine())


@st.cache_data(show_spinner=False, max_entries=32)
def periods(db_url: str, data_token: str, program_id: str) -> list[str]:
    return ov.periods(engine(), program_id)


@st.cache_resource(show_spinner=False, max_entries=8)
def regions(db_url: str, data_token: str, program_id: str) -> pd.DataFrame:
    """The programme's region tree, one frame per process that every session reads and
    nobody changes (a resource, not a copy per run: at national scale the copy and its
    index cost more than the page's own work)."""
    return ov.region_frame(engine(), program_id)


@st.cache_data(show_spinner=False, max_entries=64)
def region_level(db_url: str, data_token: str, code: str) -> str:
    """The level of a stored region (city, county, township…); "" when unknown."""
    return ov.region_level(engine(), code)


@st.cache_data(show_spinner=False, max_entries=32)
def as_of(db_url: str, data_token: str, program_id: str):
    return ov.as_of_date(engine(), program_id, ov.periods(engine(), program_id))


@st.cache_data(show_spinner=False, max_entries=200)
def month(db_url: str, data_token: str, program_id: str, period: str) -> pd.DataFrame:
    return ov.load_month(engine(), program_id, period)


def months(program_id: str, upto: str | None = None) -> dict[str, pd.DataFrame]:
    """Every month with data (up to ``upto``), each cached on its own."""
    u, t = url(), token()
    return {p: month(u, t, program_id, p) for p in periods(u, t, program_id) if upto is None or p <= upto}


@st.cache_data(show_spinner=False, max_entries=64)
def visible_codes(db_url: str, data_token: str, role: str, region: str) -> frozenset | None:
    """The region codes an account of ``role`` at ``region`` reads (None: all)."""
    from ruralcore.auth.scope import Actor, visible_regions
    with engine().connect() as conn:
        seen = visible_regions(Actor("_", role, region), conn)
    return None if seen is None else frozenset(seen)


@st.cache_data(show_spinner=False, max_entries=64)
def visible_programs(db_url: str, data_token: str, role: str, region: str, program_ids: tuple) -> list[str]:
    from ruralcore.auth.scope import Actor
    from ruralcore.auth.scope import visible_programs as readable
    codes = {pid: (lambda pid=pid: regions(db_url, data_token, pid).index) for pid in program_ids}  # read when needed
    with engine().connect() as conn:
        return readable(Actor("_", role, region), codes, conn)


def visible(actor) -> frozenset | None:
    """What ``actor`` reads (None: everything, or nobody signed in on a public page)."""
    if actor is None:
        return None
    return visible_codes(url(), token(), actor.role, actor.region)


@st.cache_data(show_spinner=False, max_entries=64)
def _scoped_regions(db_url: str, data_token: str, program_id: str, role: str, region: str) -> pd.DataFrame:
    """The programme's regions an account reads, plus the ancestors of its own region (so
    names and parents still resolve: a township officer's villages keep their county)."""
    from ruralcore.auth.scope import ancestors
    frame = regions(db_url, data_token, program_id)
    seen = visible_codes(db_url, data_token, role, region)
    if seen is None:
        return frame
    keep = frame.index.isin(list(seen)) | frame.index.isin(ancestors(frame, region))
    return frame[keep]


@st.cache_data(show_spinner=False, max_entries=64)
def area_month(db_url: str, data_token: str, program_id: str, period: str, area: str, role: str = "",
               region: str = "") -> pd.DataFrame:
    """The month's rows of the reporting units below ``area`` that an account of ``role`` at
    ``region`` reads (every one without a role): only those rows are read from the store."""
    from ruralcore.app import areas
    codes = list(areas.below(regions(db_url, data_token, program_id), area, ov.report_level(load_program(program_id))).index)
    seen = visible_codes(db_url, data_token, role, region) if role else None
    if seen is not None:
        codes = [c for c in codes if c in seen]
    if len(codes) > areas.AREA_LISTED:
        frame = _scoped_month(db_url, data_token, program_id, period, role, region) if role else \
            month(db_url, data_token, program_id, period)
        return frame[frame.index.isin(codes)]
    return ov.load_month(engine(), program_id, period, regions=codes)


@st.cache_data(show_spinner=False, max_entries=200)
def _scoped_month(db_url: str, data_token: str, program_id: str, period: str, role: str, region: str) -> pd.DataFrame:
    seen = visible_codes(db_url, data_token, role, region)
    frame = month(db_url, data_token, program_id, period)
    return frame if seen is None else frame[frame.index.isin(list(seen))]


class Data:
    """What a page needs for one programme and month, loaded once per rerun. With an
    ``actor``, ``regions`` and ``month()`` hold only what the account reads (rules that
    rank a whole county, e.g. the ranking, still use the whole county: see ranking())."""

    def __init__(self, program_id: str, actor=None):
        self.program = load_program(program_id)
        self.url, self.token = url(), token()
        self.periods = periods(self.url, self.token, program_id)
        self.as_of = as_of(self.url, self.token, program_id)
        self.actor = actor
        self.visible = visible(actor)
        self.scoped = self.visible is not None
        self.regions = (_scoped_regions(self.url, self.token, program_id, actor.role, actor.region)
                        if self.scoped else regions(self.url, self.token, program_id))
        self.scope_key = (actor.role, actor.region) if self.scoped else ("", "")  # for cached helpers

    def month(self, period: str | None) -> pd.DataFrame:
        if not period:
            return pd.DataFrame()
        if self.scoped:
            return _scoped_month(self.url, self.token, self.program.id, period, self.actor.role, self.actor.region)
        return month(self.url, self.token, self.program.id, period)

    def area_month(self, period: str, area: str | None) -> pd.DataFrame:
        """The month below ``area`` (the whole month the account reads when None)."""
        if not area:
            return self.month(period)
        return area_month(self.url, self.token, self.program.id, period, area, *self.scope_key)

    def trend(self, upto: str) -> pd.DataFrame:
        """Indicator values per month over what the account reads."""
        return trend(self.url, self.token, self.program.id, upto, *self.scope_key)

    def totals(self, upto: str) -> pd.DataFrame:
        """The monthly sums per field over what the account reads (store.reports.period_totals)."""
        return totals(self.url, self.token, self.program.id, upto, *self.scope_key)

    def previous_totals(self, period: str, prev_period: str | None) -> pd.Series | None:
        """Last month's indicator values over what the account reads: a row of the trend up
        to ``period`` (the kept monthly sums, cached for the trend chart). The tiles' deltas
        need these totals only, so last month's villages are never loaded."""
        if not prev_period:
            return None
        tr = self.trend(period)
        return tr.loc[prev_period] if prev_period in tr.index else None

    def previous(self, period: str) -> str | None:
        before = [p for p in self.periods if p < period]
        return before[-1] if before else None

    def months(self, upto: str | None = None) -> dict[str, pd.DataFrame]:
        return {p: self.month(p) for p in self.periods if upto is None or p <= upto}

    def ranked(self, period: str) -> pd.DataFrame | None:
        """The whole area's kept ranking (board), only the rows the account reads (the rank
        numbers stay the whole area's); None without a rubric."""
        from ruralcore.auth.scope import keep_visible
        if self.program.rubric is None:
            return None
        whole = board(self.url, self.token, self.program.id, period)
        return None if whole is None else keep_visible(whole, self.visible, "region")

    def reporting(self, period: str) -> pd.Index:
        """The codes of the units that reported in ``period`` among those the account reads:
        the kept ranking's (a unit is scored when it reports), else the month's rows."""
        ranked = self.ranked(period)
        if ranked is not None:
            return pd.Index(ranked["region"].to_numpy(dtype=object), dtype=object)
        return pd.Index(ov.unit_rows(self.program, self.month(period)).index, dtype=object)

    def coverage(self, period: str) -> dict:
        """Who reported in ``period`` among the units the account reads: ``reported`` (how
        many), ``missing`` (the names of the units that did not), ``compare_level``
        (overview.compare_level_of) — cached: a country's half a million codes are not
        looked up again on every rerun."""
        return _coverage(self.url, self.token, self.program.id, period, *self.scope_key)

    def partial(self) -> bool:
        """Whether the account reads only part of the programme's area."""
        return self.scoped and len(self.regions) < len(regions(self.url, self.token, self.program.id))

    # The overview's computed panels, cached like the frames they come from: a new
    # session's first visit reuses what an earlier session of the same scope computed.
    def target_tiles(self, period: str, prev_period: str | None) -> pd.DataFrame:
        return _target_tiles(self.url, self.token, self.program.id, period, prev_period or "", *self.scope_key)

    def compare_table(self, period: str, level: str) -> pd.DataFrame:
        return _compare_table(self.url, self.token, self.program.id, period, level, *self.scope_key)

    def heatmap(self, period: str, rows: int, ranked: bool) -> dict:
        return _heatmap(self.url, self.token, self.program.id, period, rows, ranked, *self.scope_key)


def _scoped_data(program_id: str, role: str, region: str) -> Data:
    from ruralcore.auth.scope import Actor
    return Data(program_id, Actor("_", role, region) if role else None)


@st.cache_data(show_spinner=False, max_entries=64)
def _coverage(db_url: str, data_token: str, program_id: str, period: str, role: str, region: str) -> dict:
    d = _scoped_data(program_id, role, region)
    reporting = d.reporting(period)
    return {"reported": len(reporting),
            "missing": ov.unreported_of(reporting, d.regions, ov.report_level(d.program)),
            "compare_level": ov.compare_level_of(d.program, reporting, d.regions)}


@st.cache_data(show_spinner=False, max_entries=64)
def _target_tiles(db_url: str, data_token: str, program_id: str, period: str, prev_period: str,
                  role: str, region: str) -> pd.DataFrame:
    """ruralcore.app.kept.target_tiles over what the account reads: the month's sums and the
    kept every-unit results, not the month's villages."""
    from ruralcore.app import kept
    d = _scoped_data(program_id, role, region)
    return kept.target_tiles(engine(), d.program, period, d.totals(period), d.previous_totals(period, prev_period or None),
                             d.regions, region if d.scoped else None, d.visible, lambda: d.month(period))


@st.cache_data(show_spinner=False, max_entries=64)
def _compare_table(db_url: str, data_token: str, program_id: str, period: str, level: str,
                   role: str, region: str) -> pd.DataFrame:
    """ruralcore.app.kept.compare_table: a level above the report level from its sum rows."""
    from ruralcore.app import kept
    d = _scoped_data(program_id, role, region)
    return kept.compare_table(engine(), d.program, period, d.regions, level, d.visible, lambda: d.month(period))


@st.cache_data(show_spinner=False, max_entries=64)
def _heatmap(db_url: str, data_token: str, program_id: str, period: str, rows: int, ranked: bool,
             role: str, region: str) -> dict:
    """ruralcore.app.overview.heatmap; ``ranked``: the worst by the whole area's ranking (its
    rows this account reads), else by mean attainment."""
    from ruralcore.app import kept
    d = _scoped_data(program_id, role, region)
    order = d.ranked(period) if ranked else None
    if order is not None:  # the worst by the kept scores: only their rows are read
        return kept.heatmap(engine(), d.program, period, d.regions, rows, order)
    return ov.heatmap(d.program, d.month(period), d.regions, rows=rows)


@st.cache_resource(show_spinner=False, max_entries=16)
def ranking(db_url: str, data_token: str, program_id: str, period: str) -> pd.DataFrame | None:
    """The whole area's ranking of ``period`` with each rank's change since the month before:
    one frame per process that every session reads and nobody changes (a country's ranking
    is half a million rows with their names: a copy per rerun cost more than the page)."""
    d = Data(program_id)
    now = ov.ranking(d.program, d.month(period), d.regions)
    prev = d.previous(period)
    if now is None:
        return None
    return ov.with_rank_change(now, ov.ranks(d.program, d.month(prev)) if prev else None)


@st.cache_resource(show_spinner=False, max_entries=16)
def board(db_url: str, data_token: str, program_id: str, period: str) -> pd.DataFrame | None:
    """The whole area's ranking of ``period`` from the kept scores (ruralcore.app.kept.ranking:
    ranks, awards, labels, the change since the month before; no names — a page names the
    rows it shows): one frame per process that every session reads and nobody changes."""
    from ruralcore.app import kept
    program = load_program(program_id)
    before = [p for p in periods(db_url, data_token, program_id) if p < period]
    return kept.ranking(engine(), program, period, before[-1] if before else None)


@st.cache_data(show_spinner=False, max_entries=64)
def value_status(db_url: str, data_token: str, program_id: str, period: str, level: str,
                 role: str = "", region: str = "", area: str = "") -> pd.DataFrame:
    """ruralcore.app.overview.value_status over the month's regions an account of ``role`` at
    ``region`` reads (every region without a role), only those below ``area`` when given."""
    if area:
        fields = area_month(db_url, data_token, program_id, period, area, role, region)
        frame = _scoped_regions(db_url, data_token, program_id, role, region) if role else \
            regions(db_url, data_token, program_id)
    elif role:
        fields = _scoped_month(db_url, data_token, program_id, period, role, region)
        frame = _scoped_regions(db_url, data_token, program_id, role, region)
    else:
        fields, frame = month(db_url, data_token, program_id, period), regions(db_url, data_token, program_id)
    return ov.value_status(load_program(program_id), fields, frame, level)


@st.cache_data(show_spinner=False, max_entries=32)
def totals(db_url: str, data_token: str, program_id: str, upto: str, role: str = "", region: str = "") -> pd.DataFrame:
    """store.reports.period_totals up to ``upto`` over what an account of ``role`` at
    ``region`` reads: summed in the database, twelve months of 30,000 villages are never
    loaded row by row; an account that reads part of the area gets the sums over its regions."""
    from ruralcore.app import kept
    seen = visible_codes(db_url, data_token, role, region) if role else None
    return kept.period_totals(engine(), load_program(program_id), upto, None if seen is None else sorted(seen))


@st.cache_data(show_spinner=False, max_entries=32)
def trend(db_url: str, data_token: str, program_id: str, upto: str, role: str = "", region: str = "") -> pd.DataFrame:
    return ov.trend_from_totals(load_program(program_id), totals(db_url, data_token, program_id, upto, role, region))


@st.cache_data(show_spinner=False, max_entries=16)
def stations(db_url: str, data_token: str, program_id: str) -> dict:
    """融水: {'stations': frame or None, 'officers': frame or None}."""
    return ov.load_stations(engine(), program_id)


@st.cache_data(show_spinner=False, max_entries=16)
def task_progress(db_url: str, data_token: str, program_id: str) -> pd.DataFrame:
    return ov.load_task_progress(engine(), program_id)


@st.cache_data(show_spinner="正在计算到期预警…", max_entries=8)
def _forecast_all(db_url: str, data_token: str, program_id: str, period: str, pace: bool) -> pd.DataFrame:
    """ruralcore.app.forecast.from_store for ``period`` over every region (the last N months;
    every month with ``pace``, for 自何月落后)."""
    from ruralcore.app import forecast as fc
    return fc.from_store(engine(), load_program(program_id), period, pace, regions(db_url, data_token, program_id))


@st.cache_data(show_spinner=False, max_entries=16)
def forecast(db_url: str, data_token: str, program_id: str, period: str, role: str = "", region: str = "",
             pace: bool = False) -> pd.DataFrame:
    """The warnings of ``period``, limited to the regions the account reads."""
    from ruralcore.auth.scope import keep_visible

    out = _forecast_all(db_url, data_token, program_id, period, pace)
    seen = visible_codes(db_url, data_token, role, region) if role else None
    return keep_visible(out, seen, "region").reset_index(drop=True)


@st.cache_data(show_spinner=False, max_entries=16)
def warnings(db_url: str, data_token: str, program_id: str, period: str, role: str = "", region: str = "") -> dict:
    """总览's warnings over what an account of ``role`` at ``region`` reads
    (ruralcore.app.forecast.warnings: the report level's verdicts counted in the analytics rows)."""
    from ruralcore.app import forecast as fc
    seen = visible_codes(db_url, data_token, role, region) if role else None
    return fc.warnings(engine(), load_program(program_id), period, regions(db_url, data_token, program_id),
                       region or None, seen)


@st.cache_data(show_spinner=False, max_entries=64)
def warning_regions(db_url: str, data_token: str, program_id: str, period: str, target: str, limit: int,
                    role: str = "", region: str = "") -> pd.DataFrame:
    """The first ``limit`` regions of ``target``'s warnings, the most urgent first."""
    from ruralcore.app import forecast as fc
    seen = visible_codes(db_url, data_token, role, region) if role else None
    rows = warnings(db_url, data_token, program_id, period, role, region)["rows"]
    return fc.warning_regions(engine(), load_program(program_id), period, target, rows,
                              regions(db_url, data_token, program_id), limit, seen)


@st.cache_data(show_spinner=False, max_entries=32)
def history(db_url: str, data_token: str, program_id: str, region: str) -> pd.DataFrame:
    """One region's indicator values in every stored month (index = period), read from its
    own rows only (ruralcore.app.overview.history_from_store)."""
    from ruralcore.app import overview as ov
    return ov.history_from_store(engine(), load_program(program_id), region, regions(db_url, data_token, program_id))


@st.cache_data(show_spinner=False, max_entries=32)
def forecast_series(db_url: str, data_token: str, program_id: str, period: str, target: str,
                    region: str) -> pd.DataFrame:
    """One region's monthly values of one dated target up to ``period`` (region, target,
    period, value), for the chart beside the warnings."""
    from ruralcore.app import forecast as fc
    return fc.series_from_store(engine(), load_program(program_id), period, target=target, region=region,
                                regions=regions(db_url, data_token, program_id))[0]
