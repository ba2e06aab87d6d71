"""益农信息社 (village information stations): type requirements, equipment, 六有,
officers, quotas per township, and the station number.

Stations come as one wide DataFrame, one row per station (see ``station_columns``):
``station``, ``type`` (standard/professional/simple), one boolean column per service
(``svc_<code>``), one quantity column per equipment item (``eq_<code>``), one boolean
per excused optional item (``excused_<code>``), ``broadband_mbps``, one boolean per
六有 item (``ly_<code>``). Officers are a separate frame (``station``, ``officer``,
``training_hours``). Every check runs on whole columns.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd
from pypinyin import Style, lazy_pinyin

from ruralcore.kernel.errors import InputError, Problem, RuralcoreError
from ruralcore.rules.programs import Program, all_programs

TYPES = ("standard", "professional", "simple")
TYPE_NAMES = {"standard": "标准站", "professional": "专业站", "simple": "简易站"}
# the states of a numbered station in the register (ruralcore.app.station_register)
REGISTER_STATES = {"assigned": "已分配编号", "building": "在建", "built": "已建成", "retired": "已撤销"}
# 附件2 编号规则: B 标准站（“标”）, Z 专业站（“专”）, J 简易站（“简”）
TYPE_LETTERS = {"standard": "B", "professional": "Z", "simple": "J"}
# checklist codes in a programme file (rongshui-2019)
EQUIP_BY_TYPE = {"standard": "equipment_standard", "professional": "equipment_basic", "simple": "equipment_basic"}
SERVICES_BY_TYPE = {"standard": "services_standard", "professional": "services_basic", "simple": "services_basic"}
LIUYOU = "liuyou"

FAILURE_COLUMNS = ["station", "type", "requirement", "name", "ref", "detail"]


# ---------------------------------------------------------------------------
# station number
def county_short_name(name: str) -> str:
    """融水苗族自治县 → 融水; 花垣县 → 花垣 (ethnic autonomy suffixes and 县/区/市/旗 dropped)."""
    name = (name or "").strip()
    m = re.fullmatch(r"(.{2,}?)(?:(?:[\u4e00-\u9fff]{1,4}?族)+自治[县旗]|县|区|市|旗)", name)
    return m.group(1) if m else name


def pinyin_initials(name: str) -> str:
    return "".join(lazy_pinyin(county_short_name(name), style=Style.FIRST_LETTER)).upper()


def _code_programs() -> list[Program]:
    out = []
    for p in all_programs():
        codes = {s.code for s in p.settings}
        if {"station_code_province", "station_code_plate"} <= codes:
            out.append(p)
    return out


def _program_county(p: Program) -> str:
    """The county a station-numbering programme covers: its county region, else its scope."""
    from ruralcore.rules.regions import program_regions
    regs = program_regions(p.id)
    counties = regs[regs["level"] == "county"]["name"]
    if len(counties):
        return str(counties.iloc[0])
    m = re.search(r"[\u4e00-\u9fff]{2,}?(?:自治县|县|区|市)", p.meta.scope)
    return m.group(0) if m else p.meta.scope


def station_code(county: str, type: str, seq: int) -> str:
    """附件2: “桂” + plate code + county pinyin initials + 4-digit sequence + B/Z/J.

    The county may be given in full (融水苗族自治县) or short (融水); province and plate
    come from the programme that numbers that county's stations.
    """
    problems = []
    short = county_short_name(county)
    match = [p for p in _code_programs() if county_short_name(_program_county(p)) == short and short]
    if not match:
        known = "、".join(county_short_name(_program_county(p)) for p in _code_programs()) or "（无）"
        problems.append(f"未知的县“{county}”：没有方案规定该县的站点编号规则（已知：{known}）")
    if type not in TYPE_LETTERS:
        problems.append(f"站点类型“{type}”无效，应为 standard（标准站）、professional（专业站）或 simple（简易站）")
    digits = int(_opt_setting(match[0], "station_code_seq_digits", 4)) if match else 4
    try:
        seq_ok = not isinstance(seq, bool) and int(seq) == seq and 1 <= int(seq) < 10 ** digits
    except (TypeError, ValueError):
        seq_ok = False
    if not seq_ok:
        problems.append(f"序号“{seq}”无效，应为 1–{10 ** digits - 1} 的整数（编号为{digits}位顺序号）")
    if problems:
        raise RuralcoreError("无法生成站点编号：" + "；".join(problems))
    p = match[0]
    # the document's initials win over pypinyin (polyphonic characters)
    initials = _opt_setting(p, "station_code_county_initials", None) or pinyin_initials(short)
    letter = _opt_setting(p, f"station_type_letter_{type}", TYPE_LETTERS[type])
    return f"{p.setting('station_code_province')}{p.setting('station_code_plate')}{initials}{int(seq):0{digits}d}{letter}"


def station_codes(county: str, types: pd.Series, seqs: pd.Series) -> pd.Series:
    """Numbers for many stations of one county at once; bad rows are named by row."""
    types = pd.Series(types).reset_index(drop=True)
    seqs = pd.to_numeric(pd.Series(seqs).reset_index(drop=True), errors="coerce")
    first = station_code(county, "standard", 1)  # validates the county, gives the prefix
    p = next(p for p in _code_programs() if county_short_name(_program_county(p)) == county_short_name(county))
    digits = int(_opt_setting(p, "station_code_seq_digits", 4))
    letters = {t: _opt_setting(p, f"station_type_letter_{t}", TYPE_LETTERS[t]) for t in TYPES}
    problems = [Problem(f"站点类型“{v}”无效，应为 standard、professional 或 simple", row=int(i) + 1, column="type")
                for i, v in zip(np.flatnonzero(~types.isin(TYPES)), types[~types.isin(TYPES)])]
    bad = seqs.isna() | (seqs < 1) | (seqs >= 10 ** digits) | (seqs != seqs.round())
    problems += [Problem(f"序号“{v}”无效，应为 1–{10 ** digits - 1} 的整数", row=int(i) + 1, column="seq")
                 for i, v in zip(np.flatnonzero(bad.to_numpy()), pd.Series(seqs)[bad])]
    if problems:
        raise InputError(problems, source="站点编号")
    prefix = first[: -(digits + 1)]
    return prefix + seqs.astype("int64").astype(str).str.zfill(digits) + types.map(letters)


def _opt_setting(p: Program, code: str, default):
    try:
        return p.setting(code)
    except KeyError:
        return default


# ---------------------------------------------------------------------------
# requirements per station
def station_columns(program: Program) -> dict[str, str]:
    """Expected columns of the stations frame → Chinese name (also a template for imports)."""
    cols = {"station": "站点", "type": "类型"}
    for code in dict.fromkeys(SERVICES_BY_TYPE.values()):
        for it in program.checklist(code).items:
            cols[f"svc_{it.code}"] = f"服务：{it.name}"
    for code in dict.fromkeys(EQUIP_BY_TYPE.values()):
        for it in program.checklist(code).items:
            cols[f"eq_{it.code}"] = f"设备：{it.name}（数量）"
            if it.optional_if:
                cols[f"excused_{it.code}"] = f"免配：{it.name}（{it.optional_if}）"
    cols["broadband_mbps"] = "宽带（Mbps）"
    for it in program.checklist(LIUYOU).items:
        cols[f"ly_{it.code}"] = f"六有：{it.name}"
    return cols


def _bool(df: pd.DataFrame, col: str) -> pd.Series:
    if col not in df.columns:
        return pd.Series(False, index=df.index)
    return df[col].fillna(False).astype(bool)


def _num(df: pd.DataFrame, col: str) -> pd.Series:
    if col not in df.columns:
        return pd.Series(0.0, index=df.index)
    return pd.to_numeric(df[col], errors="coerce").fillna(0)


def _fmt_num(s: pd.Series) -> pd.Series:
    """12.0 → "12", 7.5 → "7.5", on the whole column."""
    return s.astype("float64").round(2).astype("string").str.replace(r"\.0$", "", regex=True)


def _failures(df: pd.DataFrame, mask: pd.Series, requirement: str, name: str, ref: str, detail) -> pd.DataFrame:
    """Rows of failures for the stations in ``mask``; ``detail`` is text or a function of
    the failing rows' index (so messages are built only for failing stations)."""
    m = mask.to_numpy(dtype=bool)
    sel = df.loc[m, ["station", "type"]]
    out = sel.assign(requirement=requirement, name=name, ref=ref)
    out["detail"] = detail(sel.index) if callable(detail) else detail
    return out[FAILURE_COLUMNS]


def _check_types(stations: pd.DataFrame) -> None:
    bad = ~stations["type"].isin(TYPES)
    problems = [
        Problem(f"站点类型“{stations['type'].iloc[i]}”无效，应为 standard、professional 或 simple", row=int(i) + 1, column="type")
        for i in np.flatnonzero(bad.to_numpy())
    ]
    dup = stations["station"].duplicated(keep="first")
    problems += [Problem(f"站点“{stations['station'].iloc[i]}”重复", row=int(i) + 1, column="station")
                 for i in np.flatnonzero(dup.to_numpy())]
    if problems:
        raise InputError(problems, source="站点")


def station_failures(program: Program, stations: pd.DataFrame, officers: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every failing requirement of every station, named with its clause.

    Columns: station, type, requirement (checklist item or rule code), name, ref, detail.
    """
    stations = stations.reset_index(drop=True)
    _check_types(stations)
    parts = []
    # services: standard all of its list, professional/simple at least min_items
    for stype, code in SERVICES_BY_TYPE.items():
        cl = program.checklist(code)
        of_type = stations["type"] == stype
        given = sum(_bool(stations, f"svc_{it.code}").astype(int) for it in cl.items)
        need = cl.min_items if cl.min_items is not None else len(cl.items)
        fail = of_type & (given < need)
        parts.append(_failures(stations, fail, cl.code, cl.name, cl.ref,
                               lambda ix, g=given, n=need, t=stype:
                               "提供" + g[ix].astype(str) + f"类服务，{TYPE_NAMES[t]}至少应提供{n}类"))
    # equipment: quantity per item, optional items excused when their condition holds
    mbps_min = float(program.setting("broadband_min_mbps"))
    for stype, code in EQUIP_BY_TYPE.items():
        cl = program.checklist(code)
        of_type = stations["type"] == stype
        for it in cl.items:
            if not it.required:
                continue
            if "broadband" in it.code:
                mbps = _num(stations, "broadband_mbps")
                fail = of_type & (mbps < mbps_min)
                detail = lambda ix, v=mbps: "宽带" + _fmt_num(v[ix]) + f" Mbps，应不低于{mbps_min:g} Mbps"  # noqa: E731
            else:
                qty = _num(stations, f"eq_{it.code}")
                need = it.quantity or 1
                fail = of_type & (qty < need)
                if it.optional_if:
                    fail &= ~_bool(stations, f"excused_{it.code}")
                detail = lambda ix, v=qty, n=need: "现有" + _fmt_num(v[ix]) + f"，应至少{n}"  # noqa: E731
            parts.append(_failures(stations, fail, it.code, it.name, it.ref, detail))
    # 六有: every item
    cl = program.checklist(LIUYOU)
    for it in cl.items:
        fail = ~_bool(stations, f"ly_{it.code}")
        parts.append(_failures(stations, fail, it.code, f"六有：{it.name}", it.ref, "未达到"))
    if officers is not None:
        parts.append(officer_failures(program, stations, officers))
    parts = [p for p in parts if not p.empty]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=FAILURE_COLUMNS)


def officer_failures(program: Program, stations: pd.DataFrame, officers: pd.DataFrame) -> pd.DataFrame:
    """≥ officer_min_count officers per station; each officer ≥ training_hours_min hours a year."""
    min_count = int(program.setting("officer_min_count"))
    min_hours = float(program.setting("training_hours_min"))
    ref_count = _setting_ref(program, "officer_min_count")
    ref_hours = _setting_ref(program, "training_hours_min")
    counts = stations["station"].map(officers.groupby("station")["officer"].nunique()).fillna(0).astype(int)
    few = _failures(stations, counts < min_count, "officer_min_count", "信息员人数", ref_count,
                    lambda ix: "信息员" + counts[ix].astype(str) + f"名，应至少{min_count}名")
    officers = officers.reset_index(drop=True)
    hours = pd.to_numeric(officers["training_hours"], errors="coerce")
    bad = hours.isna() | (hours < 0)
    if bad.any():
        raise InputError([Problem(f"培训学时“{officers['training_hours'].iloc[i]}”无效，应为不小于0的数", row=int(i) + 1,
                                  column="training_hours") for i in np.flatnonzero(bad.to_numpy())], source="信息员")
    low = officers.loc[(hours < min_hours).to_numpy()]
    types = stations.set_index("station")["type"]
    low_f = pd.DataFrame({
        "station": low["station"], "type": low["station"].map(types),
        "requirement": "training_hours_min", "name": "信息员年度培训学时", "ref": ref_hours,
        "detail": "信息员" + low["officer"].astype(str) + "培训" + _fmt_num(hours[low.index]) + f"学时，应不少于{min_hours:g}学时",
    })
    return pd.concat([few, low_f], ignore_index=True)


def _setting_ref(program: Program, code: str) -> str:
    return next(s.ref for s in program.settings if s.code == code)


def training_requirement(program: Program) -> tuple[float, str]:
    """(the hours each officer must be trained a year, the clause saying so)."""
    return float(program.setting("training_hours_min")), _setting_ref(program, "training_hours_min")


def station_results(program: Program, stations: pd.DataFrame, officers: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per station: passed, number of failures, and the failing requirements with clauses."""
    fails = station_failures(program, stations, officers)
    out = stations[["station", "type"]].copy()
    out["failures"] = out["station"].map(fails.groupby("station").size()).fillna(0).astype(int)
    out["passed"] = out["failures"] == 0
    out["failed_items"] = out["station"].astype(str).map(_joined_labels(fails)).astype("string").fillna("")
    return out


def _joined_labels(fails: pd.DataFrame) -> pd.Series:
    """“name（ref）；…” per station, joined in Arrow rather than per group in Python."""
    import pyarrow as pa
    import pyarrow.compute as pc
    if fails.empty:
        return pd.Series(dtype="string")
    label = (fails["name"] + "（" + fails["ref"] + "）").astype(str)
    tbl = pa.table({"station": fails["station"].astype(str).to_numpy(), "label": label.to_numpy()})
    g = tbl.group_by("station", use_threads=False).aggregate([("label", "list")])
    return pd.Series(pc.binary_join(g["label_list"], "；").to_pylist(), index=g["station"].to_pylist(), dtype="string")


# ---------------------------------------------------------------------------
# quotas
def quota_progress(program: Program, built: pd.DataFrame, table: str = "stations") -> pd.DataFrame:
    """Built vs quota per township and kind. ``built``: one row per station with
    ``township`` and ``type`` (a kind of the quota table, e.g. standard or demo)."""
    qt = program.quota_table(table)
    quota = pd.DataFrame([{"township": q.region, "kind": k, "quota": v, "ref": q.ref}
                          for q in qt.rows for k, v in q.counts.items()])
    unknown = ~built["township"].isin(quota["township"])
    if unknown.any():
        rows = np.flatnonzero(unknown.to_numpy())
        raise InputError([Problem(f"乡镇“{built['township'].iloc[i]}”不在配额表中", row=int(i) + 1, column="township")
                          for i in rows], source="站点")
    counts = built.groupby(["township", "type"]).size().rename("built").reset_index().rename(columns={"type": "kind"})
    out = quota.merge(counts, on=["township", "kind"], how="left")
    out["built"] = out["built"].fillna(0).astype(int)
    out["gap"] = (out["quota"] - out["built"]).clip(lower=0)
    out["met"] = out["built"] >= out["quota"]
    out["kind_name"] = out["kind"].map(qt.kinds)
    return out
