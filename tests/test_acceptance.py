"""融水 七(三)3 项目验收: apply within 5 working days, initial inspection within 15 working
days, rectification notice with a time limit, re-inspection, city acceptance."""
import datetime as dt

import pandas as pd
import pytest

from ruralcore.rules.acceptance import acceptance_due_dates, case_status, transition
from ruralcore.kernel.errors import InputError
from ruralcore.rules.programs import load_program
from ruralcore.rules.stations import station_failures

P = load_program("rongshui-2019")
D = dt.date


def test_limits_come_from_the_programme():
    assert P.setting("apply_within_workdays") == 5
    assert P.setting("inspect_within_workdays") == 15


def test_apply_within_5_workdays_across_national_day_2019():
    # Friday 2019-09-27 + 5 working days: Sun 09-29 is a make-up working day, 10-01…07 holidays
    st = case_status(P, pd.DataFrame({"case": ["A"], "completed": [D(2019, 9, 27)]}), D(2019, 9, 30))
    assert st["step"].iloc[0] == "apply"
    assert st["due"].iloc[0] == D(2019, 10, 10)
    assert st["workdays_left"].iloc[0] == 3  # working days after 09-30: 10-08, 10-09, 10-10
    assert not st["overdue"].iloc[0]
    assert acceptance_due_dates(P, D(2019, 9, 27))["apply"] == D(2019, 10, 10)


def test_inspection_15_workdays_across_spring_festival_2023():
    # applied Mon 2023-01-16; 01-21…27 holidays, Sat 01-28 and Sun 01-29 are working days
    cases = pd.DataFrame({"case": ["B"], "completed": [D(2023, 1, 10)], "applied": [D(2023, 1, 16)]})
    st = case_status(P, cases, D(2023, 2, 10))
    assert st["step"].iloc[0] == "inspect"
    assert st["due"].iloc[0] == D(2023, 2, 9)  # 2023-02-13 if the make-up weekend were ignored
    assert st["overdue"].iloc[0] and st["workdays_left"].iloc[0] == -1


def test_failed_inspection_rectification_default_and_explicit_limit():
    cases = pd.DataFrame({
        "case": ["default", "explicit", "reinspect"],
        "completed": [D(2019, 6, 3)] * 3,
        "applied": [D(2019, 6, 5)] * 3,
        "inspected": [D(2019, 6, 14)] * 3,
        "result": ["failed"] * 3,
        "rectify_due": [None, D(2019, 6, 28), None],
        "rectified": [None, None, D(2019, 7, 1)],
    })
    st = case_status(P, cases, D(2019, 6, 20)).set_index("case")
    n = P.setting("rectify_within_workdays")
    from ruralcore.rules.workdays import add_workdays
    assert st.loc["default", "step"] == "rectify"
    assert st.loc["default", "due"] == add_workdays(D(2019, 6, 14), n)
    assert st.loc["explicit", "due"] == D(2019, 6, 28)
    assert st.loc["reinspect", "step"] == "reinspect"
    assert st.loc["reinspect", "due"] == add_workdays(D(2019, 7, 1), 15)


def test_sorting_puts_overdue_first_then_passed_and_done():
    cases = pd.DataFrame({
        "case": ["late-later", "fine", "passed", "done", "late-earlier"],
        "completed": [D(2019, 6, 3), D(2019, 6, 20), D(2019, 5, 1), D(2019, 5, 1), D(2019, 6, 1)],
        "applied": [None, None, D(2019, 5, 6), D(2019, 5, 6), None],
        "inspected": [None, None, D(2019, 5, 20), D(2019, 5, 20), None],
        "result": [None, None, "passed", "passed", None],
        "city_accepted": [None, None, None, D(2019, 6, 1), None],
    })
    cases["township"] = ["融水镇", "和睦镇", "永乐镇", "怀宝镇", "三防镇"]
    st = case_status(P, cases, D(2019, 6, 21))
    assert st["case"].tolist()[:2] == ["late-earlier", "late-later"]
    assert st["township"].tolist()[:2] == ["三防镇", "融水镇"]  # input columns travel with their case
    assert st["overdue"].tolist() == [True, True, False, False, False]
    s = st.set_index("case")
    assert s.loc["passed", "step"] == "city_acceptance" and pd.isna(s.loc["passed", "due"])
    assert s.loc["done", "step"] == "done"


def test_bad_result_and_missing_completion_name_row_and_column():
    with pytest.raises(InputError, match="第2行.*result"):
        case_status(P, pd.DataFrame({"completed": [D(2019, 6, 3)] * 2, "applied": [D(2019, 6, 4)] * 2,
                                     "inspected": [D(2019, 6, 5)] * 2, "result": ["passed", "ok"]}), D(2019, 7, 1))
    with pytest.raises(InputError, match="第1行.*completed"):
        case_status(P, pd.DataFrame({"completed": [None]}), D(2019, 7, 1))


def test_state_machine_allowed_transitions():
    s = transition(P, "built", "apply")
    s = transition(P, s, "fail")
    assert s == "rectifying"
    s = transition(P, transition(P, s, "rectified"), "pass")
    assert transition(P, s, "city_accept") == "accepted"
    with pytest.raises(InputError, match="不能记录"):
        transition(P, "built", "pass")
    with pytest.raises(InputError, match="流程已结束"):
        transition(P, "accepted", "apply")


def test_cannot_pass_while_a_required_item_fails():
    from tests.test_stations import full_station
    row = full_station("s1", "standard")
    row["eq_info_wall"] = 0
    failures = station_failures(P, pd.DataFrame([row]))
    with pytest.raises(InputError, match="信息墙.*附件2 序号4"):
        transition(P, "applied", "pass", failures)
    assert transition(P, "applied", "fail", failures) == "rectifying"
    assert transition(P, "applied", "pass", failures.iloc[0:0]) == "passed"
