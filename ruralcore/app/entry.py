"""What the data-entry page needs: a township's villages (in general: the regions at the
programme's report level, grouped by their parent) for one month as an editable table (current values and the versions read), the range rules of each column, and a
save that checks every cell and writes through the store.

The cell rules are the Excel import's (``ruralcore.io.excel.validate``: ranges, whole
counts, 0/1 flags, numerator ≤ denominator, known regions), applied to the edited table
so a typed value and an uploaded one are judged alike. A save writes only the cells the
user changed, each with the version it read, so a concurrent edit of the same cell is
refused (StaleWriteError) instead of silently overwritten; any problem writes nothing.
"""
from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

import numpy as np
import pandas as pd
import sqlalchemy as sa

from ruralcore.kernel.principal import Principal, require
from ruralcore.kernel.errors import InputError, Problem, StaleWriteError
from ruralcore.rules.programs import Field_, Program, load_program

CODE, NAME = "code", "name"
SOURCE = "数据填报"
UNIT_LABELS = {"village": "村", "township": "乡镇", "pilot": "试点", "county": "县", "station": "站点"}


@dataclass(frozen=True)
class Sheet:
    """One group's month as read (e.g. a township's villages): values (columns code, name,
    one per field code; one row per reporting region) and the version of every cell read
    (0: no value stored yet)."""
    program: str
    period: str
    group: str
    frame: pd.DataFrame
    versions: dict[tuple[str, str], int]
    fields: tuple[str, ...]


@dataclass(frozen=True)
class ColumnRule:
    code: str
    label: str  # Chinese header, as in the Excel template
    kind: str
    min: float | None
    max: float | None
    step: float
    help: str


# ---- what to show ---------------------------------------------------------------------

def _program(program: Program | str) -> Program:
    return load_program(program) if isinstance(program, str) else program


def fields(program: Program | str) -> list[Field_]:
    """The fields reported monthly (the template's columns)."""
    from ruralcore.io.excel import report_fields
    return report_fields(_program(program))


def column_rules(program: Program | str) -> list[ColumnRule]:
    """Per field: Chinese label, allowed range and step (whole numbers for counts, 0/1 flags)."""
    from ruralcore.io.excel import header
    from ruralcore.io.excel.layout import KIND_RULES

    out = []
    for f in fields(program):  # ~15 fields
        lo = 0.0 if f.kind in ("flag", "percent") else f.min
        hi = 1.0 if f.kind == "flag" else 100.0 if f.kind == "percent" else f.max
        step = 1.0 if f.kind in ("count", "flag") else 0.01
        why = f"{KIND_RULES.get(f.kind, '')}；条款 {f.ref}"
        out.append(ColumnRule(f.code, header(f), f.kind, lo, hi, step, why))
    return out


def periods(engine, program: Program | str) -> list[str]:
    """Months with stored reports for the programme, oldest first (index lookups, fast at
    province scale: ruralcore.app.overview.periods)."""
    from ruralcore.app.overview import periods as stored_periods
    return stored_periods(engine, _program(program).id)


def entry_periods(engine, program: Program | str, today: dt.date | None = None,
                  stored: list[str] | None = None) -> list[str]:
    """Months one may enter: the stored ones (``stored`` when already known) plus the month
    after the newest (if not in the future), newest first."""
    have = list(periods(engine, program) if stored is None else stored)
    today = today or dt.date.today()
    this = f"{today.year:04d}-{today.month:02d}"
    if have:
        y, m = map(int, have[-1].split("-"))
        nxt = f"{y + m // 12:04d}-{m % 12 + 1:02d}"
        if nxt <= this:
            have.append(nxt)
    else:
        have = [this]
    return sorted(have, reverse=True)


def report_level(program: Program | str) -> str:
    """The level that reports monthly (the programme's setting report_level)."""
    from ruralcore.io.excel.layout import report_level as level
    return level(_program(program))


def unit_label(program: Program | str) -> str:
    """What one row of the sheet is, in Chinese: 村, 乡镇, 试点…"""
    return UNIT_LABELS.get(report_level(program), "区域")


def units(engine, program: Program | str) -> pd.DataFrame:
    """The regions that report (at the programme's report level) with the group they are
    entered under (their parent): columns code, name, group, group_name, group_level."""
    from ruralcore.store import regions as store_regions

    program = _program(program)
    every = store_regions.load_regions(engine).reset_index(drop=True).drop_duplicates("code")
    mine = every[(every["program"] == program.id) & (every["level"] == report_level(program))]
    by_code = every.set_index("code")
    parent = mine["parent"].astype(str)
    # a parent is a region code, or (some region files) the parent's name
    name = parent.map(by_code["name"]).fillna(parent).where(parent != "", "（未分组）")
    level = parent.map(by_code["level"]).fillna("")
    out = pd.DataFrame({CODE: mine["code"].astype(str).to_numpy(), NAME: mine["name"].astype(str).to_numpy(),
                        "group": parent.to_numpy(), "group_name": name.astype(str).to_numpy(),
                        "group_level": level.astype(str).to_numpy()})
    return out.sort_values(["group", CODE], kind="stable").reset_index(drop=True)


def groups(engine, program: Program | str) -> pd.DataFrame:
    """The groups one can enter a month for (townships for village reports, counties for
    township reports…): columns code, name, level."""
    u = units(engine, program)
    g = u.drop_duplicates("group")
    return pd.DataFrame({CODE: g["group"].to_numpy(), NAME: g["group_name"].to_numpy(),
                         "level": g["group_level"].to_numpy()}).reset_index(drop=True)


def group_label(program: Program | str, groups_frame: pd.DataFrame) -> str:
    """How the group selector is labelled: 乡镇, 县（区、市）… or 所属区域."""
    from ruralcore.rules.regions import LEVEL_NAMES

    levels = set(groups_frame["level"]) - {""}
    return LEVEL_NAMES.get(levels.pop(), "所属区域") if len(levels) == 1 else "所属区域"


def members(engine, program: Program | str, group: str) -> pd.DataFrame:
    u = units(engine, program)
    return u.loc[u["group"] == group, [CODE, NAME]].reset_index(drop=True)


def load_sheet(engine, program: Program | str, period: str, group: str) -> Sheet:
    """The group's reporting regions (a township's villages…) in ``period`` with their
    stored values and versions."""
    from ruralcore.store import reports

    program = _program(program)
    codes = [f.code for f in fields(program)]
    vill = members(engine, program, group)
    if vill.empty:
        raise InputError(Problem(f"“{group}”下没有本方案的填报单位（{unit_label(program)}）", column="所属区域"),
                         source=SOURCE)
    stored = reports.load_reports(engine, program.id, [period])
    stored = stored[stored["region"].isin(vill[CODE]) & stored["field"].isin(codes)]
    val = stored.pivot_table(index="region", columns="field", values="value", aggfunc="first", dropna=False)
    val = val.reindex(index=vill[CODE], columns=codes)
    frame = vill.copy()
    for c in codes:
        frame[c] = val[c].to_numpy(dtype="float64")
    ver = stored.set_index(["region", "field"])["version"]
    full = pd.MultiIndex.from_product([vill[CODE], codes])
    versions = ver.reindex(full, fill_value=0).astype("int64")
    return Sheet(program.id, period, group, frame, dict(zip(versions.index.tolist(), versions.tolist())),
                 tuple(codes))


# ---- checking and saving ----------------------------------------------------------------

def _as_csv(program: Program, sheet: Sheet, edited: pd.DataFrame) -> tuple[bytes, pd.DataFrame]:
    """The edited table in the Excel template's layout (rows left blank are dropped when
    they were blank when read: a village that has not reported yet)."""
    from ruralcore.io.excel import CODE_COL, NAME_COL, PERIOD_COL, header

    fl = fields(program)
    codes = [f.code for f in fl]
    was_blank = sheet.frame[codes].isna().all(axis=1).to_numpy()
    now_blank = _blank(edited[codes]).all(axis=1).to_numpy()
    keep = ~(was_blank & now_blank)
    rows = edited[keep].reset_index(drop=True)
    out = pd.DataFrame({PERIOD_COL: sheet.period, CODE_COL: rows[CODE].astype(str), NAME_COL: rows[NAME].astype(str)})
    for f in fl:
        out[header(f)] = _cell_text(rows[f.code])
    buf = io.StringIO()
    out.to_csv(buf, index=False)
    return buf.getvalue().encode("utf-8"), rows


def _blank(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.isna() | frame.astype(str).apply(lambda s: s.str.strip()).isin(["", "nan", "None", "<NA>"])


def _cell_text(s: pd.Series) -> pd.Series:
    """Numbers as text (whole ones without a spurious '.0'); anything else as typed, so the
    checker can say “…不是数字”; blanks empty."""
    num = pd.to_numeric(s, errors="coerce").astype("float64")
    txt = s.astype("string").str.strip().fillna("")
    txt = txt.mask(num.notna(), num.astype("string"))
    whole = num.notna() & np.isfinite(num) & (num % 1 == 0)
    return txt.mask(whole, num.where(whole).astype("Int64").astype("string"))


def check(sheet: Sheet, edited: pd.DataFrame, engine=None, today: dt.date | None = None) -> pd.DataFrame:
    """Check every cell of the edited table; return its values (region, field, value) or
    raise InputError whose problems name the row, the village and the field."""
    from ruralcore.io import excel

    program = _program(sheet.program)
    _same_rows(sheet, edited)
    data, rows = _as_csv(program, sheet, edited)
    try:
        return excel.validate(program, data, sheet.period, engine=engine, name=SOURCE + ".csv", today=today)
    except InputError as err:
        raise InputError(_name_rows(err.problems, rows, edited, unit_label(program)), source=SOURCE) from None


def _same_rows(sheet: Sheet, edited: pd.DataFrame) -> None:
    missing = [c for c in (CODE, NAME, *sheet.fields) if c not in edited.columns]
    if missing:
        raise InputError([Problem("缺少该列", column=c) for c in missing], source=SOURCE)
    if list(edited[CODE].astype(str)) != list(sheet.frame[CODE].astype(str)):
        raise InputError(Problem("表中的填报单位与读取时不一致（不能增删或改动区域代码），请刷新后重试", column="区域代码"),
                         source=SOURCE)


def _name_rows(problems: list[Problem], rows: pd.DataFrame, edited: pd.DataFrame, unit: str) -> list[Problem]:
    """CSV row r is table row (r - 1) of ``rows``; say which village (…) and which table row."""
    pos = {c: i + 1 for i, c in enumerate(edited[CODE].astype(str))}
    out = []
    for p in problems:
        if p.row is not None and 2 <= p.row < len(rows) + 2:
            r = rows.iloc[p.row - 2]
            out.append(Problem(f"{unit}“{r[NAME]}”（{r[CODE]}）：{p.message}", row=pos[str(r[CODE])],
                               column=p.column))
        else:
            out.append(Problem(p.message, column=p.column))
    return out


def changes(sheet: Sheet, values: pd.DataFrame) -> pd.DataFrame:
    """Cells whose checked value differs from what was read: region, field, old, value."""
    old = sheet.frame.melt(id_vars=[CODE], value_vars=list(sheet.fields), var_name="field", value_name="old")
    old = old.rename(columns={CODE: "region"})
    old["region"] = old["region"].astype(str)
    new = values[["region", "field", "value"]].astype({"region": str, "field": str})
    m = old.merge(new, on=["region", "field"], how="left")
    a, b = m["value"].to_numpy(dtype="float64"), m["old"].to_numpy(dtype="float64")
    same = (a == b) | (np.isnan(a) & np.isnan(b))
    return m[~same].reset_index(drop=True)[["region", "field", "old", "value"]]


def save(engine, sheet: Sheet, edited: pd.DataFrame, user: Principal, today: dt.date | None = None) -> dict:
    """Check every cell, then write the changed ones in one audited transaction with the
    versions read. Returns {'inserted', 'updated', 'unchanged', 'changed': frame}.
    Any problem (InputError) or a concurrent change of the same cell (StaleWriteError)
    leaves the database as it was."""
    from ruralcore.store import reports

    if not require(user).name.strip():
        raise InputError(Problem("请填写填报人", column="填报人"), source=SOURCE)
    values = check(sheet, edited, engine=engine, today=today)
    diff = changes(sheet, values)
    if diff.empty:
        return {"inserted": 0, "updated": 0, "unchanged": 0, "changed": diff}
    expected = {(r, f): sheet.versions.get((r, f), 0) for r, f in zip(diff["region"], diff["field"])}
    try:
        result = reports.upsert_reports(engine, sheet.program, sheet.period, diff[["region", "field", "value"]],
                                        user, expected_versions=expected)
    except StaleWriteError as err:
        raise StaleWriteError(_stale_message(engine, sheet, diff, expected) or str(err)) from None
    return {**result, "changed": diff}


def _stale_message(engine, sheet: Sheet, diff: pd.DataFrame, expected: dict) -> str | None:
    """Which villages' fields moved since they were read, by name, for the page."""
    now = load_sheet(engine, sheet.program, sheet.period, sheet.group).versions
    moved = [(r, f) for (r, f), v in expected.items() if now.get((r, f), 0) != v]
    if not moved:
        return None
    names = sheet.frame.set_index(CODE)[NAME].astype(str)
    labels = {c.code: c.label for c in column_rules(sheet.program)}
    unit = unit_label(sheet.program)
    cells = "；".join(f"{unit}“{names.get(r, r)}”的“{labels.get(f, f)}”" for r, f in moved[:10])
    more = f"等{len(moved)}处" if len(moved) > 10 else ""
    return (f"保存被拒绝：{cells}{more}在您读取之后已被他人修改。为免覆盖他人的数据，本次未写入任何数据；"
            "请重新读取本月数据后再修改。")


def data_token(engine) -> str:
    """Changes whenever stored data changes (ruralcore.app.overview.data_token): a cache key."""
    from ruralcore.app.overview import data_token as token
    return token(engine)


# ---- 月报更正: one stored value ---------------------------------------------------------

def stored_values(engine, program_id: str, period: str) -> pd.DataFrame:
    """One month's stored values (region, field, value, version, submitted_by, submitted_at)."""
    from ruralcore.store import reports

    return reports.load_reports(engine, program_id, [period])


def correct_value(engine, program_id: str, period: str, region: str, field: str, value: float, user: Principal,
                  expected_version: int, reason: str) -> dict:
    """Change one stored value (or add it) as ``user``, refused when the value moved since
    ``expected_version`` was read (StaleWriteError) or ``user`` may not write ``region``;
    ``reason`` is logged beside the change in the same transaction."""
    from ruralcore.store import reports

    return reports.upsert_reports(engine, program_id, period,
                                  pd.DataFrame({"region": [region], "field": [field], "value": [value]}),
                                  user, expected_versions={(region, field): expected_version}, reason=reason)
