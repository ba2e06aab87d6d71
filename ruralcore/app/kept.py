"""总览's target tiles and village ranking from the results kept in the analytics rows
(ruralcore.store.results), not from every village of the month: the area's values are the
month's sums (store.reports.period_totals), an every-unit target's counts come from one sum
row and its first failing and unreported units from LIMIT reads, and the ranking ranks the
kept scores (one float per village) — the same tiles and ranks as ruralcore.app.overview's
target_tiles and ranking on the month's frame (tested), at a fraction of the reading.

Judged by the rules' own code: the kept columns are set with it when the rows are written,
and ranks and awards are given here by ruralcore.rules.scoring, whose tie rule is the
programme's."""
from __future__ import annotations

from typing import Callable

import pandas as pd
import sqlalchemy as sa

from ruralcore.app import overview as ov
from ruralcore.kernel.lookup import text_column
from ruralcore.rules import indicators as ind_mod
from ruralcore.rules import ranking as rk
from ruralcore.rules import scoring
from ruralcore.rules import targets as tg_mod
from ruralcore.rules.programs import Program


_READY: set = set()  # (database, programme, data token) found built and judged by ready()


def ready(engine: sa.Engine, program: Program) -> None:
    """store.analytics.ensure for the pages, once per process and state of the data: each
    panel makes sure the programme's table is built and judged (a database from before the
    kept results, a changed programme file), and after the first that is known until the
    data changes (the data token; a programme file changes only with a restart)."""
    from ruralcore.store import analytics

    key = (str(engine.url), program.id, ov.data_token(engine))
    if key not in _READY:
        analytics.ensure(engine, program.id)
        _READY.add(key)


def period_totals(engine: sa.Engine, program: Program, upto: str, regions=None) -> pd.DataFrame:
    """store.reports.period_totals: per (period, field) the sums over the area (or ``regions``)."""
    from ruralcore.store import reports

    return reports.period_totals(engine, program.id, upto, regions)


def month_values(program: Program, totals: pd.DataFrame, period: str) -> pd.Series:
    """The area's indicator values in ``period`` from its sums (period_totals' rows): those
    the month's fields measure, as overview.total_values gives them from the month's rows."""
    rows = totals[totals["period"] == period]
    tr = ov.trend_from_totals(program, rows)
    if tr.empty:
        return pd.Series(dtype="float64")
    return tr.loc[period]


def target_tiles(engine: sa.Engine, program: Program, period: str, totals: pd.DataFrame,
                 previous: pd.Series | None, regions: pd.DataFrame, area: str | None, visible,
                 month: Callable[[], pd.DataFrame]) -> pd.DataFrame:
    """overview.target_tiles of what an account reads (``visible``, None: everything; ``area``
    its region, None for everything), from ``totals`` (period_totals over that area up to
    ``period``) and the kept every-unit results. An every-unit target the rows do not keep
    (a level above the report level: 忻州's counties) or whose units the tree does not list is
    evaluated on the month's rows, read by ``month()`` only then."""
    from ruralcore.store import analytics, results

    now = month_values(program, totals, period)
    if now.empty:
        return pd.DataFrame(columns=ov.TILE_COLUMNS)
    ready(engine, program)  # built and judged (a database from before, a changed file)
    every = [t for t in program.targets if t.indicator and t.kind == "every_unit" and t.indicator in now.index]
    kept = results.unit_columns(program)
    counted = results.unit_counts(engine, program, period, area) if kept else None
    codes = None if visible is None else sorted(visible)
    mine = {t.code: ov.unit_codes(regions, t.applies_to) for t in every}
    rest = [t for t in every if t.code not in kept or mine[t.code] is None]
    judged = [t for t in every if t not in rest]
    failing = {t.code: results.failing_units(engine, program, period, t.code, ov.FAILING_LISTED, codes)["region"]
               for t in judged if counted.at[t.code, "val"] > counted.at[t.code, "met"]}
    shown = sorted({c for f in failing.values() for c in f})
    rows = analytics.month_rows(engine, program.id, period, regions=shown) if shown else None  # one read for all
    out, silent = {}, {}
    for t in judged:
        met, val, units = int(counted.at[t.code, "met"]), int(counted.at[t.code, "val"]), len(mine[t.code])
        if units > val and t.applies_to not in silent:  # the units that sent nothing: one read a level
            silent[t.applies_to] = silent_units(engine, program, period, mine[t.code], t.applies_to)
        unreported = _unreported(engine, program, period, t, silent.get(t.applies_to, []), units - val, codes)
        out[t.code] = ov.unit_result(program, t, met, units, _with_values(program, rows, t, failing.get(t.code)),
                                     val - met, unreported, units - val, regions)
    if rest:
        fields = month()
        evaluated = tg_mod.evaluate(program, fields, region_frame=regions, codes=[t.code for t in rest])
        out.update({t.code: ov.every_unit_result(program, t, evaluated, regions) for t in rest})
    return ov.tiles(program, now, previous, out)


def _with_values(program: Program, rows: pd.DataFrame | None, target, codes: pd.Series | None) -> pd.DataFrame:
    """region, value of the target's indicator for the units ``codes`` (their own ``rows``)."""
    if codes is None or not len(codes):
        return pd.DataFrame({"region": pd.Series(dtype=object), "value": pd.Series(dtype="float64")})
    mine = rows.loc[codes.tolist()]
    value = ind_mod.compute(program, mine, [target.indicator])[target.indicator]
    return pd.DataFrame({"region": mine.index.to_numpy(dtype=object), "value": value.to_numpy(dtype="float64")})


def _unreported(engine: sa.Engine, program: Program, period: str, target, silent: list[str], n: int,
                codes: list[str] | None) -> list[str]:
    """The first FAILING_LISTED units by code with no value of ``target`` (``n`` of them): those
    without a row this month (``silent``, sorted; all of them when they are ``n``) and those
    whose row lacks it."""
    from ruralcore.store import results

    if n <= 0:
        return []
    blank = [] if n == len(silent) else \
        results.blank_units(engine, program, period, target.code, target.applies_to, ov.FAILING_LISTED, codes)
    return sorted([*silent[:ov.FAILING_LISTED], *blank])[:ov.FAILING_LISTED]


def silent_units(engine: sa.Engine, program: Program, period: str, expected: list[str], level: str) -> list[str]:
    """The units of ``expected`` (at ``level``) without a row in ``period``, sorted by code."""
    from ruralcore.store import results

    exp = pd.Index(expected, dtype=object)
    return sorted(exp[~exp.isin(results.row_units(engine, program, period, level))].tolist())


def sums_stand_for_units(engine: sa.Engine, program: Program, periods: list[str], level: str,
                         indicators: list[str]) -> bool:
    """Whether the sum rows of ``level`` give the same values as rolling its units up
    (indicators.rollup) in ``periods``: not when an indicator is a flag of several fields
    (sums cannot give the mean of each unit's mean) or a month holds an own row the sums
    leave out (a code the tree does not know, a region above ``level`` with fields of its own)."""
    from ruralcore.rules.regions import LEVEL_ORDER
    from ruralcore.store import analytics

    if level not in LEVEL_ORDER:
        return False
    from ruralcore.store import results
    kept = results.flag_columns(program)
    if any(program.indicator(i).kind == "flag" and len(program.indicator(i).fields) > 1 and i not in kept
           for i in indicators):
        return False
    return not analytics.own_rows_at(engine, program.id, periods, ["", *LEVEL_ORDER[:LEVEL_ORDER.index(level)]])


def level_values(engine: sa.Engine, program: Program, periods: list[str], level: str,
                 indicators: list[str] | None = None) -> pd.DataFrame:
    """The indicators (default: those the fields measure) of every region at ``level`` in
    ``periods`` from its sum row and its own row (融水's county centre reports fields of its
    own), one read for all the months: index (period, region), one column per indicator
    (call sums_stand_for_units first)."""
    from ruralcore.store import analytics, results

    rows = analytics.level_months(engine, program.id, periods, level)
    sums, n = analytics.sums(rows), analytics.counts(rows)
    codes = ind_mod.computable(program, sums.columns) if indicators is None else list(dict.fromkeys(indicators))
    several = [c for c in codes if program.indicator(c).kind == "flag" and len(program.indicator(c).fields) > 1]
    out = ind_mod.from_sums(program, sums, n, [c for c in codes if c not in several])
    if several:  # the mean of the units' own means, kept in the rows (store.results.flag_columns)
        flags = results.flag_values(engine, program, periods, level).reindex(out.index)
        for c in several:
            out[c] = flags[c].to_numpy(dtype="float64")
    return out[codes]


def compare_table(engine: sa.Engine, program: Program, period: str, regions: pd.DataFrame, level: str,
                  visible, month: Callable[[], pd.DataFrame]) -> pd.DataFrame:
    """overview.compare_table of what an account reads (``visible``, None: everything) at a
    level above the report level from that level's sum rows (compare_level_within picks such
    a level only when the account's area holds several of its regions, so it reads each of
    them wholly), else from the month's rows (``month()``)."""
    if level != ov.report_level(program) and sums_stand_for_units(
            engine, program, [period], level, [i.code for i in program.indicators]):
        out = level_values(engine, program, [period], level).droplevel("period")
        if visible is not None:
            out = out[out.index.isin(list(visible))]
        out.insert(0, "name", text_column(ov.names(regions, out.index), out.index))
        return out
    return ov.compare_table(program, month(), regions, level)


def heatmap(engine: sa.Engine, program: Program, period: str, regions: pd.DataFrame, rows: int,
            ranked: pd.DataFrame) -> dict:
    """overview.heatmap of the units ``ranked`` (the kept ranking's rows an account reads):
    the lowest scores first, reading only those units' own rows."""
    from ruralcore.store import analytics

    ordered = ranked.sort_values(["score", "region"], kind="stable")
    worst = ordered["region"].to_numpy(dtype=object)[:rows]
    fields = analytics.month_rows(engine, program.id, period, regions=list(worst))
    out = ov.heatmap(program, fields, regions, rows=rows, ranked=ranked[ranked["region"].isin(list(worst))])
    out["total"] = len(ranked)
    out["left_tied"] = ov.tied_beyond(ordered["score"].to_numpy(dtype="float64"), rows) if out["shown"] else 0
    return out


def ranking(engine: sa.Engine, program: Program, period: str, previous: str | None) -> pd.DataFrame | None:
    """overview.ranking of ``period`` without names or aspects — region, score, rank, award,
    award_label, rank_label and rank_up (overview.with_rank_change, since ``previous``) —
    from the kept scores, sorted by rank then code; None without a rubric or scores."""
    from ruralcore.store import results

    if program.rubric is None:
        return None
    ready(engine, program)
    now = results.scored_units(engine, program, period)
    if now.empty:
        return None
    out = scoring.ranked(program.rubric, now["region"].to_numpy(dtype=object), now["score"].to_numpy(dtype="float64"))
    out["region"] = text_column(now["region"].to_numpy(dtype=object))  # object codes: fast hashing (kernel.lookup)
    out["rank_label"] = text_column(rk.rank_labels(out["rank"], grouped=True))
    out = out.sort_values(["rank", "region"], kind="stable").reset_index(drop=True)
    before = None
    if previous:
        prev = results.scored_units(engine, program, previous)
        if len(prev):
            before = pd.DataFrame({"region": prev["region"].to_numpy(dtype=object),
                                   "rank": scoring.rank_array(prev["score"].to_numpy(dtype="float64"))[0]})
    return ov.with_rank_change(out, before)


__all__ = ["month_values", "target_tiles", "ranking"]
