"""What each role opens and reads (ruralcore.auth.scope): pages by role, the programmes an
account reads, and keeping only readable rows. Decided on the region files' tree."""
from __future__ import annotations

import pandas as pd
import pytest

from ruralcore.auth import scope
from ruralcore.rules.regions import load_regions
from ruralcore.auth.scope import Actor

TREE = scope.region_tree()
PROGRAM_CODES = {pid: grp["code"].tolist() for pid, grp in load_regions().groupby("program")}


def test_signed_out_opens_only_the_public_pages():
    assert scope.may_open(None, "login") and scope.may_open(None, "programs")
    for page in scope.PAGE_ROLES:
        assert not scope.may_open(None, page), page


@pytest.mark.parametrize("role", sorted(scope.ROLES))
def test_every_role_opens_the_overview_and_only_its_pages(role):
    actor = Actor("u", role, "433124")
    assert scope.may_open(actor, "overview")
    assert scope.may_open(actor, "audit") == (role in {"auditor", "county_admin"})
    assert scope.may_open(actor, "accounts") == (role == "county_admin")
    assert scope.may_open(actor, "board") == (role in {"city_supervisor", "county_admin", "auditor"})
    assert scope.may_open(actor, "entry") == (role in {"county_admin", "township_officer", "village_reporter",
                                                       "auditor"})
    assert not scope.may_open(actor, "no-such-page")


def test_refusal_messages_are_chinese_and_name_the_page():
    assert "登录" in scope.page_refusal(None, "总览")
    msg = scope.page_refusal(Actor("李四", "village_reporter", "433124T01"), "账户管理")
    assert "李四" in msg and "村级填报员" in msg and "账户管理" in msg


def test_county_admin_reads_only_its_county_programme():
    assert scope.visible_programs(Actor("a", "county_admin", "433124"), PROGRAM_CODES) == ["huayuan-2019"]
    assert scope.visible_programs(Actor("a", "county_admin", "450225"), PROGRAM_CODES) == ["rongshui-2019"]


def test_township_officer_reads_the_programme_of_its_county():
    township = TREE.index[(TREE["parent"] == "433124")][0]
    assert scope.visible_programs(Actor("t", "township_officer", township), PROGRAM_CODES) == ["huayuan-2019"]


def test_auditor_and_nobody_read_every_programme():
    assert scope.visible_programs(Actor("x", "auditor", ""), PROGRAM_CODES) == list(PROGRAM_CODES)
    assert scope.visible_programs(None, PROGRAM_CODES) == list(PROGRAM_CODES)


def test_account_of_an_unknown_region_reads_no_programme():
    assert scope.visible_programs(Actor("z", "county_admin", "999999"), PROGRAM_CODES) == []


def test_ancestors_walk_up_to_the_root():
    township = TREE.index[(TREE["parent"] == "450225")][0]
    chain = scope.ancestors(TREE, township)
    assert chain[0] == township and chain[1] == "450225" and "450200" in chain
    assert scope.ancestors(TREE, "no-such-code") == []


def test_keep_visible_by_index_and_by_column():
    frame = pd.DataFrame({"region": ["a", "b", "c"], "v": [1, 2, 3]}).set_index("region", drop=False)
    assert scope.keep_visible(frame, None) is frame
    assert scope.keep_visible(frame, {"a", "c"})["v"].tolist() == [1, 3]
    assert scope.keep_visible(frame.reset_index(drop=True), pd.Index(["b"]), "region")["v"].tolist() == [2]
    assert scope.keep_visible(frame, set()).empty


def test_a_county_stored_without_its_city_is_read_by_the_city(tmp_path):
    """Databases built before 湘西州 was in the region files keep 花垣县 without a parent."""
    import sqlalchemy as sa

    from ruralcore.demo import build_demo
    from ruralcore.store import db

    eng = db.get_engine(f"sqlite:///{tmp_path / 'old.db'}")
    build_demo(eng, "county")
    with eng.begin() as conn:
        conn.execute(sa.text("UPDATE regions SET parent = '' WHERE code = '433124'"))
        conn.execute(sa.text("DELETE FROM regions WHERE code = '433100'"))
        seen = scope.visible_regions(Actor("州督导", "city_supervisor", "433100"), conn)
    assert "433124" in seen and "433124T01" in seen
