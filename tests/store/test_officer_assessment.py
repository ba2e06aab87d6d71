"""融水 五(三)1 officer assessment (ruralcore.app.officer_assessment) on SQLite and PostgreSQL:
items and marks from the programme's assumed settings, scores in range, audited, a
stale change refused, scope-checked; shown beside training hours; the `ruralcore
officers` command with --json and exit status 2."""
from __future__ import annotations

import json

import pytest

from ruralcore.app import officer_assessment as oa
from ruralcore.app import station_register as sr
from ruralcore.cli import main
from ruralcore.kernel.errors import InputError, PermissionDenied, StaleWriteError
from ruralcore.kernel.principal import system
from ruralcore.rules.programs import load_program
from ruralcore.auth.scope import Actor
from ruralcore.store import audit, write
from ruralcore.store.models import Officer, OfficerTraining
from tests.login_support import ensure_account

RS = "rongshui-2019"


@pytest.fixture
def officer(engine) -> int:
    number = sr.assign(engine, RS, "融水镇", "standard", system("县农业农村局"))["number"]
    oid = write.insert(engine, Officer, {"station": number, "name": "演示·韦信息员"}, system("测试")).id
    write.insert(engine, OfficerTraining, {"officer": oid, "year": 2019, "hours": 40.0}, system("测试"))
    return oid


def test_items_are_assumed_settings():
    it = oa.items(load_program(RS))
    assert it["max"].sum() == 100 and (it["assumed"] != "").all() and it["ref"].str.contains("五(三)1", regex=False).all()


def test_assess_beside_training_hours_stale_and_range(engine, officer):
    oa.assess(engine, RS, officer, 2019, {"public_service": 36, "platform": 18}, system("县农业农村局"))
    row = oa.table(engine, RS, 2019).set_index("officer").loc[officer]
    assert (row["training_hours"], row["score_public_service"], row["total"]) == (40.0, 36.0, 54.0)
    with pytest.raises(StaleWriteError):  # believed unscored
        oa.assess(engine, RS, officer, 2019, {"public_service": 30}, system("乙"))
    oa.assess(engine, RS, officer, 2019, {"public_service": 38}, system("甲"), versions={"public_service": 1})
    with pytest.raises(StaleWriteError):  # read version 1, it is 2 now
        oa.assess(engine, RS, officer, 2019, {"public_service": 10}, system("丙"), versions={"public_service": 1})
    with pytest.raises(InputError) as e:
        oa.assess(engine, RS, officer, 2019, {"public_service": 41, "luck": 1}, system("甲"))
    assert "应为 0–40" in str(e.value) and "没有考核项目“luck”" in str(e.value)
    assert oa.table(engine, RS, 2019).set_index("officer").at[officer, "total"] == 56.0
    log = audit.load_audit(engine, table="officer_assessments")
    assert (log["action"] == "insert").sum() == 2 and ((log["action"] == "update") & (log["field"] == "score")).sum() == 1


def test_scope(engine, officer):
    with pytest.raises(PermissionDenied):  # another township's officer may not assess
        oa.assess(engine, RS, officer, 2019, {"convenience": 10}, Actor("和睦干部", "township_officer", "450225T02"))
    oa.assess(engine, RS, officer, 2019, {"convenience": 10}, Actor("融水管理员", "county_admin", "450225"))
    assert oa.table(engine, RS, 2019, visible=["450225T02"]).empty


def test_command_assess_list_json_and_exit_2(db_url, engine, officer, capsys):
    ensure_account(engine, "rs-admin", "county_admin", "450225")
    assert main(["officers", "assess", RS, "--officer", str(officer), "--year", "2019", "--score", "ecommerce=15",
                 "--user", "rs-admin", "--db", db_url]) == 0
    assert main(["officers", "list", RS, "--year", "2019", "--json", "--db", db_url]) == 0
    rows = json.loads(capsys.readouterr().out.split("\n", 1)[1])
    assert rows[0]["score_ecommerce"] == 15 and rows[0]["training_hours"] == 40
    assert main(["officers", "assess", RS, "--officer", str(officer), "--year", "2019", "--score", "ecommerce=25",
                 "--user", "rs-admin", "--db", db_url]) == 2
    assert "应为 0–20" in capsys.readouterr().err
