"""Acceptance checklists generated from the programme files, and their evaluation.

One checklist frame per subject, one row per thing the inspector looks at:

``group`` (分组), ``item`` (key, also stored as acceptance_items.item), ``name``,
``requirement`` (what the document asks), ``value`` (what was found), ``ref`` (clause),
``required`` (a failure blocks a pass), ``result`` (pass / fail / na), ``reason`` (why it
fails, empty otherwise), ``assumed`` (reason when the rule is a system default).

- 融水 station: type, the four services (4 of 4 for a standard station, ≥ 2 otherwise),
  each equipment item with its quantity, the 六有, officers and training hours, and the
  station number. Rules are those of ruralcore.rules.stations (station_failures, station_code).
- 忻州 pilot: the 17 (township) or 18 (village) reference indicators, each built /
  partly built / not built, with evidence and attachment names.
- 花垣 village: the rubric's aspects with indicator values and points, and the total
  score against the pass line (ruralcore.rules.scoring).
Items are never typed into pages: they all come from here.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd
import sqlalchemy as sa

from ruralcore.rules import scoring, stations
from ruralcore.kernel.errors import InputError, Problem, RuralcoreError
from ruralcore.rules.programs import ASSUMED_LABEL, Program

COLUMNS = ["group", "item", "name", "requirement", "value", "ref", "required", "result", "reason", "assumed"]
# every row reads one of these three, never a dash: an item the document does not require
# (以需配建, an optional service, a scored aspect judged only in the total) is 不适用
RESULT_NAMES = {"pass": "合格", "fail": "不合格", "na": "不适用"}
PILOT_STATE_NAMES = {"partly": "部分建成", "not_built": "未建成"}  # + the built state → 已建成
# The rows every builder below adds besides the programme's own items, by code
SUMMARY_ITEMS = {"type": "站点类型", "services": "服务类别数", "officer_min_count": "信息员人数",
                 "training_hours_min": "信息员年度培训学时", "number": "站点编号",
                 "indicators_built": "已建成指标数", "score": "总分"}
PILOT_CHECKLISTS = {"township": "township_indicators", "village": "village_indicators"}
PILOT_COMPLIANCE = "compliance"  # 忻州 二(二): 四制 and permits, checked for every pilot


def _frame(rows: list[dict]) -> pd.DataFrame:
    out = pd.DataFrame(rows, columns=COLUMNS)
    out["required"] = out["required"].fillna(False).astype(bool)
    for c in ("result", "reason", "assumed", "value", "requirement"):
        out[c] = out[c].fillna("").astype(str)
    return out


def _row(group, item, name, requirement, value, ref, required=False, result="na", reason="", assumed=""):
    return {"group": group, "item": item, "name": name, "requirement": requirement, "value": value, "ref": ref,
            "required": required, "result": result, "reason": reason, "assumed": assumed or ""}


# ---------------------------------------------------------------------------
# 融水 stations
def station_observed_template(program: Program, type: str) -> dict:
    """Empty observations of a station of ``type`` (keys as in stations.station_columns)."""
    obs = {c: (False if c.startswith(("svc_", "ly_", "excused_")) else 0) for c in stations.station_columns(program)}
    obs.update(station="", type=type, number="", officers=[])
    return obs


def _failure_key(fails: pd.DataFrame) -> pd.Series:
    """The checklist row a failure of stations.station_failures belongs to."""
    svc = fails["requirement"].isin(list(stations.SERVICES_BY_TYPE.values()))
    ly = fails["name"].str.startswith("六有：")
    off = fails["requirement"].isin(["officer_min_count", "training_hours_min"])
    return pd.Series(np.select([svc, ly, off], ["services", "ly_" + fails["requirement"], fails["requirement"]],
                               "eq_" + fails["requirement"]), index=fails.index)


def station_checklist(program: Program, observed: dict) -> pd.DataFrame:
    """The checklist of one station from what the inspector found (``observed``: the
    columns of stations.station_columns, plus ``number`` and ``officers`` = list of
    {officer, training_hours}), evaluated by ruralcore.rules.stations."""
    stype = observed["type"]
    if stype not in stations.TYPES:
        raise InputError(Problem(f"站点类型“{stype}”无效，应为 standard、professional 或 simple", column="类型"),
                         source="验收检查表")
    number = str(observed.get("number") or observed.get("station") or "")
    row = {c: observed.get(c) for c in stations.station_columns(program)}
    row.update(station=number or "站点", type=stype)
    frame = pd.DataFrame([row])
    officers = pd.DataFrame(observed.get("officers") or [], columns=["officer", "training_hours"])
    officers.insert(0, "station", row["station"])
    fails = stations.station_failures(program, frame, officers)
    fails = fails.assign(key=_failure_key(fails))
    why = fails.groupby("key")["detail"].agg("；".join)

    rows = [_row("基本情况", "type", SUMMARY_ITEMS["type"], "标准站、专业站或简易站之一（按附件1配额建设）",
                 stations.TYPE_NAMES[stype], "三", result="pass")]
    # services
    svc_cl = program.checklist(stations.SERVICES_BY_TYPE[stype])
    need = svc_cl.min_items if svc_cl.min_items is not None else len(svc_cl.items)
    every = need >= len(svc_cl.items)
    given = 0
    for it in svc_cl.items:
        has = bool(observed.get(f"svc_{it.code}"))
        given += has
        # a standard station must give every service; otherwise one service may be left out
        rows.append(_row("服务", f"svc_{it.code}", it.name,
                         f"{stations.TYPE_NAMES[stype]}须提供" if every else f"4类中至少提供{need}类（本类可选）",
                         "提供" if has else "未提供", it.ref,
                         result="pass" if has else ("fail" if every else "na"),
                         reason="" if has or not every else f"{stations.TYPE_NAMES[stype]}须提供{it.name}"))
    rows.append(_row("服务", "services", SUMMARY_ITEMS["services"],
                     f"{stations.TYPE_NAMES[stype]}" + ("须全部提供4类" if every else f"至少提供{need}类"),
                     f"{given}类", svc_cl.ref, True))
    # equipment
    mbps_min = program.setting("broadband_min_mbps")
    for it in program.checklist(stations.EQUIP_BY_TYPE[stype]).items:
        if "broadband" in it.code:
            value, req = f"{observed.get('broadband_mbps') or 0:g} Mbps", f"不低于{mbps_min:g} Mbps（{it.spec or ''}）"
        else:
            excused = it.optional_if and bool(observed.get(f"excused_{it.code}"))
            q = observed.get(f"eq_{it.code}") or 0
            value = f"免配（{it.optional_if}）" if excused and not q else f"{q:g}"
            req = f"至少{it.quantity or 1}" + (f"（{it.spec}）" if it.spec else "")
        rows.append(_row("设备配置", f"eq_{it.code}", it.name, req, value, it.ref, it.required))
    # 六有
    for it in program.checklist(stations.LIUYOU).items:
        has = bool(observed.get(f"ly_{it.code}"))
        rows.append(_row("六有", f"ly_{it.code}", it.name, "应达到", "达到" if has else "未达到", it.ref, True))
    # officers and training
    n_off = int(officers["officer"].nunique())
    rows.append(_row("信息员", "officer_min_count", SUMMARY_ITEMS["officer_min_count"], f"至少{int(program.setting('officer_min_count'))}名",
                     f"{n_off}名", stations._setting_ref(program, "officer_min_count"), True))
    hours = "、".join(f"{o}：{float(h):g}学时" for o, h in zip(officers["officer"], officers["training_hours"])) or "无"
    rows.append(_row("信息员", "training_hours_min", SUMMARY_ITEMS["training_hours_min"],
                     f"每名不少于{float(program.setting('training_hours_min')):g}学时", hours,
                     stations._setting_ref(program, "training_hours_min"), True))
    # station number (附件2 编号规则)
    rows.append(_station_number_row(program, number, stype))

    out = _frame(rows)
    failing = out["item"].isin(why.index)
    out.loc[failing, "result"] = "fail"
    out.loc[failing, "reason"] = out.loc[failing, "item"].map(why)
    checked = out["required"] & ~failing & (out["result"] == "na")
    out.loc[checked, "result"] = "pass"
    return out


def _station_number_row(program: Program, number: str, stype: str) -> dict:
    m = re.search(r"(\d+)[A-Za-z]$", number or "")
    county = stations._program_county(program)
    try:
        expected = stations.station_code(county, stype, int(m.group(1))) if m else None
    except (RuralcoreError, ValueError):  # a malformed number is reported as the failure
        expected = None
    ok = expected is not None and expected == number
    reason = "" if ok else (f"编号应为 {expected}" if expected else "编号不符合“桂+地市车牌代码+县拼音首字母+4位顺序号+B/Z/J”规则")
    return _row("基本情况", "number", SUMMARY_ITEMS["number"], "桂+地市车牌代码+县拼音首字母+4位顺序号+类型字母", number or "（无）",
                "附件2", True, "pass" if ok else "fail", reason)


def station_observed(engine: sa.Engine, program: Program, number: str, year: int | None = None) -> dict:
    """What the store holds about a station, as observations to start an inspection from."""
    from ruralcore.store import queries
    from ruralcore.store import stations as stored
    from ruralcore.store.models import Station, StationEquipment

    st = queries.first(engine, Station, number=number)
    if st is None:
        raise InputError(Problem(f"找不到站点“{number}”", column="站点编号"), source="验收检查表")
    eq = {r["item"]: r["quantity"] for r in queries.rows(engine, StationEquipment, columns=["item", "quantity"],
                                                           station=number)}
    officers = [{"officer": n, "training_hours": h} for n, h in stored.station_training(engine, number, year)]
    obs = station_observed_template(program, st["type"])
    svc = {"public_service": "service_public", "convenience": "service_convenience",
           "ecommerce": "service_ecommerce", "training": "service_training"}
    ly = {"premises": "has_site", "staff": "has_staff", "equipment": "has_equipment", "broadband": "has_broadband",
          "webpage": "has_webpage", "sustainable": "has_sustainable_ops"}
    for code, col in svc.items():
        if f"svc_{code}" in obs:
            obs[f"svc_{code}"] = bool(st[col])
    for code, col in ly.items():
        if f"ly_{code}" in obs:
            obs[f"ly_{code}"] = bool(st[col])
    for k in list(obs):
        if k.startswith("eq_"):
            obs[k] = int(eq.get(k[3:], 0))
    obs.update(station=number, number=number, broadband_mbps=st["broadband_mbps"] or 0, officers=officers)
    return obs


# ---------------------------------------------------------------------------
# 忻州 pilots
def built_state(program: Program) -> str:
    return str(program.setting("build_state_counts_as_built"))


def pilot_state_names(program: Program) -> dict[str, str]:
    return {built_state(program): "已建成", **PILOT_STATE_NAMES}


def compliance_rows(program: Program, found: pd.DataFrame | None = None) -> list[dict]:
    """忻州 二(二): 项目法人制、招标投标制、工程监理制、合同管理制 and the permits, each a
    required item of a pilot's acceptance (key ``law_<code>``). ``found``: item (the bare
    code), result (pass / fail / na — na only where the item may be excused) and note, as
    the inspector records them; an item with no result is 不合格 (未核验): nobody has
    confirmed it."""
    if not any(cl.code == PILOT_COMPLIANCE for cl in program.checklists):
        return []
    cl = program.checklist(PILOT_COMPLIANCE)
    got = found.set_index("item") if found is not None and len(found) else pd.DataFrame(columns=["result", "note"])
    rows = []
    for it in cl.items:
        res = got["result"].get(it.code) if len(got) else None
        note = str(got["note"].get(it.code, "") or "") if len(got) else ""
        if res == "na" and not it.optional_if:
            raise InputError(Problem(f"“{it.name}”是必备项，不能记为不适用", column=it.name), source="验收检查表")
        if res not in ("pass", "fail", "na"):
            res, value, reason = "fail", "未核验", f"验收时须核验是否{it.spec or it.name}"
        else:
            value = {"pass": "已落实", "fail": "未落实", "na": f"不适用（{it.optional_if}）"}[res] + (f"；{note}" if note else "")
            reason = "" if res != "fail" else (note or f"未{it.spec or it.name}")
        rows.append(_row("依法依规", f"law_{it.code}", it.name, (it.spec or it.name)
                         + (f"（{it.optional_if}可记为不适用）" if it.optional_if else ""), value, it.ref,
                         True, res, reason, it.assumed))
    return rows


def pilot_checklist(program: Program, pilot_type: str, states: pd.DataFrame,
                    compliance: pd.DataFrame | None = None) -> pd.DataFrame:
    """The reference indicators of a township (17) or village (18) pilot with their states
    (``states``: item, state, evidence, attachments; missing items count as not built),
    then the 二(二) compliance items (compliance_rows, from ``compliance`` when given)."""
    if pilot_type not in PILOT_CHECKLISTS:
        raise InputError(Problem(f"试点类型“{pilot_type}”无效，应为 township 或 village", column="试点类型"),
                         source="验收检查表")
    cl = program.checklist(PILOT_CHECKLISTS[pilot_type])
    names = pilot_state_names(program)
    st = states.set_index("item") if len(states) else pd.DataFrame(columns=["state", "evidence", "attachments"])
    bad = ~st["state"].isin(list(names)) if len(st) else pd.Series(dtype=bool)
    if bad.any():
        raise InputError([Problem(f"建设状态“{v}”无效，应为{'、'.join(names)}", row=int(i) + 1, column="state")
                          for i, v in zip(np.flatnonzero(bad.to_numpy()), st["state"][bad])], source="验收检查表")
    rows, built = [], 0
    for it in cl.items:
        s = st["state"].get(it.code, "not_built") if len(st) else "not_built"
        ev = str(st["evidence"].get(it.code, "") or "") if len(st) else ""
        att = str(st["attachments"].get(it.code, "") or "") if len(st) else ""
        built += s == built_state(program)
        value = names[s] + (f"；佐证：{ev}" if ev else "") + (f"；附件：{att}" if att else "")
        # 以需配建: a built indicator is 合格; one not (fully) built is not required (不适用)
        rows.append(_row(it.area or "指标", it.code, it.name,
                         "以需配建，建成并投入使用" + (f"：{it.spec}" if it.spec else "")
                         + (f"（{it.optional_if}的可不建）" if it.optional_if else ""), value, it.ref,
                         result="pass" if s == built_state(program) else "na"))
    need = cl.min_items or 1
    ok = built >= need
    rows.append(_row("汇总", "indicators_built", SUMMARY_ITEMS["indicators_built"], f"至少{need}项", f"{built}项（共{len(cl.items)}项）", cl.ref,
                     True, "pass" if ok else "fail", "" if ok else f"已建成{built}项，少于{need}项", cl.assumed))
    return _frame(rows + compliance_rows(program, compliance))


def pilot_states(engine: sa.Engine, pilot: str) -> tuple[str, pd.DataFrame]:
    """(pilot_type, its indicator states) from the store."""
    from ruralcore.store import queries
    from ruralcore.store.models import Pilot, PilotIndicator

    found = queries.first(engine, Pilot, columns=["pilot_type"], code=pilot)
    ptype = None if found is None else found["pilot_type"]
    if ptype is None:
        raise InputError(Problem(f"找不到试点“{pilot}”", column="试点"), source="验收检查表")
    cols = ["item", "state", "evidence", "attachments"]
    return ptype, queries.frame(engine, PilotIndicator, columns=cols, pilot=pilot)


# ---------------------------------------------------------------------------
# 花垣 villages
def village_checklist(program: Program, values: pd.Series) -> pd.DataFrame:
    """The rubric's aspects for one village: indicator values, points, and the total
    against the pass line (``values``: indicator code → percentage)."""
    rubric = scoring.rubric_of(program)
    frame = pd.DataFrame([values.astype("float64")], index=pd.Index([str(values.name or "村")]))
    scored = scoring.score(program, frame, aspects=True).iloc[0]
    rows = []
    for a in rubric.aspects:
        vals = "；".join(f"{i.name}{values.get(i.code, np.nan):.1f}%（目标{i.target:g}%）" for i in a.indicators)
        pts = float(scored[f"aspect_{a.code}"])
        why = "；".join(x for x in (a.assumed, *(i.assumed for i in a.indicators)) if x)
        rows.append(_row("评分方面", a.code, a.name, f"满分{a.points:g}分（计入总分，不单独判定）", f"{vals}；得{pts:.1f}分",
                         a.ref, assumed=why))
    total = float(scored["score"])
    ok = total >= rubric.pass_score
    shown = f"{scoring.truncate([total], 2)[0]:.2f}"  # cut, not rounded: 79.996 never reads 80.00
    rows.append(_row("汇总", "score", SUMMARY_ITEMS["score"], f"不低于{rubric.pass_score:g}分", f"{shown}分",
                     rubric.ref, True, "pass" if ok else "fail",
                     "" if ok else f"总分{shown}分，低于合格线{rubric.pass_score:g}分", rubric.formula.assumed))
    return _frame(rows)


def village_values(engine: sa.Engine, program: Program, region: str, period: str | None = None) -> pd.Series:
    """A village's indicator values of ``period`` (default: the latest month reported)."""
    from ruralcore.app import whatif
    from ruralcore.store.reports import stored_periods
    if period is None:
        period = (stored_periods(engine, program.id) or [None])[-1]  # the newest month reported
    values = whatif.village_values(engine, program, period) if period else pd.DataFrame()
    if region not in values.index:
        raise InputError(Problem(f"行政村“{region}”在{period or '任何月份'}没有月报数据", column="行政村"),
                         source="验收检查表")
    return values.loc[region].rename(region)


# ---------------------------------------------------------------------------
def subject_checklist(engine: sa.Engine, program: Program, subject_type: str, subject: str,
                      observed=None) -> pd.DataFrame:
    """The checklist of a case's subject: from ``observed`` when given (a station's
    observations dict, a pilot's states frame), else from what the store holds."""
    if subject_type == "station":
        return station_checklist(program, observed if observed is not None else station_observed(engine, program, subject))
    if subject_type == "pilot":
        ptype, states = pilot_states(engine, subject)
        return pilot_checklist(program, ptype, observed if observed is not None else states)
    if subject_type == "village":
        return village_checklist(program, village_values(engine, program, subject))
    raise InputError(Problem(f"验收对象类型“{subject_type}”无效", column="对象类型"), source="验收检查表")


def failures(checklist: pd.DataFrame) -> pd.DataFrame:
    """Failing required items (name, ref, reason): what blocks a pass (acceptance.transition)."""
    f = checklist[checklist["required"] & (checklist["result"] == "fail")]
    return f[["item", "name", "ref", "reason"]].reset_index(drop=True)


def passed(checklist: pd.DataFrame) -> bool:
    return failures(checklist).empty


def display(checklist: pd.DataFrame) -> pd.DataFrame:
    """Chinese columns for a table on screen or in a record."""
    out = pd.DataFrame({
        "分组": checklist["group"], "检查项目": checklist["name"], "要求": checklist["requirement"],
        "检查情况": checklist["value"], "结果": checklist["result"].map(RESULT_NAMES),
        "不合格原因": checklist["reason"], "依据条款": checklist["ref"],
    })
    out["依据条款"] = out["依据条款"].where(checklist["assumed"] == "", out["依据条款"] + f"（{ASSUMED_LABEL}）")
    return out


# ---------------------------------------------------------------------------
def item_names() -> dict[str, str]:
    """Item code (as acceptance_items stores it) → name, over every programme: the audit
    log names a checklist item by its code."""
    from ruralcore.rules.programs import all_programs

    prefix = {**{c: "svc_" for c in stations.SERVICES_BY_TYPE.values()},
              **{c: "eq_" for c in stations.EQUIP_BY_TYPE.values()}, stations.LIUYOU: "ly_", PILOT_COMPLIANCE: "law_"}
    out = dict(SUMMARY_ITEMS)
    for p in all_programs():
        for cl in p.checklists:
            out.update({prefix.get(cl.code, "") + it.code: it.name for it in cl.items})
        for a in (p.rubric.aspects if p.rubric else []):
            out[a.code] = a.name
    return out
