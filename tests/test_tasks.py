"""谭家场 三、重点任务: 20 tasks in 7 areas with their responsible units."""
import datetime as dt

import pandas as pd
import pytest

from ruralcore.kernel.errors import InputError
from ruralcore.rules.programs import load_program
from ruralcore.rules.tasks import status_by_area, status_by_responsible, task_status, tasks_frame

P = load_program("tanjiachang-2023")
D = dt.date


def test_twenty_tasks_in_seven_areas():
    t = tasks_frame(P)
    assert len(t) == 20 and t["no"].tolist() == list(range(1, 21))
    assert t.groupby("area").size().to_dict() == {"一": 2, "二": 4, "三": 2, "四": 2, "五": 3, "六": 4, "七": 3}
    by_no = t.set_index("no")
    assert by_no.loc[1, "responsible"] == ["乡党政办", "各村"]
    assert by_no.loc[9, "responsible"] == ["乡乡村振兴办", "乡社会事务综合服务中心", "乡应急管理办", "各村"]


def notes() -> pd.DataFrame:
    return pd.DataFrame({
        "no": [1, 1, 9, 3, 4],
        "date": ["2023-05-01", "2023-11-30", "2023-06-01", "2023-06-01", "2024-03-01"],
        "progress": [40, 100, 30, 0, 50],
    })


def test_states_as_of_a_date():
    st = task_status(P, notes(), D(2023, 12, 31)).set_index("no")
    assert st.loc[1, "state"] == "done"
    assert st.loc[9, "state"] == "in_progress" and st.loc[9, "progress"] == 30
    assert st.loc[3, "state"] == "not_started"  # a note with 0 % is not progress
    assert st.loc[4, "state"] == "not_started"  # its note is after the date
    assert (st["state"] != "overdue").all()
    assert st.loc[1, "state_name"] == "已完成"


def test_overdue_after_the_due_date():
    due = tasks_frame(P)["due"].max()
    after = due + dt.timedelta(days=1)
    st = task_status(P, notes(), after).set_index("no")
    assert st.loc[1, "state"] == "done"  # done stays done
    assert st.loc[9, "state"] == "overdue" and st.loc[20, "state"] == "overdue"
    assert (st["state"] == "overdue").sum() == 19


def test_grouped_by_area_and_responsible_unit():
    st = task_status(P, notes(), D(2023, 12, 31))
    area = status_by_area(st).set_index("area")
    assert area.loc["一", "done"] == 1 and area.loc["一", "total"] == 2
    assert area.loc["四", "in_progress"] == 1
    assert area["total"].sum() == 20
    unit = status_by_responsible(st).set_index("responsible")
    assert unit.loc["各村", "total"] == (tasks_frame(P)["responsible"].map(lambda r: "各村" in r)).sum()
    assert unit.loc["乡党政办", "done"] == 1  # task 1
    assert unit.loc["乡应急管理办", "in_progress"] == 1  # task 9


def test_bad_notes_name_row_and_column():
    bad = pd.DataFrame({"no": [1, 21, 2], "date": ["2023-05-01", "2023-05-01", "五月"], "progress": [120, 10, 10]})
    with pytest.raises(InputError) as e:
        task_status(P, bad, D(2023, 12, 31))
    msg = str(e.value)
    assert "第2行，“no”列" in msg and "第3行，“date”列" in msg and "第1行，“progress”列" in msg
