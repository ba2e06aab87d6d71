"""Early warning (预警) over the store: the months a projection needs are read here and
judged by ruralcore.rules.forecast (the method, re-exported for callers), with the regions'
and targets' names and the verdicts. The overview's warnings of the report level are kept in
the analytics rows (ruralcore.store.results); ``warning_summary`` reads them.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ruralcore.kernel.lookup import lookup, text_column
from ruralcore.rules.forecast import (  # noqa: F401 (the method: re-exported for callers)
    COLUMNS, DEFAULT_MONTHS, VERDICTS, as_date, dated_targets, month_index, project, project_values, setting_months,
    verdict)

MOST_LISTED = 20_000  # one region's rows are named in the query up to this many, else all are read


def series_from_store(engine, program, upto: str, months: int | None = None, target: str | None = None,
                      region: str | None = None, regions: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(series, targets) for project(): every target with a deadline evaluated in every
    stored month up to ``upto`` (ruralcore.rules.targets.values_by_month, per region at the
    target's level), and the targets' threshold, op, deadline, name, unit, ref.

    ``months``: only the months of the last N up to ``upto`` — all project() needs for the
    value, slope and verdict (``behind_from`` needs every month). ``target`` and ``region``:
    that one series (a chart), reading only that target's fields and only the rows rolled up
    into that region. ``regions``: the region tree when the caller has it already."""
    from ruralcore.rules.targets import values_by_month

    rows, tg, regions = _window_rows(engine, program, upto, months, target, region, regions)
    series = values_by_month(program, rows.drop(columns=["period"]), rows["period"].to_numpy(dtype=object),
                             list(tg["target"]), regions)
    if region is not None:
        series = series[series["region"] == region]
    series = series.assign(region_name=text_column(_names(regions, series["region"]), series.index))
    return series[["region", "region_name", "target", "period", "value"]].reset_index(drop=True), tg


def _window_rows(engine, program, upto: str, months: int | None, target: str | None, region: str | None,
                 regions: pd.DataFrame | None, targets: list[str] | None = None
                 ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(report rows, targets, region tree) of series_from_store: the stored months up to
    ``upto`` (the last ``months`` of them), only the dated targets' fields, only the rows
    rolled into ``region`` for one ``target``'s series."""
    from ruralcore.rules import indicators as ind_mod
    from ruralcore.app.overview import load_months, periods, region_frame
    from ruralcore.rules.targets import data_level

    tg = dated_targets(program)
    if target is not None or targets is not None:
        tg = tg[tg["target"].isin([target] if target is not None else targets)].reset_index(drop=True)
    have = [p for p in periods(engine, program.id) if p <= upto]
    if months is not None:
        now = int(month_index([upto])[0])
        have = [p for p, m in zip(have, month_index(have)) if m > now - months] if have else []
    fields = ind_mod.needed_fields(program, [program.target(c).indicator for c in tg["target"]])
    regions = region_frame(engine, program.id) if regions is None else regions
    listed = None
    if target is not None and region is not None:
        level = program.target(target).applies_to
        listed = [region] if level == data_level(program) else ind_mod.members(program, region, level, regions)
        listed = listed if listed is None or len(listed) <= MOST_LISTED else None
    return load_months(engine, program.id, have, fields, listed), tg, regions


def _names(regions: pd.DataFrame, codes: pd.Series) -> np.ndarray:
    """Region names (the code where the tree has none: 花垣's villages are named by code)."""
    from ruralcore.rules.regions import names
    return names(regions, codes.to_numpy(dtype=object))


def from_store(engine, program, period: str, pace: bool = False, regions: pd.DataFrame | None = None,
               targets: list[str] | None = None) -> pd.DataFrame:
    """project() over the store for ``period`` with the programme's N, plus region_name,
    target_name, ref and verdict. Reads the last N months only, unless ``pace`` (then every
    month, for ``behind_from``)."""
    months, _ = setting_months(program)
    if pace:
        series, tg = series_from_store(engine, program, period, regions=regions)
        return from_series(program, period, series, tg, pace)
    # the verdicts alone: the last N months' values go to the projection as whole columns,
    # never one long frame of every region, target and month
    from ruralcore.rules.targets import target_values
    rows, tg, regions = _window_rows(engine, program, period, months, None, None, regions, targets)
    values = target_values(program, rows.drop(columns=["period"]), rows["period"].to_numpy(dtype=object),
                           list(tg["target"]), regions)
    out = project_values(values, tg, period, months)
    out["region_name"] = text_column(_names(regions, out["region"]), out.index)
    return _named(out, tg)


def from_series(program, period: str, series: pd.DataFrame, tg: pd.DataFrame, pace: bool = True) -> pd.DataFrame:
    """from_store over the (series, targets) of series_from_store already read."""
    months, _ = setting_months(program)
    out = project(series, tg, period, months, pace)
    # each region's name as the series gives it (the projected regions reported this month)
    now = (series["period"] == period).to_numpy()
    names = pd.Series(series["region_name"].to_numpy(dtype=object)[now],
                      index=pd.Index(series["region"].to_numpy(dtype=object)[now], dtype=object), dtype=object)
    codes = out["region"].to_numpy(dtype=object)
    out["region_name"] = text_column(lookup(names, codes, default=codes), out.index)
    return _named(out, tg)


def _named(out: pd.DataFrame, tg: pd.DataFrame) -> pd.DataFrame:
    """The projection with each target's name and clause, and the verdict."""
    out = out.merge(tg[["target", "target_name", "ref"]], on="target", how="left")
    out["verdict"] = verdict(out)
    return out




def warnings(engine, program, period: str, regions: pd.DataFrame, area: str | None = None,
             visible=None) -> dict:
    """总览's warnings for an account that reads ``visible`` (None: everything) below ``area``
    (its region; None: the whole programme): {'summary': as summary(from_store(…)) over what
    it reads, in the programme's order of targets; 'rows': the projected rows of the targets
    above the report level (a few regions each)}. The report level's verdicts are counted from
    the analytics rows (store.results: one row read), not projected village by village."""
    from ruralcore.rules.rights import keep_visible
    from ruralcore.app.kept import ready
    from ruralcore.store import results

    ready(engine, program)  # built and judged (a database from before, a changed file)
    kept = results.verdict_columns(program)
    tg = dated_targets(program)
    above = [t for t in tg["target"] if t not in kept]
    rows = _above(engine, program, period, regions, above)
    rows = keep_visible(rows, visible, "region").reset_index(drop=True)
    counted = results.counts(engine, program, period, area if visible is not None else None)
    above_counts = pd.crosstab(rows["target"], rows["verdict"]).reindex(columns=VERDICTS, fill_value=0) \
        if len(rows) else pd.DataFrame(columns=VERDICTS)
    lines = []
    for t in tg.itertuples(index=False):  # a few programme entries
        n = counted.loc[t.target] if t.target in kept else above_counts.loc[t.target] \
            if t.target in above_counts.index else None
        if n is None or not int(n.sum()):
            continue
        lines.append({"target": t.target, "target_name": t.target_name, "deadline": t.deadline, "ref": t.ref,
                      **{v: int(n[v]) for v in VERDICTS}})
    return {"summary": pd.DataFrame(lines, columns=["target", "target_name", "deadline", "ref", *VERDICTS]),
            "rows": rows}


def _above(engine, program, period: str, regions: pd.DataFrame, targets: list[str]) -> pd.DataFrame:
    """from_store's rows of ``targets`` (above the report level), projected from their
    level's sum rows in the analytics tables (a country's counties: a few thousand rows a
    month) — the same values as rolling the units up (rates, counts and one-field flags), so
    from the units themselves when the months hold a row the sums leave out (a code the tree
    does not know, a region above the target's level that reports fields of its own) or a
    target is a flag of several fields."""
    from ruralcore.app.kept import level_values, sums_stand_for_units
    from ruralcore.app.overview import periods as stored
    from ruralcore.rules.regions import LEVEL_ORDER
    from ruralcore.rules.targets import MonthValues

    if not targets:
        return pd.DataFrame(columns=[*COLUMNS, "region_name", "target_name", "ref", "verdict"])
    months, _ = setting_months(program)
    now = int(month_index([period])[0])
    have = [p for p in stored(engine, program.id) if p <= period]
    window = [p for p, m in zip(have, month_index(have)) if m > now - months] if have else []
    chosen = [program.target(t) for t in targets]
    levels = {t.applies_to for t in chosen}
    highest = min(levels, key=lambda v: LEVEL_ORDER.index(v) if v in LEVEL_ORDER else -1)
    if not sums_stand_for_units(engine, program, window, highest, [t.indicator for t in chosen]):
        return from_store(engine, program, period, regions=regions, targets=targets)
    values = []
    for level in sorted(levels, key=LEVEL_ORDER.index):
        mine = [t for t in chosen if t.applies_to == level]
        got = level_values(engine, program, window, level, [t.indicator for t in mine])  # N months, one read
        if got.empty:
            continue
        frame = got.droplevel("period").assign(_period=got.index.get_level_values("period").to_numpy(dtype=object))
        codes, at = np.unique(np.asarray(frame.index, dtype=object).astype(str), return_inverse=True)
        for t in mine:
            keep = np.ones(len(frame), dtype=bool) if t.scope == "all" else (codes[at] == t.scope)
            values.append(MonthValues(t.code, codes.astype(object), at[keep],
                                      frame["_period"].to_numpy(dtype=object)[keep],
                                      frame[t.indicator].to_numpy(dtype="float64")[keep]))
    tg = dated_targets(program)
    tg = tg[tg["target"].isin(targets)].reset_index(drop=True)
    out = project_values(values, tg, period, months)
    out["region_name"] = text_column(_names(regions, out["region"]), out.index)
    return _named(out, tg)


def projected_row(program, period: str, series: pd.DataFrame, target: str) -> pd.Series | None:
    """One region's projection of ``target`` (from_store's row: value, projected, verdict,
    names …) from its own months (series_from_store(target=…, region=…)); None when it has
    no value in ``period``."""
    tg = dated_targets(program)
    tg = tg[tg["target"] == target].reset_index(drop=True)
    out = project(series[["region", "target", "period", "value"]], tg, period, setting_months(program)[0], pace=False)
    if out.empty:
        return None
    out["region_name"] = series["region_name"].iat[0]
    return _named(out, tg).iloc[0]


URGENT_FIRST = ["预计逾期", "已逾期未完成", "预计按期完成", "已达标"]  # the order the regions are offered in


def warning_regions(engine, program, period: str, target: str, rows: pd.DataFrame, regions: pd.DataFrame,
                    limit: int, visible=None) -> pd.DataFrame:
    """The first ``limit`` regions of ``target``'s warnings, the most urgent first
    (URGENT_FIRST, then by code), of those the account reads: region, region_name, verdict."""
    from ruralcore.store import results

    if target in results.verdict_columns(program):
        codes = None if visible is None else list(visible)
        out = results.units(engine, program, period, target, URGENT_FIRST, limit, codes)
    else:
        mine = rows[rows["target"] == target]
        rank = mine["verdict"].map({v: i for i, v in enumerate(URGENT_FIRST)})
        out = mine.assign(_r=rank.to_numpy()).sort_values(["_r", "region"], kind="stable").head(limit)
        out = out[["region", "verdict"]].reset_index(drop=True)
    out["region_name"] = text_column(_names(regions, out["region"]), out.index)
    return out[["region", "region_name", "verdict"]]


def summary(frame: pd.DataFrame) -> pd.DataFrame:
    """Per target (name, deadline, ref): how many regions fall under each verdict."""
    cols = ["target", "target_name", "deadline", "ref"]
    if frame.empty:
        return pd.DataFrame(columns=cols + VERDICTS)
    counts = pd.crosstab(frame["target"], frame["verdict"]).reindex(columns=VERDICTS, fill_value=0)
    head = frame.drop_duplicates("target").set_index("target")[cols[1:]]
    return head.join(counts).reset_index()[cols + VERDICTS]


def method_text(program, short: bool = False) -> str:
    """The stated rule, with N and whether it is the system's default (``short``: without
    the columns' explanation)."""
    n, s = setting_months(program)
    tail = "（文件未规定，系统默认）" if s is None or s.assumed else f"（{s.ref}）"
    return (f"预警方法：取最近{n}个月的数值，按最小二乘法求每月增幅，以本月值加“每月增幅×距期限月数”预测期限时的数值"
            f"{tail}；已达标的计为按期，期限已过仍未达标的计为逾期。" + ("" if short else
            "“每月还需增加”为达到目标值每月至少还需的增量；“自何月落后”为首个低于“首月数值到期限目标值的直线进度”的月份。"))
