"""The responsibility register and 督办 notices on SQLite and PostgreSQL: stale updates are
refused, the audit log holds every change, scope is enforced (who writes the register,
who issues, who replies, who closes), and the reply deadline runs on the official
calendar (国庆 2024 with the make-up working days 9月29日 and 10月12日)."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
import sqlalchemy as sa

from ruralcore.app import notices as nt
from ruralcore.app import responsibility as rs
from ruralcore.kernel.errors import InputError, PermissionDenied, StaleWriteError
from ruralcore.auth.scope import Actor
from ruralcore.store import audit
from ruralcore.kernel.principal import system

XZ = "xinzhou-2023"
CITY = Actor("zhou", "city_supervisor", "140900")
XINFU = Actor("xinfu", "county_admin", "140902")  # 忻府区: holds pilot XZ2023-T01 (合索镇)
DINGXIANG = Actor("dingxiang", "county_admin", "140921")  # 定襄县: holds XZ2023-T02
HESUO = Actor("hesuo", "township_officer", "140902T01")
ISSUED = dt.date(2024, 9, 27)  # a Friday before 国庆; 9月29日 (Sunday) is a working day


@pytest.fixture
def engine(engine):
    with engine.begin() as c:
        c.execute(sa.text("INSERT INTO regions (code, name, level, parent, program, kind, code_source, ref, version) "
                          "VALUES (:c, :n, 'pilot', :p, :g, 'township', '', '', 1)"),
                  [{"c": "XZ2023-T01", "n": "合索镇", "p": "140902T01", "g": XZ},
                   {"c": "XZ2023-T02", "n": "宏道镇", "p": "140921T01", "g": XZ}])
        c.execute(sa.text("INSERT INTO pilots (code, program, pilot_type, county, region, name, notes, version) "
                          "VALUES (:c, :g, 'township', :k, :r, :n, '', 1)"),
                  [{"c": "XZ2023-T01", "g": XZ, "k": "140902", "r": "140902T01", "n": "合索镇"},
                   {"c": "XZ2023-T02", "g": XZ, "k": "140921", "r": "140921T01", "n": "宏道镇"}])
    return engine


def _row(subject="XZ2023-T01", leader="王伟", phone="13912345678", **kw):
    return pd.DataFrame([{"subject": subject, "unit": "忻府区人民政府", "leader": leader, "post": "副区长",
                          "phone": phone, **kw}])


def _count(engine, table):
    with engine.connect() as c:
        return c.execute(sa.text(f"SELECT COUNT(*) FROM {table}")).scalar_one()


def test_register_audited_versioned_and_scoped(engine):
    assert rs.save(engine, XZ, _row(), XINFU, expected={"XZ2023-T01": None}) == 1
    reg = rs.register(engine, XZ, XINFU)
    assert list(reg["leader"]) == ["王伟"] and reg["version"].iat[0] == 1 and reg["phone"].iat[0] == "13912345678"
    assert reg["ref"].iat[0] == "三(二)" and reg["subject_kind"].iat[0] == "pilot"
    # the city reads it with the phone masked; 定襄 does not see 忻府's pilot at all
    assert rs.register(engine, XZ, CITY)["phone"].tolist() == ["139****5678"]
    assert rs.register(engine, XZ, DINGXIANG).empty
    # a county admin writes only inside its county; a city supervisor not at all
    with pytest.raises(PermissionDenied, match="宏道镇"):
        rs.save(engine, XZ, _row("XZ2023-T02"), XINFU)
    with pytest.raises(PermissionDenied):
        rs.save(engine, XZ, _row(), CITY)
    # two editors read version 1: the first wins, the second is refused, nothing written
    rs.save(engine, XZ, _row(leader="李强"), XINFU, expected={"XZ2023-T01": 1})
    with pytest.raises(StaleWriteError, match="版本"):
        rs.save(engine, XZ, _row(leader="张敏"), XINFU, expected={"XZ2023-T01": 1})
    with pytest.raises(StaleWriteError):  # believed there was none
        rs.save(engine, XZ, _row(leader="张敏"), XINFU, expected={"XZ2023-T01": None})
    reg = rs.register(engine, XZ)
    assert reg["leader"].tolist() == ["李强"] and reg["version"].tolist() == [2]
    log = audit.load_audit(engine, table="responsibles")
    assert log["action"].tolist() == ["insert", "update"] and set(log["user"]) == {"xinfu"}
    assert log.iloc[1][["field", "old", "new"]].tolist() == ["leader", "王伟", "李强"]
    assert rs.leaders(engine, XZ)["text"].tolist() == ["忻府区人民政府 · 李强（副区长）"]


def test_register_rows_refused_with_row_and_column_nothing_written(engine):
    bad = pd.concat([_row(), _row("没有这个"), _row(leader=""), _row("XZ2023-T02", phone="12ab")], ignore_index=True)
    bad.attrs["first_row"] = 2  # the first data row of a sheet
    with pytest.raises(InputError) as e:
        rs.save(engine, XZ, bad, system("系统"))
    where = {(p.row, p.column) for p in e.value.problems}
    assert where == {(3, "对象代码"), (4, "对象代码"), (4, "责任领导"), (5, "联系电话")}
    assert _count(engine, "responsibles") == 0


def _issue(engine, user=CITY, subject="XZ2023-T01"):
    items = [{"what": "逾期未完成：方案备案", "due": "2024-04-30", "ref": "三(二)"}]
    return nt.issue(engine, XZ, subject, 5, "方案备案逾期", user, items=items, today=ISSUED)


def test_notice_loop_scope_stale_audit_and_working_days(engine):
    with pytest.raises(InputError, match="尚未登记"):  # no responsible registered yet
        _issue(engine)
    rs.save(engine, XZ, _row(), XINFU)
    with pytest.raises(PermissionDenied):  # a county admin issues to its townships, not about 定襄
        _issue(engine, XINFU, "XZ2023-T02")
    with pytest.raises(PermissionDenied):
        _issue(engine, Actor("insp", "inspector", "140900"))
    n = _issue(engine)
    assert n["number"] == "忻乡振督〔2024〕1号" and n["to_region"] == "140902" and n["unit"] == "忻府区人民政府"
    # 5 working days after Fri 27 Sep: Sun 29 (调休上班), Mon 30, then 国庆 1–7 Oct, Tue 8, Wed 9, Thu 10
    assert n["due"] == dt.date(2024, 10, 10) and n["items"][0]["ref"] == "三(二)"
    assert _issue(engine)["number"] == "忻乡振督〔2024〕2号"  # serial per programme and year
    num = n["number"]

    def state(as_of):
        row = nt.list_notices(engine, XZ, as_of).set_index("number").loc[num]
        return row["state"], row["days_left"]

    assert state(dt.date(2024, 9, 30)) == ("issued", 3)  # 8, 9, 10 Oct
    assert state(dt.date(2024, 10, 3)) == ("issued", 3)  # the holiday counts no day
    assert state(dt.date(2024, 10, 10)) == ("issued", 0)
    assert state(dt.date(2024, 10, 12)) == ("overdue", -2)  # 11 Oct and the make-up Saturday 12 Oct
    # only the county addressed replies (not another county, not the township below it)
    for who in (DINGXIANG, HESUO, CITY):
        with pytest.raises(PermissionDenied):
            nt.reply(engine, num, "已整改", who, today=dt.date(2024, 10, 9))
    with pytest.raises(InputError, match="不能办结"):
        nt.close(engine, num, CITY, today=dt.date(2024, 10, 9))
    r = nt.reply(engine, num, "已召开专题会，限期备案", XINFU, expected_on=dt.date(2024, 10, 31),
                 attachments="整改方案.pdf", expected_version=1, today=dt.date(2024, 10, 9))
    assert r["state"] == "replied" and r["days_left"] == 1  # answered one working day early
    with pytest.raises(StaleWriteError):  # the supervisor read the notice before the reply
        nt.close(engine, num, CITY, expected_version=1, today=dt.date(2024, 10, 11))
    with pytest.raises(PermissionDenied):  # only the issuer's side closes
        nt.close(engine, num, XINFU, expected_version=2, today=dt.date(2024, 10, 11))
    back = nt.send_back(engine, num, "措施不具体", CITY, expected_version=2, today=dt.date(2024, 10, 11))
    assert back["state"] == "returned" and back["due"] == dt.date(2024, 10, 17)  # Sat 12 (调休上班), 14, 15, 16, 17
    nt.reply(engine, num, "补充措施：10月底前完成备案", XINFU, expected_version=3, today=dt.date(2024, 10, 14))
    done = nt.close(engine, num, CITY, expected_version=4, today=dt.date(2024, 10, 15))
    assert done["state"] == "closed" and done["closed_by"] == "zhou"
    log = audit.load_audit(engine, table="notices")
    assert log["action"].tolist().count("insert") == 2
    changed = log[(log["action"] == "update") & (log["field"] == "state")]
    assert changed["new"].tolist() == ["replied", "returned", "replied", "closed"]
    assert changed["user"].tolist() == ["xinfu", "zhou", "xinfu", "zhou"]
    # 定襄 sees none of 忻府's notices; the township below sees them
    assert nt.list_notices(engine, XZ, ISSUED, DINGXIANG).empty
    assert len(nt.list_notices(engine, XZ, ISSUED, HESUO)) == 2
    assert nt.summary(nt.list_notices(engine, XZ, dt.date(2024, 10, 21))) == \
        {"issued": 2, "answered": 1, "closed": 1, "overdue": 1}
