"""The Actor reaches the database drivers as plain text (audit log, submitted_by,
created_by) and scope refusals roll back, on SQLite and PostgreSQL."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
import sqlalchemy as sa

from ruralcore.app import households, whatif
from ruralcore.kernel.errors import PermissionDenied
from ruralcore.rules.regions import load_regions
from ruralcore.auth.scope import Actor
from ruralcore.store import audit, db, reports
from ruralcore.store import regions as store_regions
from tests.support import fresh_database
from ruralcore.kernel.principal import system

VILLAGES = ["433124T01001", "433124T02001"]


@pytest.fixture(params=["sqlite", "postgresql"])
def eng(request, tmp_path):
    with fresh_database(request.param, tmp_path, "scope") as url:
        yield _filled(url)


def _filled(url: str) -> sa.Engine:
    e = db.get_engine(url)
    base = load_regions()
    base = base[base["program"] == "huayuan-2019"].reset_index(drop=True)
    extra = pd.DataFrame({"code": VILLAGES, "name": ["演示村一", "演示村二"], "level": "village",
                          "parent": ["433124T01", "433124T02"], "program": "huayuan-2019", "kind": "",
                          "code_source": "generated", "ref": "演示"})
    store_regions.sync_regions(e, pd.concat([base, extra], ignore_index=True), user=system("测试"))
    return e


def test_actor_is_stored_as_its_name_and_refusals_roll_back(eng):
    officer = Actor("乡干部甲", "township_officer", "433124T01")
    reports.upsert_reports(eng, "huayuan-2019", "2019-11",
                           pd.DataFrame({"region": [VILLAGES[0]], "field": ["households"], "value": [12]}), officer)
    stored = reports.load_reports(eng, "huayuan-2019", "2019-11")
    assert stored["submitted_by"].tolist() == ["乡干部甲"]
    n = len(audit.load_audit(eng))
    with pytest.raises(PermissionDenied, match="433124T02001"):
        reports.upsert_reports(eng, "huayuan-2019", "2019-11",
                               pd.DataFrame({"region": VILLAGES, "field": ["households"] * 2, "value": [13, 14]}),
                               officer)
    assert reports.load_reports(eng, "huayuan-2019", "2019-11")["value"].tolist() == [12]
    assert len(audit.load_audit(eng)) == n
    hh = households.add_household(eng, {"village": VILLAGES[0], "head_name": "演示·户", "monitor_type": "unstable",
                                        "identified_on": dt.date(2021, 3, 1)}, officer)
    with pytest.raises(PermissionDenied):
        households.set_monitoring(eng, hh.id, "unstable", "risk_removed", dt.date(2022, 1, 4), hh.version,
                                  Actor("外乡", "township_officer", "433124T02"))
    assert households.open_household(eng, system("system"), hh.id)["household"]["monitor_state"] == ""
    admin = Actor("县管理员", "county_admin", "433124")
    sc = whatif.save_scenario(eng, whatif.Scenario(name="方案甲", program="huayuan-2019", period="2019-11"), admin)
    assert sc.created_by == "县管理员" and type(sc.created_by) in (str, Actor)
    log = audit.load_audit(eng)
    assert set(log["user"]) == {"测试", "乡干部甲", "县管理员"}
