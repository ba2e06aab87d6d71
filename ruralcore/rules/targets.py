"""Attainment of a programme's targets over a frame of regions (vectorised).

``evaluate`` returns one row per (region, target): value, threshold, op, met, gap,
status, due, ref, assumed.

- gap: how far the value is from the threshold in the indicator's unit (percentage
  points for rates), 0 when met; for ``==`` the absolute difference.
- status: by the programme's status rule for the target's kind (programs.StatusRule):
  ``green`` met; ``amber`` (rates only) not met but within the rate rule's
  ``amber_within`` points of the threshold; ``red`` otherwise; ``no_data`` no value
  (missing input, or a rate that cannot be rolled up because only percentages were
  given). A count, a yes/no and an every-unit target are green or red, never amber.
- an every-unit target (kind ``every_unit``) has one row per unit; it is met over an
  area only when every unit of the area meets it (``unit_summary``).
- A target whose ``applies_to`` level is higher than the data's level (花垣's county
  targets over village reports) is evaluated on the roll-up (see ruralcore.rules.indicators):
  rates from summed numerators and denominators, never averaged percentages. When the
  frame holds only a rate's percentages, not its fields, the roll-up is ``no_data``.
- Targets without a measurable indicator are not listed.

The input frame is indexed by region. By default its columns are the report's field
codes (stored monthly reports: a flag field holds 0/1). With ``given_indicators=True``
(a values file of percentages) a column named by an indicator code holds that
indicator's value (0–100) and is taken as given; field columns may still be added so
that rates can be rolled up. The caller says which: field and indicator codes may
coincide (花垣's study_room), so guessing from the column name would be wrong.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ruralcore.kernel.lookup import lookup, text_column
from ruralcore.rules import indicators as ind_mod
from ruralcore.rules.programs import Program, Target
from ruralcore.rules.regions import LEVEL_ORDER, program_regions

STATUS_LABELS = {"green": "达标", "amber": "接近", "red": "未达标", "incomplete": "未报齐", "no_data": "无数据"}
COLUMNS = ["region", "region_name", "level", "target", "name", "kind", "indicator", "unit", "value", "threshold",
           "op", "met", "gap", "status", "due", "ref", "assumed"]


def data_level(program: Program) -> str:
    """The level at which the programme's reports are filled in."""
    try:
        return str(program.setting("report_level"))
    except KeyError:
        levels = [i.level for i in program.indicators]
        return max(set(levels), key=levels.count) if levels else "village"


def reporting_rows(program: Program, fields: pd.DataFrame) -> pd.DataFrame:
    """The rows of the reporting units in a month's frame (index region, columns the month's
    fields): a month may also hold a county's own fields (融水's operation centre, 银川's
    connected hospitals), whose row is no reporting unit — a row counts when it holds a
    field of the report level (every row when every field of the month is one)."""
    here = [f.code for f in program.fields if f.level == data_level(program) and f.code in fields.columns]
    if not here or len(here) == fields.shape[1]:
        return fields
    keep = fields[here].notna().any(axis=1).to_numpy()
    return fields if keep.all() else fields[keep]


def amber_margin(program: Program, kind: str = "rate") -> float:
    """The amber band (percentage points) of ``kind``: only a rate rule may have one."""
    if kind != "rate":
        return 0.0
    try:
        return float(program.status_rule("rate").amber_within or 0.0)
    except KeyError:
        return 0.0  # no amber band unless the programme's rate rule defines one


def compare(values: np.ndarray, op: str, threshold: float) -> tuple[np.ndarray, np.ndarray]:
    """(met, gap) for an array of values against one threshold; NaN → met False, gap NaN."""
    v = np.asarray(values, dtype="float64")
    with np.errstate(invalid="ignore"):
        met = {
            ">=": v >= threshold, ">": v > threshold, "<=": v <= threshold,
            "<": v < threshold, "==": v == threshold,
        }[op]
        if op in (">=", ">"):
            gap = np.maximum(threshold - v, 0.0)
        elif op in ("<=", "<"):
            gap = np.maximum(v - threshold, 0.0)
        else:
            gap = np.abs(v - threshold)
    gap = np.where(met, 0.0, gap)
    gap = np.where(np.isnan(v), np.nan, gap)
    return met & ~np.isnan(v), gap


def status(met: np.ndarray, gap: np.ndarray, margin: float) -> np.ndarray:
    """green (met) / amber (not met, within ``margin`` > 0 of the threshold) / red /
    no_data. A margin of 0 means no amber band at all."""
    gap = np.asarray(gap, dtype="float64")
    with np.errstate(invalid="ignore"):
        near = (gap <= margin) if margin > 0 else np.zeros(gap.shape, dtype=bool)
    out = np.where(met, "green", np.where(near, "amber", "red"))
    return np.where(np.isnan(gap), "no_data", out).astype(object)


def target_status(program: Program, target: Target, met: np.ndarray, gap: np.ndarray) -> np.ndarray:
    """Statuses of values of ``target`` by the status rule of its kind (one unit's value
    of an every-unit target is met or not: no band)."""
    return status(met, gap, amber_margin(program, target.kind or "count"))


def rule_text(program: Program, target: Target) -> str:
    """The status rule of ``target`` in Chinese, with its clause."""
    try:
        r = program.status_rule(target.kind)
    except KeyError:
        return ""
    return f"{r.text()}（{r.ref}）"


def unit_summary(rows: pd.DataFrame, expected=None) -> dict:
    """An every-unit target over an area from its per-unit rows (``region``, ``value``,
    ``met``; one target): met only when every unit meets it. ``expected``: the unit codes
    that should have reported (the area's units); one without a row is unreported and
    is not known to meet it. Returns met (int), units (int), failing (the units whose
    value misses it), unreported (codes of units without a value), status: ``red`` when
    any unit misses it; ``incomplete`` (未报齐) when every unit with a value meets it but
    some have none, so the area cannot be judged met; ``green`` when every unit meets
    it; ``no_data`` when no unit has a value."""
    # whole columns (a country has half a million villages): object codes, one hash each
    region = pd.Index(_codes(rows["region"]), dtype=object)
    value = rows["value"].to_numpy(dtype="float64")
    ok = rows["met"].to_numpy(dtype=bool)
    keep = np.ones(len(rows), dtype=bool)
    unreported: list[str] = []
    if expected is not None:
        exp = pd.Index(_codes(expected), dtype=object)
        unreported = exp[~exp.isin(region)].tolist()  # no row at all, in the area's order
        keep = region.isin(exp)
        n = len(exp)
    else:
        n = len(region.unique())
    blank = keep & np.isnan(value)
    unreported += region[blank].tolist()  # reported without this value
    have = keep & ~blank
    met = int((ok & have).sum())
    bad = have & ~ok
    failing = pd.DataFrame({"region": region[bad].to_numpy(dtype=object), "value": value[bad], "met": ok[bad]})
    state = ("no_data" if n == 0 or not have.any() else "red" if bad.any()
             else "incomplete" if unreported else "green")
    return {"met": met, "units": n, "failing": failing, "unreported": unreported,
            "status": state}


def _codes(values) -> np.ndarray:
    """Region codes as an object array of str (codes read as numbers become str)."""
    arr = np.asarray(values, dtype=object)
    if len(arr) and pd.api.types.infer_dtype(arr, skipna=False) != "string":
        arr = arr.astype(str).astype(object)
    return arr


def _higher(a: str, b: str) -> bool:
    """Is level a above level b? Units outside the tree (pilot, station, household,
    facility) sit below every tree level: the region tree places them by their region."""
    if a not in LEVEL_ORDER:
        return False
    return b not in LEVEL_ORDER or LEVEL_ORDER.index(a) < LEVEL_ORDER.index(b)


def _rows_at(program: Program, data: pd.DataFrame, here: str, region_frame: pd.DataFrame | None) -> pd.DataFrame:
    """The rows of ``data`` at level ``here``: a month's reports may also hold a county's own
    fields (融水's operation centre), whose row is no unit of a per-village target. Regions
    the tree does not know (花垣's villages, 忻州's pilots) are kept."""
    frame = program_regions(program.id) if region_frame is None else region_frame
    if frame.empty or "level" not in frame.columns:
        return data
    known = lookup(frame["level"], np.asarray(data.index, dtype=object))
    keep = pd.isna(known) | (known == here)
    return data if keep.all() else data[keep]


def _values_at(program: Program, data: pd.DataFrame, t: Target, level: str, here: str,
               region_frame: pd.DataFrame | None, given_indicators: bool, memo: dict | None = None) -> pd.Series:
    """The target's indicator per region at ``level`` (NaN where it cannot be known).
    ``memo``: the rows at ``here`` and the ancestors at each level, shared by the targets of
    one evaluation (the same rows and tree for every target)."""
    memo = {} if memo is None else memo
    ind = program.indicator(t.indicator)
    have_fields = all(f in data.columns for f in ind_mod.needed_fields(program, [ind.code]))
    given = given_indicators and ind.code in data.columns
    if level == here:
        if "rows" not in memo:
            memo["rows"] = _rows_at(program, data, here, region_frame)
        data = memo["rows"]
        if given:
            return pd.to_numeric(data[ind.code], errors="coerce").astype("float64")
        if have_fields:
            return ind_mod.compute(program, data, [ind.code])[ind.code]
        return pd.Series(np.nan, index=data.index)
    if not _higher(level, here):
        return pd.Series(dtype="float64")  # a lower level than the data: nothing to say
    if level not in memo:
        memo[level] = ind_mod.group_keys(program, data.index, level, region_frame).to_numpy()
    keys = memo[level]
    # A given flag/count indicator (0/100 for flags) rolls up as a share / a sum.
    if given and ind.kind != "rate":
        given = pd.to_numeric(data[ind.code], errors="coerce").astype("float64")
        grouped = given.groupby(keys, sort=True)
        return (grouped.mean() if ind.kind == "flag" else grouped.sum(min_count=1)).rename_axis("region")
    if have_fields:
        return ind_mod.rollup(program, data, keys, [ind.code])[ind.code]
    groups = pd.Index(sorted(set(keys)), name="region")
    return pd.Series(np.nan, index=groups)  # rates need numerators and denominators


def evaluate(program: Program, data: pd.DataFrame, level: str | None = None,
             region_frame: pd.DataFrame | None = None, given_indicators: bool = False,
             codes: Iterable[str] | None = None) -> pd.DataFrame:
    """Every measurable target of ``program`` on ``data`` (index = region).

    ``given_indicators``: columns named by indicator codes hold indicator values
    (values files); default False: columns are report fields (the store).
    ``level``: the level of the rows (default: the programme's report level).
    ``region_frame``: region tree for roll-ups (default: the programme's region files).
    ``codes``: only these targets (default all).
    """
    here = level or data_level(program)
    parts, memo = [], {}
    wanted = None if codes is None else set(codes)
    for t in program.targets:  # ~10 entries; each one vectorised over regions
        if not t.indicator or (wanted is not None and t.code not in wanted):
            continue
        vals = _values_at(program, data, t, t.applies_to, here, region_frame, given_indicators, memo)
        if t.scope != "all":
            vals = vals[vals.index.astype(str) == t.scope]
        if vals.empty:
            continue
        ind = program.indicator(t.indicator)
        met, gap = compare(vals.to_numpy(), t.op, t.threshold)
        parts.append(pd.DataFrame({
            "region": text_column(_codes(vals.index)), "level": t.applies_to, "target": t.code,
            "name": t.name, "kind": t.kind, "indicator": t.indicator, "unit": ind.unit,
            "value": vals.to_numpy(dtype="float64"), "threshold": float(t.threshold), "op": t.op,
            "met": met, "gap": gap, "status": target_status(program, t, met, gap),
            "due": t.due.isoformat() if t.due else None, "ref": t.ref, "assumed": t.assumed,
        }))
    if not parts:
        return pd.DataFrame(columns=COLUMNS)
    out = pd.concat(parts, ignore_index=True)
    frame = program_regions(program.id) if region_frame is None else region_frame
    names = frame["name"] if not frame.empty else pd.Series(dtype=object)
    codes = out["region"].to_numpy(dtype=object)
    out["region_name"] = text_column(lookup(names, codes, default=codes) if len(names) else codes)
    return out[COLUMNS]


SERIES_COLUMNS = ["region", "target", "period", "value"]


@dataclass(frozen=True)
class MonthValues:
    """One target's values over several months, as whole columns: row i is the region
    ``regions[at[i]]`` in month ``months[i]`` with ``values[i]`` (NaN: no value). Targets
    at the report level share one ``regions`` array (the rows' distinct codes)."""
    target: str
    regions: np.ndarray
    at: np.ndarray
    months: np.ndarray
    values: np.ndarray


def target_values(program: Program, data: pd.DataFrame, months, codes: Iterable[str] | None = None,
                  region_frame: pd.DataFrame | None = None) -> list[MonthValues]:
    """evaluate()'s ``value`` for many months in one pass: ``data`` holds the report rows of
    several months (index region, repeated across months; columns report fields), ``months``
    the month of each row. One MonthValues per target (``codes``: those only; default all)
    with a row per region (at the target's level) and month — what evaluate() gives month
    by month, with the tree walked once for all months instead of once a month."""
    here = data_level(program)
    frame = program_regions(program.id) if region_frame is None else region_frame
    months = np.asarray(months, dtype=object)
    wanted = None if codes is None else set(codes)
    chosen = [t for t in program.targets if t.indicator and (wanted is None or t.code in wanted)]
    # each distinct region is placed in the tree once, then every row takes its place
    # object dtype throughout: pandas 3's arrow strings hash 10-25x slower at province scale
    pos, uniques = pd.factorize(pd.Series(np.asarray(data.index, dtype=object), dtype=object))
    uniques = pd.Index(np.asarray(uniques, dtype=object), dtype=object)
    at_here = _rows_at(program, pd.DataFrame(index=uniques), here, frame).index
    own = uniques.isin(at_here)[pos]
    keys: dict[str, np.ndarray] = {}
    out = []
    for t in chosen:  # a few programme entries, each vectorised over every month and region
        ind = program.indicator(t.indicator)
        fields = ind_mod.needed_fields(program, [ind.code])
        if not all(f in data.columns for f in fields):
            continue  # the months hold none of its fields: nothing to say (evaluate's NaN)
        # a month in which one of its fields was reported by nobody has no value (as evaluate
        # on that month, whose frame has no such column)
        complete = data[fields].notna().groupby(months).any().all(axis=1)
        if t.applies_to == here:
            vals = ind_mod.compute(program, data[own], [ind.code])[ind.code].to_numpy(dtype="float64")
            codes_, at, month = uniques.to_numpy(dtype=object), pos[own], months[own]
        elif _higher(t.applies_to, here):
            if t.applies_to not in keys:
                keys[t.applies_to] = ind_mod.group_keys(program, uniques, t.applies_to, frame).to_numpy()[pos]
            rolled = ind_mod.rollup(program, data, pd.MultiIndex.from_arrays([months, keys[t.applies_to]]),
                                    [ind.code])[ind.code]
            vals = rolled.to_numpy(dtype="float64")
            month = np.asarray(rolled.index.get_level_values(0), dtype=object)
            at, codes_ = pd.factorize(np.asarray(rolled.index.get_level_values(1), dtype=object))
            codes_ = np.asarray(codes_, dtype=object)
        else:
            continue
        keep = complete.reindex(pd.Index(month, dtype=object)).fillna(False).to_numpy(dtype=bool)
        if t.scope != "all":
            keep &= codes_[at] == t.scope
        out.append(MonthValues(t.code, codes_, at[keep], month[keep], vals[keep]))
    return out


def values_by_month(program: Program, data: pd.DataFrame, months, codes: Iterable[str] | None = None,
                    region_frame: pd.DataFrame | None = None) -> pd.DataFrame:
    """target_values as one long frame: SERIES_COLUMNS, one row per target, region and month."""
    parts = [pd.DataFrame({"region": text_column(v.regions[v.at]), "target": text_column(np.full(len(v.at), v.target)),
                           "period": text_column(v.months), "value": v.values})
             for v in target_values(program, data, months, codes, region_frame)]
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype="float64" if c == "value" else object) for c in SERIES_COLUMNS})
    return pd.concat(parts, ignore_index=True)


def summary(evaluated: pd.DataFrame) -> pd.DataFrame:
    """Per target: how many regions are green / amber / red / no_data."""
    counts = pd.crosstab(evaluated["target"], evaluated["status"])
    for s in STATUS_LABELS:
        if s not in counts.columns:
            counts[s] = 0
    return counts[list(STATUS_LABELS)].reset_index()
