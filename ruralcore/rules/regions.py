"""Region tree: code, name, level, parent. Loaded from data/regions/*.csv.

Each CSV has the columns code,name,level,parent,program,kind,code_source,ref.
``kind`` keeps what a region really is when it is not an ordinary one of its level
(e.g. 景区, 党群服务中心 taking part as a township pilot). ``code_source`` says
whether the code is the official statistical code or one made by this project.
"""
from __future__ import annotations

import weakref
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from ruralcore.kernel.errors import InputError, Problem
from ruralcore.kernel.lookup import lookup, positions, take
from ruralcore.kernel.fmt import LEVEL_NAMES  # noqa: F401 (the levels in words: re-exported)
from ruralcore.rules.programs import DATA_DIR

REGIONS_DIR = DATA_DIR / "regions"
COLUMNS = ["code", "name", "level", "parent", "program", "kind", "code_source", "ref"]
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


@lru_cache(maxsize=32)
def program_region(program_id: str) -> str:
    """The region a programme-level record belongs to: the programme's top region,
    descending while it has a single child (融水: 柳州市 → 融水县; 谭家场: 辰溪县 → 谭家场乡),
    so the county running the programme holds it."""
    try:
        r = program_regions(program_id)
    except Exception:  # unknown programme: no region, so only the system may write
        return ""
    parent = r["parent"].fillna("").astype(str)
    codes = set(r["code"].astype(str))
    roots = r.loc[~parent.isin(codes), "code"].astype(str).tolist()
    if len(roots) != 1:
        return ""
    code = roots[0]
    for _ in range(6):  # province > city > county > township > village
        kids = r.loc[parent == code, "code"].astype(str).tolist()
        if len(kids) != 1:
            break
        code = kids[0]
    return code


def names(regions: pd.DataFrame, codes) -> np.ndarray:
    """Region names for codes (the code itself when the tree does not know it)."""
    keys = np.asarray(codes, dtype=object)
    if regions.empty:
        return keys.copy()
    return lookup(regions["name"], keys, default=keys)


def children(frame: pd.DataFrame, code: str) -> pd.DataFrame:
    return frame[frame["parent"] == code]


_PARENTS: dict[int, tuple] = {}  # id(frame) -> (weak reference, each row's parent position)


def _parent_positions(frame: pd.DataFrame) -> np.ndarray:
    """Each row's parent's row position in ``frame`` (-1 for a root or a parent not in it),
    computed once per frame: the tree a page reads is one shared, unchanged frame."""
    kept = _PARENTS.get(id(frame))
    if kept is not None and kept[0]() is frame and len(kept[1]) == len(frame):
        return kept[1]
    pos = positions(frame.index, frame["parent"].to_numpy(dtype=object))
    try:
        ref = weakref.ref(frame, lambda _, key=id(frame): _PARENTS.pop(key, None))
    except TypeError:  # not weakly referable: not kept
        return pos
    _PARENTS[id(frame)] = (ref, pos)
    return pos


def ancestors_at(frame: pd.DataFrame, codes: pd.Series, level: str) -> pd.Series:
    """For each code, the code of its ancestor (or itself) at ``level``; NaN when none.

    Walks the tree one generation per step for all codes at once (depth ≤ 6), by row
    positions: no string is hashed after the first lookup.
    """
    at_level = frame["level"].to_numpy(dtype=object) == level
    up = _parent_positions(frame)
    cur = positions(frame.index, codes.to_numpy(dtype=object))
    found = np.full(len(cur), -1, dtype=np.int64)
    for _ in range(len(LEVEL_ORDER) + 2):
        live = np.flatnonzero((cur >= 0) & (found < 0))
        if not len(live):
            break
        here = cur[live]
        hit = at_level[here]
        found[live[hit]] = here[hit]
        cur[live] = up[here]
    out = take(frame.index.to_numpy(dtype=object), found)
    return pd.Series(out, index=codes.index, dtype=object)


# pilots ---------------------------------------------------------------------
PILOTS_DIR = REGIONS_DIR / "pilots"
PILOT_COLUMNS = ["pilot_code", "pilot_type", "county", "region_code", "name", "ref"]
PILOT_TYPES = {"township": "数字乡镇", "village": "数字村庄"}


def load_pilots(program_id: str, directory: Path = PILOTS_DIR,
                regions_directory: Path = REGIONS_DIR) -> pd.DataFrame:
    """The pilot list of a programme (data/regions/pilots/<id>.csv), one row per pilot.

    Columns: pilot_code, pilot_type (township|village), county, region_code, name, ref,
    plus ``level`` (= pilot_type, the name the funding rules use). Every region_code must
    be a region of the programme; problems name the row and column.
    """
    path = Path(directory) / f"{program_id}.csv"
    if not path.exists():
        raise InputError(Problem(f"方案“{program_id}”没有试点名单文件"), source=path.name)
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in PILOT_COLUMNS if c not in df.columns]
    if missing:
        raise InputError(Problem(f"试点名单缺少列：{', '.join(missing)}"), source=path.name)
    df = df[PILOT_COLUMNS]
    rows = pd.Series(range(2, len(df) + 2), index=df.index)  # row 1 is the header
    problems = []
    bad_type = ~df["pilot_type"].isin(list(PILOT_TYPES))
    problems += [Problem(f"试点类型“{v}”应为 township 或 village", row=int(r), column="pilot_type")
                 for v, r in zip(df.loc[bad_type, "pilot_type"], rows[bad_type])]
    known = program_regions(program_id, regions_directory).index
    bad_code = ~df["region_code"].isin(known)
    problems += [Problem(f"区域代码“{v}”不在方案的区域文件中", row=int(r), column="region_code")
                 for v, r in zip(df.loc[bad_code, "region_code"], rows[bad_code])]
    dup = df["pilot_code"].duplicated(keep="first")
    problems += [Problem(f"试点代码“{v}”重复", row=int(r), column="pilot_code")
                 for v, r in zip(df.loc[dup, "pilot_code"], rows[dup])]
    if problems:
        raise InputError(problems, source=path.name)
    return df.assign(level=df["pilot_type"]).set_index("pilot_code", drop=False)
