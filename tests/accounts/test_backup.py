"""Backup and restore: a round trip that loses nothing, on SQLite and PostgreSQL and
between them; another schema revision is refused and nothing is changed."""
from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory

from ruralcore.auth import accounts
from ruralcore.store import backup
from ruralcore.app import households
from ruralcore.demo import build_demo
from ruralcore.kernel.errors import RuralcoreError
from ruralcore.auth.scope import ROLES
from ruralcore.store import db, reports, write
from ruralcore.store.models import WhatIfScenario, metadata
from tests.support import fresh_database
from ruralcore.kernel.principal import system

ROOT = Path(__file__).resolve().parents[2]
# the newest migration (was a literal "0004"; every new migration moves it)
HEAD = ScriptDirectory.from_config(db.alembic_config()).get_current_head()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    yield from _url(request.param, tmp_path, "a")


@pytest.fixture(params=["sqlite", "postgresql"])
def other_url(request, tmp_path):
    yield from _url(request.param, tmp_path, "b")


def _url(kind, tmp_path, tag):
    with fresh_database(kind, tmp_path, f"bk{tag}") as url:
        yield url


def fill(engine) -> None:
    """Awkward values in every kind of column: text with quotes, commas, newlines, tabs,
    backslashes, '' vs NULL, exact floats, big integers, dates, instants, JSON, booleans."""
    from ruralcore.store import regions as store_regions

    frame = pd.DataFrame({
        "code": ["433124", "433124T01", "433124T01001"], "name": ["花垣县", "花垣镇", '演示村,"引号"\n换行\t制表\\反斜杠'],
        "level": ["county", "township", "village"], "parent": ["", "433124", "433124T01"],
        "program": "huayuan-2019", "kind": ["", "", ""], "code_source": "generated", "ref": ["=1+1", "", "演示"]})
    store_regions.sync_regions(engine, frame, user=system("测试"))
    reports.upsert_reports(engine, "huayuan-2019", "2019-11", pd.DataFrame({
        # a big exact float in a field no programme bounds (a programme's fields refuse it)
        "region": ["433124T01001"] * 3, "field": ["households", "unbounded_total", "study_room"],
        "value": [0.1 + 0.2, 1e15 + 1, None]}), system("测试"), submitted_at=dt.datetime(2019, 12, 3, 8, 30, 15))
    write.insert(engine, WhatIfScenario, {"name": "方案", "program": "huayuan-2019",
                                          "payload": {"changes": {"a": 1.5}, "note": "引号\"", "weights": None},
                                          "created_by": "测试", "created_at": dt.datetime(2026, 1, 2, 3, 4, 5)}, system("测试"))
    accounts.create_account(engine, "zhang", "township_officer", "433124T01", "Xiang-2019-cun", by=system("测试"))
    households.add_household(engine, {"village": "433124T01001", "head_name": "演示·张", "id_number": "000000199001011234",
                                      "phone": "", "monitor_type": "marginal", "monitor_state": "monitoring",
                                      "identified_on": dt.date(2020, 2, 29)}, system("测试"))
    households.set_income(engine, 1, 2023, 9_000_000_000, system("测试"))  # beyond 32-bit


def dump(engine) -> dict:
    out = {}
    with engine.connect() as c:
        for t in metadata.sorted_tables:
            rows = c.execute(sa.select(t).order_by(*t.primary_key.columns)).all()
            out[t.name] = [tuple(r) for r in rows]
    return out


def test_round_trip_loses_nothing(db_url, other_url, tmp_path):
    src = db.get_engine(db_url)
    fill(src)
    before = dump(src)
    f = tmp_path / "backup.zip"
    m = backup.backup(src, f)
    assert m["schema_revision"] == HEAD and m["tables"]["reports"]["rows"] == 3
    dst = db.get_engine(other_url)
    backup.restore(dst, f)
    after = dump(dst)
    assert after == before
    assert after["reports"][0][5] == 0.1 + 0.2  # exact float
    # restored sequences go on after the restored ids (PostgreSQL)
    households.add_household(dst, {"village": "433124T01001", "head_name": "新"}, system("测试"))
    with dst.connect() as c:
        assert c.execute(sa.text("SELECT MAX(id) FROM households")).scalar() == 2
    # the restored account still logs in (hash intact)
    assert accounts.authenticate(dst, "zhang", "Xiang-2019-cun").name == "zhang"


def test_restore_replaces_an_existing_database(tmp_path):
    a = db.get_engine(f"sqlite:///{tmp_path / 'a.db'}")
    fill(a)
    f = tmp_path / "a.zip"
    backup.backup(a, f)
    expected = dump(a)
    reports.upsert_reports(a, "huayuan-2019", "2019-11", pd.DataFrame(
        {"region": ["433124T01001"], "field": ["households"], "value": [99]}), system("测试"))
    assert dump(a) != expected
    backup.restore(a, f)
    assert dump(a) == expected


def _with_revision(src: Path, dst: Path, revision: str) -> None:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item)
            if item.filename == "manifest.json":
                m = json.loads(data)
                m["schema_revision"] = revision
                data = json.dumps(m).encode()
            zout.writestr(item, data)


def test_other_schema_revision_is_refused_and_nothing_changes(tmp_path):
    a = db.get_engine(f"sqlite:///{tmp_path / 'a.db'}")
    fill(a)
    f = tmp_path / "a.zip"
    backup.backup(a, f)
    old = tmp_path / "old.zip"
    _with_revision(f, old, "0003")
    b = db.get_engine(f"sqlite:///{tmp_path / 'b.db'}")
    accounts.create_account(b, "li", "county_admin", "433124", "Xiang-2019-cun", by=system("测试"))
    before = dump(b)
    with pytest.raises(RuralcoreError, match=f"结构版本为 0003，当前数据库为 {HEAD}"):
        backup.restore(b, old)
    assert dump(b) == before


def test_truncated_backup_restores_nothing(tmp_path):
    a = db.get_engine(f"sqlite:///{tmp_path / 'a.db'}")
    fill(a)
    f = tmp_path / "a.zip"
    backup.backup(a, f)
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(f) as zin, zipfile.ZipFile(bad, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item)
            if item.filename == "tables/reports.jsonl":
                data = data.split(b"\n", 1)[1]  # one row lost
            zout.writestr(item, data)
    b = db.get_engine(f"sqlite:///{tmp_path / 'b.db'}")
    accounts.create_account(b, "li", "county_admin", "433124", "Xiang-2019-cun", by=system("测试"))
    before = dump(b)
    with pytest.raises(RuralcoreError, match="表“reports”.*应有 3 行.*实际读到 2 行"):
        backup.restore(b, bad)
    assert dump(b) == before


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "ruralcore", *args], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})


def test_cli_backup_restore_and_bad_file_exit_2(tmp_path):
    url = f"sqlite:///{tmp_path / 'a.db'}"
    a = db.get_engine(url)
    fill(a)
    db.dispose(url)
    f = tmp_path / "a.zip"
    r = _cli("backup", str(f), "--db", url)
    assert r.returncode == 0, r.stderr
    assert f"结构版本 {HEAD}" in r.stdout
    url2 = f"sqlite:///{tmp_path / 'b.db'}"
    r = _cli("restore", str(f), "--db", url2)
    assert r.returncode == 0, r.stderr
    assert dump(db.get_engine(url2)) == dump(db.get_engine(url))
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"not a zip")
    r = _cli("restore", str(junk), "--db", url2)
    assert r.returncode == 2 and "不是本系统的备份文件" in r.stderr and "Traceback" not in r.stderr


def test_cli_init_admin_prints_password_once(tmp_path):
    url = f"sqlite:///{tmp_path / 'a.db'}"
    r = _cli("init-admin", "--db", url)
    assert r.returncode == 0, r.stderr
    pw = r.stdout.strip().rsplit("：", 1)[1]
    assert accounts.authenticate(db.get_engine(url), "admin", pw).role == "county_admin"
    r2 = _cli("init-admin", "--db", url)
    assert r2.returncode == 0 and pw not in r2.stdout and "已存在" in r2.stdout


def test_cli_init_admin_with_demo_accounts_adds_one_account_per_role_shown_once(tmp_path):
    url = f"sqlite:///{tmp_path / 'a.db'}"
    build_demo(db.get_engine(url), "county")
    r = _cli("init-admin", "--demo-accounts", "--db", url)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.strip().splitlines()
    assert len(lines) == 6 and lines[0].startswith("已创建管理员 admin（县级管理员，区域 433124）")
    eng = db.get_engine(url)
    signed = {}
    for line in lines:  # each line ends with the account's password, shown this once
        name = next(a for a in ("admin", "supervisor", "township", "reporter", "inspector", "auditor")
                    if f" {a}（" in line)
        signed[name] = accounts.authenticate(eng, name, line.rsplit("：", 1)[1])
    assert {a.role for a in signed.values()} == set(ROLES)  # one per role
    assert {n: a.region for n, a in signed.items()} == {
        "admin": "433124", "supervisor": "140900", "township": "433124T01", "reporter": "433124T01001",
        "inspector": "433124", "auditor": ""}
    assert "市级督导，区域 忻州市（140900）" in r.stdout  # the city whose pilots the supervision pages follow
    assert all(accounts.get_account(eng, n)["must_change_password"] for n in signed)
    again = _cli("init-admin", "--demo-accounts", "--db", url)  # second start: no password printed
    assert again.returncode == 0 and again.stdout.count("已存在") == 6 and "：" not in again.stdout


def test_cli_init_admin_demo_accounts_without_demo_data_skips_the_village_reporter(tmp_path):
    url = f"sqlite:///{tmp_path / 'a.db'}"  # no demo: the region files know no village
    r = _cli("init-admin", "--demo-accounts", "--db", url)
    assert r.returncode == 0, r.stderr
    assert "未建演示村级填报员 reporter（村级填报员）：数据库中没有适合的区域" in r.stdout
    assert accounts.get_account(db.get_engine(url), "reporter") is None
    assert accounts.get_account(db.get_engine(url), "auditor")["role"] == "auditor"


def test_cli_init_admin_bad_input_exit_2_nothing_written(tmp_path):
    url = f"sqlite:///{tmp_path / 'a.db'}"
    for args, msg in [(["--region", "999999"], "区域代码“999999”不存在"),
                      (["--demo-accounts", "--auditor-username", "a b"], "用户名“a b”应为"),
                      (["--demo-accounts", "--auditor-username", "admin"], "不能同名"),
                      (["--demo-accounts", "--username", "inspector"], "演示账户不能同名（inspector）")]:
        r = _cli("init-admin", *args, "--db", url)
        assert r.returncode == 2 and msg in r.stderr and "Traceback" not in r.stderr, (args, r.stderr)
    assert accounts.list_accounts(db.get_engine(url)).empty


def test_cli_accounts_create_list_reset(tmp_path):
    url = f"sqlite:///{tmp_path / 'a.db'}"
    r = _cli("accounts", "create", "li", "--role", "township_officer", "--region", "433124T01", "--db", url)
    assert r.returncode == 0, r.stderr
    pw = r.stdout.strip().rsplit("：", 1)[1]
    eng = db.get_engine(url)
    assert accounts.authenticate(eng, "li", pw).role == "township_officer"
    r = _cli("accounts", "list", "--db", url)
    assert r.returncode == 0 and "li" in r.stdout and "乡镇干部" in r.stdout and "$argon2" not in r.stdout
    r = _cli("accounts", "reset-password", "li", "--db", url)
    new = r.stdout.strip().rsplit("：", 1)[1]
    assert r.returncode == 0 and new != pw
    assert accounts.authenticate(eng, "li", new).name == "li"
    r = _cli("accounts", "create", "wang", "--role", "mayor", "--region", "433124", "--db", url)
    assert r.returncode == 2 and "未知角色" in r.stderr and "Traceback" not in r.stderr
