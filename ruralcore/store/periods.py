"""The report period YYYY-MM, checked the same way by every reader and writer of reports."""
from __future__ import annotations

import re

from ruralcore.kernel.errors import InputError, Problem

PERIOD_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def check_period(period: str) -> None:
    from ruralcore.kernel.limits import FIRST_YEAR, LAST_YEAR

    if not isinstance(period, str) or not PERIOD_RE.match(period):
        raise InputError(Problem(f"报告期“{period}”格式应为 YYYY-MM", column="报告期"))
    if not FIRST_YEAR <= int(period[:4]) <= LAST_YEAR:
        raise InputError(Problem(f"报告期“{period}”的年份不在 {FIRST_YEAR}–{LAST_YEAR} 年之间", column="报告期"))
