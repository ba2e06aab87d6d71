"""Milestone status (花垣 四、五(三)): stage 1 ends 2019-03-31, stage 2 and the summary 2019-07-31."""
from __future__ import annotations

import datetime as dt

import pytest

from ruralcore.rules import milestones as ms
from ruralcore.kernel.errors import RuralcoreError
from ruralcore.rules.programs import all_programs, load_program

P = load_program("huayuan-2019")


def by_code(as_of, done=None):
    return ms.status(P, as_of, done).set_index("code")


def test_statuses_as_of_2019_03_28():
    out = by_code(dt.date(2019, 3, 28))
    assert out.loc["kickoff", "status"] == "overdue"
    assert out.loc["kickoff", "days_overdue"] == 87  # 2018-12-31 → 2019-03-28
    assert out.loc["stage1", "status"] == "due_soon" and out.loc["stage1", "days_left"] == 3
    assert out.loc["stage2", "status"] == "on_track" and out.loc["stage2", "due"] == "2019-07-31"
    assert out.loc["stage1", "ref"] == "四(二)"


def test_done_wins_over_overdue():
    out = by_code(dt.date(2019, 8, 1), done=["stage2"])
    assert out.loc["stage2", "status"] == "done" and out.loc["stage2", "days_overdue"] == 0
    assert out.loc["summary_meeting", "status"] == "overdue"
    assert out.loc["summary_meeting", "days_overdue"] == 1


def test_due_soon_boundary_is_seven_days():
    assert by_code(dt.date(2019, 7, 24)).loc["stage2", "status"] == "due_soon"
    assert by_code(dt.date(2019, 7, 23)).loc["stage2", "status"] == "on_track"
    assert by_code(dt.date(2019, 7, 31)).loc["stage2", "status"] == "due_soon"


def test_monthly_milestone_next_due_is_report_due_day():
    # report_due_day = 5 (assumed setting): the month's report is due on the 5th.
    out = by_code(dt.date(2019, 5, 6))
    assert out.loc["monthly_scoring", "due"] == "2019-06-05"
    assert out.loc["monthly_scoring", "status"] == "on_track"
    out = by_code(dt.date(2019, 12, 20))
    assert out.loc["monthly_progress", "due"] == "2020-01-05"
    assert by_code(dt.date(2019, 6, 5)).loc["monthly_scoring", "due"] == "2019-06-05"


def test_unknown_done_code_is_an_error():
    with pytest.raises(RuralcoreError, match="nope"):
        ms.status(P, dt.date(2019, 1, 1), done=["nope"])


def test_every_programme_file_has_statuses():
    for p in all_programs():
        out = ms.status(p, dt.date(2023, 6, 1))
        assert len(out) == len(p.milestones), p.id
        assert set(out["status"]) <= {"done", "on_track", "due_soon", "overdue"}
