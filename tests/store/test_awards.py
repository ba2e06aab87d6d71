"""花垣 award list approval and plaque register (ruralcore.app.awards) on SQLite and
PostgreSQL: the month's scores propose the batch's villages (ties share a rank), the
leading group's approval is recorded with changes that each need a reason, the register
keeps plaques by batch; audited, stale corrections refused, scope-checked; the
`ruralcore awards` command with --json and exit status 2."""
from __future__ import annotations

import datetime as dt
import io
import json

import docx
import pytest
import sqlalchemy as sa

from ruralcore.app import awards as aw
from ruralcore.cli import main
from ruralcore.kernel.errors import InputError, PermissionDenied, StaleWriteError
from ruralcore.rules.programs import load_program
from ruralcore.auth.scope import Actor
from ruralcore.store import audit, write
from ruralcore.store.models import Region, Report
from tests.login_support import ensure_account
from ruralcore.kernel.principal import system

HY = "huayuan-2019"
ON = dt.date(2019, 7, 30)


@pytest.fixture(scope="module")
def hy_demo():
    import importlib
    data = importlib.import_module("ruralcore.demo.generate").huayuan("county")
    reports = data["reports"]
    return data["regions"], reports[reports["period"].isin(["2019-03", "2019-07"])]


@pytest.fixture
def hy(engine, hy_demo):
    regions, reports = hy_demo
    write.bulk_insert(engine, Region, regions, system("测试"), audit=False)
    write.bulk_insert(engine, Report, reports, system("测试"), audit=False)
    return engine


def _rows(engine, table: str) -> int:
    with engine.connect() as c:
        return c.execute(sa.text(f"SELECT COUNT(*) FROM {table}")).scalar_one()


def test_batches_come_from_the_programme():
    b = aw.batches(load_program(HY)).set_index("name")
    # 四(二): 第一批 plaqued at the end-of-March meeting; 四(三): 总结表彰 on 31 July 2019
    assert b.at["第一批", "due"] == dt.date(2019, 3, 31) and b.at["第一批", "awards"] == ("qualified",)
    assert b.at["总结表彰", "due"] == dt.date(2019, 7, 31) and b.at["总结表彰", "awards"] == ("excellent", "qualified")


def test_approve_with_a_change_and_reason_then_the_register(hy):
    prop = aw.propose(hy, HY, "2019-07", "总结表彰")
    cand = prop[prop["proposed"] != ""]
    exc = cand[cand["proposed"] == "excellent"]
    # 三(二): top 10 by score are 优秀, ties at the 10th included (rank 1, 2, 2, 4 …)
    assert len(exc) >= 10 and (exc["rank"] <= 10).all()
    assert (cand.loc[cand["proposed"] == "qualified", "score"] >= 80).all()
    out = prop[prop["proposed"] == ""].iloc[0]  # a village below 达标
    struck = cand[cand["proposed"] == "qualified"].iloc[0]
    with pytest.raises(InputError) as e:  # a change without a reason
        aw.approve(hy, HY, "2019-07", system("领导小组"), batch="总结表彰", approved_on=ON,
                   changes=[{"region": out["name"], "award": "达标", "reason": ""}])
    assert "调整提议名单必须写明理由" in str(e.value) and e.value.problems[0].row == 1
    assert _rows(hy, "award_approvals") == 0 and _rows(hy, "award_register") == 0
    res = aw.approve(hy, HY, "2019-07", system("领导小组"), batch="总结表彰", approved_on=ON, meeting="总结表彰大会",
                     changes=[{"region": out["name"], "award": "达标", "reason": "7月底补报宽带数据，经核实达标"},
                              {"region": struck["region"], "award": "不授牌", "reason": "乡情网未实际运行"}])
    assert res["changed"] == 2 and res["awarded"] == len(cand)  # one added, one struck
    reg = aw.register(hy, HY)
    assert set(reg.columns) >= {"region", "award", "batch", "approved_by", "approved_on"}
    row = reg.set_index("region").loc[out["region"]]
    assert (row["award"], row["proposed"], row["reason"]) == ("qualified", "", "7月底补报宽带数据，经核实达标")
    assert row["plaque_on"] == dt.date(2019, 7, 31) and "示范村" in row["plaque"]
    assert row["approved_by"] == "领导小组" and row["approved_on"] == ON and row["batch_name"] == "总结表彰"
    assert struck["region"] not in set(reg["region"])
    gone = aw.register(hy, HY, include_struck=True).set_index("region").loc[struck["region"]]
    assert gone["award"] == "none" and gone["reason"] == "乡情网未实际运行"
    log = audit.load_audit(hy, table="award_register")
    assert (log["action"] == "insert").sum() == len(cand) + 1 and set(log["user"]) == {"领导小组"}
    # one approval per batch
    with pytest.raises(InputError, match="已于 2019-07-30 由 领导小组 审定"):
        aw.approve(hy, HY, "2019-07", system("甲"), batch="总结表彰", approved_on=ON)
    blob = aw.register_docx(hy, HY)
    text = "\n".join(c.text for t in docx.Document(io.BytesIO(blob)).tables for r in t.rows for c in r.cells)
    assert out["name"] in text and "2019年7月31日" in text


def test_first_batch_plaques_qualified_and_is_not_proposed_again(hy):
    aw.approve(hy, HY, "2019-03", system("领导小组"), batch="第一批", approved_on=ON)
    first = aw.register(hy, HY)
    assert set(first["award"]) <= {"qualified"} and set(first["batch_name"]) == {"第一批"}
    assert (first["plaque_on"] == dt.date(2019, 3, 31)).all()
    prop = aw.propose(hy, HY, "2019-07", "总结表彰").set_index("region")
    held = prop.loc[prop.index.isin(first["region"])]
    # a village plaqued 达标 in March is not proposed 达标 again; it may still become 优秀
    assert not (held["proposed"] == "qualified").any()


def test_stale_correction_refused_and_scope(hy):
    officer = Actor("乡干部", "township_officer", "433124T01")
    with pytest.raises(PermissionDenied):
        aw.approve(hy, HY, "2019-07", officer, batch="总结表彰", approved_on=ON)
    with pytest.raises(PermissionDenied):
        aw.approve(hy, HY, "2019-07", Actor("外县", "county_admin", "431223"), batch="总结表彰", approved_on=ON)
    assert _rows(hy, "award_approvals") == 0 and _rows(hy, "award_register") == 0
    aw.approve(hy, HY, "2019-07", Actor("花垣管理员", "county_admin", "433124"), batch="总结表彰", approved_on=ON)
    reg = aw.register(hy, HY)
    entry = reg.iloc[0]
    aw.revise(hy, int(entry["id"]), {"plaque_on": dt.date(2019, 8, 2)}, 1, system("县经信局"))
    with pytest.raises(StaleWriteError):  # read version 1, it is now 2
        aw.revise(hy, int(entry["id"]), {"plaque_on": dt.date(2019, 8, 5)}, 1, system("县经信局"))
    assert aw.register(hy, HY).set_index("id").at[entry["id"], "plaque_on"] == dt.date(2019, 8, 2)
    # a township officer reads its township's villages only
    town = aw.register(hy, HY, visible=[c for c in reg["region"] if c.startswith("433124T01")])
    assert len(town) and town["region"].str.startswith("433124T01").all()


def test_command_propose_approve_list_json_and_exit_2(db_url, hy, tmp_path, capsys):
    ensure_account(hy, "hy-admin", "county_admin", "433124")
    assert main(["awards", "propose", HY, "--period", "2019-07", "--json", "--db", db_url]) == 0
    cand = json.loads(capsys.readouterr().out)
    assert cand and {c["batch_name"] for c in cand} == {"总结表彰"}
    pick = next(c for c in cand if c["proposed"] == "qualified")
    changes = tmp_path / "调整.csv"
    changes.write_text(f"村,等次,理由\n{pick['name']},不授牌,\n", encoding="utf-8")
    assert main(["awards", "approve", HY, "--period", "2019-07", "--user", "hy-admin", "--changes", str(changes),
                 "--db", db_url]) == 2
    assert "第1行，“理由”列：调整提议名单必须写明理由" in capsys.readouterr().err
    assert _rows(hy, "award_register") == 0
    changes.write_text(f"村,等次,理由\n{pick['name']},不授牌,宽带数据不实\n", encoding="utf-8")
    assert main(["awards", "approve", HY, "--period", "2019-07", "--user", "hy-admin", "--changes", str(changes),
                 "--batch", "总结表彰", "--on", "2019-07-30", "--db", db_url]) == 0
    assert "调整1处" in capsys.readouterr().out
    assert main(["awards", "list", HY, "--json", "--db", db_url, "--docx", str(tmp_path / "名单.docx")]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == len(cand) - 1 and pick["region"] not in {r["region"] for r in rows}
    assert {(r["batch"], r["approved_by"], r["approved_on"]) for r in rows} == {
        ("summary_meeting", "hy-admin", "2019-07-30")}
    assert {"region", "award", "batch", "approved_by", "approved_on"} <= set(rows[0])
    assert (tmp_path / "名单.docx").stat().st_size > 0
    assert main(["awards", "approve", HY, "--period", "2019-07", "--user", "hy-admin", "--batch", "第三批",
                 "--db", db_url]) == 2
    assert "授牌批次“第三批”无效" in capsys.readouterr().err
