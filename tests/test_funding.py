"""Money rules with the documents' figures: 忻州 45万 per pilot (三(三)), 融水 先建后补 and
预拨 (七), 银川 200万元 a year (七(二)). Every total is an exact integer."""
import datetime as dt

import pandas as pd
import pytest

from ruralcore.app import funding
from ruralcore.kernel.errors import InputError
from ruralcore.rules.programs import Program, load_program

XZ = load_program("xinzhou-2023")
RS = load_program("rongshui-2019")


def make_program(**parts) -> Program:
    meta = {"ref": "正文", "title": "测试", "short_title": "测试", "issuer": "测试", "issued": dt.date(2017, 1, 1),
            "scope": "测试", "seed_file": "x.txt"}
    return Program.model_validate({"id": "test", "meta": meta, **parts})


def pilots_frame() -> pd.DataFrame:
    # 附件3 shape: 偏关县 8 townships, 14 others 1 each; 15 × 3 villages
    counties = ["偏关县"] + [f"县{i}" for i in range(14)]
    town = [("偏关县", f"偏关乡{i}") for i in range(8)] + [(c, f"{c}镇") for c in counties[1:]]
    vill = [(c, f"{c}村{i}") for c in counties for i in range(3)]
    return pd.DataFrame({
        "county": [c for c, _ in town + vill], "name": [n for _, n in town + vill],
        "level": ["township"] * len(town) + ["village"] * len(vill),
    })


def test_xinzhou_per_pilot_450000_and_city_total_30150000():
    alloc = funding.per_pilot_allocations(XZ, pilots_frame())
    assert len(alloc) == 67
    assert alloc["amount_yuan"].dtype == "int64"
    assert set(alloc["amount_yuan"]) == {450000}
    by_level = funding.allocation_totals(alloc, ["level"]).set_index("level")
    assert by_level.loc["township", "count"] == 22 and by_level.loc["township", "total_yuan"] == 9_900_000
    assert by_level.loc["village", "count"] == 45 and by_level.loc["village", "total_yuan"] == 20_250_000
    by_county = funding.allocation_totals(alloc, ["county"]).set_index("county")
    assert by_county.loc["偏关县", "total_yuan"] == 11 * 450000  # 8 townships + 3 villages
    grand = funding.total(alloc["amount_yuan"])
    assert grand == 30_150_000 and isinstance(grand, int)


def test_xinzhou_funds_summary_total():
    s = funding.funds_summary(XZ)
    assert s["total_yuan"] == 30_150_000
    counts = {a["code"]: (a["count"], a["total_yuan"]) for a in s["allocations"]}
    assert counts == {"city_per_township_pilot": (22, 9_900_000), "city_per_village_pilot": (45, 20_250_000)}
    assert {p["code"] for p in s["prohibitions"]} == {"no_hidden_debt", "no_old_arrears"}


def test_xinzhou_pilot_file_per_county():
    from ruralcore.rules.regions import load_pilots
    pilots = load_pilots("xinzhou-2023")
    alloc = funding.per_pilot_allocations(XZ, pilots)
    assert len(alloc) == 67 and funding.total(alloc["amount_yuan"]) == 30_150_000
    by_county = {r["county"]: r["total_yuan"] for r in funding.funds_summary(XZ)["by_county"]}
    assert len(by_county) == 15  # 14 counties and 五台山景区
    assert by_county["偏关县"] == 4_950_000  # 8 townships + 3 villages
    assert by_county["忻府区"] == 1_800_000  # 1 + 3
    assert sum(by_county.values()) == 30_150_000


def test_fractional_yuan_refused_with_row():
    with pytest.raises(InputError, match="第2行.*amount_yuan"):
        funding.validate_fund_entries(XZ, pd.DataFrame({"source_category": ["city_bridging"] * 2,
                                                        "use_category": ["construction"] * 2, "amount_yuan": [1, 2.5]}))


def test_rongshui_subsidies_by_type_times_quota_are_assumed():
    alloc = funding.subsidy_allocations(RS).set_index("code")
    assert alloc.loc["subsidy_standard", "count"] == 206
    assert alloc.loc["subsidy_professional", "count"] == 206
    assert alloc.loc["subsidy_simple", "count"] == 206
    assert alloc["assumed"].notna().all()  # 桂农业发〔2018〕20号 amounts are not in the text


def rongshui_with_amounts() -> Program:
    rules = [r.model_copy(update={"amount_yuan": {"subsidy_standard": 30000, "subsidy_professional": 10000,
                                                   "subsidy_simple": 5000}.get(r.code, r.amount_yuan)})
             for r in RS.funding]
    return RS.model_copy(update={"funding": rules})


def test_subsidy_total_exact_with_amounts():
    alloc = funding.subsidy_allocations(rongshui_with_amounts())
    assert funding.total(alloc["total_yuan"]) == 206 * 30000 + 206 * 10000 + 206 * 5000 == 9_270_000


def test_build_then_subsidise_advance_settled_at_acceptance():
    p = rongshui_with_amounts()
    st = pd.DataFrame({
        "station": ["accepted-with-advance", "not-yet", "late-rectification", "accepted-no-advance"],
        "type": ["standard", "standard", "professional", "simple"],
        "accepted": [True, False, False, True],
        "advance_yuan": [15000, 15000, 5000, 0],
        "rectification_overdue": [False, False, True, False],
    })
    out = funding.settle_subsidies(p, st).set_index("station")
    assert out.loc["accepted-with-advance", "payable_yuan"] == 30000 - 15000
    assert out.loc["not-yet", "payable_yuan"] == 0  # 先建后补: nothing before acceptance
    assert out.loc["late-rectification", "recover_yuan"] == 5000  # 预付资金与督查整改相挂钩
    assert out.loc["accepted-no-advance", "payable_yuan"] == 5000
    assert out["payable_yuan"].dtype == "int64"
    assert funding.total(out["payable_yuan"]) == 20000


def test_payable_never_negative():
    p = rongshui_with_amounts()
    st = pd.DataFrame({"station": ["x"], "type": ["simple"], "accepted": [True], "advance_yuan": [6000]})
    out = funding.settle_subsidies(p, st)
    assert out["payable_yuan"].iloc[0] == 0 and out["recover_yuan"].iloc[0] == 1000


def test_advance_up_to_assumed_share():
    p = rongshui_with_amounts()
    share = p.setting("advance_max_share_percent")
    assert next(s for s in p.settings if s.code == "advance_max_share_percent").assumed
    cap = 30000 * share // 100
    ok = funding.check_advances(p, pd.DataFrame({"type": ["standard"], "advance_yuan": [cap]}))
    assert ok["cap_yuan"].iloc[0] == cap
    with pytest.raises(InputError, match="第1行.*advance_yuan"):
        funding.check_advances(p, pd.DataFrame({"type": ["standard"], "advance_yuan": [cap + 1]}))


def yinchuan_like() -> Program:
    uses = ["网络基础设施建设", "贫困户资运费补贴", "村级电商以奖代补"]
    return make_program(
        funding=[{"code": "annual_budget", "name": "每年200万元", "kind": "annual_budget", "amount_yuan": 2_000_000,
                  "uses": uses, "ref": "七(二)"}],
        settings=[{"code": f"budget_share_{i}", "name": u, "value": v, "ref": "七(二)", "assumed": "未规定"}
                  for i, (u, v) in enumerate(zip(uses, [33, 33, 34]), 1)],
    )


def test_annual_budget_split_adds_up_exactly():
    b = funding.budget_by_use(yinchuan_like())
    assert b["budget_yuan"].tolist() == [660000, 660000, 680000]
    assert funding.total(b["budget_yuan"]) == 2_000_000
    assert b["assumed"].notna().all()
    two = funding.budget_by_use(yinchuan_like(), years=2)
    assert funding.total(two["budget_yuan"]) == 4_000_000


def test_spending_over_budget_flagged():
    out = funding.spending_vs_budget(yinchuan_like(), pd.DataFrame({
        "use": ["网络基础设施建设", "网络基础设施建设", "贫困户资运费补贴"], "amount_yuan": [600000, 100000, 10]}))
    s = out.set_index("use")
    assert s.loc["网络基础设施建设", "spent_yuan"] == 700000 and s.loc["网络基础设施建设", "over_budget"]
    assert s.loc["网络基础设施建设", "remaining_yuan"] == -40000
    assert not s.loc["贫困户资运费补贴", "over_budget"]
    with pytest.raises(InputError, match="第1行.*use"):
        funding.spending_vs_budget(yinchuan_like(), pd.DataFrame({"use": ["吃喝"], "amount_yuan": [1]}))


def test_yinchuan_file_budget_2000000_and_its_uses():
    p = load_program("yinchuan-2017")
    s = funding.funds_summary(p)
    assert s["total_yuan"] == 2_000_000
    uses = pd.DataFrame(s["uses"])
    assert uses["use"].tolist() == p.funding_rule("annual_budget").uses
    assert funding.total(uses["budget_yuan"]) == 2_000_000  # the assumed split adds up exactly
    assert uses["assumed"].notna().all()


def test_programme_without_funding_rules():
    s = funding.funds_summary(load_program("huayuan-2019"))
    assert s["allocations"] == [] and s["total_yuan"] == 0 and "未规定" in s["note"]
