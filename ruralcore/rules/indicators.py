"""Indicator values from reported field values, and roll-ups to higher levels.

Indicators are formulas over fields (see the programme file), never stored percentages:

- ``rate``:   numerator / denominator × scale (a percentage when scale = 100);
- ``flag``:   mean of its flag fields × 100 (one field: 0 or 100);
- ``count`` / ``amount``: sum of its fields.

Roll-up to a higher level (township, county) sums numerators and denominators over the
member regions and then divides; percentages are never averaged. A flag indicator at a
higher level is the share (%) of member regions having the flag; counts and amounts sum.
Division by zero gives NaN, silently.

Frames: one row per region (the index is the region), one column per field code.
"""
from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from ruralcore.kernel.errors import InputError, Problem
from ruralcore.rules.programs import Indicator, Program

ALL_GROUP = "（全部）"  # group label when the region tree cannot place a region


def _select(program: Program, codes: Iterable[str] | None) -> list[Indicator]:
    if codes is None:
        return list(program.indicators)
    return [program.indicator(c) for c in codes]


def needed_fields(program: Program, codes: Iterable[str] | None = None) -> list[str]:
    """Field codes the given indicators are computed from (all indicators when None)."""
    out: list[str] = []
    for ind in _select(program, codes):
        for f in (ind.numerator, ind.denominator, *ind.fields):
            if f and f not in out:
                out.append(f)
    return out


def computable(program: Program, columns: Iterable[str]) -> list[str]:
    """The indicators (programme order) computable from the fields ``columns``."""
    have = set(columns)
    return [i.code for i in program.indicators if set(needed_fields(program, [i.code])) <= have]


def _require(fields: pd.DataFrame, codes: list[str]) -> None:
    missing = [c for c in codes if c not in fields.columns]
    if missing:
        raise InputError([Problem("缺少字段数据", column=c) for c in missing])


def _col(fields: pd.DataFrame, code: str) -> np.ndarray:
    return pd.to_numeric(fields[code], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)


def _ratio(num: np.ndarray, den: np.ndarray, scale: float) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        out = num / den * scale
    out[~np.isfinite(out)] = np.nan  # x/0 is no rate at all
    return out


def compute(program: Program, fields: pd.DataFrame, codes: Iterable[str] | None = None) -> pd.DataFrame:
    """Indicator values for each row of ``fields``; columns = indicator codes, same index."""
    inds = _select(program, codes)
    _require(fields, needed_fields(program, [i.code for i in inds]))
    out = {}
    for ind in inds:  # a loop over ~10 programme entries, each one vectorised
        if ind.kind == "rate":
            out[ind.code] = _ratio(_col(fields, ind.numerator), _col(fields, ind.denominator), ind.scale)
        elif ind.kind == "flag":
            stack = np.column_stack([_col(fields, f) for f in ind.fields])
            out[ind.code] = stack.mean(axis=1) * 100
        else:
            stack = np.column_stack([_col(fields, f) for f in ind.fields])
            out[ind.code] = stack.sum(axis=1)
    return pd.DataFrame(out, index=fields.index)


def rollup(program: Program, fields: pd.DataFrame, groups, codes: Iterable[str] | None = None) -> pd.DataFrame:
    """Indicator values per group of regions (``groups``: one key per row of ``fields``, or
    a MultiIndex of such keys, e.g. (month, region), for a MultiIndex result).

    Rates: sum numerators and denominators within the group, then divide.
    Flags: share (%) of member regions with the flag (mean of the regions' flag values).
    Counts/amounts: sums. The result is indexed by group key, sorted.
    """
    inds = _select(program, codes)
    _require(fields, needed_fields(program, [i.code for i in inds]))
    many = isinstance(groups, pd.MultiIndex)
    by = [groups.get_level_values(i) for i in range(groups.nlevels)] if many else np.asarray(groups, dtype=object)
    sums_needed = [f for i in inds if i.kind == "rate" for f in (i.numerator, i.denominator)]
    sums_needed += [f for i in inds if i.kind in ("count", "amount") for f in i.fields]
    sums_needed = list(dict.fromkeys(sums_needed))
    num = pd.DataFrame({f: _col(fields, f) for f in sums_needed}, index=fields.index)
    sums = num.groupby(by, sort=True).sum(min_count=1)
    flag_codes = [i.code for i in inds if i.kind == "flag"]
    if flag_codes:
        per_region = compute(program, fields, flag_codes)
        shares = per_region.groupby(by, sort=True).mean()
    out = {}
    for ind in inds:
        if ind.kind == "rate":
            out[ind.code] = _ratio(sums[ind.numerator].to_numpy(dtype="float64"),
                                   sums[ind.denominator].to_numpy(dtype="float64"), ind.scale)
        elif ind.kind == "flag":
            out[ind.code] = shares[ind.code].reindex(sums.index if sums_needed else shares.index).to_numpy()
        else:
            out[ind.code] = sums[list(ind.fields)].sum(axis=1, min_count=1).to_numpy(dtype="float64")
    index = sums.index if sums_needed else shares.index
    return pd.DataFrame(out, index=index if many else index.rename("region"))


def from_sums(program: Program, sums: pd.DataFrame, counts: pd.DataFrame, codes: Iterable[str] | None = None
              ) -> pd.DataFrame:
    """rollup's values from the units' fields already summed per region (``sums``; ``counts``:
    how many units gave each field — the analytics sum rows): rates as a ratio of sums,
    counts and amounts as sums, a one-field flag as the share of units with it. A flag of
    several fields is the mean of each unit's own mean, which sums cannot give: ValueError."""
    out = {}
    for ind in _select(program, codes):
        need = needed_fields(program, [ind.code])
        s = sums.reindex(columns=need)
        if ind.kind == "rate":
            out[ind.code] = _ratio(_col(s, ind.numerator), _col(s, ind.denominator), ind.scale)
        elif ind.kind == "flag":
            if len(ind.fields) != 1:
                raise ValueError(f"{ind.code}: 多字段的是否类指标不能由合计得出")
            n = counts.reindex(columns=need, fill_value=0)[ind.fields[0]].to_numpy(dtype="float64")
            out[ind.code] = _ratio(_col(s, ind.fields[0]), n, 100.0)
        else:
            out[ind.code] = s[list(ind.fields)].sum(axis=1, min_count=1).to_numpy(dtype="float64")
    return pd.DataFrame(out, index=sums.index)


def group_keys(program: Program, regions: pd.Index | pd.Series, level: str,
               region_frame: pd.DataFrame | None = None) -> pd.Series:
    """For each region (code or name), the code of its ancestor at ``level``.

    Uses the programme's region files. A region the files cannot place (e.g. 花垣's
    villages, which the documents do not list) goes to the programme's only region at
    ``level`` when there is exactly one (the county of a county programme), otherwise to
    the group ``（全部）``.
    """
    from ruralcore.rules.regions import ancestors_at, program_regions

    frame = program_regions(program.id) if region_frame is None else region_frame
    # object dtype on purpose: pandas 3 would make these arrow-backed strings, whose isin
    # against the tree's codes costs 25× more at province scale (0.5 s a call)
    codes = pd.Series(np.asarray(regions, dtype=object), index=range(len(regions)), dtype=object)
    codes = codes.replace(_pilot_regions(program.id))  # a pilot stands for its region
    if not frame.empty:
        by_name = frame.drop_duplicates("name").set_index("name")["code"]
        as_code = codes.where(codes.isin(frame.index), codes.map(by_name))
        keys = ancestors_at(frame, as_code, level)
    else:
        keys = pd.Series(np.nan, index=codes.index, dtype=object)
    at_level = frame[frame["level"] == level]["code"] if not frame.empty else pd.Series(dtype=object)
    fallback = at_level.iloc[0] if len(at_level) == 1 else ALL_GROUP
    return keys.fillna(fallback)


def members(program: Program, region: str, level: str, region_frame: pd.DataFrame | None = None) -> list[str] | None:
    """The codes group_keys places in ``region`` at ``level`` (the tree's regions and the
    pilots), so that one region's roll-up reads only its own rows; None when ``region`` is
    also where the codes the tree cannot place go (the only region at its level, or
    （全部）): then any row may belong to it."""
    from ruralcore.rules.regions import program_regions

    frame = program_regions(program.id) if region_frame is None else region_frame
    at_level = frame[frame["level"] == level]["code"] if not frame.empty else pd.Series(dtype=object)
    if region == (at_level.iloc[0] if len(at_level) == 1 else ALL_GROUP):
        return None
    codes = pd.Index(list(dict.fromkeys([*frame.index, *_pilot_regions(program.id)])), dtype=object)
    return list(codes[group_keys(program, codes, level, frame).to_numpy() == region])


def _pilot_regions(program_id: str) -> dict[str, str]:
    """Pilot code → region code, for programmes with a pilot list (忻州)."""
    from ruralcore.rules.regions import PILOTS_DIR, load_pilots

    if not (PILOTS_DIR / f"{program_id}.csv").exists():
        return {}
    pilots = load_pilots(program_id)
    return dict(zip(pilots["pilot_code"], pilots["region_code"]))


def rollup_to(program: Program, fields: pd.DataFrame, level: str, codes: Iterable[str] | None = None,
              region_frame: pd.DataFrame | None = None) -> pd.DataFrame:
    """Roll ``fields`` (indexed by region) up to ``level`` through the region tree."""
    keys = group_keys(program, fields.index, level, region_frame)
    return rollup(program, fields, keys.to_numpy(), codes)


def indicator_formula(program: Program, code: str) -> str:
    """How an indicator is computed from the reported fields, in words (pages, CLI)."""
    ind = program.indicator(code)
    name = lambda f: program.field(f).name  # noqa: E731
    if ind.kind == "rate":
        return f"{name(ind.numerator)}÷{name(ind.denominator)}" + ("×100%" if ind.scale == 100 else "")
    if ind.kind == "flag":
        if len(ind.fields) == 1:
            return f"{name(ind.fields[0])}：“是”计100%，“否”计0；上级为“是”的单位所占比例"
        return f"{'、'.join(name(f) for f in ind.fields)}中为“是”的项所占比例"
    return "＋".join(name(f) for f in ind.fields)
