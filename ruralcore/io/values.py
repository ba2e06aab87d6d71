"""Reading a values file: CSV or XLSX, one row per region, column ``region`` plus one
column per indicator (or field) code.

Every row is validated and ALL problems are reported at once (InputError; row numbers
as the user sees them in the file, header = row 1): not a CSV/XLSX, empty file, missing
``region`` or value column, empty region, a region twice, unknown region, non-numeric
value, value out of range (percentages — flags, rates with scale 100 — 0–100; other
indicators ≥ 0; fields their own min/max).
Fully blank rows are skipped. CSV may be UTF-8 (with or without BOM) or GBK, as Excel
in China saves it.

Known regions: a region is known if its code or name is in the programme's region files
at the level being read (ruralcore.rules.regions.program_regions), or in a source added with
``add_region_source`` (the hook for the database's regions). When no source lists any
region at that level — 花垣's villages are not named in its document — names are
accepted as given.
"""
from __future__ import annotations

import io

from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from ruralcore.kernel import csvfile
from ruralcore.kernel.errors import InputError, Problem
from ruralcore.rules.programs import Program

REGION = "region"
HEADER_ROWS = 1  # the header is row 1; data start at row 2

# Hook: callables (program_id, level) -> iterable of known region codes/names, or None
# when the source knows nothing at that level. The store registers the database here.
RegionSource = Callable[[str, str], Iterable[str] | None]
_REGION_SOURCES: list[RegionSource] = []


def add_region_source(source: RegionSource) -> None:
    """Register another source of known regions (e.g. the database's region table)."""
    if source not in _REGION_SOURCES:
        _REGION_SOURCES.append(source)


def _region_files_source(program_id: str, level: str) -> set[str] | None:
    from ruralcore.rules.regions import PILOTS_DIR, load_pilots, program_regions

    if level == "pilot":  # pilots are known by pilot code, region code or name
        if not (PILOTS_DIR / f"{program_id}.csv").exists():
            return None
        pilots = load_pilots(program_id)
        return set(pilots["pilot_code"]) | set(pilots["region_code"]) | set(pilots["name"])
    frame = program_regions(program_id)
    frame = frame[frame["level"] == level]
    if frame.empty:
        return None
    return set(frame["code"]) | set(frame["name"])


def known_regions(program_id: str, level: str) -> set[str] | None:
    """Codes and names known at ``level``; None when no source lists any (accept all)."""
    known: set[str] | None = None
    for src in [_region_files_source, *_REGION_SOURCES]:
        got = src(program_id, level)
        if got is not None:
            known = (known or set()) | {str(x) for x in got}
    return known


def _read_raw(path: Path, source: str) -> pd.DataFrame:
    suffix = path.suffix.lower()
    if not path.exists():
        raise InputError(Problem(f"找不到文件 {path}"), source=source)
    from ruralcore.io.excel import guard  # sizes checked before parsing, as for a monthly report

    data = path.read_bytes() if suffix in (".csv", ".xlsx", ".xlsm", ".xls") else b""
    guard.check_upload(data, source)
    if suffix == ".csv":
        guard.check_csv(data, source)
        return csvfile.read_csv(data, source)
    if suffix == ".xls":
        guard.check_xls(data, source)
    if suffix in (".xlsx", ".xlsm"):
        scan = guard.check_xlsx(data, source, "")
        try:
            df = pd.read_excel(io.BytesIO(data), engine="calamine", dtype=object, header=0)
        except Exception:  # calamine raises its own types for corrupt files
            raise csvfile.not_table(source, "工作簿已损坏") from None
        df.columns = [str(c).strip() for c in df.columns]
        if scan.formulas_without_value:
            raise InputError(guard.formula_problems(scan, list(df.columns)), source=source)
        return df.map(_cell_text).astype(str) if not df.empty else df.astype(str)
    raise InputError(Problem(f"文件类型“{suffix or '（无扩展名）'}”不支持，请提供 .csv 或 .xlsx 文件"), source=source)


def _cell_text(v) -> str:
    """An Excel cell as the text the user typed: 433124100200, not 433124100200.0."""
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def yes_no_columns(program: Program, columns: Iterable[str], level: str) -> dict[str, float]:
    """Columns that hold a yes/no of one unit, with the number 是 stands for: a flag field
    (1), or a one-field flag indicator at its own level (100 %). A ``1`` there means 是,
    never 1 %."""
    ind = {i.code: i for i in program.indicators}
    fields = {f.code: f for f in program.fields}
    out = {}
    for c in columns:
        if c in ind and ind[c].kind == "flag" and len(ind[c].fields) == 1 and ind[c].level == level:
            out[c] = 100.0
        elif c not in ind and c in fields and fields[c].kind == "flag":
            out[c] = 1.0
    return out


def value_ranges(program: Program, columns: Iterable[str]) -> dict[str, tuple[float | None, float | None]]:
    """Allowed range per column: indicators are percentages 0–100, fields their min/max."""
    ind = {i.code for i in program.indicators}
    fields = {f.code: f for f in program.fields}
    out = {}
    for c in columns:
        if c in ind:
            i = program.indicator(c)
            percent = i.kind == "flag" or (i.kind == "rate" and i.scale == 100)
            out[c] = (0.0, 100.0) if percent else (0.0, None)
        elif c in fields:
            out[c] = (fields[c].min, fields[c].max)
        else:
            out[c] = (0.0, 100.0)
    return out


def read_values(path: str | Path, program: Program, columns: Iterable[str], level: str = "village",
                optional: Iterable[str] = ()) -> pd.DataFrame:
    """Read and validate a values file; returns floats indexed by region, columns in order.

    ``columns`` must all be present; ``optional`` columns are read when present.
    """
    path = Path(path)
    source = path.name
    raw = _read_raw(path, source)
    raw.columns = [str(c).strip() for c in raw.columns]
    columns = list(columns)
    present_opt = [c for c in optional if c in raw.columns and c not in columns]
    problems: list[Problem] = []
    if REGION not in raw.columns:
        problems.append(Problem("缺少“region”列（区域代码或名称）", row=1, column=REGION))
    problems += [Problem("缺少该指标列", row=1, column=c) for c in columns if c not in raw.columns]
    if problems:
        raise InputError(problems, source=source)
    want = columns + present_opt
    raw = raw[[REGION, *want]].astype(str).apply(lambda s: s.str.strip())
    rows = pd.Series(np.arange(len(raw)) + HEADER_ROWS + 1, index=raw.index)
    blank = (raw == "").all(axis=1)
    raw, rows = raw[~blank], rows[~blank]
    if raw.empty:
        raise InputError(Problem("文件中没有数据行"), source=source)

    region = raw[REGION]
    for r in rows[region == ""]:
        problems.append(Problem("区域为空", row=int(r), column=REGION))
    dup = (region != "") & region.duplicated(keep=False)
    for r, name in zip(rows[dup], region[dup]):
        problems.append(Problem(f"区域“{name}”重复出现", row=int(r), column=REGION))
    known = known_regions(program.id, level)
    if known is not None:
        unknown = (region != "") & ~region.isin(known)
        for r, name in zip(rows[unknown], region[unknown]):
            problems.append(Problem(f"未知的区域“{name}”", row=int(r), column=REGION))

    ranges = value_ranges(program, want)
    yes_no = yes_no_columns(program, want, level)
    out = {}
    for c in want:  # one vectorised check per column (~10 columns)
        text = raw[c].str.removesuffix("%")
        num = pd.to_numeric(text, errors="coerce")
        empty = raw[c] == ""
        if c in yes_no:  # 是/否/1/0 (an indicator also takes 100 for 是); anything else is refused
            yes = yes_no[c]
            num = text.map({"是": yes, "否": 0.0, "1": yes, "0": 0.0, "100": 100.0 if yes == 100.0 else np.nan})
            odd = num.isna() & ~empty
            for r, v in zip(rows[odd], raw[c][odd]):
                problems.append(Problem(f"“{v}”不是是否值：是否项只能填“是”“否”（或1、0）", row=int(r), column=c))
            out[c] = num.to_numpy(dtype="float64", na_value=np.nan)
            for r in rows[empty]:
                problems.append(Problem("缺少数值", row=int(r), column=c))
            continue
        for r in rows[empty]:
            problems.append(Problem("缺少数值", row=int(r), column=c))
        nonnum = num.isna() & ~empty
        for r, v in zip(rows[nonnum], raw[c][nonnum]):
            problems.append(Problem(f"“{v}”不是数字", row=int(r), column=c))
        lo, hi = ranges[c]
        bad = num.notna() & (((num < lo) if lo is not None else False) | ((num > hi) if hi is not None else False))
        rng = f"{lo:g}–{hi:g}" if hi is not None else f"≥{lo:g}"
        for r, v in zip(rows[bad], num[bad]):
            problems.append(Problem(f"数值{v:g}超出范围（应为{rng}）", row=int(r), column=c))
        out[c] = num.to_numpy(dtype="float64", na_value=np.nan)
    if problems:
        problems.sort(key=lambda p: (p.row or 0, want.index(p.column) + 1 if p.column in want else 0))
        raise InputError(problems, source=source)
    return pd.DataFrame(out, index=pd.Index(region.to_numpy().astype(str), name=REGION))
