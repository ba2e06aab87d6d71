"""Money rules: per-pilot allocations (忻州), matching-fund prohibitions (忻州), subsidies
after acceptance with advances (融水 先建后补、以奖代补), an annual budget and its uses (银川).

Money is integer yuan (int64 columns, Python int totals), never float. Amounts come from
the programme's funding rules; code holds only the formulas.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .errors import InputError, Problem
from .programs import Program

ALLOCATION_COLUMNS = ["code", "name", "unit", "count", "amount_yuan", "total_yuan", "ref", "assumed"]


def yuan(series: pd.Series, column: str, source: str) -> pd.Series:
    """A column of whole yuan as int64; a fraction, text or negative amount is refused by row."""
    num = pd.to_numeric(series, errors="coerce")
    bad = num.isna() | (num < 0) | (num != np.floor(num.fillna(0)))
    if bad.any():
        rows = np.flatnonzero(bad.to_numpy())
        raise InputError([Problem(f"金额“{series.iloc[i]}”无效，应为不小于0的整数元", row=int(i) + 1, column=column)
                          for i in rows], source=source)
    return num.astype("int64")


def total(series: pd.Series) -> int:
    """Exact sum of an integer-yuan column as a Python int."""
    return int(series.astype("int64").sum())


# ---------------------------------------------------------------------------
# 忻州: a fixed amount per pilot
def _unit_level(unit: str | None) -> str | None:
    # pilot_township → township, pilot_village → village
    return unit.split("_", 1)[1] if unit and unit.startswith("pilot_") else None


def per_pilot_allocations(program: Program, pilots: pd.DataFrame) -> pd.DataFrame:
    """One row per pilot with its amount. ``pilots``: columns ``name``, ``county`` and
    ``level`` (township/village; the unit of a per_unit rule is ``pilot_<level>``)."""
    rules = [r for r in program.funding if r.kind == "per_unit" and _unit_level(r.unit)]
    parts = []
    for r in rules:
        sel = pilots[pilots["level"] == _unit_level(r.unit)]
        parts.append(pd.DataFrame({
            "name": sel["name"].to_numpy(), "county": sel["county"].to_numpy(),
            "level": sel["level"].to_numpy(), "rule": r.code,
            "amount_yuan": np.full(len(sel), r.amount_yuan or 0, dtype="int64"),
            "ref": r.ref, "assumed": r.assumed,
        }))
    if not parts:
        return pd.DataFrame(columns=["name", "county", "level", "rule", "amount_yuan", "ref", "assumed"])
    out = pd.concat(parts, ignore_index=True)
    out["amount_yuan"] = out["amount_yuan"].astype("int64")
    return out


def allocation_totals(alloc: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Pilots and yuan per group (e.g. ["county"], ["level"], ["county", "level"])."""
    g = alloc.groupby(by, sort=True)
    out = g.agg(count=("name", "size"), total_yuan=("amount_yuan", "sum")).reset_index()
    out["total_yuan"] = out["total_yuan"].astype("int64")
    return out


def rule_allocations(program: Program, counts: dict[str, int]) -> pd.DataFrame:
    """Amount × count for each rule with an amount; ``counts`` maps a rule's unit (or its
    code) to how many units there are."""
    rows = []
    for r in program.funding:
        if r.amount_yuan is None or r.kind in ("prohibition", "matching"):
            continue
        n = counts.get(r.code, counts.get(r.unit or "", None))
        if n is None:
            continue
        rows.append({"code": r.code, "name": r.name, "unit": r.unit, "count": int(n),
                     "amount_yuan": int(r.amount_yuan), "total_yuan": int(r.amount_yuan) * int(n),
                     "ref": r.ref, "assumed": r.assumed})
    return pd.DataFrame(rows, columns=ALLOCATION_COLUMNS)


# ---------------------------------------------------------------------------
# 忻州: county matching funds and the two prohibitions
def _prohibitions(program: Program):
    return [r for r in program.funding if r.kind == "prohibition"]


def _forbidden_phrase(rule) -> str | None:
    # “配套资金不得偿还以往工程欠款” → “偿还以往工程欠款”
    return rule.name.split("不得", 1)[1] if "不得" in rule.name else None


def check_fund_uses(program: Program, entries: pd.DataFrame) -> pd.DataFrame:
    """Each fund entry (``use`` column: a code or the text of its use) with ``refused`` and
    the rule and clause that refuse it. A use is prohibited when it is a prohibition rule's
    code or one of its ``uses``, or names what the rule forbids: the words after “不得”
    end in the forbidden object (隐形债务, 工程欠款), and a use mentioning it is refused."""
    out = entries.copy()
    out["refused"] = False
    out["refused_by"] = pd.Series(pd.NA, index=out.index, dtype="string")
    out["reason"] = pd.Series(pd.NA, index=out.index, dtype="string")
    use = entries["use"].astype("string").str.strip().fillna("")
    for r in _prohibitions(program):
        hit = use.isin([r.code, *r.uses])
        phrase = _forbidden_phrase(r)
        if phrase:
            hit |= use.str.contains(phrase[-4:], regex=False)
        hit &= ~out["refused"]
        out.loc[hit, "refused"] = True
        out.loc[hit, "refused_by"] = r.code
        out.loc[hit, "reason"] = f"{r.name}（{r.ref}）"
    return out


def validate_fund_entries(program: Program, entries: pd.DataFrame) -> pd.DataFrame:
    """Refuse the whole input if any entry's use is prohibited, naming row and clause."""
    checked = check_fund_uses(program, entries)
    bad = np.flatnonzero(checked["refused"].to_numpy(dtype=bool))
    if bad.size:
        raise InputError([Problem(f"资金用途“{entries['use'].iloc[i]}”不允许：{checked['reason'].iloc[i]}",
                                  row=int(i) + 1, column="use") for i in bad], source="县级配套资金")
    if "amount_yuan" in entries.columns:
        checked["amount_yuan"] = yuan(entries["amount_yuan"], "amount_yuan", "县级配套资金")
    return checked


# ---------------------------------------------------------------------------
# 融水: subsidy payable after acceptance; advances settled at acceptance
SUBSIDY_UNITS = {"standard": "station_standard", "professional": "station_professional", "simple": "station_simple",
                 "county_centre": "county_centre"}


def subsidy_amounts(program: Program) -> dict[str, int]:
    """Subsidy per station type (yuan) from the programme's subsidy_amount rules."""
    by_unit = {r.unit: int(r.amount_yuan or 0) for r in program.funding if r.kind == "subsidy_amount"}
    return {t: by_unit[u] for t, u in SUBSIDY_UNITS.items() if u in by_unit}


def subsidy_allocations(program: Program, table: str = "stations") -> pd.DataFrame:
    """Subsidy × quota per station type (the county centre counts once)."""
    qt = program.quota_table(table)
    counts = {SUBSIDY_UNITS[k]: v for k, v in qt.totals.items() if k in SUBSIDY_UNITS}
    # a county programme has one county operation centre (融水 三: 1个县级运营中心)
    counts.setdefault("county_centre", int(program.setting("county_centres")) if any(
        x.code == "county_centres" for x in program.settings) else 1)
    return rule_allocations(program, counts)


def settle_subsidies(program: Program, stations: pd.DataFrame) -> pd.DataFrame:
    """Per station: subsidy, advance, what is payable now and what must be recovered.

    ``stations``: ``station``, ``type``, ``accepted`` (bool), ``advance_yuan`` (int, 0 if
    none), ``rectification_overdue`` (bool, optional). Rules (七(三)): nothing is payable
    before acceptance; at acceptance payable = subsidy − advance (never negative; an
    advance above the subsidy is recovered); an advance whose rectification is overdue
    is recovered.
    """
    amounts = subsidy_amounts(program)
    unknown = ~stations["type"].isin(list(amounts))
    if unknown.any():
        rows = np.flatnonzero(unknown.to_numpy())
        raise InputError([Problem(f"站点类型“{stations['type'].iloc[i]}”没有补助标准", row=int(i) + 1, column="type")
                          for i in rows], source="补助结算")
    out = stations[["station", "type"]].copy()
    subsidy = stations["type"].map(amounts).astype("int64")
    advance = yuan(stations.get("advance_yuan", pd.Series(0, index=stations.index)).fillna(0), "advance_yuan", "补助结算")
    accepted = stations["accepted"].fillna(False).astype(bool)
    late = stations.get("rectification_overdue", pd.Series(False, index=stations.index)).fillna(False).astype(bool)
    out["subsidy_yuan"] = subsidy
    out["advance_yuan"] = advance
    out["payable_yuan"] = np.where(accepted, (subsidy - advance).clip(lower=0), 0).astype("int64")
    out["recover_yuan"] = np.where(accepted, (advance - subsidy).clip(lower=0),
                                   np.where(late, advance, 0)).astype("int64")
    out["status"] = np.select([accepted, late & (advance > 0)], ["已验收，清算", "整改逾期，收回预拨"], "待验收，暂不拨付")
    return out


def check_advances(program: Program, advances: pd.DataFrame) -> pd.DataFrame:
    """Refuse advances above the allowed share of the station's subsidy (integer arithmetic)."""
    share = int(program.setting("advance_max_share_percent"))
    amounts = subsidy_amounts(program)
    subsidy = advances["type"].map(amounts)
    adv = yuan(advances["advance_yuan"], "advance_yuan", "预拨资金")
    cap = subsidy.fillna(0).astype("int64") * share // 100
    bad = (adv * 100 > subsidy.fillna(0).astype("int64") * share) | subsidy.isna()
    if bad.any():
        rows = np.flatnonzero(bad.to_numpy())
        raise InputError([Problem(
            f"预拨{adv.iloc[i]}元超过补助标准的{share}%（上限{cap.iloc[i]}元）" if pd.notna(subsidy.iloc[i])
            else f"站点类型“{advances['type'].iloc[i]}”没有补助标准", row=int(i) + 1, column="advance_yuan")
            for i in rows], source="预拨资金")
    return advances.assign(advance_yuan=adv, cap_yuan=cap)


# ---------------------------------------------------------------------------
# 银川: an annual budget and its uses
def budget_by_use(program: Program, years: int = 1) -> pd.DataFrame:
    """The annual budget split over its uses. The split is given by the programme's
    ``budget_share_…`` settings (percent), in the order of the rule's uses; integer yuan,
    the rounding remainder going to the first use so the parts add up exactly."""
    rule = next(r for r in program.funding if r.kind == "annual_budget")
    annual = int(rule.amount_yuan or 0) * years
    settings = [s for s in program.settings if s.code.startswith("budget_share_")]
    if len(settings) != len(rule.uses):  # no (complete) split in the file
        settings = [None] * len(rule.uses)
    shares = [int(s.value) if s else 0 for s in settings]
    parts = np.array([annual * sh // 100 for sh in shares], dtype="int64")
    if len(parts) and sum(shares) == 100:
        parts[0] += annual - int(parts.sum())
    return pd.DataFrame({
        "use": rule.uses, "share_percent": shares, "budget_yuan": parts,
        "ref": [s.ref if s else rule.ref for s in settings],
        "assumed": [s.assumed if s else "文件未规定分配比例" for s in settings],
    })


def spending_vs_budget(program: Program, spending: pd.DataFrame, years: int = 1) -> pd.DataFrame:
    """Spending (``use``, ``amount_yuan``) against the budget per use; over-budget flagged.
    A use not in the budget is refused with its row."""
    budget = budget_by_use(program, years)
    unknown = ~spending["use"].isin(budget["use"])
    if unknown.any():
        rows = np.flatnonzero(unknown.to_numpy())
        raise InputError([Problem(f"用途“{spending['use'].iloc[i]}”不在预算用途之中（{'、'.join(budget['use'])}）",
                                  row=int(i) + 1, column="use") for i in rows], source="资金支出")
    amt = yuan(spending["amount_yuan"], "amount_yuan", "资金支出")
    spent = amt.groupby(spending["use"]).sum()
    out = budget.copy()
    out["spent_yuan"] = out["use"].map(spent).fillna(0).astype("int64")
    out["remaining_yuan"] = (out["budget_yuan"] - out["spent_yuan"]).astype("int64")
    out["over_budget"] = out["spent_yuan"] > out["budget_yuan"]
    return out


# ---------------------------------------------------------------------------
# one programme's money, for the `funds` command and the pages
def _pilots(program: Program) -> pd.DataFrame | None:
    """The programme's pilot list (name, county, level), or None without a pilot file.
    A malformed pilot file is an error, not an empty list."""
    from .regions import PILOTS_DIR, load_pilots
    if not (PILOTS_DIR / f"{program.id}.csv").exists():
        return None
    df = load_pilots(program.id).reset_index(drop=True)
    return pd.DataFrame({"name": df["name"], "county": df["county"], "level": df["level"]})


def funds_summary(program: Program) -> dict:
    """Allocations (name, unit, count, amount_yuan, total_yuan, ref, assumed) and the total
    in integer yuan; extra detail per kind of rule (per county, uses, prohibitions)."""
    out: dict = {"program": program.id, "allocations": [], "total_yuan": 0}
    kinds = {r.kind for r in program.funding}
    if not program.funding:
        out["note"] = "该方案文件未规定资金规则"
        return out
    alloc = pd.DataFrame(columns=ALLOCATION_COLUMNS)
    if "per_unit" in kinds:
        pilots = _pilots(program)
        if pilots is not None:
            per = per_pilot_allocations(program, pilots)
            counts = per.groupby("rule").size().to_dict()
            out["by_county"] = allocation_totals(per, ["county"]).to_dict(orient="records")
        else:  # no pilot list: the counts the document states
            counts = {}
            for r in program.funding:
                lvl = _unit_level(r.unit)
                if r.kind == "per_unit" and lvl:
                    try:
                        counts[r.code] = int(program.setting(f"{lvl}_pilots_total"))
                    except KeyError:
                        pass
        alloc = rule_allocations(program, counts)
    elif "subsidy_amount" in kinds and program.quotas:
        alloc = subsidy_allocations(program)
        out["payable_after"] = "acceptance"
        out["note"] = "先建后补：验收合格后拨付；补助标准文件未列，系统默认" if alloc["assumed"].notna().any() else None
    elif "annual_budget" in kinds:
        alloc = rule_allocations(program, {r.code: 1 for r in program.funding if r.kind == "annual_budget"})
        out["uses"] = budget_by_use(program).to_dict(orient="records")
    out["allocations"] = alloc.to_dict(orient="records")
    out["total_yuan"] = total(alloc["total_yuan"]) if len(alloc) else 0
    prohibitions = _prohibitions(program)
    if prohibitions:
        out["prohibitions"] = [{"code": r.code, "name": r.name, "ref": r.ref} for r in prohibitions]
    if not out["allocations"] and not out.get("note"):
        out["note"] = "该方案文件没有可计算金额的资金规则"
    return out
