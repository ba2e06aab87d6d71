"""Acceptance cases in the store: open a case, record each step, list a county's cases.

Each programme's own path (its file's ``acceptance``; ruralcore.rules.acceptance): 融水 七(三)3
completion → application → 初检 with the checklist → failed: rectification notice
(整改通知书) with its time limit → rectified → 复检 → passed → 市级验收认定; 忻州 三(六)
completion → 县级评估验收 → passed: accepted, result reported to the city. The state
machine and the working-day deadlines are ruralcore.rules.acceptance's; the checklist is
ruralcore.app.checklists'.

Every step is one transaction: the case row is updated with the version the user read
(a stale version is refused with StaleWriteError and nothing is written), the checklist
items and fund entries are written in the same transaction, all through
ruralcore.store.write, so every change is in the audit log with the acting user.

For a station of a programme that subsidises after acceptance (先建后补, 融水 七(三)1),
city acceptance makes the subsidy payable and settles any advance
(funding.settle_subsidies); the resulting fund entries are written with the case.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import sqlalchemy as sa

from ruralcore.kernel.principal import Principal
from ruralcore.rules import acceptance, workdays
from ruralcore.app import checklists, funding
from ruralcore.auth import scope
from ruralcore.rules.acceptance import acceptance_programs, subject_type_of  # noqa: F401 (re-exported)
from ruralcore.kernel.errors import InputError, Problem
from ruralcore.rules.programs import Program, load_program
from ruralcore.store import cases as stored_cases
from ruralcore.store import queries, write
from ruralcore.store.models import AcceptanceCase, AcceptanceItem, FundEntry, Pilot, Region, Station

SUBJECT_TYPES = {"station": "益农信息社", "pilot": "试点", "village": "行政村"}
RESULT_NAMES = {"passed": "合格", "failed": "不合格"}
# the state → step used when a programme sets no time limits (built: apply, or inspect on a
# path without an application)
STATE_STEP = {"built": "apply", "applied": "inspect", "rectifying": "rectify", "reinspecting": "reinspect",
              "passed": "city_acceptance", "accepted": "done"}


def _state_step(program: Program) -> dict[str, str]:
    wf = acceptance.workflow(program)
    return {**STATE_STEP, "built": "apply" if wf.application else "inspect"}
REASON_SEP = "；不合格原因："  # value and reason in acceptance_items.note
CASES = AcceptanceCase.__table__
ITEMS = AcceptanceItem.__table__


# ---------------------------------------------------------------------------
# reading
def get_case(engine: sa.Engine | sa.Connection, case_id: int) -> dict:
    """One case as a dict (with ``version``, the one to send back with the next step)."""
    row = queries.first(engine, CASES, id=int(case_id))
    if row is None:
        raise InputError(Problem(f"找不到验收案件 {case_id}", column="案件编号"), source="验收")
    return dict(row)


def case_items(engine: sa.Engine, case_id: int) -> pd.DataFrame:
    """The recorded checklist results of a case (item, result, note, version)."""
    return queries.frame(engine, ITEMS, columns=["id", "item", "result", "note", "version"], order_by=["id"],
                         case_id=int(case_id))


def has_limits(program: Program) -> bool:
    """Whether the programme sets the working-day limits of the acceptance steps."""
    codes = {s.code for s in program.settings}
    return {f"{k}_within_workdays" for k in acceptance.LIMIT_STEPS} <= codes


def status_frame(program: Program, cases: pd.DataFrame, as_of) -> pd.DataFrame:
    """Store rows of acceptance_cases → acceptance.case_status (step, due, working days
    left, overdue; overdue first). Without limits in the programme: step from the state,
    only the notice's rectification date as a deadline."""
    frame = pd.DataFrame({
        "case": cases["id"].to_numpy(),
        "completed": cases["completed_on"], "applied": cases["applied_on"],
        # the latest inspection: the re-inspection when there was one
        "inspected": cases["reinspected_on"].where(cases["reinspected_on"].notna(), cases["inspected_on"]),
        "result": cases["result"].replace("", pd.NA).astype("string"),
        "rectify_due": cases["rectify_due"], "rectified": cases["rectified_on"],
        "city_accepted": cases["city_accepted_on"],
    })
    if has_limits(program):
        return acceptance.case_status(program, frame, as_of)
    step = cases["state"].map(_state_step(program)).fillna("inspect").to_numpy()
    due = pd.to_datetime(frame["rectify_due"]).where(step == "rectify")
    as_of_d = np.datetime64(pd.Timestamp(as_of).date(), "D")
    left = pd.Series(pd.NA, index=frame.index, dtype="Int64")
    has = due.notna().to_numpy()
    if has.any():
        left[has] = workdays.count_workdays(np.full(has.sum(), as_of_d), due[has].to_numpy().astype("datetime64[D]"))
    out = frame.assign(step=step, step_name=pd.Series(step).map(acceptance.step_names(program)).to_numpy(),
                       due=due.dt.date, workdays_left=left,
                       overdue=has & (due.to_numpy().astype("datetime64[D]") < as_of_d))
    return out.sort_values(["overdue", "due"], ascending=[False, True], na_position="last",
                           kind="stable").reset_index(drop=True)


def step_deadlines(program: Program, case: dict, as_of) -> pd.DataFrame:
    """Each step the case has reached: when it was due (acceptance.case_status on the case
    as it stood at that step, on the official calendar), when it was done, and the
    working days left (negative: overdue) for the step still open."""
    wf = acceptance.workflow(program)
    stages = [("apply", {}, case.get("applied_on"))] if wf.application else []
    applied = case.get("applied_on") if wf.application else case.get("completed_on")
    stages.append(("inspect", {"applied": applied}, case.get("inspected_on")))
    if case.get("rectify_notice_on"):
        notice = {"applied": applied, "inspected": case.get("rectify_notice_on"),
                  "result": "failed", "rectify_due": case.get("rectify_due")}
        stages.append(("rectify", notice, case.get("rectified_on")))
        if case.get("rectified_on"):
            stages.append(("reinspect", {**notice, "rectified": case.get("rectified_on")}, case.get("reinspected_on")))
    passed = case.get("result") == "passed"
    rows = []
    for step, known, done in stages:
        if known and any(v is None for k, v in known.items() if k != "rectify_due"):
            break
        rows.append({"completed": case.get("completed_on"), **known, "done": done})
    frame = pd.DataFrame(rows, columns=["completed", "applied", "inspected", "result", "rectify_due", "rectified",
                                        "done"])
    frame["result"] = frame["result"].astype("string")
    if has_limits(program):
        st = acceptance.case_status(program, frame.drop(columns="done").assign(case=range(len(frame))), as_of)
        st = st.sort_values("case").reset_index(drop=True)
    else:
        steps = [s for s, _, _ in stages][: len(frame)]
        st = pd.DataFrame({"step": steps, "due": [case.get("rectify_due") if s == "rectify" else None for s in steps],
                           "workdays_left": pd.array([pd.NA] * len(steps), dtype="Int64")})
    names = acceptance.step_names(program)
    out = pd.DataFrame({"step": st["step"], "step_name": st["step"].map(names),
                        "due": st["due"], "done": frame["done"].to_numpy()})
    open_ = out["done"].isna()
    out["workdays_left"] = st["workdays_left"].where(open_.to_numpy(), pd.NA)
    due = pd.to_datetime(out["due"])
    done = pd.to_datetime(out["done"])
    out["late"] = (done > due).fillna(False).astype(bool)
    city = {"step": "city_acceptance", "step_name": names.get("city_acceptance"), "due": None,
            "done": case.get("city_accepted_on"), "workdays_left": pd.NA, "late": False}
    if wf.final is not None and (passed or case.get("city_accepted_on")):
        out = pd.concat([out, pd.DataFrame([city])], ignore_index=True)
    return out


def openable_subjects(engine: sa.Engine, program: Program | str, writer=None) -> pd.DataFrame:
    """Subjects of the programme without a case: subject_type, subject,
    subject_name, completed (the completion date the store knows, if any). With a
    ``writer`` (a scope.Actor), only the subjects it may open a case for (none for a role
    that writes no acceptance cases)."""
    program = load_program(program) if isinstance(program, str) else program
    subj = _subjects(engine, program.id)
    built = {r["number"]: r["built_on"]
             for r in queries.rows(engine, Station, columns=["number", "built_on"], program=program.id)}
    built.update({r["code"]: r["completion_on"]
                  for r in queries.rows(engine, Pilot, columns=["code", "completion_on"], program=program.id)})
    busy = set(queries.column(engine, CASES, "subject", program=program.id))
    want = subject_type_of(program)
    out = subj[(subj["subject_type"] == want) & ~subj["subject"].isin(busy)].copy()
    if want == "village":
        out = out[out["subject"].isin(_program_regions(engine, program.id))]
    out["completed"] = out["subject"].map(built)
    if scope.is_actor(writer) and len(out):
        with engine.connect() as c:
            codes = scope.row_regions(c, "acceptance_cases", out)
            out = out[scope.can_write(writer, "acceptance_cases", codes, scope.region_tree(c))]
    return out.reset_index(drop=True)


def _readable(engine: sa.Engine, cases: pd.DataFrame, viewer) -> pd.DataFrame:
    """The cases whose subject's region ``viewer`` reads (all of them for no viewer, the
    system principal, or the auditor)."""
    if not scope.is_actor(viewer) or cases.empty:
        return cases
    with engine.connect() as c:
        seen = scope.visible_regions(viewer, c)
        if seen is None:
            return cases
        codes = scope.row_regions(c, "acceptance_cases", cases)
    return cases[codes.isin(list(seen)).to_numpy()]


def may_record(engine: sa.Engine, user, case: dict) -> bool:
    """Whether ``user`` may record the next step of ``case`` (the system principal: always)."""
    if not scope.is_actor(user):
        return True
    with engine.connect() as c:
        code = scope.row_regions(c, "acceptance_cases", pd.DataFrame([case]))
        return bool(scope.can_write(user, "acceptance_cases", code, scope.region_tree(c))[0])


def _program_regions(engine: sa.Engine, program: str) -> set:
    return set(queries.column(engine, Region, "code", program=program))


def _load_cases(engine: sa.Engine, program: str) -> pd.DataFrame:
    cols = [c.name for c in CASES.columns]
    df = queries.frame(engine, CASES, order_by=["id"], program=program)
    return df.astype({c: object for c in cols if c.endswith(("_on", "_due"))})


def _subjects(engine: sa.Engine, program: str) -> pd.DataFrame:
    """subject_type, subject → name and county code, for every kind of subject."""
    regions = queries.frame(engine, Region, columns=["code", "name", "level", "parent"])
    stations = queries.frame(engine, Station, columns=["number", "village", "township", "type"],
                             program=program).rename(columns={"number": "subject"})
    pilots = queries.frame(engine, Pilot, columns=["code", "name", "county"],
                           program=program).rename(columns={"code": "subject"})
    parent = regions.set_index("code")["parent"]
    level = regions.set_index("code")["level"]
    names = regions.set_index("code")["name"]

    def county_of(codes: pd.Series) -> pd.Series:
        cur = codes.astype(object)
        for _ in range(4):  # village → township → county: a few steps up the tree
            up = (cur.map(level) != "county") & cur.map(parent).notna() & (cur.map(parent) != "")
            cur = cur.where(~up, cur.map(parent))
        return cur.where(cur.map(level) == "county")

    st_f = pd.DataFrame({"subject_type": "station", "subject": stations["subject"],
                         "subject_name": stations["village"].astype(str) + "（" + stations["type"].map({"standard": "标准站", "professional": "专业站",
                                                       "simple": "简易站"}).fillna("") + "）",
                         "county": county_of(stations["township"])})
    pi_f = pd.DataFrame({"subject_type": "pilot", "subject": pilots["subject"], "subject_name": pilots["name"],
                         "county": pilots["county"]})
    vi = regions[regions["level"] == "village"]
    vi_f = pd.DataFrame({"subject_type": "village", "subject": vi["code"], "subject_name": vi["name"],
                         "county": county_of(vi["code"])})
    out = pd.concat([st_f, pi_f, vi_f], ignore_index=True)
    out["county_name"] = out["county"].map(names).fillna("")
    return out


def list_cases(engine: sa.Engine, program: Program | str, as_of, county: str | None = None,
               state: str | None = None, viewer=None) -> pd.DataFrame:
    """A programme's cases (optionally of one county and/or state) with their subject,
    state, current step, due date on the official calendar, working days left and
    overdue flag; overdue first, then by due date. With a ``viewer`` (a scope.Actor),
    only the cases whose subject lies in a region it reads."""
    program = load_program(program) if isinstance(program, str) else program
    cases = _readable(engine, _load_cases(engine, program.id), viewer)
    if cases.empty:
        return pd.DataFrame(columns=["case", "subject_type", "subject", "subject_name", "county", "county_name",
                                     "state", "state_name", "step", "step_name", "due", "workdays_left", "overdue",
                                     "version"])
    subj = _subjects(engine, program.id)
    cases = cases.merge(subj, on=["subject_type", "subject"], how="left")
    if county:
        cases = cases[cases["county"] == county]
    if state:
        cases = cases[cases["state"] == state]
    cases = cases.reset_index(drop=True)
    status = status_frame(program, cases, as_of)
    keep = ["id", "subject_type", "subject", "subject_name", "county", "county_name", "state", "inspectors",
            "rectify_notice_on", "version"]
    out = status.merge(cases[keep].rename(columns={"id": "case"}), on="case", how="left")
    out["state_name"] = out["state"].map(acceptance.state_names(program)).fillna(out["state"])
    return out


# ---------------------------------------------------------------------------
# writing
def _date(value, column: str) -> dt.date:
    try:
        d = pd.Timestamp(value).date()
    except (ValueError, TypeError):
        raise InputError(Problem(f"日期“{value}”格式不对，应为 YYYY-MM-DD", column=column), source="验收") from None
    workdays.is_workday(d)  # a date the official calendar does not know is refused here
    return d


def _not_before(d: dt.date, earlier, column: str, earlier_name: str) -> None:
    if earlier is not None and not pd.isna(earlier) and d < pd.Timestamp(earlier).date():
        raise InputError(Problem(f"{column}{d.isoformat()}早于{earlier_name}{pd.Timestamp(earlier).date().isoformat()}",
                                 column=column), source="验收")


def open_case(engine: sa.Engine, program: Program | str, subject_type: str, subject: str, completed_on, user: Principal,
              inspectors: str = "") -> dict:
    """A new case for a completed subject (state 已建成)."""
    program = load_program(program) if isinstance(program, str) else program
    if subject_type not in SUBJECT_TYPES:
        raise InputError(Problem(f"验收对象类型“{subject_type}”无效，应为 station、pilot 或 village",
                                 column="对象类型"), source="验收")
    d = _date(completed_on, "建成日期")
    table, key = {"station": (Station.__table__, "number"), "pilot": (Pilot.__table__, "code"),
                  "village": (Region.__table__, "code")}[subject_type]
    with engine.begin() as conn:
        if queries.first(conn, table, columns=[key], **{key: subject}) is None:
            raise InputError(Problem(f"找不到{SUBJECT_TYPES[subject_type]}“{subject}”", column="验收对象"), source="验收")
        open_ = stored_cases.open_case_id(conn, program.id, subject_type, subject)
        if open_ is not None:
            raise InputError(Problem(f"“{subject}”已有未办结的验收案件 {open_}", column="验收对象"), source="验收")
        obj = write.insert(conn, AcceptanceCase, {
            "program": program.id, "subject_type": subject_type, "subject": subject, "state": "built",
            "completed_on": d, "inspectors": inspectors}, user)
        return get_case(conn, obj.id)


def _read(conn: sa.Connection, case_id: int, expected_version: int, user: Principal) -> dict:
    """The case as the user saw it: a moved version is refused (StaleWriteError) before
    anything else is checked, so a stale screen never reports a misleading rule error."""
    case = get_case(conn, case_id)
    if case["version"] != expected_version:
        # the store's update names who changed it and when, and writes nothing
        write.update(conn, AcceptanceCase, case_id, {"state": case["state"]}, expected_version, user)
    return case


def _step(conn: sa.Connection, case_id: int, event: str, expected_version: int, user: Principal,
          changes: dict, failures=None) -> dict:
    """Move the case by ``event`` (refused by acceptance.transition when not allowed)."""
    case = get_case(conn, case_id)
    new_state = acceptance.transition(load_program(case["program"]), case["state"] or "built", event, failures)
    write.update(conn, AcceptanceCase, case_id, {**changes, "state": new_state}, expected_version, user)
    return case


def _dated_step(engine: sa.Engine, case_id: int, on, user: Principal, expected_version: int, *, event: str,
                field: str, word: str, after: str, after_word: str) -> dict:
    """A step that records only its date ``field`` (named ``word``), not before the case's
    ``after`` date (named ``after_word``)."""
    d = _date(on, word)
    with engine.begin() as conn:
        case = _read(conn, case_id, expected_version, user)
        _not_before(d, case[after], word, after_word)
        _step(conn, case_id, event, expected_version, user, {field: d})
        return get_case(conn, case_id)


def record_application(engine: sa.Engine, case_id: int, on, user: Principal, expected_version: int) -> dict:
    """申请验收 on ``on``."""
    return _dated_step(engine, case_id, on, user, expected_version, event="apply", field="applied_on",
                       word="申请日期", after="completed_on", after_word="建成日期")


def default_rectify_due(program: Program, inspected_on) -> dt.date | None:
    """The notice's time limit when the inspector gives none (the programme's setting)."""
    if not has_limits(program):
        return None
    return workdays.add_workdays(_date(inspected_on, "检查日期"), int(program.setting("rectify_within_workdays")))


def record_inspection(engine: sa.Engine, case_id: int, on, checklist: pd.DataFrame, outcome: str, user: Principal,
                      expected_version: int, inspectors: str | None = None, rectify_due=None,
                      conclusion: str | None = None) -> dict:
    """初检 (state 已申请验收) or 复检 (state 待复检) with its checklist results.

    ``outcome`` "pass" is refused while a required item fails (acceptance.transition);
    "fail" issues the rectification notice (整改通知书) with ``rectify_due`` (default: the
    programme's rectify_within_workdays working days after the inspection).
    """
    if outcome not in ("pass", "fail"):
        raise InputError(Problem(f"检查结论“{outcome}”无效，应为 pass（合格）或 fail（不合格）", column="检查结论"),
                         source="验收")
    d = _date(on, "检查日期")
    fails = checklists.failures(checklist)
    with engine.begin() as conn:
        case = _read(conn, case_id, expected_version, user)
        program = load_program(case["program"])
        wf = acceptance.workflow(program)
        re_inspect = case["state"] == "reinspecting"
        kind = wf.reinspection.name if re_inspect else wf.inspection.name
        if re_inspect:
            _not_before(d, case["rectified_on"], "检查日期", "整改完成日期")
        elif wf.application:
            _not_before(d, case["applied_on"], "检查日期", "申请日期")
        else:
            _not_before(d, case["completed_on"], "检查日期", "建成日期")
        changes: dict = {"reinspected_on" if re_inspect else "inspected_on": d,
                         "result": "passed" if outcome == "pass" else "failed"}
        if inspectors is not None:
            changes["inspectors"] = inspectors
        if outcome == "fail":
            due = _date(rectify_due, "整改期限") if rectify_due is not None else default_rectify_due(program, d)
            if due is not None:
                _not_before(due, d, "整改期限", "检查日期")
            reasons = "；".join(fails["name"] + "：" + fails["reason"]) if len(fails) else "见检查表"
            changes.update(rectify_notice_on=d, rectify_due=due, rectified_on=None,
                           conclusion=conclusion or f"{kind}不合格，限期整改：{reasons}")
        elif wf.final is not None:
            changes["conclusion"] = conclusion or f"{kind}合格，报请{wf.final.name}（{wf.final.by}）"
        else:  # the passing inspection is the acceptance (忻州 三(六))
            changes["conclusion"] = conclusion or f"{kind}合格，验收通过" + (f"；{wf.report_to}" if wf.report_to else "")
            changes["city_accepted_on"] = d
        _step(conn, case_id, outcome, expected_version, user, changes, fails[["name", "ref"]] if outcome == "pass" else None)
        _write_items(conn, case_id, checklist, user)
        if outcome == "pass" and wf.final is None and case["subject_type"] == "pilot":
            _mark_pilot_accepted(conn, case["subject"], d, user)
        return get_case(conn, case_id)


def _write_items(conn: sa.Connection, case_id: int, checklist: pd.DataFrame, user: Principal) -> None:
    """Upsert the checklist's results as acceptance_items (a loop over ~30 items of one case)."""
    have = {r["item"]: (r["id"], r["version"])
            for r in queries.rows(conn, ITEMS, columns=["id", "item", "version"], case_id=case_id)}
    note = checklist["value"] + checklist["reason"].where(checklist["reason"] == "", REASON_SEP + checklist["reason"])
    for item, result, text in zip(checklist["item"], checklist["result"], note):
        values = {"result": result, "note": text}
        if item in have:
            write.update(conn, AcceptanceItem, have[item][0], values, have[item][1], user)
        else:
            write.insert(conn, AcceptanceItem, {"case_id": case_id, "item": item, **values}, user)


def record_rectified(engine: sa.Engine, case_id: int, on, user: Principal, expected_version: int) -> dict:
    """整改完成 reported on ``on``: the case waits for re-inspection."""
    return _dated_step(engine, case_id, on, user, expected_version, event="rectified", field="rectified_on",
                       word="整改完成日期", after="rectify_notice_on", after_word="整改通知书日期")


def record_city_acceptance(engine: sa.Engine, case_id: int, on, user: Principal, expected_version: int) -> dict:
    """市级验收认定 on ``on``. For a subsidised station (先建后补) the subsidy becomes
    payable and any advance is settled; the fund entries are written in the same
    transaction. Returns the case with ``settlement`` (a dict, or None)."""
    d = _date(on, "验收认定日期")
    with engine.begin() as conn:
        case = _read(conn, case_id, expected_version, user)
        _not_before(d, case["reinspected_on"] or case["inspected_on"], "验收认定日期", "检查日期")
        _step(conn, case_id, "city_accept", expected_version, user, {"city_accepted_on": d})
        program = load_program(case["program"])
        settlement = None
        if case["subject_type"] == "station" and any(r.kind == "build_then_subsidise" for r in program.funding):
            settlement = _settle_station(conn, program, case["subject"], d, user)
        elif case["subject_type"] == "pilot":
            _mark_pilot_accepted(conn, case["subject"], d, user)
        out = get_case(conn, case_id)
    out["settlement"] = settlement
    return out


def _settle_station(conn: sa.Connection, program: Program, station: str, on: dt.date, user: Principal) -> dict:
    row = queries.first(conn, Station, columns=["type", "region", "township"], number=station)
    if row is None:
        raise InputError(Problem(f"找不到站点“{station}”", column="站点编号"), source="验收")
    advance = stored_cases.advance_paid(conn, program.id, station)
    s = funding.settle_subsidies(program, pd.DataFrame({
        "station": [station], "type": [row["type"]], "accepted": [True], "advance_yuan": [int(advance)]})).iloc[0]
    # declared categories of the closed list (七(一) 使用范围; 八(二) 专款专用)
    cats = {c.code: c.name for c in program.fund_categories}
    base = {"program": program.id, "station": station, "region": row["region"] or row["township"] or None,
            "kind": "settlement", "on_date": on, "source_category": "region_finance", "use_category": "stations",
            "source": cats.get("region_finance", ""), "use": cats.get("stations", "")}
    ref = program.funding_rule("build_then_subsidise").ref
    write.insert(conn, FundEntry, {**base, "amount_yuan": int(s["payable_yuan"]),
                                   "note": f"验收合格清算：补助{int(s['subsidy_yuan'])}元，已预拨{int(s['advance_yuan'])}元，"
                                           f"应拨付{int(s['payable_yuan'])}元（{ref}）"}, user)
    if int(s["recover_yuan"]) > 0:
        write.insert(conn, FundEntry, {**base, "amount_yuan": -int(s["recover_yuan"]),
                                       "note": f"预拨资金超过补助标准，收回{int(s['recover_yuan'])}元（{ref}）"}, user)
    return {k: (int(v) if k.endswith("_yuan") else v) for k, v in s.items()}


def _mark_pilot_accepted(conn: sa.Connection, pilot: str, on: dt.date, user: Principal) -> None:
    row = queries.first(conn, Pilot, columns=["version", "acceptance_on"], code=pilot)
    if row is not None and row["acceptance_on"] is None:
        write.update(conn, Pilot, pilot, {"acceptance_on": on}, row["version"], user)


def recorded_checklist(engine: sa.Engine, case: dict) -> pd.DataFrame:
    """The checklist of the case's subject with the results recorded at its latest
    inspection (items not recorded keep what the store holds now)."""
    program = load_program(case["program"])
    cl = checklists.subject_checklist(engine, program, case["subject_type"], case["subject"])
    items = case_items(engine, case["id"])
    if items.empty:
        return cl
    # items recorded under a bare equipment code (e.g. by the demo) belong to its eq_ row
    keys = set(cl["item"])
    items["item"] = items["item"].where(items["item"].isin(keys) | ~("eq_" + items["item"]).isin(keys),
                                        "eq_" + items["item"])
    rec = items.drop_duplicates("item", keep="last").set_index("item")
    parts = rec["note"].str.split(REASON_SEP, n=1, expand=True).reindex(columns=[0, 1])
    hit = cl["item"].isin(rec.index)
    keys = cl.loc[hit, "item"]
    cl.loc[hit, "result"] = keys.map(rec["result"]).to_numpy()
    cl.loc[hit, "value"] = keys.map(parts[0]).astype("string").fillna("").to_numpy()
    cl.loc[hit, "reason"] = keys.map(parts[1]).astype("string").fillna("").to_numpy()
    return cl


def case_audit(engine: sa.Engine, case_id: int) -> pd.DataFrame:
    """Audit entries of a case and of its checklist items, oldest first."""
    from ruralcore.store import audit
    log = audit.load_audit(engine)
    item_ids = case_items(engine, case_id)["id"].astype(str)
    mine = ((log["table"] == "acceptance_cases") & (log["key"] == str(case_id))) | \
           ((log["table"] == "acceptance_items") & log["key"].isin(item_ids))
    return log[mine].reset_index(drop=True)
