"""验收案件 offers “新建验收案件” only to roles that write acceptance cases
(ruralcore.auth.scope.can_write_table): an inspector or county admin gets it, the read-only
auditor and city supervisor do not (review defect 14)."""
from __future__ import annotations

import pytest

from ruralcore.auth.scope import Actor, can_write_table

CASES = "acceptance/cases.py"
XZ = "xinzhou-2023"


def _clean(at) -> None:
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def _offers_new_case(at) -> bool:
    return any(e.label == "新建验收案件" for e in at.expander)


@pytest.mark.parametrize("login", [("auditor", ""), ("city_supervisor", "140900")])
def test_read_only_roles_are_not_offered_a_new_case(app_test, login):
    assert not can_write_table(Actor("_", *login), "acceptance_cases")
    at = app_test(program=XZ, page=CASES, login=login)
    _clean(at)
    assert [t.value for t in at.title] == ["验收案件"]
    assert at.dataframe  # the cases themselves are listed
    assert not _offers_new_case(at)
    assert any("不能新建验收案件" in i.value for i in at.info)  # says why, offers nothing
    assert not [b for b in at.button if b.key == "acc_new"]


@pytest.mark.parametrize("login", [("county_admin", "140902"), ("inspector", "140900")])
def test_writers_are_offered_a_new_case(app_test, login):
    assert can_write_table(Actor("_", *login), "acceptance_cases")
    at = app_test(program=XZ, page=CASES, login=login)
    _clean(at)
    assert _offers_new_case(at)
