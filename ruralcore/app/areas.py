"""逐级查看 above the compared level: a province's or the whole country's tree is walked one
level at a time (省 → 市 → 县 → 乡镇 → 村), and each step reads only the rows below the
region chosen (a county of the whole country: its villages, not 500,000).

A level holding a single region under the choice above it (a county deployment's city and
county) is passed through without asking, so a county sees its townships first as before."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ruralcore.rules.regions import LEVEL_ORDER

AREA_LISTED = 20_000  # a chosen region's units are named in the query up to this many, else the month is filtered


def compared_level(program, regions: pd.DataFrame) -> str:
    """The level 逐级查看 lists above the reporting units: the overview's compare_level when
    the tree holds regions of it, else the reporting units themselves (银川's demo villages
    sit right under their districts: no township to list)."""
    from ruralcore.app.overview import compare_level, report_level

    level = compare_level(program)
    if level == report_level(program) or regions.empty or (regions["level"] == level).any():
        return level
    return report_level(program)


def chain(regions: pd.DataFrame, level: str) -> list[str]:
    """The levels of the tree above ``level`` (the compared level) that hold regions, top first."""
    if level not in LEVEL_ORDER or regions.empty:
        return []
    present = set(regions["level"].unique())
    return [lv for lv in LEVEL_ORDER[:LEVEL_ORDER.index(level)] if lv in present]


def below(regions: pd.DataFrame, area: str | None, level: str) -> pd.Series:
    """code → name of the regions at ``level`` below ``area`` (every one of the level when
    None), in the order of their names (the code where the tree has none), walking the
    tree down one generation per step over whole columns."""
    if regions.empty:
        return pd.Series(dtype=object)
    # comparisons on the string columns themselves: no column becomes 500,000 Python strings
    at_level, parents = (regions["level"] == level).to_numpy(dtype=bool, na_value=False), regions["parent"]
    if area is None:
        hit = at_level
    else:
        hit = np.zeros(len(regions), dtype=bool)
        frontier = pd.Index([area], dtype=object)
        for _ in range(len(LEVEL_ORDER) + 1):
            mask = parents.isin(frontier).to_numpy(dtype=bool, na_value=False)
            if not mask.any():
                break
            hit |= mask & at_level
            frontier = regions.index[mask & ~at_level]
    codes = regions.index[hit].to_numpy(dtype=object)
    names = regions["name"][hit].to_numpy(dtype=object)
    names = np.where(pd.isna(names), codes, names).astype(str)
    found = pd.DataFrame({"code": codes, "name": names}).drop_duplicates("code")
    found = found.sort_values(["name", "code"], kind="stable")
    return pd.Series(found["name"].to_numpy(dtype=object), index=pd.Index(found["code"].to_numpy(dtype=object)),
                     dtype=object)
