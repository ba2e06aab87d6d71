"""Region tree: code, name, level, parent. Loaded from data/regions/*.csv.

Each CSV has the columns code,name,level,parent,program,kind,code_source,ref.
``kind`` keeps what a region really is when it is not an ordinary one of its level
(e.g. 景区, 党群服务中心 taking part as a township pilot). ``code_source`` says
whether the code is the official statistical code or one made by this project.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import InputError, Problem
from .programs import DATA_DIR

REGIONS_DIR = DATA_DIR / "regions"
COLUMNS = ["code", "name", "level", "parent", "program", "kind", "code_source", "ref"]
LEVEL_NAMES = {
    "province": "省", "city": "市", "county": "县（区、市）", "township": "乡镇",
    "village": "行政村", "natural_village": "自然村", "pilot": "试点", "station": "站点",
    "facility": "机构",
}
LEVEL_ORDER = ["province", "city", "county", "township", "village", "natural_village"]


def _read(path: Path) -> pd.DataFrame:
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in COLUMNS if c not in df.columns]
    if missing:
        raise InputError(Problem(f"区域文件缺少列：{', '.join(missing)}"), source=path.name)
    return df[COLUMNS]


@lru_cache(maxsize=None)
def load_regions(directory: Path = REGIONS_DIR) -> pd.DataFrame:
    """All regions from the region files, one row each, indexed by code."""
    files = sorted(Path(directory).glob("*.csv"))
    df = pd.concat([_read(p) for p in files], ignore_index=True) if files else pd.DataFrame(columns=COLUMNS)
    dup = df[df.duplicated("code", keep=False)]
    if not dup.empty:
        raise InputError([Problem(f"区域代码重复：{c}") for c in sorted(set(dup["code"]))], source="区域文件")
    return df.set_index("code", drop=False)


def program_regions(program_id: str, directory: Path = REGIONS_DIR) -> pd.DataFrame:
    df = load_regions(directory)
    return df[df["program"] == program_id]


def children(frame: pd.DataFrame, code: str) -> pd.DataFrame:
    return frame[frame["parent"] == code]


def ancestors_at(frame: pd.DataFrame, codes: pd.Series, level: str) -> pd.Series:
    """For each code, the code of its ancestor (or itself) at ``level``; NaN when none.

    Walks the tree one generation per step for all codes at once (depth ≤ 6).
    """
    parent = frame["parent"].replace("", np.nan)
    lvl = frame["level"]
    cur = pd.Series(codes.to_numpy(), index=codes.index, dtype=object)
    out = pd.Series(np.nan, index=codes.index, dtype=object)
    for _ in range(len(LEVEL_ORDER) + 2):
        hit = out.isna() & cur.notna() & (cur.map(lvl) == level)
        out[hit] = cur[hit]
        cur = cur.map(parent)
        if cur.isna().all():
            break
    return out
