"""AppTest of the admin pages: login, 月报更正 (scope refused with nothing written), audit
view (filters, role refusal, neutralised export), the household archive (masking, logged
reveal) and account management."""
from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from ruralcore.auth import accounts, scope
from ruralcore.app import auditview, households
from ruralcore.kernel.errors import PermissionDenied
from ruralcore.store import audit, db, reports
from tests.support import shown_tables
from ruralcore.kernel.principal import system

ROOT = Path(__file__).resolve().parents[2]
PAGES = ROOT / "dashboards" / "admin"
PW = "Xiang-2019-cun"
TOWN, OTHER_TOWN = "433124T01", "433124T02"


@pytest.fixture
def url(demo_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", demo_url)
    eng = db.get_engine(demo_url)
    for name, role, region in [("officer", "township_officer", TOWN), ("auditor1", "auditor", ""),
                               ("admin1", "county_admin", "433124"), ("reporter", "village_reporter", TOWN + "001")]:
        accounts.create_account(eng, name, role, region, PW, by=system("测试"))
    return demo_url


def app(page: str, url: str, as_user: str | None = None, program: str = "huayuan-2019") -> AppTest:
    at = AppTest.from_file(str(PAGES / page), default_timeout=60)
    at.session_state["program"] = program
    if as_user:
        eng = db.get_engine(url)
        at.session_state["auth_token"] = accounts.start_session(eng, accounts.authenticate(eng, as_user, PW))
    return at.run()


def click(at, label: str):
    return next(b for b in at.button if b.label == label).click().run()


def texts(at) -> str:
    return " ".join(str(x.value) for x in [*at.success, *at.error, *at.warning, *at.info, *at.caption, *at.markdown])


def test_pages_need_a_login(url):
    for page in ("report_fix.py", "audit.py", "households.py", "accounts.py"):
        at = app(page, url)
        assert not at.exception, page
        assert "请先在“登录”页面登录" in texts(at), page


def test_login_form_signs_in_and_refuses_a_wrong_password(url):
    at = app("login.py", url)
    # the login page names the product, and on a demo database the demo accounts of every role
    assert "数字乡村建设看板" in texts(at)
    assert "演示账户登录——supervisor（市级督导）、admin（县级管理员）、township（乡镇干部）、reporter（村级填报员）、" \
           "inspector（验收人员）、auditor（审计员）" in texts(at)
    at.text_input(key="login_username").input("officer")
    at.text_input(key="login_password").input("wrong-password")
    click(at, "登录")
    assert "用户名或密码错误" in texts(at)
    at.text_input(key="login_username").input("officer")
    at.text_input(key="login_password").input(PW)
    click(at, "登录")
    assert not at.exception
    assert "已登录：officer（乡镇干部，区域 433124T01）" in texts(at)
    assert at.session_state["auth_token"]


def _value(url, region, field="households", period="2019-11"):
    r = reports.load_reports(db.get_engine(url), "huayuan-2019", [period])
    return r[(r["region"] == region) & (r["field"] == field)]["value"].iat[0]


def _region_tree(url):
    with db.get_engine(url).connect() as c:
        return scope.region_tree(c)


def test_report_fix_offers_own_villages_by_name_prefilled_and_needs_a_reason(url):
    eng = db.get_engine(url)
    names = _region_tree(url)["name"]
    village = TOWN + "001"
    at = app("report_fix.py", url, "officer")
    assert not at.exception
    month = at.selectbox(key="fix_period")
    assert month.value == "2019-11" and "2019年11月" in month.options and "2019-11" not in month.options
    region = at.selectbox(key="fix_region")
    villages = names[_region_tree(url)["parent"] == TOWN]
    # only the officer's township's villages, by name
    assert sorted(region.options) == sorted(villages) and len(villages) > 1
    region.select(village).run()
    assert f"区域代码 {village}" in texts(at)
    at.selectbox(key="fix_field").select("households").run()
    assert "农村家庭户数（户）" in at.selectbox(key="fix_field").options
    before = _value(url, village)
    assert at.number_input(key="fix_value").value == before  # starts from the stored value
    assert f"当前数值：{before:,.0f}" in texts(at)
    n_audit = len(audit.load_audit(eng))
    at.number_input(key="fix_value").set_value(before + 7)
    click(at, "保存")
    assert "请填写更正事由" in " ".join(e.value for e in at.error)
    assert _value(url, village) == before and len(audit.load_audit(eng)) == n_audit
    at.text_input(key="fix_reason").input("按纸质台账更正")
    click(at, "保存")
    assert not at.exception
    assert f"由 {before:,.0f} 改为 {before + 7:,.0f}" in texts(at), texts(at)
    assert _value(url, village) == before + 7
    log = audit.load_audit(eng, user="officer", table="reports")
    assert list(log["action"]) == ["update", "reason"] and log["new"].iat[-1] == "按纸质台账更正"
    assert set(log["key"]) == {f"huayuan-2019/2019-11/{village}"}
    shown = auditview.labelled(log)
    assert list(shown["操作"]) == ["修改", "更正事由"]


def test_report_fix_refuses_a_value_changed_by_someone_else_meanwhile(url):
    eng = db.get_engine(url)
    village = TOWN + "002"
    at = app("report_fix.py", url, "officer")
    at.selectbox(key="fix_region").select(village).run()
    at.selectbox(key="fix_field").select("households").run()
    seen = at.number_input(key="fix_value").value
    reports.upsert_reports(eng, "huayuan-2019", "2019-11", pd.DataFrame(
        {"region": [village], "field": ["households"], "value": [seen + 50]}), system("other_editor"))
    at.number_input(key="fix_value").set_value(seen + 1)
    at.text_input(key="fix_reason").input("核对更正")
    click(at, "保存")
    assert not at.exception
    msg = " ".join(e.value for e in at.error)
    assert "已被他人修改" in msg and "本次未写入任何数据" in msg
    assert _value(url, village) == seen + 50  # the other edit stays
    assert audit.load_audit(eng, user="officer", table="reports").empty  # its sign-in is logged, no value
    assert f"当前数值：{seen + 50:,.0f}" in texts(at)
    click(at, "保存")  # having seen the new value, the officer confirms
    assert not at.exception and "已保存" in texts(at)
    assert _value(url, village) == seen + 1


def test_report_fix_read_only_for_the_auditor_with_names_in_the_table(url):
    at = app("report_fix.py", url, "auditor1")
    assert not at.exception
    assert "本账户只能查看月报数值，不能更正。" in texts(at)
    assert not [s for s in at.selectbox if s.key == "fix_region"] and not at.number_input
    table = at.dataframe[0].value
    names = _region_tree(url)["name"]
    assert list(table.columns[:2]) == ["区域", "区域代码"]
    assert (table["区域"] == table["区域代码"].map(names)).all() and len(table) > 40
    assert table["提交时间"].str.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}:\d{2}").all()  # no ISO date


def test_report_fix_store_refuses_another_township_with_nothing_written(url):
    eng = db.get_engine(url)
    officer = accounts.actor_of(accounts.get_account(eng, "officer"))
    before, n_audit = _value(url, OTHER_TOWN + "001"), len(audit.load_audit(eng))
    with pytest.raises(PermissionDenied, match="433124T02001"):
        reports.upsert_reports(eng, "huayuan-2019", "2019-11", pd.DataFrame(
            {"region": [OTHER_TOWN + "001"], "field": ["households"], "value": [999]}), officer)
    assert _value(url, OTHER_TOWN + "001") == before and len(audit.load_audit(eng)) == n_audit
    at = app("report_fix.py", url, "officer")
    assert OTHER_TOWN + "001" not in at.selectbox(key="fix_region").options  # not offered at all


def test_audit_view_for_auditor_and_refused_for_officer(url):
    eng = db.get_engine(url)
    reports.upsert_reports(eng, "huayuan-2019", "2019-11", pd.DataFrame(
        {"region": [TOWN + "001"], "field": ["households"], "value": [123]}), system("=HYPERLINK(\"x\")"))
    at = app("audit.py", url, "auditor1")
    assert not at.exception
    assert "共 " in texts(at)
    at.text_input(key="audit_user").input('=HYPERLINK("x")').run()
    assert "共 1 条" in texts(at)
    refused = app("audit.py", url, "officer")  # the page gate (scope.PAGE_ROLES), before any row is read
    assert not refused.exception
    assert "无权限：officer（乡镇干部）不能打开“审计日志”页面" in texts(refused)
    assert not refused.dataframe and not [t for t in refused.text_input if t.key == "audit_user"]


def test_audit_view_county_admin_sees_its_county_only(url):
    eng = db.get_engine(url)
    reports.upsert_reports(eng, "huayuan-2019", "2019-11", pd.DataFrame(
        {"region": [TOWN + "001"], "field": ["households"], "value": [123]}), system("editor"))
    reports.upsert_reports(eng, "tanjiachang-2023", "2023-11", pd.DataFrame(
        {"region": ["431223222"], "field": ["households"], "value": [4]}), system("editor"))
    at = app("audit.py", url, "admin1")
    assert not at.exception
    region = at.selectbox(key="audit_region")
    assert region.value == "433124" and region.options[0] == "花垣县（433124）"
    assert f"花垣镇（{TOWN}）" in region.options and not [o for o in region.options if "431223" in o]
    at.text_input(key="audit_user").input("editor").run()
    shown = at.dataframe[0].value
    assert list(shown["记录"]) == ["花垣县移动信息化示范村 · 2019年11月"]  # the programme by name, the month in Chinese
    assert list(shown["字段"]) == ["农村家庭户数（户）"] and not shown["时间"].str.contains("-").any()
    names = _region_tree(url)["name"]
    assert list(shown["区域"]) == [names[TOWN + "001"]] and list(shown["区域代码"]) == [TOWN + "001"]
    with pytest.raises(PermissionDenied, match="只能查看 433124"):  # the store refuses what the page does not offer
        auditview.load(eng, accounts.actor_of(accounts.get_account(eng, "admin1")), region="431223")


def test_audit_view_region_filter_by_name_and_region_names_in_the_table(url):
    eng = db.get_engine(url)
    reports.upsert_reports(eng, "huayuan-2019", "2019-11", pd.DataFrame(
        {"region": [TOWN + "001", OTHER_TOWN + "001"], "field": ["households"] * 2, "value": [5, 6]}), system("editor"))
    names = _region_tree(url)["name"]
    at = app("audit.py", url, "auditor1")
    assert not at.exception
    assert at.selectbox(key="audit_region").value == ""  # 全部
    at.text_input(key="audit_user").input("editor").run()
    shown = at.dataframe[0].value
    assert list(shown.columns[5:8]) == ["记录", "区域", "区域代码"]
    assert sorted(shown["区域"]) == sorted([names[TOWN + "001"], names[OTHER_TOWN + "001"]])
    at.selectbox(key="audit_region").select(TOWN).run()
    assert f"花垣镇（{TOWN}）" == at.selectbox(key="audit_region").format_func(TOWN)
    assert list(at.dataframe[0].value["区域代码"]) == [TOWN + "001"]
    assert "共 1 条" in texts(at)
    ws = openpyxl.load_workbook(io.BytesIO(auditview.export(auditview.with_regions(eng, auditview.load(
        eng, system("system"), user="editor")), "xlsx")))["审计日志"]
    assert "区域" in [c.value for c in ws[1]]


def test_audit_export_neutralises_formulas_and_filters_region(url):
    eng = db.get_engine(url)
    reports.upsert_reports(eng, "huayuan-2019", "2019-11", pd.DataFrame(
        {"region": [TOWN + "001", OTHER_TOWN + "001"], "field": ["households"] * 2, "value": [1, 2]}), system("=1+2"))
    log = auditview.load(eng, accounts.actor_of(accounts.get_account(eng, "admin1")), region=TOWN, table="reports")
    assert len(log) == 1 and log["key"].iat[0].endswith(TOWN + "001")
    ws = openpyxl.load_workbook(io.BytesIO(auditview.export(log, "xlsx")))["审计日志"]
    head = [c.value for c in ws[1]]
    assert head[:3] == ["序号", "时间", "用户"]
    assert ws.cell(2, head.index("用户") + 1).value == "'=1+2"
    assert ws.cell(2, head.index("操作") + 1).value == "修改"
    assert "'=1+2" in auditview.export(log, "csv").decode("utf-8-sig")


def test_household_page_masks_and_logs_reveal(url):
    eng = db.get_engine(url)
    hh = households.list_households(eng, system("system"))
    with eng.connect() as c:
        town = c.execute(sa.text("SELECT parent FROM regions WHERE code = :v"), {"v": hh["village"].iat[0]}).scalar()
    accounts.create_account(eng, "hh_officer", "township_officer", town, PW, by=system("测试"))
    accounts.create_account(eng, "hh_reporter", "village_reporter", hh["village"].iat[0], PW, by=system("测试"))
    raw = households.open_household(eng, system("system"), int(hh["id"].iat[0]), reveal=True)["household"]
    with eng.begin() as c:
        c.execute(sa.text("DELETE FROM pii_access_log"))
    at = app("households.py", url, "hh_reporter")
    assert not at.exception
    page_text = " ".join(str(m.value) for m in at.markdown)
    assert raw["id_number"] not in page_text and "********" in page_text
    assert not [t for t in at.toggle if t.key == "hh_reveal"]  # no reveal for a village reporter
    at = app("households.py", url, "hh_officer")
    at.text_input(key="hh_purpose").input("入户核实").run()
    at.toggle(key="hh_reveal").set_value(True).run()
    assert not at.exception
    assert raw["id_number"] in " ".join(str(m.value) for m in at.markdown)
    log = households.pii_log(eng)
    assert len(log) >= 1 and set(log["username"]) == {"hh_officer"} and set(log["purpose"]) == {"入户核实"}


def test_accounts_page_county_admin_creates_an_account(url):
    at = app("accounts.py", url, "admin1")
    assert not at.exception
    at.text_input(key="acc_username").input("new_reporter")
    at.selectbox(key="acc_role").select("village_reporter")
    at.selectbox(key="acc_region").select(TOWN + "001")
    click(at, "创建")
    msg = " ".join(s.value for s in at.success)
    assert "已创建 new_reporter" in msg
    pw = msg.rsplit("：", 1)[1]
    assert accounts.authenticate(db.get_engine(url), "new_reporter", pw).region == TOWN + "001"
    refused = app("accounts.py", url, "officer")
    assert not refused.exception
    assert "无权限：officer（乡镇干部）不能打开“账户管理”页面" in texts(refused)
    assert not [t for t in refused.text_input if t.key == "acc_username"]


def test_household_page_saves_a_monitoring_change(url):
    eng = db.get_engine(url)
    hh = households.list_households(eng, system("system"))
    with eng.connect() as c:
        town = c.execute(sa.text("SELECT parent FROM regions WHERE code = :v"), {"v": hh["village"].iat[0]}).scalar()
    accounts.create_account(eng, "hh_writer", "township_officer", town, PW, by=system("测试"))
    at = app("households.py", url, "hh_writer")
    hid = at.selectbox(key="hh_id").value
    at.selectbox(key="hh_new_type").select("hardship")
    at.selectbox(key="hh_new_state").select("monitoring")
    at.text_input(key="hh_new_note").input("突发大病")
    click(at, "保存监测记录")
    assert not at.exception
    assert "已保存" in texts(at), texts(at)
    f = households.open_household(eng, system("system"), int(hid))
    assert f["household"]["monitor_type"] == "hardship"
    assert f["history"]["note"].iat[-1] == "突发大病"
    log = audit.load_audit(eng, user="hh_writer", table="households")
    assert log.set_index("field").at["monitor_type", "new"] == "hardship"


def test_idle_session_asks_to_sign_in_again(url):
    from datetime import timedelta
    eng = db.get_engine(url)
    who = accounts.authenticate(eng, "officer", PW)
    old = db.now_cst() - timedelta(minutes=accounts.SECURITY.session_idle_minutes + 1)
    at = AppTest.from_file(str(PAGES / "report_fix.py"), default_timeout=60)
    at.session_state["program"] = "huayuan-2019"
    at.session_state["auth_token"] = accounts.start_session(eng, who, now=old)
    at.run()
    assert f"超过 {accounts.SECURITY.session_idle_minutes} 分钟未操作" in texts(at)
    assert "请先在“登录”页面登录" in texts(at)


def test_household_page_city_supervisor_sees_its_city_masked_and_inspector_is_refused(url):
    eng = db.get_engine(url)
    hh = households.list_households(eng, system("system"))
    with eng.connect() as c:
        tree = scope.region_tree(c)
    city_of = {v: scope.ancestors(tree, v)[-1] for v in hh["village"].unique()}
    mine = hh[hh["village"].map(city_of) == "431200"]  # 怀化市 (辰溪县's city)
    assert len(mine) and len(mine) < len(hh)
    accounts.create_account(eng, "city1", "city_supervisor", "431200", PW, by=system("测试"))
    accounts.create_account(eng, "insp", "inspector", "433124", PW, by=system("测试"))
    at = app("households.py", url, "city1")
    assert not at.exception
    table = at.dataframe[0].value
    assert set(table["档案编号"]) == set(mine["id"])
    raw = households.open_household(eng, system("system"), int(mine["id"].iat[0]), reveal=True)["household"]
    assert raw["id_number"] not in " ".join(table["身份证号"]) and table["身份证号"].str.contains(r"\*{8}").all()
    assert not [t for t in at.toggle if t.key == "hh_reveal"]  # reading only: no reveal,
    assert not [b for b in at.button if b.label == "保存监测记录"]  # no monitoring form
    refused = app("households.py", url, "insp")
    assert not refused.exception
    assert "无权限：insp（验收人员）不能打开“一户一档”页面" in texts(refused)
    assert not refused.dataframe


def test_policy_page_is_public_and_shows_who_is_signed_in(url):
    page = str(ROOT / "dashboards" / "policy" / "programs.py")
    out = AppTest.from_file(page, default_timeout=60).run()
    assert not out.exception and not out.warning
    assert len(shown_tables(out)[0]) == 5  # the five documents, signed out
    eng = db.get_engine(url)
    at = AppTest.from_file(page, default_timeout=60)
    at.session_state["auth_token"] = accounts.start_session(eng, accounts.authenticate(eng, "officer", PW))
    at.run()
    assert not at.exception
    assert "当前用户：officer（乡镇干部，区域 433124T01）" in " ".join(c.value for c in at.sidebar.caption)


def test_accounts_page_shows_region_names_and_preselects_no_account(url):
    at = app("accounts.py", url, "admin1")
    assert not at.exception
    table = at.dataframe[0].value.set_index("用户名")
    assert table.at["officer", "区域"] == "花垣镇" and table.at["officer", "区域代码"] == TOWN
    assert table.at["admin1", "区域"] == "花垣县"
    assert set(table["启用"]) <= {"是", "否"}  # not true / false
    region = at.selectbox(key="acc_region")
    assert region.value == "433124" and "花垣县（433124）" in region.options
    assert f"花垣镇（{TOWN}）" in region.options
    target = at.selectbox(key="acc_target")
    assert target.value is None and target.placeholder == "选择账户"
    assert not [b for b in at.button if b.key in ("acc_reset", "acc_toggle")]  # nothing to act on yet


def test_accounts_page_refuses_disabling_ones_own_account(url):
    eng = db.get_engine(url)
    at = app("accounts.py", url, "admin1")
    at.selectbox(key="acc_target").select("admin1").run()
    next(b for b in at.button if b.key == "acc_toggle").click().run()
    assert not at.exception
    assert "不能停用自己正在使用的账户" in " ".join(e.value for e in at.error)
    assert accounts.get_account(eng, "admin1")["active"]
    at.selectbox(key="acc_target").select("officer").run()
    next(b for b in at.button if b.key == "acc_toggle").click().run()
    assert not at.exception and not accounts.get_account(eng, "officer")["active"]


def test_update_account_refuses_disabling_ones_own_account_but_not_another_admins(url):
    eng = db.get_engine(url)
    me = accounts.actor_of(accounts.get_account(eng, "admin1"))
    with pytest.raises(PermissionDenied, match="不能停用自己正在使用的账户"):
        accounts.update_account(eng, "admin1", {"active": False}, accounts.get_account(eng, "admin1")["version"], by=me)
    assert accounts.get_account(eng, "admin1")["active"]
    accounts.update_account(eng, "admin1", {"display_name": "管理员"}, accounts.get_account(eng, "admin1")["version"],
                            by=me)  # other changes to one's own account still go through
    accounts.create_account(eng, "admin2", "county_admin", "433124", PW, by=system("测试"))
    accounts.update_account(eng, "admin1", {"active": False}, accounts.get_account(eng, "admin1")["version"],
                            by=accounts.actor_of(accounts.get_account(eng, "admin2")))
    assert not accounts.get_account(eng, "admin1")["active"]


def test_household_page_shows_village_names_with_the_code_beside(url):
    eng = db.get_engine(url)
    hh = households.list_households(eng, system("system"))
    with eng.connect() as c:
        names = scope.region_tree(c)["name"]
    assert (hh["village_name"] == hh["village"].map(names)).all() and hh["village_name"].ne(hh["village"]).all()
    at = app("households.py", url, "auditor1")
    assert not at.exception
    table = at.dataframe[0].value
    assert list(table.columns[:3]) == ["档案编号", "村", "村代码"]
    assert (table["村"] == table["村代码"].map(names)).all()
    assert not table["村"].str.fullmatch(r"[0-9A-Z]+").any()  # names, not codes
    first = hh["village"].sort_values().iat[0]
    choice = at.selectbox(key="hh_village")
    assert f"{names[first]}（{first}）" in choice.options
    choice.select(first).run()
    assert set(at.dataframe[0].value["村代码"]) == {first}


@pytest.mark.parametrize("program", ["huayuan-2019", "rongshui-2019", "tanjiachang-2023", "xinzhou-2023", "yinchuan-2017"])
def test_report_fix_names_and_prefill_in_every_programme(url, program):
    from ruralcore.app import entry
    from ruralcore.kernel.fmt import period_zh

    eng = db.get_engine(url)
    units = entry.units(eng, program)
    group = units["group"].iat[0]
    accounts.create_account(eng, "group_admin", "county_admin", group, PW, by=system("测试"))
    at = app("report_fix.py", url, "group_admin", program=program)
    assert not at.exception
    months = entry.periods(eng, program)
    assert at.selectbox(key="fix_period").options[0] == period_zh(months[-1])
    with eng.connect() as c:
        mine = units[scope.can_write(scope.Actor("x", "county_admin", group), "reports", units["code"],
                                     scope.region_tree(c))]
    assert sorted(at.selectbox(key="fix_region").options) == sorted(mine["name"]) and len(mine)
    stored = reports.load_reports(eng, program, [months[-1]])
    region, field = at.selectbox(key="fix_region").value, at.selectbox(key="fix_field").value
    cur = stored[(stored["region"] == region) & (stored["field"] == field)]["value"]
    assert at.number_input(key="fix_value").value == (cur.iat[0] if len(cur) else None)
