"""What the county dashboard shows, composed from the engines (no Streamlit here).

Every function takes a programme and frames (or an engine for the loaders) and returns
DataFrames/dicts ready to show. Rules live in the engines this module calls:
indicators (formulas, roll-ups by summed numerators/denominators), targets (met, gap,
red/amber/green), scoring (花垣 rubric, rank, 达标/优秀), milestones, stations, tasks.
What is composed here is only *which* rows and columns a panel needs.

Frames:
- ``fields``: one month, one row per reporting region (index = region code), one column
  per field code (``month_fields``);
- ``regions``: the region tree as in ruralcore.rules.regions (index = code; code, name, level,
  parent), normally the store's regions of the programme (``region_frame``).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import numpy as np
import pandas as pd
import sqlalchemy as sa

from ruralcore.kernel.lookup import text_column
from ruralcore.rules import indicators as ind_mod
from ruralcore.rules import milestones as ms_mod
from ruralcore.rules import targets as tg_mod
from ruralcore.rules.programs import ASSUMED_LABEL, Program
from ruralcore.rules.regions import LEVEL_NAMES, ancestors_at, names  # noqa: F401 (names: re-exported)
from ruralcore.store import meta as store_meta

TOTAL = "__total__"  # the group key of the whole programme area
HEATMAP_ROWS = 60  # a heatmap shows at most this many (worst) regions


# --------------------------------------------------------------------------------------
# loading (the only part that touches the store)

def data_token(engine: sa.Engine) -> str:
    """Changes whenever stored data changes: cache key for loaded frames (store.meta.data_token)."""
    return store_meta.data_token(engine)


def app_meta(engine: sa.Engine) -> dict[str, str]:
    return store_meta.get_meta(engine)


def is_demo(engine: sa.Engine) -> bool:
    return store_meta.is_demo(engine)


def as_of_date(engine: sa.Engine, program_id: str, periods: list[str] | None = None) -> dt.date | None:
    """The data's as-of date (“today” of the dashboards) recorded by the demo builder or
    the import; without one, the last day of the newest month with data."""
    recorded = store_meta.as_of(engine, program_id)  # the one key the store writes (store.meta.as_of_key)
    if recorded is not None:
        return recorded
    if periods:
        last = max(periods)
        return (pd.Period(last, "M").end_time.date())
    return None


def periods(engine: sa.Engine, program_id: str) -> list[str]:
    """Months with stored reports, oldest first (store.reports.stored_periods)."""
    from ruralcore.store import reports as store_reports

    return store_reports.stored_periods(engine, program_id)


def region_frame(engine: sa.Engine, program_id: str) -> pd.DataFrame:
    """The programme's region tree from the store (index = code); the region files when
    the store has none."""
    from ruralcore.rules.regions import program_regions
    try:
        from ruralcore.store import regions as store_regions
        frame = store_regions.load_regions(engine, program_id)
    except ImportError:
        frame = pd.DataFrame()
    if frame is None or frame.empty:
        frame = program_regions(program_id)
    # object dtype on purpose: hash lookups (map, isin) over tens of thousands of codes are
    # far faster on object columns than on pandas 3's arrow-backed strings
    # (dtype=object stated: pandas 3 turns object arrays of str into arrow strings otherwise)
    frame = pd.DataFrame({c: frame[c].astype(str).to_numpy(dtype=object) for c in frame.columns}, dtype=object)
    frame.index = pd.Index(frame["code"].to_numpy(dtype=object), name="code", dtype=object)
    return frame


def month_fields(reports: pd.DataFrame, period: str | None = None) -> pd.DataFrame:
    """Long report rows (period, region, field, value) → one row per region, one column
    per field (float). ``period`` selects one month of a multi-month frame."""
    rep = reports if period is None else reports[reports["period"] == period]
    if rep.empty:
        return pd.DataFrame(index=pd.Index([], name="region", dtype=object))
    wide = rep.pivot_table(index="region", columns="field", values="value", aggfunc="first", dropna=False)
    wide.columns = [str(c) for c in wide.columns]
    wide.index = pd.Index(wide.index.astype(str).to_numpy(dtype=object), name="region")
    return wide.astype("float64")


def load_month(engine: sa.Engine, program_id: str, period: str, regions: list[str] | None = None) -> pd.DataFrame:
    """One row per region, one column per field, for one month: the month's own rows of the
    analytics table (store.analytics, kept in step with every write), one wide row per
    region instead of one raw value per row — 4–5× faster to read at province scale.
    ``regions``: only those regions' rows (逐级查看 below a chosen county)."""
    from ruralcore.store import analytics
    return analytics.month_rows(engine, program_id, period, regions=regions).astype("float64")


def load_months(engine: sa.Engine, program_id: str, periods: list[str], fields: list[str],
                regions: list[str] | None = None) -> pd.DataFrame:
    """Several months' rows of the analytics table in one read, only ``fields`` (and only
    ``regions`` when given): index region (repeated), column ``period``, one float column
    per field (store.analytics.months_rows)."""
    from ruralcore.store import analytics
    return analytics.months_rows(engine, program_id, periods, fields, regions)


# --------------------------------------------------------------------------------------
# helpers over the programme

def indicator_info(program: Program) -> pd.DataFrame:
    """Per indicator: name, unit, kind, ref, assumed, and the target that measures it
    (first one, with its level) — what a page prints beside a number."""
    tg = {}
    for t in program.targets:
        if t.indicator and t.indicator not in tg:
            tg[t.indicator] = t
    # the rubric's full-score value stands in where no target measures an indicator (花垣 三(一))
    rub = {ri.code: ri for a in (program.rubric.aspects if program.rubric else []) for ri in a.indicators}
    here = report_level(program)
    rows = []
    for i in program.indicators:
        t = tg.get(i.code)
        if t is None and i.code in rub:
            r = rub[i.code]
            rows.append({
                "indicator": i.code, "name": i.name, "unit": i.unit, "kind": i.kind, "ref": i.ref,
                "assumed": i.assumed, "target": None, "target_name": f"计分满分值：{r.name}",
                "op": ">=", "threshold": float(r.target), "target_level": here, "target_ref": r.ref,
                "target_assumed": r.assumed, "target_kind": "full_score", "due": None,
            })
            continue
        rows.append({
            "indicator": i.code, "name": i.name, "unit": i.unit, "kind": i.kind, "ref": i.ref,
            "assumed": i.assumed, "target": t.code if t else None, "target_name": t.name if t else None,
            "op": t.op if t else None, "threshold": t.threshold if t else np.nan,
            "target_level": t.applies_to if t else None, "target_ref": t.ref if t else None,
            "target_assumed": t.assumed if t else None, "target_kind": t.kind if t else None,
            "due": t.due if t else None,
        })
    return pd.DataFrame(rows).set_index("indicator", drop=False)


def report_level(program: Program) -> str:
    return tg_mod.data_level(program)


def compare_level(program: Program) -> str:
    """The level the overview compares: townships for village reports, counties for
    pilot reports, the reporting regions themselves otherwise."""
    here = report_level(program)
    if here == "village":
        return "township"
    if here == "pilot":
        return "county"
    return here


def level_name(level: str) -> str:
    return {"township": "乡镇", "county": "县（区）", "village": "村", "pilot": "试点"}.get(level, LEVEL_NAMES.get(level, level))


def _indicator_codes(program: Program, fields: pd.DataFrame) -> list[str]:
    """Indicators computable from the fields present."""
    return ind_mod.computable(program, fields.columns)


def _reporting_rows(program: Program, fields: pd.DataFrame) -> pd.DataFrame:
    """The rows of the reporting regions (ruralcore.rules.targets.reporting_rows)."""
    return tg_mod.reporting_rows(program, fields)


def unit_rows(program: Program, fields: pd.DataFrame) -> pd.DataFrame:
    """Public name of the reporting units' rows (what the drill-down lists)."""
    return _reporting_rows(program, fields)


def village_values(program: Program, fields: pd.DataFrame) -> pd.DataFrame:
    """Indicator values per reporting region (index = region)."""
    fields = _reporting_rows(program, fields)
    return ind_mod.compute(program, fields, _indicator_codes(program, fields))


def total_values(program: Program, fields: pd.DataFrame) -> pd.Series:
    """Indicator values over the whole programme area (summed numerators/denominators)."""
    codes = _indicator_codes(program, fields)
    if fields.empty or not codes:
        return pd.Series(np.nan, index=codes, dtype="float64")
    rolled = ind_mod.rollup(program, fields, np.full(len(fields), TOTAL, dtype=object), codes)
    return rolled.loc[TOTAL]


def parents_at(program: Program, regions: pd.DataFrame, codes, level: str) -> np.ndarray:
    """For each region code, its ancestor's code at ``level`` (ruralcore.rules.regions' tree
    walk); codes the tree cannot place get indicators.group_keys' fallback."""
    codes = np.asarray(codes, dtype=object)
    if regions.empty:
        return ind_mod.group_keys(program, pd.Index(codes, dtype=object), level, regions).to_numpy(dtype=object)
    keys = ancestors_at(regions, pd.Series(codes, dtype=object), level)
    missing = keys.isna().to_numpy()
    out = keys.to_numpy(dtype=object).copy()  # copy-on-write: the view is read-only
    if missing.any():  # names or unknown codes: the engine's own rule
        out[missing] = ind_mod.group_keys(program, pd.Index(codes[missing], dtype=object), level,
                                          regions).to_numpy(dtype=object)
    return out


# --------------------------------------------------------------------------------------
# overview panels

TILE_COLUMNS = ["target", "name", "kind", "indicator", "unit", "level", "value", "previous", "delta", "threshold",
                "op", "status", "met_regions", "regions", "units_text", "failing", "unreported", "failing_n",
                "unreported_n", "rule", "due", "ref", "assumed"]
FAILING_LISTED = 30  # a tile names at most this many failing (and unreported) units, by region code


def unit_codes(regions: pd.DataFrame, level: str) -> list[str] | None:
    """The codes of the units at ``level`` in the region tree (the units an every-unit
    target expects to hear from); None when the tree does not hold that level."""
    if regions.empty or "level" not in regions.columns:
        return None
    codes = regions.index[(regions["level"] == level).to_numpy()]
    return codes.to_numpy(dtype=object).tolist() if len(codes) else None


def every_unit_result(program: Program, target, evaluated: pd.DataFrame, regions: pd.DataFrame) -> dict:
    """An every-unit target over the area (targets.unit_summary): met only when every unit
    of the region tree at its level (or every reporting unit, when the tree does not list
    them) meets it; see unit_result."""
    mine = (evaluated["target"] == target.code).to_numpy()
    res = tg_mod.unit_summary(evaluated[["region", "value", "met"]][mine], unit_codes(regions, target.applies_to))
    return unit_result(program, target, res["met"], res["units"],
                       res["failing"].sort_values("region", kind="stable").head(FAILING_LISTED), len(res["failing"]),
                       sorted(res["unreported"])[:FAILING_LISTED], len(res["unreported"]), regions)


def unit_result(program: Program, target, met: int, units: int, failing: pd.DataFrame, failing_n: int,
                unreported: list[str], unreported_n: int, regions: pd.DataFrame) -> dict:
    """An every-unit target's tile from its counts: ``met`` of ``units`` units meet it,
    ``failing_n`` have a value that misses it, ``unreported_n`` have none; ``failing``
    (region, value) and ``unreported`` (codes) the first FAILING_LISTED of each by region
    code (a province has thousands). Status (targets.unit_summary's rule): red when any unit
    misses it; incomplete (未报齐) when every unit with a value meets it but some have none;
    green when every unit meets it; no_data when no unit has a value. With the text
    “N个村中M个达标” and the failing and unreported units by name, value and reason; when the
    failing are cut, their last entry says how many there are in all."""
    from ruralcore.kernel.fmt import value_with_unit
    status = ("no_data" if units == 0 or met + failing_n == 0 else "red" if failing_n
              else "incomplete" if unreported_n else "green")
    what = level_name(target.applies_to)
    unit = program.indicator(target.indicator).unit
    names_failing = [f"{n}（{'无数据' if pd.isna(v) else value_with_unit(v, unit)}）"
                     for n, v in zip(names(regions, failing["region"]), failing["value"])]
    if failing_n > len(names_failing):
        names_failing.append(f"……共{failing_n:,}个未达标，按区域代码列出前{len(names_failing)}个，完整名单见“逐级查看”")
    text = f"{units:,}个{what}中{met:,}个达标"
    if unreported_n:
        text += f"，{unreported_n:,}个未报送（或未填此项）"
    return {"met": met, "units": units, "status": status, "text": text, "failing_names": names_failing,
            "unreported_names": [str(n) for n in names(regions, unreported)], "failing_n": failing_n,
            "unreported_n": unreported_n}


def target_tiles(program: Program, fields: pd.DataFrame, previous: pd.DataFrame | pd.Series | None,
                 regions: pd.DataFrame) -> pd.DataFrame:
    """One row per measurable target: the value over the whole area this month and last
    month (indicators engine: summed numerators/denominators), the threshold, and the
    status by the programme's rule for the target's kind (targets engine): a rate with its
    amber band; a count or a yes/no met or not; an every-unit target met only when every
    unit meets it (``units_text`` “N个村中M个达标”, ``failing`` and ``unreported`` name the
    others). ``rule`` states the status rule with its clause. ``previous``: last month's
    indicator values over the area (a row of ``trend_from_store``: the deltas need last
    month's totals, not its villages), or last month's fields (summed here), or None."""
    if fields.empty:
        return pd.DataFrame(columns=TILE_COLUMNS)
    now = total_values(program, fields)
    if isinstance(previous, pd.Series):
        prev = previous
    else:
        prev = total_values(program, previous) if previous is not None and not previous.empty else None
    every = [t for t in program.targets if t.indicator and t.kind == "every_unit" and t.indicator in now.index]
    evaluated = tg_mod.evaluate(program, fields, region_frame=regions, codes=[t.code for t in every]) if every else None
    return tiles(program, now, prev, {t.code: every_unit_result(program, t, evaluated, regions) for t in every})


def tiles(program: Program, now: pd.Series, prev: pd.Series | None, every: dict[str, dict]) -> pd.DataFrame:
    """The tiles of target_tiles from the area's indicator values this month (``now``: the
    indicators the month's fields measure) and last month (``prev``) and each every-unit
    target's result (``every``: unit_result's dicts by target code)."""
    rows = []
    for t in program.targets:  # ~10 programme entries
        if not t.indicator or t.indicator not in now.index:
            continue
        ind = program.indicator(t.indicator)
        value = float(now[t.indicator])
        before = float(prev[t.indicator]) if prev is not None and t.indicator in prev.index else np.nan
        met_regions = n_regions = None
        units_text, failing, unreported, n_fail, n_unrep = "", [], [], 0, 0
        if t.kind == "every_unit":
            res = every[t.code]
            state, met_regions, n_regions = res["status"], res["met"], res["units"]
            units_text, failing, unreported = res["text"], res["failing_names"], res["unreported_names"]
            n_fail, n_unrep = res["failing_n"], res["unreported_n"]
        else:
            met, gap = tg_mod.compare(np.array([value]), t.op, t.threshold)
            state = tg_mod.target_status(program, t, met, gap)[0]
        rows.append({
            "target": t.code, "name": t.name, "kind": t.kind, "indicator": t.indicator, "unit": ind.unit,
            "level": t.applies_to, "value": value, "previous": before,
            "delta": value - before if not np.isnan(before) else np.nan,
            "threshold": float(t.threshold), "op": t.op, "status": state,
            "met_regions": met_regions, "regions": n_regions, "units_text": units_text,
            "failing": failing, "unreported": unreported, "failing_n": n_fail, "unreported_n": n_unrep,
            "rule": tg_mod.rule_text(program, t),
            "due": t.due, "ref": t.ref, "assumed": "；".join(x for x in (t.assumed, ind.assumed) if x) or None,
        })
    return pd.DataFrame(rows, columns=TILE_COLUMNS)


def compare_table(program: Program, fields: pd.DataFrame, regions: pd.DataFrame,
                  level: str | None = None) -> pd.DataFrame:
    """Indicator values per region at ``level`` (default compare_level): index = code,
    columns = indicator codes, plus ``name``. Roll-ups by the indicators engine."""
    level = level or compare_level(program)
    codes = _indicator_codes(program, fields)
    if fields.empty or not codes:
        return pd.DataFrame(columns=["name", *codes])
    if level == report_level(program):
        out = ind_mod.compute(program, _reporting_rows(program, fields), codes)
    else:
        out = ind_mod.rollup(program, fields, parents_at(program, regions, fields.index, level), codes)
    out.insert(0, "name", names(regions, out.index))
    return out


COMPARE_BARS = 40  # a bar chart shows at most this many regions


def compare_target(info: pd.DataFrame, indicator: str, level: str) -> tuple[float | None, str | None]:
    """(threshold, op) to colour regions at ``level`` met / not met on ``indicator``, or
    (None, None) when its target says nothing about one such region: a count or yes/no
    set for another level (融水's 206 standard stations are the county's, not a
    township's; 银川's one senior talent is each village's, not a district's). A
    percentage compares at any level."""
    if indicator not in info.index or pd.isna(info.at[indicator, "threshold"]):
        return None, None
    if info.at[indicator, "unit"] != "%" and info.at[indicator, "target_level"] != level:
        return None, None
    return float(info.at[indicator, "threshold"]), info.at[indicator, "op"]


def laggards(table: pd.DataFrame, indicator: str, op: str | None, n: int = COMPARE_BARS) -> pd.DataFrame:
    """The ``n`` regions furthest from the target on ``indicator`` (lowest values for a
    “≥” target, highest for a “≤” one), worst first; all, in their order, when there are few."""
    if len(table) <= n:
        return table
    ascending = op not in ("<=", "<")
    worst = table[indicator].sort_values(ascending=ascending, na_position="first", kind="stable").index[:n]
    return table.loc[worst]


def ranking(program: Program, fields: pd.DataFrame, regions: pd.DataFrame) -> pd.DataFrame | None:
    """花垣: every village's score, rank and award (scoring engine) with its name, its
    township and the points per aspect; None when the programme has no rubric."""
    if program.rubric is None or fields.empty:
        return None
    from ruralcore.rules import scoring
    from ruralcore.rules import ranking as rk
    scored = scoring.score(program, village_values(program, fields), aspects=True)
    scored["rank_label"] = text_column(rk.rank_labels(scored["rank"], grouped=True))
    return named(program, scored, regions).sort_values(["rank", "region"], kind="stable").reset_index(drop=True)


def named(program: Program, rows: pd.DataFrame, regions: pd.DataFrame) -> pd.DataFrame:
    """Ranked ``rows`` (a ``region`` column first) with each one's name, township and
    township name inserted after the region, in place (only the rows a page shows need
    them); returns ``rows``."""
    codes = rows["region"].to_numpy(dtype=object)
    out = rows
    out.insert(1, "name", text_column(names(regions, codes), out.index))
    town = parents_at(program, regions, codes, "township")
    out.insert(2, "township", text_column(town, out.index))
    out.insert(3, "township_name", text_column(names(regions, town), out.index))
    return out


def ranks(program: Program, fields: pd.DataFrame) -> pd.DataFrame | None:
    """ranking()'s region and rank alone (last month's ranks for “较上月”: no names, no
    townships, no labels); None when the programme has no rubric."""
    if program.rubric is None or fields.empty:
        return None
    from ruralcore.rules import scoring
    return scoring.score(program, village_values(program, fields))[["region", "rank"]]


def top_with_ties(ranked: pd.DataFrame, n: int) -> pd.DataFrame:
    """The first ``n`` rows of a ranking (sorted by rank) and every row tied with the n-th:
    a published top list never cuts through a tie (rank_label says 并列)."""
    from ruralcore.rules import ranking
    if len(ranked) <= n:
        return ranked
    keep = ranking.cut(ranked["rank"].to_numpy(), n, "top")
    return ranked[keep]


def bottom_with_ties(ranked: pd.DataFrame, n: int, exclude: pd.Index | None = None) -> pd.DataFrame:
    """The last ``n`` rows of a ranking and every row tied with the n-th from the end,
    lowest first, leaving out the rows in ``exclude`` (a top list already shown)."""
    from ruralcore.rules import ranking
    rest = ranked if exclude is None else ranked[~ranked.index.isin(exclude)]
    keep = ranking.cut(rest["rank"].to_numpy(), n, "bottom") if len(rest) > n else np.ones(len(rest), dtype=bool)
    return rest[keep].sort_values(["rank", "region"], ascending=[False, True], kind="stable")


def counted_ties(rows: pd.DataFrame, most: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A published ranking list (top_with_ties, bottom_with_ties) longer than ``most`` rows
    because many share a rank (4,331 villages at 100 分 in a province): a rank shared by
    more than ``most`` rows is counted, not listed, so that no one among equals is picked to
    stand for the rest. Returns (the rows listed, one row per rank counted: rank,
    rank_label, count, score, award_label)."""
    cols = ["rank", "rank_label", "count", "score", "award_label"]
    if len(rows) <= most:
        return rows, pd.DataFrame(columns=cols)
    big = (rows.groupby("rank")["rank"].transform("size") > most).to_numpy()
    groups = rows[big].groupby("rank", sort=False).agg(
        rank_label=("rank_label", "first"), count=("rank", "size"), score=("score", "first"),
        award_label=("award_label", "first")).reset_index()
    return rows[~big], groups[cols]


def with_rank_change(ranked: pd.DataFrame, previous: pd.DataFrame | None) -> pd.DataFrame:
    """``ranked`` (ranking()) with ``rank_up``: places moved up since the ranking
    ``previous`` (last month's; negative: down; NaN: not ranked then)."""
    from ruralcore.rules import ranking
    out = ranked.copy()
    before = previous.set_index("region")["rank"] if previous is not None else pd.Series(dtype="float64")
    out["rank_up"] = ranking.change(out.set_index("region")["rank"], before).to_numpy()
    return out


def unreported_units(program: Program, fields: pd.DataFrame, regions: pd.DataFrame) -> list[str]:
    """Names of the reporting units of the region tree (within what ``regions`` holds) with
    no report in ``fields``: they are not scored or ranked, and the page says so."""
    return unreported_of(_reporting_rows(program, fields).index, regions, report_level(program))


def unreported_of(reporting, regions: pd.DataFrame, level: str) -> list[str]:
    """Names of the units of ``regions`` at ``level`` not among the ``reporting`` codes."""
    codes = unit_codes(regions, level)
    if not codes:
        return []
    have = pd.Index(np.asarray(reporting, dtype=object), dtype=object)
    missing = np.asarray(codes, dtype=object)[~pd.Index(codes, dtype=object).isin(have)]
    return names(regions, missing).tolist()


def award_counts(ranked: pd.DataFrame) -> dict[str, int]:
    c = ranked["award"].value_counts()
    return {a: int(c.get(a, 0)) for a in ("excellent", "qualified", "not_qualified")}


def attainment(program: Program, values: pd.DataFrame) -> pd.DataFrame:
    """Each region's indicator value as a share (%) of its target's threshold, capped at
    100 — only to colour a heatmap (percentage indicators with a ≥ target)."""
    info = indicator_info(program)
    here = report_level(program)
    # a count compared with a whole-county quota (206 stations) says nothing about one region
    cols = [c for c in values.columns if c in info.index and info.at[c, "op"] in (">=", ">")
            and info.at[c, "threshold"] > 0 and (info.at[c, "unit"] == "%" or info.at[c, "target_level"] == here)]
    thr = info.loc[cols, "threshold"].to_numpy(dtype="float64")
    att = np.clip(values[cols].to_numpy(dtype="float64") / thr * 100.0, 0, 100)
    return pd.DataFrame(att, index=values.index, columns=cols)


def heatmap(program: Program, fields: pd.DataFrame, regions: pd.DataFrame,
            rows: int = HEATMAP_ROWS, ranked: pd.DataFrame | None = None) -> dict:
    """The worst ``rows`` regions × indicators, each value judged against its target by
    the same rule as the target tiles (value_status: green / amber / red / no_data; ""
    where no target judges it, e.g. an indicator only the rubric's full points measure).

    Worst = lowest rubric score where there is one, else lowest mean attainment.
    Returns {'values': region × indicator values, 'status': same shape (status codes),
    'attainment': same shape (0–100), 'labels': row labels, 'shown': n, 'total': N,
    'left_tied': how many regions not shown share the last shown one's score (or mean
    attainment) — the cut goes through a tie there, taken by region code, and the page says so}.
    """
    values = village_values(program, fields)
    att = attainment(program, values)
    if att.empty or not len(att.columns):
        return {"values": att, "status": att, "attainment": att, "labels": [], "shown": 0, "total": len(values),
                "left_tied": 0}
    if ranked is not None:
        ordered = ranked.sort_values(["score", "region"], ascending=[True, True], kind="stable")
        order, keys = ordered["region"].to_numpy(), ordered["score"].to_numpy(dtype="float64")
    else:
        mean = att.mean(axis=1, skipna=True).fillna(-1).sort_values(kind="stable")
        order, keys = mean.index.to_numpy(), mean.to_numpy(dtype="float64")
    worst = pd.Index(order[:rows])
    left_tied = tied_beyond(keys, rows)
    att = att.loc[worst]
    shown = values.loc[worst, att.columns]
    status = value_status(program, fields.loc[fields.index.isin(worst)], regions, report_level(program))
    status = status.reindex(index=worst, columns=att.columns).fillna("")
    labels = [f"{n}" for n in names(regions, worst)]
    return {"values": shown, "status": status, "attainment": att, "labels": labels, "shown": len(worst),
            "total": len(values), "left_tied": left_tied}


def tied_beyond(keys: np.ndarray, n: int) -> int:
    """How many of the sorted ``keys`` after the first ``n`` equal the n-th (a cut through a tie)."""
    if n <= 0 or len(keys) <= n:
        return 0
    return int((keys[n:] == keys[n - 1]).sum())


def trend(program: Program, monthly: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Indicator values over the whole area per month: index = period, columns = indicators."""
    rows = {p: total_values(program, f) for p, f in sorted(monthly.items()) if not f.empty}
    if not rows:
        return pd.DataFrame()
    return pd.DataFrame(rows).T.rename_axis("period")


def trend_from_totals(program: Program, totals: pd.DataFrame) -> pd.DataFrame:
    """The same as ``trend``, from per-(period, field) sums and counts (store.reports.
    period_totals): rates, counts and amounts take the summed fields, flag indicators the
    fields' mean over the regions — exactly what a roll-up of every region gives, without
    loading every row. (A flag field may feed a count indicator too: 谭家场's villages done.)"""
    if totals.empty:
        return pd.DataFrame()
    sums = totals.pivot(index="period", columns="field", values="total").sort_index()
    means = (totals.assign(mean=totals["total"] / totals["n"])
             .pivot(index="period", columns="field", values="mean").sort_index())
    codes = _indicator_codes(program, sums)
    if not codes:
        return pd.DataFrame()
    flags = [c for c in codes if program.indicator(c).kind == "flag"]
    others = [c for c in codes if c not in flags]
    parts = ([ind_mod.compute(program, means, flags)] if flags else []) + \
            ([ind_mod.compute(program, sums, others)] if others else [])
    return pd.concat(parts, axis=1)[codes].rename_axis("period")


def trend_from_store(engine: sa.Engine, program: Program, upto: str | None = None,
                     regions=None) -> pd.DataFrame:
    """Monthly indicator values over the whole area (or over ``regions`` only), summed in
    the database: the whole area reads the kept monthly sums (report_totals), a part of
    it sums its regions' reports."""
    from ruralcore.store import reports as store_reports
    return trend_from_totals(program, store_reports.period_totals(engine, program.id, upto, regions))


def region_history(program: Program, monthly: Mapping[str, pd.DataFrame], region: str,
                   regions: pd.DataFrame | None = None) -> pd.DataFrame:
    """One region's indicator values per month (index = period). A region above the
    report level (a township) is rolled up from its members."""
    here = report_level(program)
    level = None
    if regions is not None and region in regions.index:
        level = regions.at[region, "level"]
    rows = {}
    for p, f in sorted(monthly.items()):
        if f.empty:
            continue
        codes = _indicator_codes(program, f)
        if level is None or level == here:
            if region in f.index:
                rows[p] = ind_mod.compute(program, f.loc[[region]], codes).iloc[0]
        else:
            keys = parents_at(program, regions, f.index, level)
            sub = f[keys == region]
            if len(sub):
                rows[p] = ind_mod.rollup(program, sub, np.full(len(sub), region, dtype=object), codes).iloc[0]
    if not rows:
        return pd.DataFrame()
    return pd.DataFrame(rows).T.rename_axis("period")


HISTORY_LISTED = 20_000  # a region's own rows are named in the query up to this many, else all are read


def history_from_store(engine: sa.Engine, program: Program, region: str, regions: pd.DataFrame,
                       upto: str | None = None) -> pd.DataFrame:
    """region_history of every stored month up to ``upto``, reading only the rows of that
    region (of its members for a region above the report level) in one query: 逐级查看 of
    one village reads its dozen rows, not every month whole."""
    here = report_level(program)
    level = regions.at[region, "level"] if region in regions.index else here
    listed = [region] if level == here else ind_mod.members(program, region, level, regions)
    if listed is not None and len(listed) > HISTORY_LISTED:
        listed = None
    have = [p for p in periods(engine, program.id) if upto is None or p <= upto]
    fields = ind_mod.needed_fields(program, [i.code for i in program.indicators])
    rows = load_months(engine, program.id, have, fields, listed)
    monthly = {p: f.drop(columns="period") for p, f in rows.groupby("period", sort=True)}
    return region_history(program, monthly, region, regions)


def milestone_table(program: Program, as_of: dt.date,
                    done: Mapping[str, dt.date] | None = None) -> pd.DataFrame:
    """Milestones as of the data's date (milestones engine), in programme order.

    ``done``: milestone code → the day it was done (ruralcore.app.milestone_records.done_dates).
    A milestone done on or before ``as_of`` is done; one done after ``as_of`` is not yet
    (the dashboards look at the data's date). Columns ``done_on`` and ``days_late``
    (calendar days after the due date, 0 when on time) say when it was done."""
    if not program.milestones:
        return pd.DataFrame()
    known = {m.code for m in program.milestones}
    done_by = {c: d for c, d in (done or {}).items() if c in known and d <= as_of}
    st = ms_mod.status(program, as_of, done_by.keys())
    done_on = st["code"].map(done_by)
    st["done_on"] = done_on.map(lambda d: d.isoformat(), na_action="ignore").astype(object)
    due = pd.to_datetime(st["due"].where(st["recurring"].isna()))
    late = (pd.to_datetime(done_on) - due).dt.days
    st["days_late"] = late.clip(lower=0).fillna(0).astype("int64")
    return st


def next_milestones(program: Program, as_of: dt.date, n: int = 3,
                    done: Mapping[str, dt.date] | None = None) -> pd.DataFrame:
    """The next ``n`` dated milestones not yet done (overdue ones first)."""
    st = milestone_table(program, as_of, done)
    if st.empty:
        return st
    open_ = st[(st["status"] != "done") & st["recurring"].isna()] if "recurring" in st else st[st["status"] != "done"]
    open_ = open_.assign(_o=open_["status"].map({"overdue": 0}).fillna(1))
    return open_.sort_values(["_o", "due"], kind="stable").drop(columns="_o").head(n)


def region_detail(program: Program, fields: pd.DataFrame, region: str, regions: pd.DataFrame) -> pd.DataFrame:
    """Every indicator of one region this month, beside its target and the clause it
    comes from; assumed values marked “文件未规定，系统默认”."""
    hist = region_history(program, {"now": fields}, region, regions)
    info = indicator_info(program)
    if hist.empty:
        return pd.DataFrame()
    vals = hist.iloc[0]
    out = info.loc[[c for c in info.index if c in vals.index]].copy()
    out["value"] = vals.reindex(out.index).to_numpy(dtype="float64")
    thr = out["threshold"].to_numpy(dtype="float64")
    # the status rule of the target's kind: only a rate has an amber band
    margin = np.where(out["target_kind"] == "rate", tg_mod.amber_margin(program), 0.0)
    status = np.full(len(out), "no_target", dtype=object)
    for op in (">=", ">", "<=", "<", "=="):  # ≤ 5 ops, vectorised within each
        for band in np.unique(margin):
            m = ((out["op"] == op).to_numpy()) & (margin == band)
            if m.any():
                met, gap = _compare_rows(out["value"].to_numpy()[m], op, thr[m])
                status[m] = tg_mod.status(met, gap, float(band))
    out["status"] = status
    out["assumed_label"] = np.where(out["assumed"].fillna("").astype(bool) | out["target_assumed"].fillna("").astype(bool),
                                    ASSUMED_LABEL, "")
    return out.reset_index(drop=True)


def _compare_rows(values: np.ndarray, op: str, thresholds: np.ndarray):
    """targets.compare for rows with different thresholds (one call per distinct one)."""
    met = np.zeros(len(values), dtype=bool)
    gap = np.full(len(values), np.nan)
    for t in np.unique(thresholds[~np.isnan(thresholds)]):
        m = thresholds == t
        met[m], gap[m] = tg_mod.compare(values[m], op, float(t))
    return met, gap


def rubric_detail(program: Program, ranked: pd.DataFrame, region: str) -> pd.DataFrame:
    """One village's points per aspect (花垣), with the aspect's full points and clause."""
    if program.rubric is None or ranked is None:
        return pd.DataFrame()
    row = ranked[ranked["region"] == region]
    if row.empty:
        return pd.DataFrame()
    r = row.iloc[0]
    return pd.DataFrame([{
        "aspect": a.code, "name": a.name, "score": float(r[f"aspect_{a.code}"]), "points": a.points,
        "ref": a.ref, "assumed_label": ASSUMED_LABEL if a.assumed else "",
    } for a in program.rubric.aspects])


# --------------------------------------------------------------------------------------
# 融水 stations and officers

def load_stations(engine: sa.Engine, program_id: str, year: int | None = None) -> dict:
    """The programme's stations (column ``station`` = number) and officers with their
    training hours in ``year`` (default: the newest year with training records)."""
    from ruralcore.store import stations as stored

    st = stored.stations(engine, program_id)
    if year is None:
        year = stored.newest_training_year(engine, program_id)
    off = stored.officers(engine, program_id, year)
    if st.empty:
        return {"stations": None, "officers": None, "year": year}
    st["is_demo"] = st["is_demo"].astype(bool)
    return {"stations": st, "officers": off, "year": year}


def quota_table(program: Program, stations: pd.DataFrame, regions: pd.DataFrame, table: str = "stations") -> pd.DataFrame:
    """Built vs quota per township and kind (stations engine), demonstration stations
    counted as the kind ``demo``. Townships by name, as in the quota table. Read from the
    station register (ruralcore.app.station_register): only stations in state 已建成 count as
    built — a number allocated, a station being built or a retired number do not."""
    from ruralcore.rules import stations as st_mod
    if "status" in stations.columns:
        stations = stations[(stations["status"] == "built").to_numpy()]
    town = names(regions, stations["township"])
    built = pd.DataFrame({"township": town, "type": stations["type"].to_numpy()})
    demo = pd.DataFrame({"township": town[stations["is_demo"].to_numpy()], "type": "demo"})
    return st_mod.quota_progress(program, pd.concat([built, demo], ignore_index=True), table)


def officers_short(program: Program, stations: pd.DataFrame, officers: pd.DataFrame,
                   regions: pd.DataFrame) -> pd.DataFrame:
    """Officers below the yearly training hours (stations engine), with station and
    township, shortest first — Chinese column names for display."""
    from ruralcore.rules import stations as st_mod
    fails = st_mod.officer_failures(program, stations, officers)
    hours_rule = fails[fails["requirement"] != "officer_min_count"]
    sel = officers[officers["station"].isin(hours_rule["station"])
                   & (pd.to_numeric(officers["training_hours"], errors="coerce").fillna(0)
                      < float(program.setting("training_hours_min")))]
    town = sel["station"].map(stations.set_index("station")["township"])
    out = pd.DataFrame({
        "信息员": sel["name"].to_numpy(), "站点": sel["station"].to_numpy(),
        "乡镇": names(regions, town.to_numpy()), "全年培训学时": sel["training_hours"].to_numpy(dtype="float64"),
        "应达学时": float(program.setting("training_hours_min")),
        "条款": hours_rule["ref"].iloc[0] if len(hours_rule) else "",
    })
    return out.sort_values("全年培训学时", kind="stable").reset_index(drop=True)


# --------------------------------------------------------------------------------------
# 谭家场 tasks

TASK_STATES = {"done": "已完成", "in_progress": "推进中", "not_started": "未启动", "overdue": "已逾期"}
TASK_COLORS = {"done": "#1a7f37", "in_progress": "#1f5fa8", "not_started": "#9e9e9e", "overdue": "#c62828"}


def load_task_progress(engine: sa.Engine, program_id: str) -> pd.DataFrame:
    from ruralcore.store import stations as stored

    return stored.task_progress(engine, program_id)


def task_table(program: Program, progress: pd.DataFrame, period: str, as_of: dt.date) -> pd.DataFrame:
    """Every task's state as of the month (tasks engine), from the villages' progress
    records: a task's progress is the share (%) of its records marked done in that
    month; started when any village has started it."""
    from ruralcore.rules import tasks as tk
    p = progress[progress["period"] == period]
    states = pd.crosstab(p["task_no"], p["state"])
    n_all = states.sum(axis=1)
    counts = states.reindex(columns=["done", "not_started"], fill_value=0)
    share = counts["done"] / n_all.where(n_all > 0) * 100
    started = (n_all - counts["not_started"]) > 0
    share = share.where(~((share == 0) & started), 1.0)  # begun somewhere: in progress, not “not started”
    notes = pd.DataFrame({"no": share.index.astype(int), "date": pd.Timestamp(as_of), "progress": share.fillna(0).to_numpy()})
    out = tk.task_status(program, notes, as_of)
    done = out["no"].map(counts["done"]).fillna(0).astype(int)
    total = out["no"].map(n_all).fillna(0).astype(int)
    out["villages_done"] = done.astype(str) + "/" + total.astype(str)
    out["responsible_text"] = out["responsible"].map("、".join)
    return out


def task_counts(status: pd.DataFrame, by: str) -> pd.DataFrame:
    """Tasks per ``by`` (area_name or a responsible unit) and state."""
    frame = status.explode("responsible") if by == "responsible" else status
    out = pd.crosstab(frame[by], frame["state"]).reindex(columns=list(TASK_STATES), fill_value=0)
    return out.reset_index()


# --------------------------------------------------------------------------------------
# read scoping: what an account that reads part of the area is shown

def compare_level_within(program: Program, fields: pd.DataFrame, regions: pd.DataFrame) -> str:
    """compare_level, or the report level itself when every reporting region of ``fields``
    falls into one group: a township officer compares its own villages, not its township
    with itself."""
    return compare_level_of(program, _reporting_rows(program, fields).index, regions)


def compare_level_of(program: Program, codes, regions: pd.DataFrame) -> str:
    """compare_level_within from the reporting regions' ``codes``."""
    level = compare_level(program)
    if level == report_level(program) or not len(codes):
        return level
    groups = pd.unique(pd.Series(parents_at(program, regions, codes, level), dtype=object))
    return level if len(groups) > 1 else report_level(program)


def stations_within(stations: pd.DataFrame | None, visible) -> pd.DataFrame | None:
    """The stations whose township or own region is among ``visible`` codes (None: all)."""
    if stations is None or visible is None:
        return stations
    seen = list(visible)
    keep = stations["township"].isin(seen) | stations["region"].isin(seen)
    return stations[keep.to_numpy()]


def quota_within(quota: pd.DataFrame, regions: pd.DataFrame, visible) -> pd.DataFrame:
    """quota_table rows (townships by name) of the townships among ``visible`` codes."""
    if visible is None:
        return quota
    towns = regions.loc[regions.index.isin(list(visible)), "name"]
    return quota[quota["township"].isin(towns)].reset_index(drop=True)


# --------------------------------------------------------------------------------------
# statuses of the values in a table of regions (逐级查看's tables)

STATUS_ORDER = {"red": 4, "amber": 3, "incomplete": 2, "green": 1}  # a group is as bad as its worst unit


def _judge(program: Program, code: str, values: pd.Series, info: pd.DataFrame) -> np.ndarray:
    """The tiles' rule (targets engine: the status rule of the target's kind) for the
    values of indicator ``code`` against its target: green / amber / red / no_data."""
    target = next(t for t in program.targets if t.code == info.at[code, "target"])
    met, gap = tg_mod.compare(values.to_numpy(dtype="float64"), target.op, float(target.threshold))
    return tg_mod.target_status(program, target, met, gap)


def _worst(status: pd.Series, groups: np.ndarray, index: pd.Index) -> np.ndarray:
    """Per group, the status of a target every unit must meet (targets.unit_summary's
    rule, vectorised over the groups): red when a unit misses it (amber when the worst is
    within a rate's band), 未报齐 (incomplete) when the units with a value meet it but some
    have none, green when every unit meets it, no_data when none has a value."""
    rank = status.map(STATUS_ORDER)
    worst = rank.groupby(groups).max()
    missing = (status == "no_data").groupby(groups).any()
    out = worst.map({v: k for k, v in STATUS_ORDER.items()}).where(worst.notna(), "no_data")
    out[(out == "green") & missing.reindex(out.index).fillna(False)] = "incomplete"
    return out.reindex(index).fillna("no_data").to_numpy(dtype=object)


def value_status(program: Program, fields: pd.DataFrame, regions: pd.DataFrame, level: str) -> pd.DataFrame:
    """For the table of regions at ``level`` (compare_table at ``level``, or the reporting
    units themselves): each value's status against the target that measures its indicator
    (indicator_info), by the same rule as the tiles. Index = the table's regions, columns
    = indicator codes, "" where no target judges the value:

    - a target set for ``level`` judges the value itself;
    - a target set for each reporting unit (每个村…) judges a group by its units: red when
      one of them misses it, green only when every one meets it (_worst);
    - a target set for a higher level (全县…) judges a rate's roll-up at any level; a
      count or a yes/no of a part is not comparable with the whole's target: not judged.
    Indicators measured only by the rubric's full points have no target: not judged."""
    info = indicator_info(program)
    here = report_level(program)
    units = village_values(program, fields)
    table = units if level == here else compare_table(program, fields, regions, level).drop(columns="name")
    out = pd.DataFrame("", index=table.index, columns=table.columns, dtype=object)
    parents = None
    for code in table.columns:  # ~10 indicators, each vectorised over the regions
        if code not in info.index or pd.isna(info.at[code, "target"]) or not isinstance(info.at[code, "op"], str):
            continue
        t_level = info.at[code, "target_level"]
        if t_level == level or (level == here and t_level is None):
            out[code] = _judge(program, code, table[code], info)
        elif t_level == here and code in units.columns:
            if parents is None:
                parents = parents_at(program, regions, units.index, level)
            out[code] = _worst(pd.Series(_judge(program, code, units[code], info), index=units.index),
                               parents, table.index)
        elif info.at[code, "kind"] == "rate" and tg_mod._higher(str(t_level), level):
            out[code] = _judge(program, code, table[code], info)
    return out


def region_level(engine: sa.Engine, code: str) -> str:
    """The level of a stored region (city, county, township…); "" when the store has none."""
    from ruralcore.store import regions as store_regions

    frame = store_regions.load_regions(engine)
    return str(frame.at[code, "level"]) if code in frame.index else ""
