"""The audit view's region filter and a county admin's limit follow the region tree, not
the shape of the codes: a village whose code does not extend its county's is still found
under the county, and records keyed by id (households) or already deleted are placed by
their own row."""
from __future__ import annotations

import io
import re

import pandas as pd
import pytest

from ruralcore.app import auditview, households
from ruralcore.kernel.errors import InputError, PermissionDenied
from ruralcore.auth.scope import Actor, ancestors, region_tree
from ruralcore.store import regions, reports, write
from ruralcore.store.models import HouseholdMeasure
from ruralcore.kernel.principal import system

TOWN, OTHER_TOWN = "433124T01", "433124T02"
ODD = "HY-OLD-07"  # a village of 花垣镇 under a code that does not start with 433124
ADMIN = Actor("admin1", "county_admin", "433124")
OTHER_ADMIN = Actor("admin2", "county_admin", "431223")


@pytest.fixture
def eng(demo):
    regions.sync_regions(demo, pd.DataFrame([{
        "code": ODD, "name": "演示旧编码村", "level": "village", "parent": TOWN, "program": "huayuan-2019",
        "kind": "", "code_source": "generated", "ref": "测试"}]), system("测试"))
    reports.upsert_reports(demo, "huayuan-2019", "2019-11", pd.DataFrame(
        {"region": [TOWN + "001", OTHER_TOWN + "001", ODD], "field": ["households"] * 3, "value": [1, 2, 3]}), system("editor"))
    reports.upsert_reports(demo, "tanjiachang-2023", "2023-11", pd.DataFrame(
        {"region": ["431223222"], "field": ["households"], "value": [4]}), system("editor"))
    return demo


def _report_regions(log: pd.DataFrame) -> set[str]:
    rep = log[log["table"] == "reports"]
    return set(rep["key"].str.rsplit("/", n=1).str[-1])


def test_region_filter_follows_the_tree_not_the_code_prefix(eng):
    county = auditview.load(eng, system("system"), user="editor", region="433124")
    assert _report_regions(county) == {TOWN + "001", OTHER_TOWN + "001", ODD}
    town = auditview.load(eng, system("system"), user="editor", region=TOWN)
    assert _report_regions(town) == {TOWN + "001", ODD}
    # the region row itself (key = its code) lies in its township too
    assert ODD in set(auditview.load(eng, system("system"), table="regions", region=TOWN)["key"])


def test_county_admin_sees_only_its_county(eng):
    mine = auditview.load(eng, ADMIN, user="editor")
    assert _report_regions(mine) == {TOWN + "001", OTHER_TOWN + "001", ODD}
    assert _report_regions(auditview.load(eng, OTHER_ADMIN, user="editor")) == {"431223222"}
    assert _report_regions(auditview.load(eng, Actor("a", "auditor", ""), user="editor")) == \
        {TOWN + "001", OTHER_TOWN + "001", ODD, "431223222"}
    with pytest.raises(PermissionDenied, match="只能查看 433124"):
        auditview.load(eng, ADMIN, region="431223")
    with pytest.raises(PermissionDenied, match="不能查看审计日志"):
        auditview.load(eng, Actor("t", "township_officer", TOWN))


def test_unknown_region_is_a_chinese_input_error(eng):
    with pytest.raises(InputError, match="区域代码“999999”不存在"):
        auditview.load(eng, system("system"), region="999999")


def test_records_keyed_by_id_and_deleted_records_are_placed_by_their_row(eng):
    hh = households.list_households(eng, system("system"))
    row = hh.iloc[0]
    with eng.connect() as c:
        village, town, county = ancestors(region_tree(c), row["village"])[:3]
    households.set_monitoring(eng, int(row["id"]), "hardship", "monitoring", pd.Timestamp("2024-01-05").date(),
                              int(row["version"]), system("hh_editor"), note="测试")
    m = write.insert(eng, HouseholdMeasure, {"household": int(row["id"]), "measure": "产业帮扶"}, system("hh_editor"))
    write.delete(eng, HouseholdMeasure, m.id, 1, system("hh_editor"))
    log = auditview.load(eng, system("system"), user="hh_editor", region=town)
    assert {"households", "household_measures"} <= set(log["table"])
    assert set(log[log["table"] == "household_measures"]["action"]) == {"insert", "delete"}
    assert len(auditview.load(eng, Actor("a", "county_admin", county), user="hh_editor")) == len(log)
    assert county != "433124" and len(auditview.load(eng, ADMIN, user="hh_editor")) == 0


def test_county_admin_without_a_region_sees_nothing(eng):
    assert len(auditview.load(eng, system("system"))) > 0
    assert auditview.load(eng, Actor("odd", "county_admin", "")).empty


def test_labelled_leaves_missing_values_empty(eng):
    log = auditview.load(eng, system("system"), user="editor", region=TOWN)
    shown = auditview.labelled(log)
    assert list(shown.columns[:3]) == ["序号", "时间", "用户"]
    assert set(shown["操作"]) == {"新增", "修改"}  # ODD's report is new, 433124T01001's replaced
    assert (shown[shown["操作"] == "新增"]["原值"] == "").all()
    assert (shown[shown["操作"] == "修改"]["原值"] != "").all()
    assert not shown.isin(["None"]).any().any()


def test_entries_read_in_words_not_codes(demo):
    """A whole inserted row, a role, a flag, a date, the demo's bulk load and a checklist
    item read as words: no column name, code, ISO date or JSON on the page or in the export."""
    from ruralcore.auth import accounts
    from ruralcore.app import cases

    accounts.create_account(demo, "li", "inspector", "433124", "Xiang-2019-cun", by=system("测试"))
    case = cases.list_cases(demo, "huayuan-2019", "2019-12-25").iloc[0]
    log = auditview.load(demo, system("system"))
    shown = auditview.labelled(log)
    made = shown[(shown["数据表"] == "账户") & (shown["操作"] == "新增") & (shown["记录"] == "li")].iloc[0]
    assert made["新值"].startswith("用户名：li；显示名称：li；角色：验收人员；区域：433124；密码：***；启用：是；须修改密码：否")
    assert "创建时间：" in made["新值"] and "{" not in made["新值"]
    bulk = shown[shown["操作"] == "批量写入"]
    assert set(bulk["记录"]) == {"演示数据（县级规模）"} and set(bulk["字段"]) == {"行数"}
    items = shown[shown["数据表"] == "验收项目"]["新值"]
    assert items.str.contains("检查项目：总分；").any() and not items.str.contains("item|score|case_id").any()
    cases_shown = shown[(shown["数据表"] == "验收案件") & (shown["记录"] == str(case["case"]))]
    assert cases_shown["新值"].str.contains("方案：花垣县移动信息化示范村").any()
    words = " ".join(shown.astype(str).to_numpy().ravel())
    assert not re.search(r"\d{4}-\d{2}-\d{2}|huayuan-2019|None|nan\b|\bdemo\b|\brows\b", words), words[:500]
    exported = pd.read_excel(io.BytesIO(auditview.export(log, "xlsx")))
    assert list(exported.columns) == list(shown.columns) and (exported["时间"] == shown["时间"]).all()


def test_station_equipment_is_named_as_附件2_names_it():
    """融水 附件2: 序号5 电脑或智能终端, 序号10 扫码枪 — the audit log shows the item's name,
    not the code station_equipment stores (the page-text scan found “设备：scanner”)."""
    from ruralcore.app import auditread

    assert auditread.value_text("station_equipment", "item", "scanner") == "扫码枪"
    assert auditread.value_text("station_equipment", "item", "computer") == "电脑或智能终端"


def test_a_saved_what_if_scenario_reads_in_words():
    """假设评分's saved scenario is one JSON column: the log says what it holds in words
    (the auditor's page-text scan found {"changes": …, "weights": null} there)."""
    from ruralcore.app import auditread

    row = ('{"name": "试算", "program": "huayuan-2019", "payload": {"changes": {"a": 80}, "note": "",'
           ' "period": "2019-11", "region": "433124T11004", "weights": null}, "created_by": "huayuan_a"}')
    text = auditread._row_text("what_if_scenarios", row)
    assert "假设内容：月份2019年11月，区域433124T11004，改动指标1项，权重按计分办法" in text
    assert not re.search(r"[{}\"]|null|changes|weights|2019-11", text), text
    changed = auditread.value_text("what_if_scenarios", "payload", '{"changes": {}, "weights": {"a": 10}, "note": "试"}')
    assert changed == "改动指标0项，调整权重1项，说明“试”"


def test_station_register_states_and_fund_categories_read_in_words():
    """The page-text scan found “status：built” (the station register) and “用途类别：stations”
    (a fund entry's declared category) in the audit log: both are named as the register and
    the programme file name them."""
    from ruralcore.app import auditread

    assert auditread.column_label("stations", "status") == "登记状态"
    assert auditread.value_text("stations", "status", "built") == "已建成"
    assert auditread.value_text("fund_entries", "use_category", "stations").startswith("验收合格的益农信息社")
    assert auditread.value_text("fund_entries", "source_category", "region_finance").startswith("自治区财政资金")


def test_every_column_of_every_audited_table_has_a_chinese_name():
    """An entry about any table names its columns in Chinese (the registers added since the
    first labels — 督办, 会商, 重要情况, 培训档案, 授牌, 责任 — showed their column names)."""
    from sqlmodel import SQLModel

    from ruralcore.app import auditread
    import ruralcore.store.models  # noqa: F401 — the tables

    unnamed = [f"{t.name}.{c.name}" for t in SQLModel.metadata.sorted_tables if t.name not in auditread.NOT_AUDITED
               for c in t.columns if not re.search(r"[\u4e00-\u9fff]", auditread.column_label(t.name, c.name))]
    assert not unnamed, unnamed
    items = auditread.value_text("notices", "items_json", '[{"what": "补报月报", "due": "2019-12-31", "ref": "一(一)"}]')
    assert items == "1. 补报月报（期限2019年12月31日，条款一(一)）"
    assert auditread.value_text("notices", "state", "issued") == "已下发待答复"
