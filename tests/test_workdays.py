import datetime as dt

import numpy as np
import pytest

from ruralcore.rules import workdays as wd
from ruralcore.kernel.errors import CalendarRangeError


def test_five_working_days_across_national_day_with_makeup_sunday():
    # SEED-FACTS: 5 working days after Friday 2019-09-27 is 2019-10-10
    # (Sunday 2019-09-29 was a make-up working day; 10-01…07 were holidays).
    assert wd.add_workdays(dt.date(2019, 9, 27), 5) == dt.date(2019, 10, 10)
    assert wd.is_workday(dt.date(2019, 9, 29)) is True
    assert wd.is_workday(dt.date(2019, 10, 4)) is False


def test_count_is_after_start_up_to_and_including_end():
    assert wd.count_workdays(dt.date(2019, 9, 27), dt.date(2019, 10, 10)) == 5
    assert wd.count_workdays(dt.date(2019, 9, 27), dt.date(2019, 9, 27)) == 0
    # Spring festival 2023: 01-21…27 holidays, 01-28 and 01-29 (Sat, Sun) make-up days
    assert wd.count_workdays(dt.date(2023, 1, 20), dt.date(2023, 1, 29)) == 2


def test_fifteen_working_days_for_initial_inspection_across_spring_festival():
    assert wd.add_workdays(dt.date(2023, 1, 13), 15) == dt.date(2023, 2, 8)


def test_vectorised_matches_scalar():
    starts = np.array(["2019-09-27", "2023-01-20", "2024-04-30"], dtype="datetime64[D]")
    got = wd.add_workdays(starts, [5, 3, 1])
    want = [wd.add_workdays(dt.date.fromisoformat(str(s)), n) for s, n in zip(starts, [5, 3, 1])]
    assert [g.astype(dt.date) for g in got] == want


def test_outside_calendar_years_is_a_clear_error_not_a_weekend_guess():
    lo, hi = wd.known_years()
    with pytest.raises(CalendarRangeError, match="超出官方节假日日历"):
        wd.add_workdays(dt.date(hi + 1, 3, 2), 1)
    with pytest.raises(CalendarRangeError):
        wd.count_workdays(dt.date(lo - 1, 1, 1), dt.date(lo, 1, 5))
    with pytest.raises(CalendarRangeError):
        wd.add_workdays(dt.date(hi, 12, 28), 15)  # result falls in an unknown year
