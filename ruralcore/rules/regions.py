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

from ruralcore.kernel.errors import InputError, Problem
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
    s = pd.Series(np.asarray(codes, dtype=object))
    by = regions["name"] if not regions.empty else pd.Series(dtype=object)
    return s.map(by).fillna(s).to_numpy(dtype=object)


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
