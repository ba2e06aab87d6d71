"""The same case steps on a real PostgreSQL server (TEST_POSTGRES_URL, started by
scripts/test.sh): rectification and re-inspection audited, stale edit refused, the
advance settled at city acceptance in integer yuan."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from ruralcore.app import cases, checklists
from ruralcore.rules import workdays
from ruralcore.kernel.errors import InputError, StaleWriteError
from ruralcore.rules.programs import load_program
from ruralcore.store import db, write
from ruralcore.store.models import FundEntry
from tests.acceptance.helpers import add_station
from tests.support import fresh_database
from ruralcore.kernel.principal import system

P = load_program("rongshui-2019")
D = dt.date


@pytest.fixture
def pg_engine(tmp_path):
    with fresh_database("postgresql", tmp_path, "acc") as url:
        yield db.get_engine(url)


def test_case_flow_on_postgresql(pg_engine):
    n = add_station(pg_engine)
    write.insert(pg_engine, FundEntry, {"program": P.id, "station": n, "kind": "advance", "amount_yuan": 12000,
                                        "on_date": D(2019, 8, 1)}, system("财务"))
    c = cases.open_case(pg_engine, P, "station", n, "2019-09-27", system("录入员"))
    c = cases.record_application(pg_engine, c["id"], "2019-10-10", system("录入员"), c["version"])
    assert cases.step_deadlines(P, c, "2019-10-10")["due"].tolist()[:2] == [D(2019, 10, 10), D(2019, 10, 30)]
    obs = checklists.station_observed(pg_engine, P, n)
    missing = checklists.station_checklist(P, {**obs, "eq_info_wall": 0})
    with pytest.raises(InputError, match="附件2 序号4"):
        cases.record_inspection(pg_engine, c["id"], "2019-10-15", missing, "pass", system("检查员"), c["version"])
    stale = c["version"]
    c = cases.record_inspection(pg_engine, c["id"], "2019-10-15", missing, "fail", system("检查员"), c["version"])
    assert c["rectify_due"] == workdays.add_workdays(D(2019, 10, 15), 20)
    with pytest.raises(StaleWriteError):
        cases.record_inspection(pg_engine, c["id"], "2019-10-16", missing, "fail", system("另一位检查员"), stale)
    c = cases.record_rectified(pg_engine, c["id"], "2019-11-01", system("录入员"), c["version"])
    c = cases.record_inspection(pg_engine, c["id"], "2019-11-05", checklists.station_checklist(P, obs), "pass",
                                system("检查员"), c["version"])
    c = cases.record_city_acceptance(pg_engine, c["id"], "2019-11-20", system("市验收组"), c["version"])
    assert c["state"] == "accepted" and c["settlement"]["recover_yuan"] == 12000
    log = cases.case_audit(pg_engine, c["id"])
    assert "另一位检查员" not in set(log["user"])
    assert list(log[log["field"] == "state"]["new"]) == ["applied", "rectifying", "reinspecting", "passed", "accepted"]
    with pg_engine.connect() as conn:
        amounts = conn.execute(sa.select(FundEntry.__table__.c.amount_yuan).where(
            FundEntry.__table__.c.station == n, FundEntry.__table__.c.kind == "settlement")).scalars().all()
    assert sorted(amounts) == [-12000, 0] and all(isinstance(a, int) for a in amounts)
