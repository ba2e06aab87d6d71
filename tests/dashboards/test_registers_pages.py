"""Pages of the documents' own records on a copy of the demo database: 站点编号 (融水
附件2 register; the demo fills every 附件1 quota, so a further number is refused until
one is retired); 评选审定 (花垣: approval with a change that needs its reason, then the
plaque register)."""
from __future__ import annotations

import sqlite3
import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from ruralcore.app import awards as aw
from ruralcore.app import station_register as sr
from ruralcore.store import audit, db
from tests.login_support import sign_in
from ruralcore.kernel.principal import system

PAGES = Path(__file__).resolve().parents[2] / "dashboards" / "county"
RS = "rongshui-2019"
HY = "huayuan-2019"


@pytest.fixture(scope="module")
def own_db(demo_db_url, tmp_path_factory):
    """A private copy of the demo database for this module (its tests write)."""
    path = tmp_path_factory.mktemp("registers") / "reg.db"
    src, dst = sqlite3.connect(sa.make_url(demo_db_url).database), sqlite3.connect(path)
    src.backup(dst)
    src.close(), dst.close()
    url = f"sqlite:///{path}"
    yield url
    db.dispose(url)


def page(url: str, file: str, program: str, role: str, region: str, monkeypatch) -> AppTest:
    monkeypatch.setenv("DATABASE_URL", url)
    at = AppTest.from_file(str(PAGES / file), default_timeout=60)
    at.session_state["program"] = program
    sign_in(at, db.get_engine(url), role, region)
    return at.run()


def _clean(at) -> None:
    assert not at.exception, [e.message for e in at.exception]


def test_station_page_refuses_beyond_quota_then_allocates_after_a_retirement(own_db, monkeypatch):
    eng = db.get_engine(own_db)
    at = page(own_db, "stations.py", RS, "county_admin", "450225", monkeypatch)
    _clean(at)
    quota = next(d for d in at.dataframe if "附件1任务数" in d.value.columns).value
    town = quota[(quota["乡镇"] == "融水镇") & (quota["类型"] == "标准站")].iloc[0]
    # 附件1 序号1: 融水镇 标准站19 — the demo registered all 19
    assert (town["附件1任务数"], town["已登记"], town["尚可分配"], town["条款"]) == (19, 19, 0, "附件1 序号1")
    assert "文件未规定，系统默认" in " ".join(c.value for c in at.caption)
    at.selectbox(key="stn_town").set_value("450225T01")
    at.selectbox(key="stn_type").set_value("standard")
    at = next(b for b in at.button if b.label == "分配并登记").click().run()
    _clean(at)
    assert "融水镇的标准站已登记19个，已达附件1下达的19个（附件1 序号1）" in at.error[0].value
    first = sr.register(eng, RS).query("township == '融水镇' and type == 'standard'")["number"].iloc[0]
    at.selectbox(key="stn_retire_number").set_value(first)
    at = next(b for b in at.button if b.label.startswith("撤销")).click().run()
    _clean(at)
    assert at.success[0].value == f"已撤销：{first}"
    at.selectbox(key="stn_town").set_value("450225T01")
    at.selectbox(key="stn_type").set_value("standard")
    at.text_input(key="stn_village").input("演示新村")
    at = next(b for b in at.button if b.label == "分配并登记").click().run()
    _clean(at)
    assert at.success[0].value == "已登记：桂BRS0207B（融水镇，标准站）"  # after 0206B, never the retired one
    reg = next(d for d in at.dataframe if "编号" in d.value.columns and "状态" in d.value.columns).value
    assert reg.set_index("编号").loc["桂BRS0207B", "状态"] == "已分配编号"
    assert reg.set_index("编号").loc[first, "状态"] == "已撤销"
    log = audit.load_audit(eng, table="stations")
    assert log.loc[log["key"] == "桂BRS0207B", "action"].tolist() == ["insert"]
    assert log.loc[log["key"] == first, "action"].tolist() == ["update"]


def test_station_page_for_a_township_officer_lists_its_township(own_db, monkeypatch):
    at = page(own_db, "stations.py", RS, "township_officer", "450225T13", monkeypatch)
    _clean(at)
    reg = next(d for d in at.dataframe if "状态" in d.value.columns).value
    assert set(reg["乡镇"]) == {"同练乡"} and len(reg) == 18  # 附件1 序号13: 6 + 6 + 6
    assert at.selectbox(key="stn_town").options == ["同练乡"]


def test_award_page_approves_with_a_change_and_shows_the_register(own_db, monkeypatch):
    eng = db.get_engine(own_db)
    at = page(own_db, "awards.py", HY, "county_admin", "433124", monkeypatch)
    _clean(at)
    at.radio(key="aw_batch").set_value("summary_meeting")
    at = at.run()
    prop = next(d for d in at.dataframe if "提议等次" in d.value.columns).value
    assert set(prop["提议等次"]) <= {"优秀", "达标"} and (prop["提议等次"] == "优秀").sum() >= 10
    cand = aw.propose(eng, HY, at.session_state["period"], "summary_meeting")
    below = cand[cand["proposed"] == ""].iloc[0]
    at.selectbox(key="aw_region").set_value(below["region"])
    at.selectbox(key="aw_award").set_value("qualified")
    at = next(b for b in at.button if b.label == "加入调整").click().run()  # no reason yet
    at = next(b for b in at.button if b.label == "审定通过").click().run()
    _clean(at)
    assert "调整提议名单必须写明理由" in at.error[0].value
    assert aw.register(eng, HY).empty
    at.selectbox(key="aw_region").set_value(below["region"])
    at.selectbox(key="aw_award").set_value("qualified")
    at.text_input(key="aw_reason").input("补报数据经核实达标")
    at = next(b for b in at.button if b.label == "加入调整").click().run()
    at = next(b for b in at.button if b.label == "审定通过").click().run()
    _clean(at)
    assert any("调整1处" in s.value for s in at.success)
    reg = next(d for d in at.dataframe if "授牌日期" in d.value.columns).value
    row = reg[reg["村（社区）"] == below["name"]].iloc[0]
    assert (row["等次"], row["调整理由"], row["授牌日期"]) == ("达标", "补报数据经核实达标", "2019年7月31日")
    assert len(reg) == int((cand["proposed"] != "").sum()) + 1
    assert audit.load_audit(eng, table="award_approvals")["action"].tolist() == ["insert"]


def test_award_page_refuses_a_township_officer(own_db, monkeypatch):
    at = page(own_db, "awards.py", HY, "township_officer", "433124T01", monkeypatch)
    _clean(at)
    at.radio(key="aw_batch").set_value("promotion_meeting")
    at = next(b for b in at.run().button if b.label == "审定通过").click().run()
    assert "无权限" in at.error[0].value


def test_meeting_page_records_a_consultation_and_meets_the_month(own_db, monkeypatch):
    from ruralcore.app import meetings
    from ruralcore.app.milestone_records import today_china

    at = page(own_db, "meetings.py", "tanjiachang-2023", "township_officer", "431223222", monkeypatch)
    _clean(at)
    assert at.text_input(key="mt_chair").value == "乡乡村振兴办"  # 三(四)9's chair unit
    at.text_input(key="mt_attendees").input("乡社会事务综合服务中心、各村")
    from ruralcore.app import households
    first = households.list_households(db.get_engine(own_db), system("测试"))
    first = int(first.loc[first["village"].str.startswith("431223222"), "id"].iat[0])
    at.multiselect(key="mt_households").set_value([first])
    at = next(b for b in at.button if b.label == "保存会商记录").click().run()
    _clean(at)
    assert at.success[0].value.startswith("已记录")
    months = next(d for d in at.dataframe if "是否完成" in d.value.columns).value
    assert months["是否完成"].iat[-1] == "已会商" and months["条款"].iat[-1] == "三(四)9"
    rec = meetings.records(db.get_engine(own_db), "tanjiachang-2023")
    assert rec["held_on"].iat[0] == today_china() and rec["recorded_by"].iat[0].startswith("t")
    assert rec["households"].iat[0] == str(first)


def test_event_page_county_reports_supervisor_reads_unread_first(own_db, monkeypatch):
    from ruralcore.app import events

    PAGES_SV = PAGES.parent / "supervision"
    at = page(own_db, "../supervision/events.py", "xinzhou-2023", "county_admin", "140902", monkeypatch)
    _clean(at)
    at.text_input(key="ev_title").input("合索镇试点机房断电")
    at.text_input(key="ev_impact").input("平台停用两天")
    at = next(b for b in at.button if b.label == "报告").click().run()
    _clean(at)
    assert at.success[0].value == "已报告：合索镇试点机房断电"
    at = page(own_db, "../supervision/board.py", "xinzhou-2023", "city_supervisor", "140900", monkeypatch)
    _clean(at)
    assert any("未读的重要情况报告 1 份" in w.value for w in at.warning)
    at = page(own_db, "../supervision/events.py", "xinzhou-2023", "city_supervisor", "140900", monkeypatch)
    _clean(at)
    table = next(d for d in at.dataframe if "事项" in d.value.columns).value
    assert table["状态"].iat[0] == "未读" and table["事项"].iat[0] == "合索镇试点机房断电"
    at = next(b for b in at.button if b.label == "已阅").click().run()
    _clean(at)
    assert events.reports(db.get_engine(own_db), "xinzhou-2023")["read"].all()
    assert PAGES_SV.is_dir()


def test_trainee_page_files_a_trainee_masked_and_counts_the_target(own_db, monkeypatch):
    from ruralcore.app import trainees

    at = page(own_db, "trainees.py", "yinchuan-2017", "county_admin", "640100", monkeypatch)
    _clean(at)
    before = trainees.target_from_files(db.get_engine(own_db), "yinchuan-2017")
    at.text_input(key="tr_name").input("演示·王五")
    at.text_input(key="tr_course").input("农村电商运营")
    at.text_input(key="tr_id").input("640104199001011234")
    at = next(b for b in at.button if b.label == "建档").click().run()
    _clean(at)
    assert at.success[0].value == "已建档：演示·王五"
    table = next(d for d in at.dataframe if "身份证号" in d.value.columns).value
    assert table["身份证号"].tolist()[-1] == "640104********1234"
    after = trainees.target_from_files(db.get_engine(own_db), "yinchuan-2017")
    assert after["trainees"] == before["trainees"] + 1 and after["villages"] > 0
    assert any("村均培训电子商务人才5人以上" in m.label for m in at.metric)


def test_officer_page_scores_beside_training_hours(own_db, monkeypatch):
    from ruralcore.app import officer_assessment as oa

    at = page(own_db, "officers.py", RS, "county_admin", "450225", monkeypatch)
    _clean(at)
    assert "文件未规定，系统默认" in " ".join(c.value for c in at.caption)
    pick = at.selectbox(key="oa_officer").value
    at.number_input(key="oa_public_service").set_value(35.0)
    at.number_input(key="oa_platform").set_value(15.0)
    at = next(b for b in at.button if b.label == "保存评分").click().run()
    _clean(at)
    assert at.success[0].value.startswith("已保存")
    year = int(next(c.value for c in at.caption if "五(三)1" in c.value).split("·")[1].strip()[:4])
    row = oa.table(db.get_engine(own_db), RS, year).set_index("officer").loc[pick]
    assert (row["score_public_service"], row["score_platform"], row["total"]) == (35.0, 15.0, 50.0)
    table = next(d for d in at.dataframe if "培训学时" in d.value.columns).value
    assert (table["合计"] == 50.0).any()


def test_milestones_page_says_whether_the_month_had_its_consultation(own_db, monkeypatch):
    from ruralcore.app import meetings
    from ruralcore.app import overview as ov
    from ruralcore.kernel.principal import system

    eng = db.get_engine(own_db)
    as_of = ov.as_of_date(eng, "tanjiachang-2023", ov.periods(eng, "tanjiachang-2023"))
    at = page(own_db, "milestones.py", "tanjiachang-2023", "county_admin", "431223", monkeypatch)
    _clean(at)
    said = next(c.value for c in at.caption if "会商" in c.value and "三(四)9" in c.value)
    held = meetings.months(eng, "tanjiachang-2023", f"{as_of:%Y-%m}", f"{as_of:%Y-%m}")["met"].iat[0]
    assert ("本月已完成" in said) == bool(held)
    meetings.add(eng, "tanjiachang-2023", as_of, "乡乡村振兴办", "各村", [], "", "", system("测试"),
                 today=max(as_of, dt.date.today()))
    at = page(own_db, "milestones.py", "tanjiachang-2023", "county_admin", "431223", monkeypatch)
    assert "本月已完成" in next(c.value for c in at.caption if "会商" in c.value and "三(四)9" in c.value)
