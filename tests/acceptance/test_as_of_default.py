"""The date deadlines are counted from: in the demo database it defaults to the demo's own
“today” of the programme (not the real today, which would make every open demo case years
overdue), follows a programme switch, and keeps a date the user picked."""
from __future__ import annotations

import datetime as dt

from ruralcore.app import overview as ov

CASES_PAGE = "acceptance/cases.py"


def test_demo_database_counts_from_the_demos_today(acc_app, acc_engine):
    assert ov.is_demo(acc_engine)
    rongshui, xinzhou = (ov.as_of_date(acc_engine, p) for p in ("rongshui-2019", "xinzhou-2023"))
    assert rongshui != xinzhou and rongshui < dt.date.today()
    at = acc_app(CASES_PAGE, program="rongshui-2019", login=("auditor", ""))
    assert not at.exception, [e.value for e in at.exception]
    assert at.date_input(key="acc_as_of").value == rongshui
    at.selectbox(key="program").set_value("xinzhou-2023").run()
    assert at.date_input(key="acc_as_of").value == xinzhou  # the default follows the programme
    picked = xinzhou - dt.timedelta(days=40)
    at.date_input(key="acc_as_of").set_value(picked).run()
    at.selectbox(key="program").set_value("rongshui-2019").run()
    assert at.date_input(key="acc_as_of").value == picked  # the user's own date stays
    assert not at.exception, [e.value for e in at.exception]
