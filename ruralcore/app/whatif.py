"""What-if scoring for the county page: try a village's values, try other points per
aspect, save such a scenario by name, reopen it, compare two.

Pure composition: every score, rank and award comes from ``ruralcore.rules.scoring``; the
values are ``ruralcore.rules.indicators`` over the month's stored reports. Nothing is written
unless a scenario is saved, and that goes through the store's audited writes.

A scenario is (programme, month, village, {indicator: new %}, {aspect: points} or none).
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ruralcore.kernel.principal import Principal, require
from ruralcore.rules import indicators, scoring
from ruralcore.kernel.errors import InputError, Problem
from ruralcore.rules.programs import ASSUMED_LABEL, Program, load_program

PERIOD_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
NAME_MAX = 60
CHANGE_LABELS = {
    "gains_excellent": "新评为优秀", "loses_excellent": "失去优秀",
    "gains_qualified": "新达标", "loses_qualified": "不再达标", "none": "不变",
}


@dataclass(frozen=True)
class Scenario:
    name: str
    program: str
    period: str
    region: str | None = None
    changes: dict[str, float] = field(default_factory=dict)  # indicator code -> value (%)
    weights: dict[str, float] | None = None  # aspect code -> points; None = the programme's
    note: str = ""
    id: int | None = None
    created_by: str = ""
    created_at: dt.datetime | None = None
    version: int | None = None

    def payload(self) -> dict:
        return {"period": self.period, "region": self.region, "changes": dict(self.changes),
                "weights": None if self.weights is None else dict(self.weights), "note": self.note}


# ---- values ---------------------------------------------------------------------------

def village_values(engine, program: Program | str, period: str) -> pd.DataFrame:
    """The rubric's indicator values (%) of every village that reported in ``period``:
    index = region code, one column per scored indicator (computed from the stored counts)."""
    from ruralcore.store import reports

    program = _program(program)
    rubric = scoring.rubric_of(program)
    codes = scoring.indicator_codes(rubric)
    stored = reports.load_reports(engine, program.id, [period])
    need = indicators.needed_fields(program, codes)
    stored = stored[stored["field"].isin(need)]
    wide = stored.pivot_table(index="region", columns="field", values="value", aggfunc="first")
    wide = wide.reindex(columns=need)
    wide.index = wide.index.astype(str).rename("region")
    return indicators.compute(program, wide, codes)


def villages(engine, program: Program | str) -> pd.DataFrame:
    """The programme's villages in the store: code, name, township (code), township_name,
    label (“township village”), sorted by code."""
    from ruralcore.store import regions as store_regions

    program = _program(program)
    reg = store_regions.load_regions(engine, program.id).reset_index(drop=True).drop_duplicates("code")
    names = reg.set_index("code")["name"].astype(str)
    v = reg[reg["level"] == "village"]
    out = pd.DataFrame({"code": v["code"].astype(str).to_numpy(), "name": v["name"].astype(str).to_numpy(),
                        "township": v["parent"].astype(str).to_numpy()})
    out["township_name"] = out["township"].map(names).fillna("").astype(str)
    out["label"] = (out["township_name"] + " " + out["name"]).str.strip()
    return out.sort_values("code", kind="stable").reset_index(drop=True)


def village_names(engine, program: Program | str) -> pd.Series:
    """Region code -> “township village” for the programme's villages in the store."""
    v = villages(engine, program)
    return pd.Series(v["label"].to_numpy(), index=pd.Index(v["code"], name="code"), name="name")


def indicator_labels(program: Program | str) -> pd.DataFrame:
    """The rubric's indicators: code, name, target, aspect, aspect name, assumed note."""
    program = _program(program)
    rows = []
    for a in scoring.rubric_of(program).aspects:  # ~8 aspects
        for i in a.indicators:
            rows.append({"code": i.code, "name": i.name, "target": i.target, "aspect": a.code,
                         "aspect_name": a.name, "ref": i.ref, "assumed": i.assumed or ""})
    return pd.DataFrame(rows).drop_duplicates("code").reset_index(drop=True)


def aspect_points(program: Program | str) -> pd.DataFrame:
    """The rubric's aspects with their default points and whether the document fixes them."""
    program = _program(program)
    rubric = scoring.rubric_of(program)
    return pd.DataFrame([{"code": a.code, "name": a.name, "points": float(a.points), "ref": a.ref,
                          "assumed": bool(a.assumed), "label": ASSUMED_LABEL if a.assumed else "",
                          "reason": a.assumed or ""} for a in rubric.aspects])


# ---- trying things --------------------------------------------------------------------

def check_changes(program: Program | str, changes: Mapping[str, float]) -> dict[str, float]:
    """Changed indicator values must be scored indicators with 0–100 %."""
    program = _program(program)
    labels = indicator_labels(program).set_index("code")["name"]
    problems, out = [], {}
    for code, v in changes.items():  # a handful of indicators
        col = str(labels.get(code, code))
        if code not in labels.index:
            problems.append(Problem("不是计分指标", column=code))
            continue
        try:
            v = float(v)
        except (TypeError, ValueError):
            problems.append(Problem(f"“{v}”不是数字", column=col))
            continue
        if not 0 <= v <= 100:
            problems.append(Problem(f"{v:g}% 超出 0～100% 的范围", column=col))
            continue
        out[code] = v
    if problems:
        raise InputError(problems, source="假设数值")
    return out


def try_village(program: Program | str, values: pd.DataFrame, region: str, changes: Mapping[str, float],
                weights: Mapping[str, float] | None = None, scored: pd.DataFrame | None = None) -> dict:
    """A village's new score, rank and award beside the current ones (scoring.what_if)."""
    program = _program(program)
    changes = check_changes(program, changes)
    return scoring.what_if(program, values, region, changes, scored=scored, weights=weights)


def reweigh(program: Program | str, values: pd.DataFrame, weights: Mapping[str, float],
            before: pd.DataFrame | None = None) -> pd.DataFrame:
    """Ranking before (the programme's points) and after (``weights``) with who gains or
    loses 达标/优秀: scoring.compare plus Chinese labels."""
    program = _program(program)
    if before is None:
        before = scoring.score(program, values)
    after = scoring.reweight(program, values, weights)
    return _labelled(scoring.compare(before, after))


def apply(program: Program | str, values: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """Every village scored under ``scenario`` (its village's changes and its points)."""
    program = _program(program)
    changes = check_changes(program, scenario.changes)
    v = values
    if scenario.region is not None and changes:
        if scenario.region not in values.index:
            raise InputError(Problem(f"{scenario.period} 没有村“{scenario.region}”的数据", column="region"),
                             source=f"模拟方案“{scenario.name}”")
        v = values.copy()
        cols = list(changes)
        v.loc[scenario.region, cols] = np.array([changes[c] for c in cols], dtype="float64")
    return scoring.score(program, v, scenario.weights)


def evaluate(program: Program | str, values: pd.DataFrame, scenario: Scenario,
             before: pd.DataFrame | None = None) -> dict:
    """A scenario against the current state: {'village': try_village result or None,
    'table': before/after of every village (labelled), 'counts': awards before/after}."""
    program = _program(program)
    if before is None:
        before = scoring.score(program, values)
    # the others' scores under the scenario's points; the village's own changes on top
    reweighed = before if scenario.weights is None else scoring.score(program, values, scenario.weights)
    after = apply(program, values, scenario) if scenario.changes else reweighed
    village = None
    if scenario.region is not None:
        village = try_village(program, values, scenario.region, scenario.changes, scenario.weights,
                              scored=reweighed)
    table = _labelled(scoring.compare(before, after))
    return {"village": village, "table": table, "counts": award_counts(before, after)}


COUNT_LABELS = {"excellent": "优秀", "qualified": "达标（不含优秀）", "not_qualified": "未达标",
                "passed": "达标（≥80分，含优秀）"}


def award_counts(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """Villages per award before and after: rows 优秀 / 达标（不含优秀） / 未达标, which add up
    to all villages, then 达标（含优秀） (优秀 + 达标: every village at or above the pass
    score), so a count is never shown under the name of another; columns 当前/假设."""
    codes = list(scoring.AWARDS)
    b, a = (np.bincount(scoring.award_codes(f["award"]) + 1, minlength=len(codes) + 1)[1:] for f in (before, after))
    out = pd.DataFrame({"当前": b.astype("int64"), "假设": a.astype("int64")}, index=codes)
    out.loc["passed"] = out.loc["excellent"] + out.loc["qualified"]
    out.index = [COUNT_LABELS[c] for c in out.index]
    return out


def compare_scenarios(program: Program | str, a: Scenario, b: Scenario, values_a: pd.DataFrame,
                      values_b: pd.DataFrame | None = None) -> dict:
    """Two scenarios side by side: {'table': per village score/rank/award under each
    (columns *_a, *_b), 'summary': one row per scenario (village result, counts)}."""
    program = _program(program)
    values_b = values_a if values_b is None else values_b
    ra, rb = apply(program, values_a, a), apply(program, values_b, b)
    cols = ["region", "score", "rank", "award", "award_label"]
    table = ra[cols].merge(rb[cols], on="region", how="outer", suffixes=("_a", "_b"))
    table["score_diff"] = np.round(table["score_b"] - table["score_a"], scoring.DECIMALS)
    aspect_names = dict(zip(*aspect_points(program)[["code", "name"]].to_numpy().T))
    rows = []
    for sc, res in ((a, ra), (b, rb)):  # two scenarios
        counts = res["award"].value_counts()
        row = {"scenario": sc.name, "period": sc.period, "region": sc.region,
               "weights": "默认分值" if sc.weights is None else "、".join(
                   f"{aspect_names.get(k, k)}{v:g}分" for k, v in sc.weights.items()),
               "excellent": int(counts.get("excellent", 0)), "qualified": int(counts.get("qualified", 0)),
               "not_qualified": int(counts.get("not_qualified", 0))}
        hit = res[res["region"] == str(sc.region)] if sc.region is not None else res.iloc[0:0]
        if len(hit):
            row.update(score=float(hit["score"].iat[0]), rank=int(hit["rank"].iat[0]),
                       award_label=str(hit["award_label"].iat[0]))
        rows.append(row)
    return {"table": table.sort_values("rank_b", kind="stable").reset_index(drop=True),
            "summary": pd.DataFrame(rows)}


def _labelled(cmp: pd.DataFrame) -> pd.DataFrame:
    out = cmp.copy()
    # a categorical's labels are renamed once per category, not once per village
    out["award_before_label"] = out["award_before"].map(scoring.AWARD_LABELS)
    out["award_after_label"] = out["award_after"].map(scoring.AWARD_LABELS)
    out["change_label"] = out["change"].map(CHANGE_LABELS)
    return out


# ---- saved scenarios ------------------------------------------------------------------

def _table():
    from ruralcore.store.models import WhatIfScenario
    return WhatIfScenario


def check_scenario(scenario: Scenario) -> Scenario:
    """Name, month, changes and points of a scenario, all checked (InputError)."""
    program = _program(scenario.program)
    problems = []
    name = (scenario.name or "").strip()
    if not name:
        problems.append(Problem("请填写方案名称", column="名称"))
    elif len(name) > NAME_MAX:
        problems.append(Problem(f"名称不能超过{NAME_MAX}个字", column="名称"))
    if not isinstance(scenario.period, str) or not PERIOD_RE.match(scenario.period):
        problems.append(Problem(f"月份“{scenario.period}”格式应为 YYYY-MM", column="月份"))
    if problems:
        raise InputError(problems, source="模拟方案")
    changes = check_changes(program, scenario.changes)
    weights = None
    if scenario.weights is not None:
        scoring.weight_vector(scoring.rubric_of(program), scenario.weights)  # InputError naming the aspect
        weights = {k: float(v) for k, v in scenario.weights.items()}
    if changes and scenario.region is None:
        raise InputError(Problem("修改了数值但没有指定村", column="村"), source="模拟方案")
    return Scenario(name=name, program=program.id, period=scenario.period,
                    region=None if scenario.region is None else str(scenario.region),
                    changes=changes, weights=weights, note=scenario.note or "", id=scenario.id,
                    created_by=scenario.created_by, created_at=scenario.created_at, version=scenario.version)


def save_scenario(engine, scenario: Scenario, user: Principal, overwrite: bool = False) -> Scenario:
    """Save under its name (audited). An existing name is refused unless ``overwrite``,
    which updates it with the version read (a concurrent change raises StaleWriteError)."""
    from ruralcore.store import db, write

    sc = check_scenario(scenario)
    existing = _find(engine, sc.program, sc.name)
    model = _table()
    if existing is not None:
        if not overwrite:
            raise InputError(Problem(f"已有同名的模拟方案“{sc.name}”，请换一个名称或选择覆盖", column="名称"),
                             source="模拟方案")
        expected = sc.version if sc.version is not None and sc.id == existing.id else existing.version
        row = write.update(engine, model, existing.id, {"payload": sc.payload()}, expected, user)
    else:
        row = write.insert(engine, model, {"name": sc.name, "program": sc.program, "payload": sc.payload(),
                                           "created_by": require(user).name, "created_at": db.now_cst()}, user)
    return _from_row(row)


def list_scenarios(engine, program: Program | str) -> pd.DataFrame:
    """Saved scenarios of a programme, newest first: id, name, period, region, changed,
    reweighted, created_by, created_at, version."""
    program = _program(program)
    from ruralcore.store import queries

    rows = queries.rows(engine, _table(), order_by=["id"], desc=True, program=program.id)
    cols = ["id", "name", "period", "region", "changed", "reweighted", "note", "created_by", "created_at", "version"]
    out = [{"id": r["id"], "name": r["name"], "period": (r["payload"] or {}).get("period"),
            "region": (r["payload"] or {}).get("region"),
            "changed": len((r["payload"] or {}).get("changes") or {}),
            "reweighted": (r["payload"] or {}).get("weights") is not None,
            "note": (r["payload"] or {}).get("note", ""),
            "created_by": r["created_by"], "created_at": r["created_at"], "version": r["version"]} for r in rows]
    return pd.DataFrame(out, columns=cols)


def load_scenario(engine, program: Program | str, name: str) -> Scenario:
    program = _program(program)
    found = _find(engine, program.id, name)
    if found is None:
        raise InputError(Problem(f"没有名为“{name}”的模拟方案", column="名称"), source="模拟方案")
    return found


def delete_scenario(engine, program: Program | str, name: str, user: Principal) -> None:
    from ruralcore.store import write

    sc = load_scenario(engine, program, name)
    write.delete(engine, _table(), sc.id, sc.version, user)


def _find(engine, program_id: str, name: str) -> Scenario | None:
    from ruralcore.store import queries

    r = queries.first(engine, _table(), order_by=["id"], program=program_id, name=name.strip())
    return None if r is None else _from_row(r)


def _from_row(r) -> Scenario:
    get = (lambda k: r[k]) if isinstance(r, Mapping) else (lambda k: getattr(r, k))
    p = get("payload") or {}
    w = p.get("weights")
    return Scenario(name=get("name"), program=get("program"), period=p.get("period"), region=p.get("region"),
                    changes={k: float(v) for k, v in (p.get("changes") or {}).items()},
                    weights=None if w is None else {k: float(v) for k, v in w.items()},
                    note=p.get("note", ""), id=get("id"), created_by=get("created_by"),
                    created_at=get("created_at"), version=get("version"))


def _program(program: Program | str) -> Program:
    return load_program(program) if isinstance(program, str) else program
