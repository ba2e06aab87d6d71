"""融水 附件2 station number register (ruralcore.app.station_register) on SQLite and
PostgreSQL: numbers in sequence, 附件1's quota per township and type, duplicates and
retired numbers refused with nothing written; audited, versioned, scope-checked; the
`ruralcore stations` command with --json and exit status 2."""
from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from ruralcore.app import station_register as sr
from ruralcore.cli import main
from ruralcore.rules.programs import load_program
from ruralcore.kernel.errors import InputError, PermissionDenied, StaleWriteError
from ruralcore.auth.scope import Actor
from ruralcore.store import audit
from tests.login_support import ensure_account
from ruralcore.kernel.principal import system

RS = "rongshui-2019"
# 附件1 益农信息社站点建设数量一览表 (data/programs/rongshui-2019.yaml, quotas: stations):
#   序号1  融水镇  标准站19 专业站19 简易站19 示范社2
#   序号13 同练乡  标准站 6 专业站 6 简易站 6 示范社1
#   合计           标准站206 专业站206 简易站206 示范社23
QUOTA = {"融水镇": 19, "同练乡": 6}


def _count(engine) -> int:
    with engine.connect() as c:
        return c.execute(sa.text("SELECT COUNT(*) FROM stations")).scalar_one()


def test_the_quota_table_is_the_documents():
    t = sr.townships(load_program(RS)).set_index("name")
    for town, n in QUOTA.items():
        assert t.at[town, "standard"] == t.at[town, "professional"] == t.at[town, "simple"] == n
    assert int(t["standard"].sum()) == 206 and int(t["demo"].sum()) == 23
    assert t.at["同练乡", "ref"] == "附件1 序号13"


def test_numbers_in_sequence_up_to_the_quota_then_refused(engine):
    got = [sr.assign(engine, RS, "同练乡", "standard", system("县农业农村局"))["number"] for _ in range(QUOTA["同练乡"])]
    # each type numbered across the county from 0001 (文件未规定，系统默认: station_number_sequence)
    assert got == [f"桂BRS{i:04d}B" for i in range(1, 7)]
    assert sr.assign(engine, RS, "融水镇", "standard", system("县农业农村局"))["number"] == "桂BRS0007B"
    assert sr.assign(engine, RS, "融水镇", "simple", system("县农业农村局"), village="演示村")["number"] == "桂BRS0001J"
    before = _count(engine)
    with pytest.raises(InputError) as e:  # 同练乡's 7th standard station: beyond 附件1 序号13
        sr.assign(engine, RS, "同练乡", "standard", system("县农业农村局"))
    assert "同练乡的标准站已登记6个，已达附件1下达的6个（附件1 序号13）" in str(e.value)
    assert _count(engine) == before
    # another type of the same township still has room
    assert sr.assign(engine, RS, "同练乡", "professional", system("县农业农村局"))["number"] == "桂BRS0001Z"
    reg = sr.register(engine, RS)
    assert list(reg.columns[:5]) == ["number", "township", "township_code", "type", "type_name"]
    row = reg.set_index("number").loc["桂BRS0001J"]
    assert (row["township"], row["village"], row["state"], row["version"]) == ("融水镇", "演示村", "assigned", 1)
    use = sr.quota_use(engine, RS).set_index(["township", "type"])
    assert use.loc[("同练乡", "standard"), ["quota", "registered", "left"]].tolist() == [6, 6, 0]
    log = audit.load_audit(engine, table="stations")
    assert (log["action"] == "insert").sum() == 9 and "桂BRS0001B" in set(log["key"])


def test_duplicate_retired_and_malformed_numbers_refused(engine):
    sr.assign(engine, RS, "融水镇", "standard", system("甲"), number="桂BRS0005B")
    # the next free number follows the highest one used
    assert sr.assign(engine, RS, "融水镇", "standard", system("甲"))["number"] == "桂BRS0006B"
    with pytest.raises(InputError, match="已登记（重复）"):
        sr.assign(engine, RS, "和睦镇", "standard", system("甲"), number="桂BRS0005B")
    for bad in ("桂BRS0008Z", "桂BRS08B", "桂ARS0008B", "桂BRS0000B"):
        with pytest.raises(InputError, match="不符合附件2的编号规则"):
            sr.assign(engine, RS, "融水镇", "standard", system("甲"), number=bad)
    sr.retire(engine, RS, "桂BRS0006B", system("甲"), expected_version=1)
    with pytest.raises(InputError, match="已撤销，撤销的编号不再使用"):
        sr.assign(engine, RS, "融水镇", "standard", system("甲"), number="桂BRS0006B")
    # a retired number is never given again, and no longer counts against the quota
    assert sr.assign(engine, RS, "融水镇", "standard", system("甲"))["number"] == "桂BRS0007B"
    use = sr.quota_use(engine, RS).set_index(["township", "type"])
    assert use.loc[("融水镇", "standard"), "registered"] == 2
    with pytest.raises(InputError, match="不在附件1配额表中"):
        sr.assign(engine, RS, "花垣镇", "standard", system("甲"))
    with pytest.raises(InputError, match="站点类型“big”无效"):
        sr.assign(engine, RS, "融水镇", "big", system("甲"))
    assert _count(engine) == 3


def test_stale_retire_and_scope(engine):
    sr.assign(engine, RS, "融水镇", "standard", system("甲"))
    # someone changed the row meanwhile (version 2): a retire carrying version 1 is refused
    with engine.begin() as c:
        c.execute(sa.text("UPDATE stations SET village = '新村', version = 2 WHERE number = '桂BRS0001B'"))
    with pytest.raises(StaleWriteError):
        sr.retire(engine, RS, "桂BRS0001B", system("乙"), expected_version=1)
    assert sr.register(engine, RS)["state"].tolist() == ["assigned"]
    # a township officer registers its own township only; an auditor nothing
    officer = Actor("和睦干部", "township_officer", "450225T02")
    with pytest.raises(PermissionDenied):
        sr.assign(engine, RS, "融水镇", "standard", officer)
    with pytest.raises(PermissionDenied):
        sr.assign(engine, RS, "和睦镇", "standard", Actor("审计", "auditor", ""))
    assert _count(engine) == 1
    assert sr.assign(engine, RS, "和睦镇", "standard", officer)["number"] == "桂BRS0002B"
    county = Actor("融水管理员", "county_admin", "450225")
    assert sr.assign(engine, RS, "融水镇", "simple", county)["number"] == "桂BRS0001J"
    # reading: the officer's register holds its township's stations only
    mine = sr.register(engine, RS, visible=["450225T02"])
    assert mine["number"].tolist() == ["桂BRS0002B"]


def test_command_assign_list_json_and_exit_2(db_url, engine, capsys):
    ensure_account(engine, "rs-admin", "county_admin", "450225")
    ensure_account(engine, "hy-admin", "county_admin", "433124")
    for _ in range(2):
        assert main(["stations", "assign", RS, "--township", "同练乡", "--type", "professional",
                     "--user", "rs-admin", "--db", db_url]) == 0
    assert "已登记：桂BRS0002Z（同练乡，专业站）" in capsys.readouterr().out
    assert main(["stations", "list", RS, "--json", "--db", db_url]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [{k: r[k] for k in ("number", "township", "type", "village", "state")} for r in rows] == [
        {"number": f"桂BRS000{i}Z", "township": "同练乡", "type": "professional", "village": "", "state": "assigned"}
        for i in (1, 2)]
    # refusals: exit 2, Chinese, nothing written
    assert main(["stations", "assign", RS, "--township", "同练乡", "--type", "professional", "--user", "rs-admin",
                 "--number", "桂BRS0002Z", "--db", db_url]) == 2
    assert "错误：“编号”列：编号“桂BRS0002Z”已登记（重复）" in capsys.readouterr().err
    assert main(["stations", "assign", RS, "--township", "同练乡", "--type", "professional", "--user", "hy-admin",
                 "--db", db_url]) == 2  # 花垣's admin: not 融水's township
    assert "无权限" in capsys.readouterr().err
    assert main(["stations", "assign", RS, "--township", "同练乡", "--type", "simple", "--db", db_url]) == 2
    assert "--user" in capsys.readouterr().err
    assert _count(engine) == 2
