"""Demo acceptance cases of the demo county's villages (花垣, whose rubric is the village
checklist): one case in each state the document's path reaches, written through
ruralcore.app.cases like a user's (audited), so the first demo login shows 验收案件 and
验收检查 filled in. Each inspected village passes or fails by its own latest scores: a
village below the pass line is never recorded as passed."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from ruralcore.app import cases, checklists, whatif
from ruralcore.rules import scoring, workdays
from ruralcore.rules.programs import load_program
from ruralcore.auth.scope import inside, region_tree
from ruralcore.store.reports import stored_periods
from ruralcore.demo.households import DEMO_USER

PROGRAM = "huayuan-2019"
COUNTY = "433124"  # 花垣县
USER = DEMO_USER
INSPECTORS = "演示·县领导小组验收组"


def build(engine: sa.Engine, as_of: dt.date | None) -> int:
    """Cases for up to five villages of the county; returns how many were opened."""
    program = load_program(PROGRAM)
    period = (stored_periods(engine, PROGRAM) or [None])[-1]  # the newest month reported
    with engine.connect() as conn:
        tree = region_tree(conn)
    if period is None or as_of is None:
        return 0
    values = whatif.village_values(engine, program, period)
    values = values[inside(tree, values.index.to_series(), COUNTY)].sort_index()
    if values.empty:
        return 0
    ok = (scoring.score(program, values)["score"] >= scoring.rubric_of(program).pass_score).to_numpy()
    passing, failing = list(values.index[ok]), list(values.index[~ok])
    # the state each picked village reaches: a passing one passes, failing ones fail (one
    # has reported its rectification); two more have not been inspected yet
    plan = [(v, "passed") for v in passing[:1]] + [(v, s) for v, s in zip(failing, ("rectifying", "reinspecting"))]
    rest = [v for v in values.index if v not in {p for p, _ in plan}]
    plan += list(zip(rest, ("applied", "built")))
    day = lambda start, n: min(workdays.add_workdays(start, n), as_of)  # noqa: E731 — never after the data
    completed = workdays.add_workdays(as_of - dt.timedelta(days=30), 0)
    for i, (village, state) in enumerate(plan):
        done = day(completed, i)
        c = cases.open_case(engine, program, "village", village, done, USER, inspectors=INSPECTORS)
        if state == "built":
            continue
        c = cases.record_application(engine, c["id"], day(done, 3), USER, c["version"])
        if state == "applied":
            continue
        row = values.loc[village].rename(village)
        sheet = checklists.village_checklist(program, row)
        outcome = "pass" if checklists.passed(sheet) else "fail"
        inspected = day(done, 8)
        c = cases.record_inspection(engine, c["id"], inspected, sheet, outcome, USER, c["version"],
                                    inspectors=INSPECTORS,
                                    rectify_due=workdays.add_workdays(inspected, 15) if outcome == "fail" else None)
        if state == "reinspecting":
            cases.record_rectified(engine, c["id"], day(inspected, 5), USER, c["version"])
    return len(plan)
