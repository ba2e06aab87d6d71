"""Acceptance cases on each document's own path, and their working-day deadlines.

The path is the programme file's ``acceptance`` workflow. 融水 七(三)3: completion →
application (within ``apply_within_workdays``) → 初检 (within ``inspect_within_workdays``
of the application) → failed: rectification notice with a time limit → 复检 (within
``reinspect_within_workdays`` of the rectification, an assumed setting); passed →
市级验收认定. 忻州 三(六): completion → 县级政府组织相关部门或第三方评估验收 → passed:
accepted, the result reported to the city (no application, no city step). Limits come
from the programme's settings; working days from the official calendar (ruralcore.rules.workdays).

A cases frame holds the latest state of each case, one row per case:
``case``, ``completed``, ``applied``, ``inspected`` (latest inspection), ``result``
(latest result: passed/failed), ``rectify_due`` (explicit date on the notice, optional),
``rectified`` (rectification reported after the latest failed inspection), ``city_accepted``.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ruralcore.rules import workdays
from ruralcore.kernel.errors import InputError, Problem
from ruralcore.rules.programs import ASSUMED_LABEL, Program, all_programs

# The states and events of every path; which of them a programme's path has, and what they
# are called there, comes from its ``acceptance`` workflow (programs.AcceptanceWorkflow).
STEP_CODES = ["apply", "inspect", "rectify", "reinspect", "city_acceptance", "done"]
DATE_COLUMNS = ["completed", "applied", "inspected", "rectify_due", "rectified", "city_accepted"]

# the full state machine (融水 七(三)3): state → {event: next state}
TRANSITIONS = {
    "built": {"apply": "applied"},
    "applied": {"pass": "passed", "fail": "rectifying"},
    "rectifying": {"rectified": "reinspecting"},
    "reinspecting": {"pass": "passed", "fail": "rectifying"},
    "passed": {"city_accept": "accepted"},
    "accepted": {},
}
# neutral names of the state codes, for a listing across programmes (the audit log); a page
# of one programme names them as its path does (state_names)
STATE_NAMES = {"built": "已建成", "applied": "已申请验收", "rectifying": "整改中",
               "reinspecting": "待复检", "passed": "检查合格，待下一级验收", "accepted": "已验收"}


def workflow(program: Program):
    """The programme's own acceptance path (its file's ``acceptance``); a Chinese error
    when the file declares none."""
    wf = program.acceptance
    if wf is None:
        raise InputError(Problem(f"方案“{program.meta.short_title}”的文件未规定验收流程", column="方案"), source="验收")
    return wf


def transitions(program: Program) -> dict[str, dict[str, str]]:
    """The state machine of the programme's path: without an application step a built
    subject is inspected directly; without a final step a passing inspection accepts."""
    wf = workflow(program)
    out = {k: dict(v) for k, v in TRANSITIONS.items()}
    if wf.application is None:
        out["built"] = dict(out["applied"])
        del out["applied"]
    if wf.final is None:
        for s in out.values():
            s.update({e: "accepted" for e, nxt in s.items() if nxt == "passed"})
        del out["passed"]
    return out


def next_step(program: Program, state: str) -> str | None:
    """What may be recorded next on a case in ``state`` on the programme's path (its
    transitions): "apply" (申请验收), "inspect" (检查, passing or failing), "rectified"
    (整改完成), "final" (the final acceptance step), or None when the case is settled."""
    events = transitions(program).get(state, {})
    for event, step in (("pass", "inspect"), ("apply", "apply"), ("rectified", "rectified"), ("city_accept", "final")):
        if event in events:
            return step
    return None


def state_names(program: Program) -> dict[str, str]:
    """The states of the programme's path, in order, with their names there."""
    wf = workflow(program)
    ins, re_ = wf.inspection.name, wf.reinspection.name
    names = {"built": "已建成", "applied": "已申请验收", "rectifying": "整改中", "reinspecting": f"待{re_}",
             "passed": f"{ins}合格，待{wf.final.name}" if wf.final else "",
             "accepted": f"已{wf.final.name}" if wf.final else "已验收" + (f"（{wf.report_to}）" if wf.report_to else "")}
    return {k: v for k, v in names.items() if k in transitions(program) or k == "accepted"}


def step_names(program: Program) -> dict[str, str]:
    """The steps of the programme's path with their names there (apply / inspect / rectify /
    reinspect / city_acceptance / done; a step its path lacks is left out)."""
    wf = workflow(program)
    out = {"apply": wf.application.name if wf.application else None, "inspect": wf.inspection.name,
           "rectify": wf.rectification.name, "reinspect": wf.reinspection.name,
           "city_acceptance": wf.final.name if wf.final else None, "done": "已验收"}
    return {k: v for k, v in out.items() if v}


def event_names(program: Program) -> dict[str, str]:
    wf = workflow(program)
    out = {"apply": wf.application.name if wf.application else None, "pass": f"{wf.inspection.name}合格",
           "fail": f"{wf.inspection.name}不合格", "rectified": "整改完成", "city_accept": wf.final.name if wf.final else None}
    return {k: v for k, v in out.items() if v}


def transition(program: Program, state: str, event: str, failures: pd.DataFrame | list | None = None) -> str:
    """The next state on the programme's path, or a Chinese error. A pass cannot be
    recorded while any required item fails (``failures``: rows from
    stations.station_failures, or (name, ref) pairs)."""
    table, names, events = transitions(program), state_names(program), event_names(program)
    if state not in table:
        raise InputError(Problem(f"未知的验收状态“{state}”", column="状态"))
    allowed = table[state]
    if event not in allowed:
        ok = "、".join(events.get(e, e) for e in allowed) or "（无，流程已结束）"
        raise InputError(Problem(
            f"当前状态为“{names[state]}”，不能记录“{events.get(event, event)}”；可记录：{ok}",
            column="事件"))
    if event == "pass" and failures is not None and len(failures):
        if isinstance(failures, pd.DataFrame):
            pairs = list(zip(failures["name"], failures["ref"]))
        else:
            pairs = [tuple(f) for f in failures]
        raise InputError([Problem(f"必备项“{n}”（{r}）不合格，不能记为验收合格", column="检查结果") for n, r in pairs],
                         source="验收")
    return allowed[event]


LIMIT_STEPS = ("apply", "inspect", "rectify", "reinspect")
LIMIT_WORDS = {"apply": "完成后{n}个工作日内申请验收", "inspect": "收到申请后{n}个工作日内安排初检",
               "rectify": "整改时限以整改通知书为准，未写明时按{n}个工作日",
               "reinspect": "整改完成后{n}个工作日内安排复检"}


def _limits(program: Program) -> dict[str, int]:
    return {k: int(program.setting(f"{k}_within_workdays")) for k in LIMIT_STEPS}


def limits_text(program: Program) -> str:
    """The working-day limit of each step in words, each with its clause, and where the
    document gives none the system-default label and reason (pages, CLI)."""
    parts = []
    for k in LIMIT_STEPS:
        s = next(x for x in program.settings if x.code == f"{k}_within_workdays")
        why = f"（{ASSUMED_LABEL}：{s.assumed}）" if s.assumed else f"（{s.ref}）"
        parts.append(LIMIT_WORDS[k].format(n=int(s.value)) + why)
    return "；".join(parts)


def _dates(df: pd.DataFrame, col: str) -> pd.Series:
    if col not in df.columns:
        return pd.Series(pd.NaT, index=df.index, dtype="datetime64[s]")
    try:
        return pd.to_datetime(df[col]).astype("datetime64[s]")
    except (ValueError, TypeError):
        for i, v in enumerate(df[col]):
            try:
                pd.to_datetime(v)
            except (ValueError, TypeError):
                raise InputError(Problem(f"日期“{v}”格式不对，应为 YYYY-MM-DD", row=i + 1, column=col), source="验收") from None
        raise


def _add(base: pd.Series, n: int, mask: np.ndarray) -> np.ndarray:
    out = np.full(len(base), np.datetime64("NaT"), dtype="datetime64[D]")
    m = mask & base.notna().to_numpy()
    if m.any():
        out[m] = workdays.add_workdays(base.to_numpy()[m].astype("datetime64[D]"), n)
    return out


def case_status(program: Program, cases: pd.DataFrame, as_of) -> pd.DataFrame:
    """The cases with their current step, due date of that step, working days left
    (negative: overdue) and overdue flag added. Sorted with overdue cases first, then by
    due date; cases with no deadline (awaiting city acceptance, done) last."""
    cases = cases.reset_index(drop=True)
    lim = _limits(program)
    d = {c: _dates(cases, c) for c in DATE_COLUMNS}
    result = cases["result"].astype("string") if "result" in cases.columns else pd.Series(pd.NA, index=cases.index, dtype="string")
    bad = result.notna() & ~result.isin(["passed", "failed"])
    if bad.any():
        rows = np.flatnonzero(bad.to_numpy())
        raise InputError([Problem(f"检查结果“{result.iloc[i]}”无效，应为 passed 或 failed", row=int(i) + 1, column="result")
                          for i in rows], source="验收")
    missing = d["completed"].isna()
    if missing.any():
        rows = np.flatnonzero(missing.to_numpy())
        raise InputError([Problem("缺少建成日期", row=int(i) + 1, column="completed") for i in rows], source="验收")

    wf = workflow(program)
    if wf.application is None:  # no application on this path: the inspection counts from completion
        d["applied"] = d["completed"]
    applied, inspected = d["applied"].notna(), d["inspected"].notna()
    if wf.final is None:  # no step after a passing inspection: passed is accepted
        d["city_accepted"] = d["city_accepted"].where(d["city_accepted"].notna(), d["inspected"])
    failed, passed = (result == "failed").fillna(False), (result == "passed").fillna(False)
    rectified, accepted = d["rectified"].notna(), d["city_accepted"].notna()
    conds = [
        ~applied,
        applied & ~inspected,
        inspected & failed & ~rectified,
        inspected & failed & rectified,
        inspected & passed & ~accepted,
        inspected & passed & accepted,
    ]
    steps = ["apply", "inspect", "rectify", "reinspect", "city_acceptance", "done"]
    conds_np = [c.to_numpy(dtype=bool) for c in conds]
    step = np.select(conds_np, steps, default="inspect")

    due = np.full(len(cases), np.datetime64("NaT"), dtype="datetime64[D]")
    due = np.where(step == "apply", _add(d["completed"], lim["apply"], step == "apply"), due)
    due = np.where(step == "inspect", _add(d["applied"], lim["inspect"], step == "inspect"), due)
    explicit = d["rectify_due"].to_numpy().astype("datetime64[D]")
    by_default = _add(d["inspected"], lim["rectify"], step == "rectify")
    due = np.where(step == "rectify", np.where(np.isnat(explicit), by_default, explicit), due)
    # re-inspection: the document gives no limit; the programme's assumed setting does
    due = np.where(step == "reinspect", _add(d["rectified"], lim["reinspect"], step == "reinspect"), due)

    as_of = np.datetime64(pd.Timestamp(as_of).date(), "D")
    has_due = ~np.isnat(due)
    left = np.full(len(cases), np.nan)
    if has_due.any():
        left[has_due] = workdays.count_workdays(np.full(has_due.sum(), as_of), due[has_due])
    status = pd.DataFrame({
        "step": step,
        "step_name": pd.Series(step).map(step_names(program)),
        "due": pd.Series(due).dt.date,
        "workdays_left": pd.array(np.where(has_due, left, np.nan), dtype="Int64"),
        "overdue": has_due & (due < as_of),
    })
    out = pd.concat([cases.drop(columns=[c for c in status.columns if c in cases.columns]), status], axis=1)
    if "case" not in out.columns:
        out.insert(0, "case", np.arange(1, len(out) + 1))
    out = out.sort_values(["overdue", "due"], ascending=[False, True], na_position="last", kind="stable")
    return out.reset_index(drop=True)


def acceptance_due_dates(program: Program, completed) -> dict[str, dt.date]:
    """Latest application date and latest inspection date for a completion date, when the
    application is made on its last allowed day."""
    lim = _limits(program)
    apply = workdays.add_workdays(completed, lim["apply"])
    return {"apply": apply, "inspect": workdays.add_workdays(apply, lim["inspect"])}


def path_rows(program: Program) -> list[dict]:
    """The programme's acceptance path as rows (stage, name, by, ref, assumed) for
    `ruralcore show` and 政策文件与规则; empty when the file declares none."""
    wf = program.acceptance
    if wf is None:
        return []
    rows = []
    for stage, step in (("申请", wf.application), ("检查", wf.inspection), ("不合格时", wf.rectification),
                        ("整改后", wf.reinspection), ("检查合格后", wf.final)):
        if step is not None:
            rows.append({"stage": stage, "name": step.name, "by": step.by, "ref": step.ref, "assumed": step.assumed})
    if wf.final is None:
        rows.append({"stage": "检查合格后", "name": "验收通过（无上一级验收环节）", "by": wf.inspection.by, "ref": wf.ref,
                     "assumed": wf.assumed})
    if wf.report_to:
        rows.append({"stage": "结果", "name": wf.report_to, "by": (wf.final or wf.inspection).by, "ref": wf.ref,
                     "assumed": wf.assumed})
    return rows


# ---- which programmes accept what --------------------------------------------------------

def subject_type_of(program: Program) -> str | None:
    """What the programme accepts: stations (融水), pilots (忻州), villages scored by a
    rubric (花垣); None when it defines no acceptance checklist."""
    if any(cl.subject.startswith("station") for cl in program.checklists):
        return "station"
    if any(cl.subject.endswith("pilot") for cl in program.checklists):
        return "pilot"
    if program.rubric is not None:
        return "village"
    return None


def acceptance_programs() -> list[str]:
    return [p.id for p in all_programs() if subject_type_of(p)]
