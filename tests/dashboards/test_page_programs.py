"""Which programmes each page applies to (ruralcore.auth.pages) and so which pages the sidebar
lists for an account (review defect 2): a page none of whose programmes the account reads
is not listed (花垣's county admin gets no 市级督导 page, 银川's city supervisor no 验收,
试点 or 假设评分 page). The rule is computed from the programmes, never hard-coded here."""
from __future__ import annotations

from pathlib import Path

import pytest

from dashboards.page_list import PAGES
from ruralcore.app import overview as ov
from ruralcore.auth import pages
from ruralcore.app.cases import acceptance_programs
from ruralcore.rules.programs import all_programs
from ruralcore.auth.scope import Actor, may_open, visible_programs

STEMS = {Path(path).stem: key for _s, path, _t, _i, key in PAGES}
SUPERVISION = {"board", "scorecard", "laggards", "circular"}


def _listed(engine, role: str, region: str) -> set[str]:
    """URL paths of the pages the app lists for the account (as dashboards/app.py decides)."""
    actor = Actor("_", role, region)
    codes = {p.id: ov.region_frame(engine, p.id).index for p in all_programs()}
    with engine.connect() as conn:
        readable = visible_programs(actor, codes, conn)
    return {stem for stem, key in STEMS.items() if may_open(actor, key) and pages.applies(stem, readable)}


def test_every_rule_names_a_page_of_the_app():
    assert set(pages.PAGE_PROGRAMS) <= set(STEMS)
    assert pages.applicable_programs("overview") is None  # unlisted: every programme


def test_the_rules_follow_the_programmes():
    ids = {p.id for p in all_programs()}
    assert set(pages.applicable_programs("cases")) == set(acceptance_programs())
    assert set(pages.applicable_programs("whatif")) == {p.id for p in all_programs() if p.rubric is not None}
    assert set(pages.applicable_programs("resettlement")) == {"yinchuan-2017"}
    for stem in SUPERVISION:
        assert set(pages.applicable_programs(stem)) <= ids and pages.applicable_programs(stem)
    assert not pages.applies("board", ["huayuan-2019"]) and pages.applies("board", ["xinzhou-2023", "huayuan-2019"])
    assert pages.applies("board", None)


def test_huayuan_county_admin_is_not_offered_the_city_pages(demo_engine):
    listed = _listed(demo_engine, "county_admin", "433124")
    assert not (SUPERVISION | {"resettlement"}) & listed
    assert {"overview", "drilldown", "whatif", "cases", "check", "entry", "accounts"} <= listed


def test_yinchuan_city_supervisor_gets_only_what_applies_to_yinchuan(demo_engine):
    listed = _listed(demo_engine, "city_supervisor", "640100")
    assert "resettlement" in listed
    assert not (SUPERVISION | {"cases", "check", "whatif"}) & listed
    assert {"overview", "drilldown", "milestones", "households"} <= listed


def test_xinzhou_city_supervisor_is_not_offered_the_resettlement_page(demo_engine):
    listed = _listed(demo_engine, "city_supervisor", "140900")
    assert SUPERVISION | {"cases", "check"} <= listed
    assert not {"resettlement", "whatif"} & listed


@pytest.mark.parametrize("login", [("county_admin", "433124"), ("city_supervisor", "640100")])
def test_a_hidden_page_opened_by_link_still_says_why(app_test, login):
    at = app_test(page="supervision/board.py", login=login)
    assert not at.exception
    assert any("本账户的区域内没有此页面适用的方案" in i.value for i in at.info)
