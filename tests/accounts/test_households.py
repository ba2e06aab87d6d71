"""一户一档 (银川 三(五)；谭家场 task 9): masking by role, every unmasked view logged,
monitoring history, scope."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
import sqlalchemy as sa

from ruralcore.app import households
from ruralcore.demo import households as demo_households
from ruralcore.kernel.errors import InputError, PermissionDenied
from ruralcore.auth.scope import ROLES, Actor
from ruralcore.kernel.principal import system


def _first(engine) -> dict:
    with engine.connect() as c:
        r = c.execute(sa.text("SELECT id, village, id_number, phone, version FROM households ORDER BY id LIMIT 1")).mappings().first()
    return dict(r)


def _parent(engine, code: str) -> str:
    with engine.connect() as c:
        return c.execute(sa.text("SELECT parent FROM regions WHERE code = :c"), {"c": code}).scalar()


def test_mask_functions():
    ids = pd.Series(["433124199001011234", "43312419900101123X"])
    assert households.mask_id(ids).tolist() == ["433124********1234", "433124********123X"]
    assert households.mask_phone(pd.Series(["13812345678"])).tolist() == ["138****5678"]


def test_monitor_types_are_the_three_categories():
    assert list(households.MONITOR_TYPES.values()) == ["脱贫不稳定户", "边缘易致贫户", "突发严重困难户"]


@pytest.mark.parametrize("role", list(ROLES))
def test_list_is_masked_for_every_role_and_scoped(demo, role):
    hh = _first(demo)
    town = _parent(demo, hh["village"])
    county = _parent(demo, town)
    region = {"village_reporter": hh["village"], "township_officer": town}.get(role, county)
    frame = households.list_households(demo, Actor("甲", role, region))
    assert hh["id"] in frame["id"].tolist()
    row = frame.set_index("id").loc[hh["id"]]
    assert row["id_number"] != hh["id_number"] and "*" in row["id_number"]
    assert row["phone"] == hh["phone"][:3] + "****" + hh["phone"][-4:]
    if role == "village_reporter":
        assert set(frame["village"]) == {hh["village"]}


@pytest.mark.parametrize("role", list(ROLES))
def test_unmasked_view_only_for_pii_roles_and_logged(demo, role):
    hh = _first(demo)
    town = _parent(demo, hh["village"])
    region = {"village_reporter": hh["village"], "township_officer": town}.get(role, _parent(demo, town))
    actor = Actor("查看人", role, region)
    masked = households.open_household(demo, actor, hh["id"])
    assert masked["household"]["id_number"] != hh["id_number"] and not masked["unmasked"]
    assert (masked["members"]["id_number"].str.contains(r"\*")).all()
    assert len(households.pii_log(demo)) == 0  # a masked view is not logged
    if role in ("county_admin", "township_officer"):
        full = households.open_household(demo, actor, hh["id"], reveal=True, purpose="入户核实",
                                         now=dt.datetime(2026, 3, 2, 10, 0))
        assert full["household"]["id_number"] == hh["id_number"] and full["household"]["phone"] == hh["phone"]
        log = households.pii_log(demo)
        assert log[["username", "role", "household", "purpose"]].iloc[0].tolist() == ["查看人", role, hh["id"], "入户核实"]
    else:
        with pytest.raises(PermissionDenied, match=ROLES[role]):
            households.open_household(demo, actor, hh["id"], reveal=True)
        assert len(households.pii_log(demo)) == 0


def test_other_township_cannot_open_the_file(demo):
    hh = _first(demo)
    with pytest.raises(PermissionDenied, match="不能查看"):
        households.open_household(demo, Actor("乙", "township_officer", "433124T01"), hh["id"])


def test_monitoring_change_keeps_history(demo):
    hh = _first(demo)
    officer = Actor("乡干部", "township_officer", _parent(demo, hh["village"]))
    before = len(households.open_household(demo, officer, hh["id"])["history"])
    households.set_monitoring(demo, hh["id"], "hardship", "monitoring", dt.date(2023, 7, 3), hh["version"], officer,
                              note="突发大病")
    households.set_monitoring(demo, hh["id"], "hardship", "risk_removed", dt.date(2023, 12, 20), hh["version"] + 1,
                              officer, note="医疗救助后风险消除")
    f = households.open_household(demo, officer, hh["id"])
    hist = f["history"]
    assert len(hist) == before + 2
    assert hist["state_label"].tolist()[-2:] == ["监测中", "风险已消除"]
    assert f["household"]["monitor_state"] == "risk_removed"
    with pytest.raises(InputError, match="监测类型"):
        households.set_monitoring(demo, hh["id"], "poor", "monitoring", dt.date(2024, 1, 2), hh["version"] + 2, officer)


def test_income_is_whole_yuan_and_refused_outside(demo):
    hh = _first(demo)
    officer = Actor("乡干部", "township_officer", _parent(demo, hh["village"]))
    households.set_income(demo, hh["id"], 2024, 12345, officer)
    assert households.open_household(demo, officer, hh["id"])["income"].set_index("year").at[2024, "per_capita_yuan"] == 12345
    with pytest.raises(InputError, match="整数元"):
        households.set_income(demo, hh["id"], 2025, 100.5, officer)
    with pytest.raises(PermissionDenied):
        households.set_income(demo, hh["id"], 2025, 100, Actor("外乡", "township_officer", "433124T01"))


def test_demo_households_are_labelled_and_fake(demo):
    frame = households.list_households(demo, system("system"))
    assert len(frame) > 0 and frame["is_demo"].all()
    assert frame["head_name"].str.startswith("演示·").all()
    assert frame["address"].eq("演示地址").all()
    with demo.connect() as c:
        ids = pd.Series([r[0] for r in c.execute(sa.text("SELECT id_number FROM households"))])
        programs = {r[0] for r in c.execute(sa.text(
            "SELECT DISTINCT r.program FROM households h JOIN regions r ON r.code = h.village"))}
    assert ids.str.startswith("000000").all() and ids.str.len().eq(18).all()  # no real area code
    assert programs <= set(demo_households.DEMO_PROGRAMS)  # 银川 and 谭家场 ask for the archive
    assert set(frame["monitor_type"]) <= set(households.MONITOR_TYPES) | {""}
