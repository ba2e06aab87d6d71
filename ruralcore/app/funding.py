"""Money rules: per-pilot allocations (忻州), matching-fund prohibitions (忻州), subsidies
after acceptance with advances (融水 先建后补、以奖代补), an annual budget and its uses (银川).

Money is integer yuan (int64 columns, Python int totals), never float. Amounts come from
the programme's funding rules; code holds only the formulas.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ruralcore.kernel.errors import InputError, Problem
from ruralcore.rules.programs import ASSUMED_LABEL, Program

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
# fund entries: a declared source and use from the programme's closed list of categories
# (忻州 三(三): matching funds never create hidden debt nor repay past arrears; 融水 八(二)
# 专款专用: only the uses of 七(一)). The category decides; the text beside it never does.
CATEGORY_COLUMNS = ["code", "name", "kind", "allowed", "ref", "assumed", "note"]
CATEGORY_KINDS = {"source": "来源", "use": "用途"}
ENTRY_CATEGORY_COLUMNS = {"source_category": "source", "use_category": "use"}
COLUMN_NAMES = {"source_category": "来源类别", "use_category": "用途类别"}  # how a message names the field


def _prohibitions(program: Program):
    return [r for r in program.funding if r.kind == "prohibition"]


def fund_categories(program: Program) -> pd.DataFrame:
    """The closed list of the programme (code, name, kind source/use, allowed, ref,
    assumed, note), in the file's order."""
    return pd.DataFrame([c.model_dump(include=set(CATEGORY_COLUMNS)) for c in program.fund_categories],
                        columns=CATEGORY_COLUMNS)


def category_options(program: Program, kind: str) -> dict[str, str]:
    """code → “name（ref）” of one kind, allowed and refused alike (a page shows them all;
    a refused one is marked 禁止 and refused when recorded)."""
    cats = fund_categories(program)
    cats = cats[cats["kind"] == kind]
    return {c: f"{n}（{r}）" + ("" if a else "——文件禁止") for c, n, r, a in
            zip(cats["code"], cats["name"], cats["ref"], cats["allowed"])}


def check_fund_entries(program: Program, entries: pd.DataFrame) -> pd.DataFrame:
    """Each fund entry (``source_category``, ``use_category``: codes of the closed list)
    with ``refused``, ``refused_by`` (the category code) and ``reason`` (its name and
    clause). A missing or unknown category is a bad row (InputError naming row, column and
    the list); a category the document forbids is refused, whatever the text says."""
    cats = fund_categories(program)
    if cats.empty:
        raise InputError(Problem(f"方案“{program.meta.short_title}”的文件未规定资金，不能记录资金", column="方案"),
                         source="资金记录")
    problems, codes = [], {}
    for col, kind in ENTRY_CATEGORY_COLUMNS.items():
        valid = cats.loc[cats["kind"] == kind, "code"].tolist()
        if col not in entries.columns:
            problems.append(Problem(f"缺少{CATEGORY_KINDS[kind]}类别列，应为：{'、'.join(valid)}", column=COLUMN_NAMES[col]))
            continue
        codes[col] = entries[col].astype("string").str.strip().fillna("")
        for i in np.flatnonzero(~codes[col].isin(valid).to_numpy()):
            v = codes[col].iloc[i]
            problems.append(Problem((f"{CATEGORY_KINDS[kind]}类别“{v}”不在文件规定的清单中" if v else
                                     f"未选{CATEGORY_KINDS[kind]}类别") + f"，应为：{'、'.join(valid)}",
                                    row=int(i) + 1, column=COLUMN_NAMES[col]))
    if problems:
        raise InputError(problems, source="资金记录")
    by_code = cats.set_index("code")
    out = entries.copy()
    out["refused"] = False
    out["refused_by"] = pd.Series(pd.NA, index=out.index, dtype="string")
    out["reason"] = pd.Series(pd.NA, index=out.index, dtype="string")
    for col, kind in ENTRY_CATEGORY_COLUMNS.items():  # source first: its clause is named first
        hit = (~codes[col].map(by_code["allowed"]).astype(bool) & ~out["refused"]).to_numpy()
        if hit.any():
            c = codes[col][hit]
            out.loc[hit, "refused"] = True
            out.loc[hit, "refused_by"] = c.to_numpy()
            out.loc[hit, "reason"] = (f"{CATEGORY_KINDS[kind]}为“" + c.map(by_code["name"]) + "”，文件禁止："
                                      + c.map(by_code["note"].fillna(by_code["name"])) + "（"
                                      + c.map(by_code["ref"]) + "）").to_numpy()
    return out


def validate_fund_entries(program: Program, entries: pd.DataFrame) -> pd.DataFrame:
    """Refuse the whole input if any entry's category is unknown or forbidden, naming row,
    column and clause; amounts as whole yuan."""
    checked = check_fund_entries(program, entries)
    bad = np.flatnonzero(checked["refused"].to_numpy(dtype=bool))
    if bad.size:
        col = {c: k for k, c in ENTRY_CATEGORY_COLUMNS.items()}
        kinds = fund_categories(program).set_index("code")["kind"]
        raise InputError([Problem(f"不能记录：{checked['reason'].iloc[i]}", row=int(i) + 1,
                                  column=COLUMN_NAMES[col[kinds[checked["refused_by"].iloc[i]]]]) for i in bad],
                         source="资金记录")
    if "amount_yuan" in entries.columns:
        checked["amount_yuan"] = yuan(entries["amount_yuan"], "amount_yuan", "资金记录")
    return checked


def record_fund_entries(engine, program: Program, entries: pd.DataFrame, user) -> int:
    """Validate and write fund entries in one transaction (audited; with a scope.Actor
    every row must lie in its region): ``kind`` (allocation, county_matching, spending,
    advance…), ``amount_yuan``, ``source_category``, ``use_category``, ``on_date`` and one of
    ``pilot`` / ``station`` / ``region``; optional ``note``. ``source`` and ``use`` are
    written as the categories' names. Returns the number written; nothing on a refusal."""
    from ruralcore.store import write
    from ruralcore.store.models import FundEntry

    checked = validate_fund_entries(program, entries)
    names = fund_categories(program).set_index("code")["name"]
    rows = pd.DataFrame({"program": program.id, "kind": entries["kind"].astype(str).to_numpy(),
                         "amount_yuan": checked["amount_yuan"].to_numpy(),
                         "source_category": checked["source_category"].astype(str).str.strip().to_numpy(),
                         "use_category": checked["use_category"].astype(str).str.strip().to_numpy()})
    rows["source"] = rows["source_category"].map(names)
    rows["use"] = rows["use_category"].map(names)
    for c in ("pilot", "station", "region", "on_date", "note"):
        if c in entries.columns:
            rows[c] = entries[c].to_numpy()
    return write.bulk_insert(engine, FundEntry, rows, user)


ENTRY_KINDS = {"allocation": "资金下达", "county_matching": "县级配套", "spending": "支出", "advance": "预拨资金",
               "settlement": "补助结算"}
SUBJECT_COLUMNS = {"pilot": "试点", "station": "益农信息社", "region": "区域"}


def fund_programs() -> list[str]:
    """Programmes whose file gives fund categories: the 资金记录 page (ruralcore.auth.pages)."""
    from ruralcore.auth.pages import fund_programs as declared
    return declared()


def fund_subjects(engine, program: Program, writer=None) -> pd.DataFrame:
    """What a fund entry of the programme belongs to (column pilot / station / region,
    code, name): its pilots (忻州), else its stations (融水), else its county-level regions
    (银川). With a ``writer`` (a scope.Actor), only those it may record money for."""
    from ruralcore.auth import scope
    from ruralcore.store import registers
    with engine.connect() as c:
        column, rows = registers.fund_subjects(c, program.id)
        out = rows.assign(column=column)[["column", "code", "name"]]
        if scope.is_actor(writer) and len(out):
            codes = scope.row_regions(c, "fund_entries", pd.DataFrame({column: out["code"]}))
            out = out[scope.can_write(writer, "fund_entries", codes, scope.region_tree(c))]
    return out.reset_index(drop=True)


def fund_entries(engine, program: Program, viewer=None) -> pd.DataFrame:
    """The programme's fund entries, newest first, with their categories' names (未分类 for
    a row written before categories were declared); with a ``viewer`` only those in a
    region it reads."""
    from ruralcore.auth import scope
    from ruralcore.store import registers
    with engine.connect() as c:
        df = registers.fund_entries(c, program.id)
        if scope.is_actor(viewer) and len(df):
            seen = scope.visible_regions(viewer, c)
            if seen is not None:
                df = df[scope.row_regions(c, "fund_entries", df).isin(list(seen)).to_numpy()]
    names = fund_categories(program).set_index("code")["name"]
    df["amount_yuan"] = df["amount_yuan"].astype("int64")
    for col in ENTRY_CATEGORY_COLUMNS:
        df[col + "_name"] = df[col].map(names).fillna("未分类")
    df["kind_name"] = df["kind"].map(ENTRY_KINDS).fillna(df["kind"])
    df["subject"] = df["pilot"].fillna(df["station"]).fillna(df["region"]).fillna("")
    return df.reset_index(drop=True)


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
    is recovered when the programme says so (融水: ``recover_advance_if_rectification_overdue``,
    an assumed setting — the document only ties advances to rectification, 七(三)2), and
    the status then carries the system-default label.
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
    recover = next((x for x in program.settings if x.code == "recover_advance_if_rectification_overdue"), None)
    late &= bool(recover is not None and recover.value)
    out["subsidy_yuan"] = subsidy
    out["advance_yuan"] = advance
    out["payable_yuan"] = np.where(accepted, (subsidy - advance).clip(lower=0), 0).astype("int64")
    out["recover_yuan"] = np.where(accepted, (advance - subsidy).clip(lower=0),
                                   np.where(late, advance, 0)).astype("int64")
    recovered = "整改逾期，收回预拨" + (f"（{ASSUMED_LABEL}）" if recover is not None and recover.assumed else "")
    out["status"] = np.select([accepted, late & (advance > 0)], ["已验收，清算", recovered], "待验收，暂不拨付")
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
def annual_budget(program: Program) -> int | None:
    """The yearly project budget the programme sets (integer yuan); None when it sets none."""
    rule = next((r for r in program.funding if r.kind == "annual_budget"), None)
    return None if rule is None else int(rule.amount_yuan or 0)


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
    from ruralcore.rules.regions import PILOTS_DIR, load_pilots
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
    # amounts the document does not give (融水: 按桂农业发〔2018〕20号执行) are a placeholder 0:
    # the total is then not a sum of money the document fixes
    out["amounts_not_given"] = [a["name"] for a in out["allocations"] if a["assumed"] and not a["amount_yuan"]]
    annual = [r for r in program.funding if r.kind == "annual_budget"]
    out["period"] = "per_year" if annual and len(annual) == len(out["allocations"]) else "whole"
    prohibitions = _prohibitions(program)
    if prohibitions:
        out["prohibitions"] = [{"code": r.code, "name": r.name, "ref": r.ref} for r in prohibitions]
    if not out["allocations"] and not out.get("note"):
        out["note"] = "该方案文件没有可计算金额的资金规则"
    return out
