"""Programme files: they load, every entry cites its clause, gaps are flagged, and the
documents' own figures are in them. Figures are quoted from the seed texts."""
from __future__ import annotations

import datetime as dt
import shutil

import pytest
import yaml
from pydantic import BaseModel
from pypinyin import Style, lazy_pinyin

from ruralcore.kernel.errors import ProgramFileError
from ruralcore.rules.programs import (
    PROGRAMS_DIR, Entry, all_programs, load_program, load_program_file, program_ids,
)
from ruralcore.rules.regions import load_pilots, program_regions

IDS = ["huayuan-2019", "rongshui-2019", "tanjiachang-2023", "xinzhou-2023", "yinchuan-2017"]


def _entries(node, path="program"):
    """Every Entry inside a model, with its path (walks lists and nested models)."""
    if isinstance(node, Entry):
        yield path, node
    if isinstance(node, BaseModel):
        for name in type(node).model_fields:
            yield from _entries(getattr(node, name), f"{path}.{name}")
    elif isinstance(node, list):
        for i, x in enumerate(node):
            yield from _entries(x, f"{path}[{i}:{getattr(x, 'code', getattr(x, 'region', i))}]")


def test_the_five_programmes_are_there():
    assert program_ids() == IDS
    assert [p.id for p in all_programs()] == IDS


@pytest.mark.parametrize("pid", IDS)
def test_every_entry_cites_a_clause(pid):
    entries = list(_entries(load_program(pid)))
    assert len(entries) > 20
    missing = [path for path, e in entries if not e.ref.strip()]
    assert missing == []
    # an assumed entry says why, in a sentence, not a bare flag
    vague = [path for path, e in entries if e.assumed is not None and len(e.assumed.strip()) < 6]
    assert vague == []


@pytest.mark.parametrize("pid", IDS)
def test_common_settings(pid):
    p = load_program(pid)
    assert 1 <= p.setting("report_due_day") <= 28
    assert p.setting("report_level") in {"village", "township", "pilot"}
    # no document defines traffic lights: every status rule is a labelled default
    assert p.status_rules and all(r.is_assumed for r in p.status_rules)
    assert p.status_rule("rate").amber_within == 10


@pytest.mark.parametrize("pid", IDS)
def test_fields_store_counts_not_percentages(pid):
    p = load_program(pid)
    assert all(f.kind != "percent" for f in p.fields)
    for i in p.indicators:
        if i.kind == "rate":
            assert p.field(i.numerator).kind == p.field(i.denominator).kind in {"count", "flag"}


def test_report_levels_as_the_documents_organise_reporting():
    assert load_program("rongshui-2019").setting("report_level") == "township"  # 附件1 per township
    assert load_program("xinzhou-2023").setting("report_level") == "pilot"
    assert load_program("yinchuan-2017").setting("report_level") == "village"
    assert load_program("tanjiachang-2023").setting("report_level") == "village"
    # 忻州 四(五) says “每月定时” but no day; 融水 says nothing: both are defaults
    for pid in ("xinzhou-2023", "rongshui-2019", "tanjiachang-2023", "yinchuan-2017"):
        s = next(s for s in load_program(pid).settings if s.code == "report_due_day")
        assert s.is_assumed and s.value == 5


# 融水 -----------------------------------------------------------------------
ANNEX1 = [  # 附件1: 乡镇, 标准站, 专业站, 简易站, 示范社
    ("融水镇", 19, 19, 19, 2), ("和睦镇", 10, 10, 10, 2), ("永乐镇", 8, 8, 8, 2),
    ("怀宝镇", 11, 11, 11, 1), ("三防镇", 11, 11, 11, 1), ("大浪镇", 11, 11, 11, 1),
    ("洞头镇", 7, 7, 7, 1), ("四荣乡", 10, 10, 10, 1), ("香粉乡", 8, 8, 8, 1),
    ("安陲乡", 13, 13, 13, 1), ("安太乡", 13, 13, 13, 1), ("汪洞乡", 9, 9, 9, 1),
    ("同练乡", 6, 6, 6, 1), ("滚贝乡", 11, 11, 11, 1), ("杆洞乡", 12, 12, 12, 1),
    ("良寨乡", 7, 7, 7, 1), ("大年乡", 8, 8, 8, 1), ("拱洞乡", 11, 11, 11, 1),
    ("红水乡", 8, 8, 8, 1), ("白云乡", 13, 13, 13, 1),
]


def test_rongshui_quotas_match_annex1_and_add_up():
    q = load_program("rongshui-2019").quota_table("stations")
    assert q.kinds == {"standard": "标准站", "professional": "专业站", "simple": "简易站", "demo": "示范社"}
    assert q.totals == {"standard": 206, "professional": 206, "simple": 206, "demo": 23}
    got = [(r.region, r.counts["standard"], r.counts["professional"], r.counts["simple"], r.counts["demo"])
           for r in q.rows]
    assert got == ANNEX1
    for k in q.kinds:
        assert sum(r.counts[k] for r in q.rows) == q.totals[k]
    # every quota row names a township of the region file, in 附件1 order
    towns = program_regions("rongshui-2019").query("level == 'township'")["name"].tolist()
    assert towns == [r.region for r in q.rows]


def test_rongshui_targets():
    p = load_program("rongshui-2019")
    t = {x.code: x for x in p.targets}
    assert (t["standard_206"].threshold, t["professional_206"].threshold, t["simple_206"].threshold,
            t["demo_23"].threshold) == (206, 206, 206, 23)
    assert t["standard_coverage_all"].threshold == 100
    assert p.indicator(t["county_centre_one"].indicator).fields == ["county_centre_built"]
    m = {x.code: x for x in p.milestones}
    assert m["build_complete"].due == dt.date(2019, 6, 30)  # “于6月下旬全面完成”
    assert (m["prep"].start, m["prep"].due) == (dt.date(2019, 1, 1), dt.date(2019, 3, 31))
    assert (m["training"].start, m["training"].due) == (dt.date(2019, 4, 1), dt.date(2019, 6, 30))
    assert (m["demo_creation"].start, m["demo_creation"].due) == (dt.date(2019, 7, 1), dt.date(2019, 9, 30))


def test_rongshui_equipment_and_service_checklists():
    p = load_program("rongshui-2019")
    eq = p.checklist("equipment_standard")
    assert eq.subject == "station_standard" and len(eq.items) == 12
    by = {i.name: i for i in eq.items}
    assert set(i.name for i in eq.items if i.optional_if) == {"LED屏幕", "视频设备"}
    assert by["宽带"].spec == "≥8M，全站Wi-Fi"
    assert all(i.quantity == 1 for i in eq.items)
    basic = p.checklist("equipment_basic")
    assert basic.subject == "station_basic"
    assert [i.name for i in basic.items] == ["益农信息社门头", "授权牌和证书", "益农信息社信息墙"]
    assert [i.name for i in p.checklist("liuyou").items] == [
        "有场所（场地）", "有人员", "有设备", "有宽带", "有网页", "有持续运营能力"]
    std, bas = p.checklist("services_standard"), p.checklist("services_basic")
    assert (std.min_items, bas.min_items) == (4, 2)
    assert [i.name for i in std.items] == [i.name for i in bas.items] == ["农业公益服务", "便民服务", "电子商务", "培训体验"]


def test_rongshui_settings_and_station_number():
    p = load_program("rongshui-2019")
    assert p.setting("officer_min_count") == 1
    assert p.setting("training_hours_min") == 48
    assert p.setting("broadband_min_mbps") == 8
    assert p.setting("apply_within_workdays") == 5
    assert p.setting("inspect_within_workdays") == 15
    initials = "".join(s[0] for s in lazy_pinyin("融水", style=Style.NORMAL)).upper()
    assert p.setting("station_code_county_initials") == initials == "RS"
    first = (p.setting("station_code_province") + p.setting("station_code_plate") + initials
             + "1".zfill(p.setting("station_code_seq_digits")) + p.setting("station_type_letter_standard"))
    assert first == "桂BRS0001B"
    assumed = {s.code for s in p.settings if s.is_assumed}
    assert {"rectify_within_workdays", "advance_max_share_percent"} <= assumed
    assert not {"training_hours_min", "apply_within_workdays", "inspect_within_workdays"} & assumed


def test_rongshui_funding():
    p = load_program("rongshui-2019")
    b = p.funding_rule("build_then_subsidise")
    assert b.kind == "build_then_subsidise" and b.payable_after == "acceptance" and b.ref.startswith("七")
    assert p.funding_rule("advance").kind == "advance"
    for code in ("subsidy_county_centre", "subsidy_standard", "subsidy_professional", "subsidy_simple"):
        r = p.funding_rule(code)
        assert r.kind == "subsidy_amount" and r.is_assumed and "桂农业发〔2018〕20号" in r.assumed


# 忻州 -----------------------------------------------------------------------
def test_xinzhou_pilots_and_money():
    p = load_program("xinzhou-2023")
    pilots = load_pilots("xinzhou-2023")
    n = pilots["pilot_type"].value_counts()
    assert (n["township"], n["village"]) == (22, 45) and len(pilots) == 67
    t = {x.code: x for x in p.targets}
    assert (t["township_pilots_22"].threshold, t["village_pilots_45"].threshold) == (22, 45)
    pianguan = pilots[pilots["county"] == "偏关县"]
    assert (pianguan["pilot_type"] == "township").sum() == 8
    per_county = pilots[pilots["pilot_type"] == "village"].groupby("county").size()
    assert len(per_county) == 15 and (per_county == 3).all()
    towns = pilots[pilots["pilot_type"] == "township"].groupby("county").size()
    assert len(towns) == 15 and towns.drop("偏关县").eq(1).all()
    a = p.funding_rule("city_per_township_pilot")
    b = p.funding_rule("city_per_village_pilot")
    assert (a.kind, a.amount_yuan, a.unit) == ("per_unit", 450_000, "pilot_township")
    assert (b.kind, b.amount_yuan, b.unit) == ("per_unit", 450_000, "pilot_village")
    total = a.amount_yuan * n["township"] + b.amount_yuan * n["village"]
    assert (a.amount_yuan * 22, b.amount_yuan * 45, total) == (9_900_000, 20_250_000, 30_150_000)
    assert p.funding_rule("county_matching").kind == "matching"
    assert p.funding_rule("county_matching").amount_yuan is None
    assert {p.funding_rule(c).kind for c in ("no_hidden_debt", "no_old_arrears")} == {"prohibition"}


XZ_TOWNSHIP_AREAS = {"治理数字化": 4, "产业数字化": 4, "民生数字化": 4, "人居数字化": 3, "安全数字化": 2}
XZ_VILLAGE_AREAS = {"村级治理数字化": 4, "村级产业数字化": 4, "村级民生数字化": 4, "人居环境数字化": 3, "村级安全数字化": 3}


def test_xinzhou_indicator_checklists():
    p = load_program("xinzhou-2023")
    for code, subject, areas, total, annex in (
        ("township_indicators", "township_pilot", XZ_TOWNSHIP_AREAS, 17, "附件1"),
        ("village_indicators", "village_pilot", XZ_VILLAGE_AREAS, 18, "附件2"),
    ):
        c = p.checklist(code)
        assert c.subject == subject and c.ref == annex and len(c.items) == total
        counts = {}
        for i in c.items:
            counts[i.area] = counts.get(i.area, 0) + 1
            assert i.ref.startswith(annex)
        assert counts == areas
        assert c.is_assumed  # 以需配建: how many must be built is not in the document
    v = {i.name: i for i in p.checklist("village_indicators").items}
    assert "摄像头" in v["乡村综治"].spec and "电子大屏" in v["村务管理"].spec


def test_xinzhou_schedule():
    m = {x.code: x for x in load_program("xinzhou-2023").milestones}
    due = {c: m[c].due for c in ("select_pilots", "plans", "filing", "funds", "procedures",
                                 "construction_start", "completion", "acceptance", "summary")}
    assert due == {
        "select_pilots": dt.date(2023, 2, 28), "plans": dt.date(2023, 3, 31),
        "filing": dt.date(2023, 4, 30), "funds": dt.date(2023, 4, 30),
        "procedures": dt.date(2023, 5, 31), "construction_start": dt.date(2023, 6, 30),
        "completion": dt.date(2023, 11, 30), "acceptance": dt.date(2023, 12, 31),
        "summary": dt.date(2024, 1, 31),
    }
    assert "包点领导责任清单" in m["filing"].name and "乡村振兴项目库" in m["funds"].name
    assert m["monthly_report"].recurring == "monthly"
    s = next(s for s in load_program("xinzhou-2023").settings if s.code == "build_state_counts_as_built")
    assert s.is_assumed


# 银川 -----------------------------------------------------------------------
def test_yinchuan_budget():
    p = load_program("yinchuan-2017")
    b = p.funding_rule("annual_budget")
    assert (b.kind, b.amount_yuan) == ("annual_budget", 2_000_000)
    assert b.uses == ["网络基础设施配套", "贫困户资运费补贴", "村级电商以奖代补"]
    shares = [s for s in p.settings if s.code.startswith("budget_share_")]
    assert len(shares) == 3 and all(s.is_assumed for s in shares)
    assert sum(s.value for s in shares) == 100
    assert b.amount_yuan * sum(s.value for s in shares) // 100 == 2_000_000


def test_yinchuan_household_file_and_medical_counts():
    p = load_program("yinchuan-2017")
    names = [i.name for i in p.checklist("household_file").items]
    assert names[:4] == ["致贫原因", "收入状况", "生产生活条件", "家庭成员"]  # 三(五)
    assert (p.setting("township_hospitals_total"), p.setting("village_clinics_total")) == (10, 56)
    assert [t.responsible for t in p.tasks if t.ref == "三(六)"] == [["市卫计委"]]


def test_yinchuan_targets_and_dates():
    t = {x.code: x for x in load_program("yinchuan-2017").targets}
    want = {
        "coverage_4g_90": (90, dt.date(2018, 12, 31)),
        "fiber_100": (100, dt.date(2018, 12, 31)),
        "ecommerce_station_60_2017": (60, dt.date(2017, 12, 31)),
        "ecommerce_station_100_2018": (100, dt.date(2018, 12, 31)),
        "broadband_all": (100, dt.date(2018, 12, 31)),
        "info_station_each": (100, dt.date(2018, 12, 31)),
        "ecommerce_trained_5": (5, dt.date(2018, 12, 31)),
        "practitioners_10": (10, dt.date(2018, 12, 31)),
        "senior_talent_each": (1, dt.date(2018, 12, 31)),
        "hospitals_10": (10, dt.date(2020, 12, 31)),
        "clinics_56": (56, dt.date(2020, 12, 31)),
        "leader_each": (100, dt.date(2018, 12, 31)),
        "household_file_each": (100, dt.date(2017, 12, 31)),
    }
    assert {c: (t[c].threshold, t[c].due) for c in want} == want
    assert all(t[c].op == ">=" for c in want)
    # the document gives no date for these: flagged
    assert all(t[c].is_assumed for c in ("senior_talent_each", "hospitals_10", "clinics_56",
                                         "leader_each", "household_file_each"))
    assert not t["coverage_4g_90"].is_assumed and not t["ecommerce_station_60_2017"].is_assumed


# 谭家场 ---------------------------------------------------------------------
def test_tanjiachang_tasks():
    p = load_program("tanjiachang-2023")
    assert [t.no for t in p.tasks] == list(range(1, 21))
    per_area = {}
    for t in p.tasks:
        per_area[t.area] = per_area.get(t.area, 0) + 1
    assert per_area == {"一": 2, "二": 4, "三": 2, "四": 2, "五": 3, "六": 4, "七": 3}
    by = {t.no: t for t in p.tasks}
    assert by[1].responsible == ["乡党政办", "各村"]
    assert by[9].responsible == ["乡乡村振兴办", "乡社会事务综合服务中心", "乡应急管理办", "各村"]
    assert all(t.responsible[-1] == "各村" for t in p.tasks)
    assert all(t.due == dt.date(2025, 12, 31) and t.is_assumed for t in p.tasks)
    assert by[3].area_name == "着力提升乡村数字化治理效能" and by[3].ref == "三(二)3"


def test_tanjiachang_targets():
    t = {x.code: x for x in load_program("tanjiachang-2023").targets}
    assert (t["two_operator_4g_98"].threshold, t["two_operator_4g_98"].due) == (98, dt.date(2023, 12, 31))
    assert (t["digital_villages_4_2023"].threshold, t["digital_villages_4_2023"].due) == (4, dt.date(2023, 12, 31))
    assert (t["digital_villages_all_2025"].threshold, t["digital_villages_all_2025"].due) == (11, dt.date(2025, 12, 31))
    for c in ("natural_village_4g_2025", "natural_village_fiber_2025"):
        assert (t[c].threshold, t[c].due) == (100, dt.date(2025, 12, 31))
    assert load_program("tanjiachang-2023").setting("access_mbps") == 100
    assert load_program("tanjiachang-2023").setting("administrative_villages") == 11


# malformed files -----------------------------------------------------------
def _broken(tmp_path, mutate) -> str:
    src = PROGRAMS_DIR / "huayuan-2019.yaml"
    data = yaml.safe_load(src.read_text(encoding="utf-8"))
    mutate(data)
    path = tmp_path / "huayuan-2019.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(ProgramFileError) as exc:
        load_program_file(path)
    return str(exc.value)


def test_missing_field_names_file_entry_and_field(tmp_path):
    msg = _broken(tmp_path, lambda d: d["targets"][2].pop("applies_to"))
    assert "huayuan-2019.yaml" in msg and "phone_penetration_county" in msg
    assert "applies_to" in msg and "缺少必填字段" in msg


def test_wrong_type_names_file_entry_and_field(tmp_path):
    def mutate(d):
        d["targets"][0]["threshold"] = "百分之百"
    msg = _broken(tmp_path, mutate)
    assert "huayuan-2019.yaml" in msg and "coverage_4g_all" in msg and "threshold" in msg and "应为数字" in msg


def test_unknown_key_names_file_entry_and_field(tmp_path):
    def mutate(d):
        d["fields"][1]["unti"] = "个"
    msg = _broken(tmp_path, mutate)
    assert "natural_villages_4g" in msg and "unti" in msg and "未知字段" in msg


def test_dangling_reference_is_reported(tmp_path):
    def mutate(d):
        d["indicators"][0]["numerator"] = "natural_villages_5g"
    msg = _broken(tmp_path, mutate)
    assert "coverage_4g" in msg and "natural_villages_5g" in msg


def test_bad_yaml_names_file_and_line(tmp_path):
    path = tmp_path / "huayuan-2019.yaml"
    shutil.copy(PROGRAMS_DIR / "huayuan-2019.yaml", path)
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[20] = "  - code: [unclosed"
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(ProgramFileError) as exc:
        load_program_file(path)
    assert "huayuan-2019.yaml" in str(exc.value) and "不是合法的 YAML" in str(exc.value)
    assert "行" in str(exc.value)


def test_task_key_no_is_a_number_not_a_boolean(tmp_path):
    # YAML 1.1 reads the key `no` as False; the loader must not
    path = tmp_path / "tanjiachang-2023.yaml"
    text = (PROGRAMS_DIR / "tanjiachang-2023.yaml").read_text(encoding="utf-8").replace('{"no": ', "{no: ")
    assert "{no: 1," in text
    path.write_text(text, encoding="utf-8")
    assert [t.no for t in load_program_file(path).tasks][:3] == [1, 2, 3]
