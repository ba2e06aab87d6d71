"""银川 四(三) trainee files (ruralcore.app.trainees) on SQLite and PostgreSQL: audited, a
stale follow-up refused, scope-checked, ID and phone masked in lists; the target 村均培训
电子商务人才5人以上 counted from the files; `ruralcore trainees` with --json and exit 2."""
from __future__ import annotations

import datetime as dt
import importlib
import json

import pytest

from ruralcore.app import trainees
from ruralcore.cli import main
from ruralcore.kernel.errors import InputError, PermissionDenied, StaleWriteError
from ruralcore.auth.scope import Actor
from ruralcore.store import audit, write
from ruralcore.store.models import Region
from ruralcore.kernel.principal import system
from tests.login_support import ensure_account

YC = "yinchuan-2017"


@pytest.fixture(scope="module")
def yc_regions():
    return importlib.import_module("ruralcore.demo.generate").yinchuan("county")["regions"]


@pytest.fixture
def yc(engine, yc_regions):
    write.bulk_insert(engine, Region, yc_regions, system("测试"), audit=False)
    return engine


def _villages(yc_regions):
    return yc_regions[yc_regions["level"] == "village"]


def test_file_follow_up_masked_and_stale(yc, yc_regions):
    v = _villages(yc_regions).iloc[0]
    rec = trainees.add(yc, YC, v["name"], "演示·张三", "农村电商运营", 32, system("市人社局"), id_number="640104199001011234",
                       phone="13812345678", trained_on=dt.date(2018, 5, 6))
    got = trainees.files(yc, YC).iloc[0]
    assert (got["id_number"], got["phone"]) == ("640104********1234", "138****5678")  # as in the household archive
    assert got["village_name"] == v["name"] and got["employment_label"] == "未跟踪"
    trainees.follow_up(yc, rec.id, "self_employed", "开网店销售枸杞", dt.date(2018, 9, 1), 1, system("市扶贫办"))
    with pytest.raises(StaleWriteError):
        trainees.follow_up(yc, rec.id, "seeking", "", dt.date(2018, 9, 2), 1, system("乙"))
    assert trainees.files(yc, YC)["employment_label"].tolist() == ["自主创业"]
    log = audit.load_audit(yc, table="trainee_files")
    assert (log["action"] == "insert").sum() == 1 and "employment" in set(log["field"].dropna())
    with pytest.raises(InputError) as e:
        trainees.add(yc, YC, "不存在村", "", "课", -1, system("甲"))
    assert "不是" in str(e.value) and "姓名" in str(e.value) and "学时" in str(e.value)
    with pytest.raises(InputError, match="就业情况"):
        trainees.follow_up(yc, rec.id, "rich", "", dt.date(2018, 9, 2), 2, system("甲"))


def test_target_counted_from_files_and_scope(yc, yc_regions):
    vill = _villages(yc_regions)
    t = trainees.target_from_files(yc, YC)
    # 四(三): 到2018年底 村均培训电子商务人才5人以上
    assert (t["trainees"], t["villages"], t["threshold"], t["met"], t["ref"]) == (0, len(vill), 5, False, "四(三)")
    first = vill.iloc[0]
    for i in range(5 * len(vill) - 1):
        trainees.add(yc, YC, first["code"], f"演示学员{i}", "电商", 8, system("甲"))
    t = trainees.target_from_files(yc, YC)
    assert t["per_village"] < 5 and not t["met"]
    trainees.add(yc, YC, first["code"], "演示学员末", "电商", 8, system("甲"))
    t = trainees.target_from_files(yc, YC)
    assert t["per_village"] == 5 and t["met"]
    county = first["code"][:6]
    other = vill[~vill["code"].str.startswith(county)]
    officer = Actor("外区", "county_admin", str(other["code"].iat[0])[:6]) if len(other) else Actor(
        "外县", "county_admin", "433124")
    with pytest.raises(PermissionDenied):
        trainees.add(yc, YC, first["code"], "越权", "电商", 8, officer)
    assert len(trainees.files(yc, YC, visible=[first["code"]])) == 5 * len(vill)


def test_command_add_list_json_and_exit_2(db_url, yc, yc_regions, capsys):
    ensure_account(yc, "yc-admin", "county_admin", "640100")
    v = _villages(yc_regions).iloc[0]
    assert main(["trainees", "add", YC, "--village", v["name"], "--name", "演示·李四", "--course", "直播带货",
                 "--hours", "24", "--user", "yc-admin", "--phone", "13900001111", "--db", db_url]) == 0
    assert "已建档：演示·李四" in capsys.readouterr().out
    assert main(["trainees", "list", YC, "--json", "--db", db_url]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["files"][0]["phone"] == "139****1111" and out["target"]["trainees"] == 1
    assert main(["trainees", "add", YC, "--village", v["name"], "--name", "x", "--course", "c", "--hours", "abc",
                 "--user", "yc-admin", "--db", db_url]) == 2
    assert "培训学时“abc”无效" in capsys.readouterr().err
