"""Audited single-record writes with optimistic locking; money as exact integers.
Figures from 忻州 (xinzhou-2023, 三(三)): 450,000 yuan per pilot, 67 pilots = 30,150,000 yuan."""
from __future__ import annotations

import threading
from datetime import date

import pandas as pd
import pytest
import sqlalchemy as sa

from ruralcore.kernel.errors import InputError, StaleWriteError
from ruralcore.store import audit, db, write
from ruralcore.store.models import FundEntry, Officer, Pilot, Station
from ruralcore.kernel.principal import system

X = "xinzhou-2023"


def pilot(engine, code="XZ-T-01", user="市局"):
    return write.insert(engine, Pilot, {"code": code, "program": X, "pilot_type": "township",
                                        "name": "偏关县天峰坪镇"}, system(user))


def test_insert_update_delete_are_audited(engine):
    p = pilot(engine)
    assert p.version == 1
    p2 = write.update(engine, Pilot, "XZ-T-01", {"plans_on": date(2023, 3, 28), "notes": "方案已编制"}, 1, system("偏关县"))
    assert p2.version == 2 and p2.plans_on == date(2023, 3, 28)
    log = audit.load_audit(engine, table="pilots")
    assert list(log["action"]) == ["insert", "update", "update"]
    upd = log[log["action"] == "update"].set_index("field")
    assert upd.loc["plans_on", "old"] is None or pd.isna(upd.loc["plans_on", "old"])
    assert upd.loc["plans_on", "new"] == "2023-03-28"
    assert set(log["user"]) == {"市局", "偏关县"} and set(log["key"]) == {"XZ-T-01"}
    # nothing changed: no write, no audit entry, version stays
    assert write.update(engine, Pilot, "XZ-T-01", {"notes": "方案已编制"}, 2, system("偏关县")).version == 2
    assert len(audit.load_audit(engine, table="pilots")) == 3
    write.delete(engine, Pilot, "XZ-T-01", 2, system("市局"))
    with engine.connect() as c:
        assert c.execute(sa.text("SELECT count(*) FROM pilots")).scalar_one() == 0
    last = audit.load_audit(engine, table="pilots").iloc[-1]
    assert last["action"] == "delete" and "偏关县天峰坪镇" in last["old"]


def test_a_bare_user_name_is_refused_by_the_store(engine):
    """A user's name is not the user: every store write refuses a str (TypeError) before
    writing anything, so a caller handing over the name instead of the Principal never
    makes an unchecked write."""
    from ruralcore.store import meta, regions, reports

    p = pilot(engine)
    n_audit = len(audit.load_audit(engine))
    frame = pd.DataFrame({"code": ["XZ-T-02"], "program": [X], "pilot_type": ["township"], "name": ["乙镇"]})
    region_rows = pd.DataFrame({"code": ["140932"], "name": ["偏关县"], "level": ["county"], "parent": ["140900"],
                                "program": [X]})
    for name in ("市局", "admin"):
        for call in (
            lambda: write.insert(engine, Pilot, {"code": "XZ-T-02", "program": X, "pilot_type": "township",
                                                 "name": "乙镇"}, name),
            lambda: write.update(engine, Pilot, "XZ-T-01", {"notes": "改"}, p.version, name),
            lambda: write.delete(engine, Pilot, "XZ-T-01", p.version, name),
            lambda: write.bulk_insert(engine, Pilot, frame, name),
            lambda: write.bulk_insert(engine, Pilot, frame.iloc[:0], name),
            lambda: reports.upsert_reports(engine, X, "2023-05", pd.DataFrame(
                {"region": ["140932"], "field": ["households"], "value": [1.0]}), name),
            lambda: meta.set_meta(engine, "demo", "1", name),
            lambda: regions.sync_regions(engine, region_rows, name),
        ):
            with pytest.raises(TypeError, match="Principal"):
                call()
    with engine.connect() as c:
        assert c.execute(sa.text("SELECT code, version FROM pilots")).all() == [("XZ-T-01", 1)]
        assert c.execute(sa.text("SELECT count(*) FROM reports")).scalar_one() == 0
    assert len(audit.load_audit(engine)) == n_audit


def test_two_writers_second_gets_stale_write_error(engine):
    pilot(engine)
    # both editors read version 1
    write.update(engine, Pilot, "XZ-T-01", {"filing_on": date(2023, 4, 25)}, 1, system("张三"))
    with pytest.raises(StaleWriteError) as err:
        write.update(engine, Pilot, "XZ-T-01", {"filing_on": date(2023, 4, 30)}, 1, system("李四"))
    msg = str(err.value)
    assert "试点" in msg and "XZ-T-01" in msg and "张三" in msg
    with pytest.raises(StaleWriteError):
        write.delete(engine, Pilot, "XZ-T-01", 1, system("李四"))
    with engine.connect() as c:
        row = c.execute(sa.text("SELECT filing_on, version FROM pilots")).one()
    assert str(row[0])[:10] == "2023-04-25" and row[1] == 2
    assert "李四" not in set(audit.load_audit(engine)["user"])


def test_two_threads_with_their_own_connections(engine):
    pilot(engine)
    barrier = threading.Barrier(2)
    results: dict[str, str] = {}

    def edit(user, note):
        barrier.wait()  # both hold version 1 and save at the same moment
        try:
            write.update(engine, Pilot, "XZ-T-01", {"notes": note}, 1, system(user))
            results[user] = "ok"
        except StaleWriteError:
            results[user] = "stale"

    threads = [threading.Thread(target=edit, args=(u, n)) for u, n in (("甲", "甲的意见"), ("乙", "乙的意见"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(results.values()) == ["ok", "stale"]
    winner = next(u for u, r in results.items() if r == "ok")
    with engine.connect() as c:
        notes, version = c.execute(sa.text("SELECT notes, version FROM pilots")).one()
    assert notes == f"{winner}的意见" and version == 2
    assert len(audit.load_audit(engine, table="pilots", user=winner)) == 1


def test_failure_inside_a_session_leaves_nothing(engine):
    with pytest.raises(RuntimeError):
        with db.session(engine) as s:
            write.insert(s, Pilot, {"code": "XZ-V-01", "program": X, "pilot_type": "village"}, system("市局"))
            write.insert(s, FundEntry, {"program": X, "pilot": "XZ-V-01", "kind": "allocation",
                                        "amount_yuan": 450_000}, system("市局"))
            raise RuntimeError("断电")
    with engine.connect() as c:
        assert c.execute(sa.text("SELECT count(*) FROM pilots")).scalar_one() == 0
        assert c.execute(sa.text("SELECT count(*) FROM fund_entries")).scalar_one() == 0
    assert audit.load_audit(engine).empty


def test_money_is_stored_as_exact_integers(engine):
    # 67 pilots × 450,000 yuan = 30,150,000 yuan (22 township + 45 village pilots)
    frame = pd.DataFrame({"program": X, "pilot": [f"P{i:02d}" for i in range(67)], "kind": "allocation",
                          "amount_yuan": 450_000, "on_date": date(2023, 4, 30)})
    assert write.bulk_insert(engine, FundEntry, frame, system("市局")) == 67
    big = write.insert(engine, FundEntry, {"program": X, "kind": "county_matching",
                                           "amount_yuan": 9_007_199_254_740_993}, system("市局"))  # > 2**53
    with engine.connect() as c:
        total = c.execute(sa.text("SELECT sum(amount_yuan) FROM fund_entries WHERE kind = 'allocation'")).scalar_one()
        back = c.execute(sa.text("SELECT amount_yuan FROM fund_entries WHERE id = :i"), {"i": big.id}).scalar_one()
    assert int(total) == 30_150_000 and isinstance(back, int) and back == 9_007_199_254_740_993
    assert len(audit.load_audit(engine, table="fund_entries")) == 68


def test_bulk_insert_fills_defaults_and_audits_each_row(engine):
    st = pd.DataFrame({"number": ["桂BRS0001B", "桂BRS0002Z"], "program": "rongshui-2019",
                       "type": ["standard", "professional"], "broadband_mbps": [100, None]})
    assert write.bulk_insert(engine, Station, st, system("县商务局")) == 2
    with engine.connect() as c:
        rows = c.execute(sa.text("SELECT number, is_demo, has_site, broadband_mbps, version FROM stations "
                                 "ORDER BY number")).all()
    assert [tuple(r) for r in rows] == [("桂BRS0001B", False, False, 100, 1), ("桂BRS0002Z", False, False, None, 1)]
    log = audit.load_audit(engine, table="stations")
    assert sorted(log["key"]) == ["桂BRS0001B", "桂BRS0002Z"] and set(log["action"]) == {"insert"}
    # autoincrement keys come back for the audit log
    write.bulk_insert(engine, Officer, pd.DataFrame({"station": ["桂BRS0001B"] * 2, "name": ["韦某", "梁某"]}), system("县商务局"))
    assert len(audit.load_audit(engine, table="officers")["key"].unique()) == 2
    assert write.bulk_insert(engine, Officer, pd.DataFrame({"station": ["桂BRS0001B"], "name": ["x"]}), system("u"),
                             audit=False) == 1
    assert len(audit.load_audit(engine, table="officers")) == 2


def test_errors_are_chinese_and_write_nothing(engine):
    pilot(engine)
    with pytest.raises(InputError, match="没有可修改的字段 colour"):
        write.update(engine, Pilot, "XZ-T-01", {"colour": "红"}, 1, system("u"))
    with pytest.raises(InputError, match="找不到"):
        write.update(engine, Pilot, "NOPE", {"notes": "x"}, 1, system("u"))
    with pytest.raises(InputError, match="冲突"):
        pilot(engine)  # same code again
    # a station referenced by an officer cannot be deleted
    write.insert(engine, Station, {"number": "桂BRS0003J", "program": "rongshui-2019", "type": "simple"}, system("u"))
    write.insert(engine, Officer, {"station": "桂BRS0003J", "name": "潘某"}, system("u"))
    with pytest.raises(InputError, match="冲突"):
        write.delete(engine, Station, "桂BRS0003J", 1, system("u"))
    assert len(audit.load_audit(engine)) == 3


def test_load_audit_filters(engine):
    pilot(engine, "A1", "甲")
    pilot(engine, "A2", "乙")
    assert list(audit.load_audit(engine, user="乙")["key"]) == ["A2"]
    assert len(audit.load_audit(engine, key_prefix="A")) == 2
    assert audit.load_audit(engine, since=date(2100, 1, 1)).empty
    assert len(audit.load_audit(engine, until=date(2100, 1, 1))) == 2
    assert list(audit.load_audit(engine).columns) == audit.COLUMNS


def test_meta_demo_flag_and_as_of(engine):
    from ruralcore.store import meta

    assert not meta.is_demo(engine) and meta.as_of(engine, X) is None
    meta.set_meta(engine, meta.DEMO_KEY, "1", system("演示数据生成器"))
    meta.set_as_of(engine, X, date(2023, 11, 30), system("演示数据生成器"))  # 推进项目建设 due end of November
    meta.set_as_of(engine, X, date(2023, 11, 30), system("演示数据生成器"))  # same value: no new audit entry
    assert meta.is_demo(engine) and meta.as_of(engine, X) == date(2023, 11, 30)
    meta.set_as_of(engine, X, date(2023, 12, 31), system("市局"))
    assert meta.as_of(engine, X) == date(2023, 12, 31)
    log = audit.load_audit(engine, table="app_meta")
    assert list(log["action"]) == ["insert", "insert", "update"]
    assert tuple(log.iloc[-1][["old", "new"]]) == ("2023-11-30", "2023-12-31")


def test_bulk_insert_refuses_fractional_yuan(engine):
    frame = pd.DataFrame({"program": X, "kind": "spending", "amount_yuan": [450_000.0, 1234.5]})
    with pytest.raises(InputError) as err:
        write.bulk_insert(engine, FundEntry, frame, system("县财政局"))
    assert "第2行" in str(err.value) and "amount_yuan" in str(err.value)
    with engine.connect() as c:
        assert c.execute(sa.text("SELECT count(*) FROM fund_entries")).scalar_one() == 0


def test_single_writes_validate_types(engine):
    with pytest.raises(InputError) as err:
        write.insert(engine, FundEntry, {"program": X, "kind": "advance", "amount_yuan": 1234.5}, system("县财政局"))
    assert "amount_yuan" in str(err.value)
    f = write.insert(engine, FundEntry, {"program": X, "kind": "advance", "amount_yuan": 225_000.0,
                                         "on_date": "2023-06-30"}, system("县财政局"))
    assert f.amount_yuan == 225_000 and isinstance(f.amount_yuan, int) and f.on_date == date(2023, 6, 30)
    with pytest.raises(InputError, match="plans_on"):
        write.update(engine, Pilot, pilot(engine).code, {"plans_on": "三月底"}, 1, system("u"))


def test_bulk_insert_dates_and_text_round_trip(engine):
    st = pd.DataFrame({"number": ["桂BRS0004B", "桂BRS0005J"], "program": "rongshui-2019", "type": "standard",
                       "village": ["", '大浪村,"二组"\n三组'],
                       "built_on": pd.to_datetime(["2019-06-25", None])})  # 6月下旬 all stations built
    write.bulk_insert(engine, Station, st, system("县商务局"), audit=False)
    with engine.connect() as c:
        rows = c.execute(sa.select(Station.__table__.c.number, Station.__table__.c.village,
                                   Station.__table__.c.built_on).order_by(Station.__table__.c.number)).all()
    assert [tuple(r) for r in rows] == [("桂BRS0004B", "", date(2019, 6, 25)), ("桂BRS0005J", '大浪村,"二组"\n三组', None)]


def test_session_reads_and_writes_in_one_transaction(engine):
    from sqlmodel import select

    with db.session(engine) as s:
        write.insert(s, Pilot, {"code": "XZ-V-02", "program": X, "pilot_type": "village"}, system("市局"))
        assert s.exec(select(Pilot)).one().code == "XZ-V-02"  # sees its own uncommitted insert
    with db.session(engine) as s:
        assert [p.code for p in s.exec(select(Pilot))] == ["XZ-V-02"]
