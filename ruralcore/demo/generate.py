"""Seeded demo frames, one per store table, over the documents' real regions.

Nothing here touches a database: ``generate(scale)`` returns {table name: DataFrame}
whose columns are those of the store's tables; ruralcore.demo.build writes them.
Same scale → identical frames on every run (numpy Generator seeded per programme).
Every generated name carries 演示; real regions keep their real names.
"""
from __future__ import annotations

from typing import Callable

import numpy as np
import pandas as pd

from ruralcore.rules import workdays
from ruralcore.kernel.errors import RuralcoreError
from ruralcore.rules.programs import Program, load_program, program_ids
from ruralcore.rules.regions import load_regions
from ruralcore.app.reporting import due_date, periods_between, report_level
from ruralcore.demo import reports as rep
from ruralcore.demo.names import MARK, numbered, person_names

SEED = 20190124  # the date of the oldest document; any constant would do
SCALES = ("county", "city", "province", "national")
# extra demo counties (12 townships × 20 villages each) added under 花垣's city to reach
# ≈ 5,000 (city) and ≈ 30,000 (province) administrative villages; national ≈ 500,000.
EXTRA_COUNTIES = {"county": 0, "city": 20, "province": 124, "national": 2080}
EXTRA_TOWNSHIPS, EXTRA_VILLAGES = 12, 20

# Which months each programme's demo covers (inside its own active period) and how
# many demo villages a real township gets where the documents name none.
PLAN = {
    "huayuan-2019": {"periods": ("2018-12", "2019-11"), "villages_per_township": 4},
    "rongshui-2019": {"periods": ("2019-01", "2019-12")},
    "xinzhou-2023": {"periods": ("2023-01", "2023-12")},
    "tanjiachang-2023": {"periods": ("2023-05", "2024-04"), "villages_per_township": 11},
    "yinchuan-2017": {"periods": ("2018-01", "2018-12"), "villages_per_township": 3},
}
# 花垣's city (public statistical code), parent of the extra demo counties; the region
# file lists 花垣县 without a parent.
HUAYUAN_CITY = ("433100", "湘西土家族苗族自治州")
REGION_COLUMNS = ["code", "name", "level", "parent", "program", "kind", "code_source", "ref"]

Progress = Callable[[float, str], None] | None


def _rng(program_id: str) -> np.random.Generator:
    return np.random.default_rng([SEED, sum(map(ord, program_id))])


def _say(progress: Progress, fraction: float, message: str) -> None:
    if progress is not None:
        progress(fraction, message)


# regions ---------------------------------------------------------------------------------
def demo_villages(parents: pd.DataFrame, counts: np.ndarray, program: str) -> pd.DataFrame:
    """``counts[i]`` demo villages under ``parents.iloc[i]`` (codes: parent code + 3 digits)."""
    counts = np.asarray(counts, dtype=int)
    par = np.repeat(parents["code"].to_numpy(dtype=object), counts)
    pname = np.repeat(parents["name"].to_numpy(dtype=object), counts)
    start = np.repeat(np.cumsum(counts) - counts, counts)
    seq = np.arange(counts.sum()) - start + 1
    code = par + np.char.zfill(seq.astype(str), 3).astype(object)
    return pd.DataFrame({
        "code": code, "name": numbered(pname, "村", seq, 2), "level": "village", "parent": par,
        "program": program, "kind": "演示", "code_source": "demo", "ref": "演示数据",
    })


def extra_counties(parent: str, program: str, n: int) -> pd.DataFrame:
    """``n`` demo counties under ``parent`` with their townships and villages."""
    if n == 0:
        return pd.DataFrame(columns=REGION_COLUMNS)
    ci = np.arange(1, n + 1)
    counties = pd.DataFrame({
        "code": parent + "D" + np.char.zfill(ci.astype(str), 4).astype(object),
        "name": numbered("", "县", ci, 4), "level": "county", "parent": parent,
    })
    t_par = np.repeat(counties["code"].to_numpy(dtype=object), EXTRA_TOWNSHIPS)
    t_seq = np.tile(np.arange(1, EXTRA_TOWNSHIPS + 1), n)
    towns = pd.DataFrame({
        "code": t_par + np.char.zfill(t_seq.astype(str), 3).astype(object),
        "name": np.repeat(counties["name"].to_numpy(dtype=object), EXTRA_TOWNSHIPS) + numbered("", "镇", t_seq, 2),
        "level": "township", "parent": t_par,
    })
    frame = pd.concat([counties, towns], ignore_index=True)
    frame["program"], frame["kind"], frame["code_source"], frame["ref"] = program, "演示", "demo", "演示数据"
    vill = demo_villages(towns, np.full(len(towns), EXTRA_VILLAGES), program)
    return pd.concat([frame[REGION_COLUMNS], vill], ignore_index=True)


def _real(program_id: str) -> pd.DataFrame:
    regions = load_regions()
    df = regions[regions["program"] == program_id].reset_index(drop=True)
    if df.empty:
        raise RuralcoreError(f"区域文件中没有方案“{program_id}”的区域，无法生成演示数据")
    return df[REGION_COLUMNS]


def _with_villages(prog: Program, real: pd.DataFrame, per_township: int) -> pd.DataFrame:
    """Real regions plus demo villages under each township when the files list none."""
    if (real["level"] == "village").any() or report_level(prog) != "village":
        return real
    parents = real[real["level"] == "township"]
    if parents.empty:
        parents = real[real["level"] == "county"]
    return pd.concat([real, demo_villages(parents, np.full(len(parents), per_township), prog.id)],
                     ignore_index=True)


# reports ---------------------------------------------------------------------------------
def _reports(prog: Program, regions: pd.DataFrame, rng: np.random.Generator,
             base: dict | None = None, fixed: dict | None = None, quality: np.ndarray | None = None,
             upper_fixed: dict | None = None):
    periods = periods_between(*PLAN[prog.id]["periods"])
    units = regions[regions["level"] == report_level(prog)]
    q = rep.quality(rng, len(units)) if quality is None else quality
    vals = rep.values(prog, rng, q, len(periods), base, fixed)
    sub = rep.submissions(prog, rng, q, periods)
    frame = rep.frame(prog, units["code"].to_numpy(dtype=object), periods, vals, sub)
    upper = _upper_reports(prog, regions, rng, periods, upper_fixed)
    return (pd.concat([frame, upper], ignore_index=True) if len(upper) else frame), q


def _upper_reports(prog: Program, regions: pd.DataFrame, rng: np.random.Generator,
                   periods: list[str], fixed: dict | None = None) -> pd.DataFrame:
    """Reports of the regions at a field's own level when it is not the report level
    (融水's county operation centre, 银川's connected hospitals and clinics per district):
    without them the targets over those fields have no data. A count a target sums at a
    higher level is sized so that the units together land around the target."""
    here = report_level(prog)
    levels = sorted({f.level for f in prog.fields if f.level != here and f.level in set(regions["level"])})
    parts = []
    for level in levels:  # one or two levels, not regions
        units = regions[regions["level"] == level]["code"].to_numpy(dtype=object)
        n = len(units)
        sums = {i.fields[0]: t.threshold for t in prog.targets if t.indicator and t.op in (">=", ">")
                for i in [prog.indicator(t.indicator)] if i.kind == "count" and len(i.fields) == 1}
        base = {f.code: np.ceil(sums[f.code] / n * rng.uniform(0.8, 1.5, n)) for f in prog.fields
                if f.level == level and f.code in sums}
        q = 0.1 + 0.9 * rep.quality(rng, n)  # a county office is no laggard
        vals = rep.values(prog, rng, q, len(periods), base=base, level=level, fixed=fixed)
        sub = rep.submissions(prog, rng, q, periods)
        # the newest month is always in (late at worst): the targets read it
        late = np.datetime64(due_date(prog, periods[-1])) + np.timedelta64(34 * 3600, "s")
        sub[:, -1] = np.where(np.isnat(sub[:, -1]), late, sub[:, -1])
        parts.append(rep.frame(prog, units, periods, vals, sub))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def _meta(prog: Program) -> dict:
    last = PLAN[prog.id]["periods"][1]
    first = PLAN[prog.id]["periods"][0]
    return {f"as_of:{prog.id}": rep.as_of(prog, last).isoformat(),
            f"periods:{prog.id}": f"{first}..{last}"}


# 花垣 (and the extra demo counties that give the larger scales) ----------------------
def huayuan(scale: str) -> dict[str, pd.DataFrame]:
    prog = load_program("huayuan-2019")
    rng = _rng(prog.id)
    real = _real(prog.id)
    regions = _with_villages(prog, real, PLAN[prog.id]["villages_per_township"])
    county = real[real["level"] == "county"]
    parent = county["parent"].iat[0] if len(county) and county["parent"].iat[0] else HUAYUAN_CITY[0]
    extra = extra_counties(parent, prog.id, EXTRA_COUNTIES[scale])
    if len(extra) and parent not in set(regions["code"]):  # the real city the demo counties hang under
        extra = pd.concat([pd.DataFrame([{"code": parent, "name": HUAYUAN_CITY[1], "level": "city",
                                          "parent": "", "program": prog.id, "kind": "自治州",
                                          "code_source": "official", "ref": "公开资料"}]), extra])
    regions = pd.concat([regions, extra], ignore_index=True)
    reports, _ = _reports(prog, regions, rng)
    return {"regions": regions, "reports": reports, "app_meta": _meta(prog)}


# 融水: villages, stations per the quota table, equipment, officers, training ---------
def rongshui(scale: str) -> dict[str, pd.DataFrame]:
    prog = load_program("rongshui-2019")
    rng = _rng(prog.id)
    real = _real(prog.id)
    quota = prog.quota_table("stations")
    q = pd.DataFrame([{"township": r.region, **r.counts} for r in quota.rows])
    towns = real[real["level"] == "township"].set_index("name")
    unknown = sorted(set(q["township"]) - set(towns.index))
    if unknown:
        raise RuralcoreError(f"融水区域文件缺少配额表中的乡镇：{'、'.join(unknown)}")
    q["code"] = q["township"].map(towns["code"])
    # one administrative village per standard station: 100 % coverage is reachable
    vill = demo_villages(pd.DataFrame({"code": q["code"], "name": q["township"]}), q["standard"], prog.id)
    regions = pd.concat([real, vill], ignore_index=True)

    s = lambda c: str(prog.setting(c))  # noqa: E731
    prefix = s("station_code_province") + s("station_code_plate") + s("station_code_county_initials")
    digits = int(prog.setting("station_code_seq_digits"))
    parts = []
    for kind in ("standard", "professional", "simple"):  # three types, not a loop over stations
        n = int(q[kind].sum())
        seq = np.arange(1, n + 1)
        parts.append(pd.DataFrame({
            "number": prefix + np.char.zfill(seq.astype(str), digits).astype(object)
            + s(f"station_type_letter_{kind}"),
            "type": kind,
            "township": np.repeat(q["code"].to_numpy(dtype=object), q[kind]),
            "region": vill["code"].to_numpy(dtype=object),  # the i-th station of a type in the i-th village
            "village": vill["name"].to_numpy(dtype=object),
            "rank": seq - np.repeat(np.cumsum(q[kind]) - q[kind], q[kind]),  # order within the township
        }))
    st = pd.concat(parts, ignore_index=True)
    st["program"] = prog.id
    n = len(st)
    std = (st["type"] == "standard").to_numpy()
    demo_quota = st["township"].map(q.set_index("code")["demo"]).to_numpy()
    st["is_demo"] = std & (st["rank"].to_numpy() <= demo_quota)
    built = rng.random(n) > 0.07
    phase = next(m for m in prog.milestones if m.code == "build_complete")  # 六(二)1: built by late June
    span = (phase.due - phase.start).days
    st["built_on"] = np.where(built, np.datetime64(phase.start) + rng.integers(14, span + 15, n).astype("timedelta64[D]"),
                              np.datetime64("NaT"))
    st["status"] = np.where(built, "built", "building")
    svc = np.ones((n, 4), dtype=bool)
    basic = ~std
    svc[basic] = np.array([[False, True, True, False]] * int(basic.sum()))  # 简易站: 便民 + 电商
    pro = (st["type"] == "professional").to_numpy()
    svc[pro] = np.array([[True, False, False, True]] * int(pro.sum()))     # 专业站: professional services
    short_svc = rng.random(n) < 0.08
    svc[np.flatnonzero(short_svc), rng.integers(0, 4, int(short_svc.sum()))] = False
    st["service_public"], st["service_convenience"], st["service_ecommerce"], st["service_training"] = svc.T
    st["broadband_mbps"] = np.where(rng.random(n) < 0.06, 4, rng.choice([10, 20, 50, 100], n))

    # equipment per the checklist; some stations short of an item
    items_std = [i.code for i in prog.checklist("equipment_standard").items]
    items_basic = [i.code for i in prog.checklist("equipment_basic").items]
    eq = pd.concat([
        pd.DataFrame({"station": np.repeat(st["number"][std].to_numpy(dtype=object), len(items_std)),
                      "item": np.tile(np.asarray(items_std, dtype=object), int(std.sum()))}),
        pd.DataFrame({"station": np.repeat(st["number"][basic].to_numpy(dtype=object), len(items_basic)),
                      "item": np.tile(np.asarray(items_basic, dtype=object), int(basic.sum()))}),
    ], ignore_index=True)
    short_station = st["number"][rng.random(n) < 0.15]
    lack = eq["station"].isin(short_station).to_numpy() & (rng.random(len(eq)) < 0.25)
    eq["quantity"] = np.where(lack, 0, 1)
    complete = ~st["number"].isin(eq.loc[lack, "station"]).to_numpy()

    # officers: most stations one, some two, some none; training hours for the year
    per = np.where(rng.random(n) < 0.05, 0, np.where(rng.random(n) < 0.1, 2, 1))
    off = pd.DataFrame({"station": np.repeat(st["number"].to_numpy(dtype=object), per)})
    m = len(off)
    off.insert(0, "id", np.arange(1, m + 1))
    off["name"] = person_names(rng, m)
    off["registered"] = rng.random(m) < 0.9
    need = int(prog.setting("training_hours_min"))  # 五(二)2
    hours = np.where(rng.random(m) < 0.15, rng.integers(need // 3, need, m), rng.integers(need, need + 32, m))
    training = pd.DataFrame({"officer": off["id"], "year": phase.due.year, "hours": hours.astype(float)})

    st["has_site"] = built
    st["has_staff"] = per > 0
    st["has_equipment"] = complete
    st["has_broadband"] = st["broadband_mbps"].to_numpy() >= int(prog.setting("broadband_min_mbps"))
    st["has_webpage"] = rng.random(n) < 0.92
    st["has_sustainable_ops"] = rng.random(n) < 0.9
    stations = st.drop(columns=["rank"])

    cases = _station_cases(prog, st[std & built], rng)
    case_items = _case_items(prog, cases, rng)
    fixed = _rongshui_fixed(prog, regions, q, st, per, off, training)
    # 六(二)1: the county operation centre is finished within the build phase (by late June)
    periods = periods_between(*PLAN[prog.id]["periods"])
    centre_on = np.datetime64(phase.start) + np.timedelta64(int(rng.integers(30, span + 1)), "D")
    ends = pd.PeriodIndex(periods, freq="M").end_time.normalize().to_numpy().astype("datetime64[D]")
    centre = {"county_centre_built": (ends >= centre_on).astype(float)[None, :]}
    reports, _ = _reports(prog, regions, rng, fixed=fixed, upper_fixed=centre)
    return {"regions": regions, "stations": stations, "station_equipment": eq, "officers": off,
            "officer_training": training, "acceptance_cases": cases, "acceptance_items": case_items,
            "reports": reports,
            "app_meta": _meta(prog)}


def _rongshui_fixed(prog, regions, q, st, per, off, training) -> dict[str, np.ndarray]:
    """Township monthly counts derived from the stations themselves (cumulative by month end)."""
    periods = periods_between(*PLAN[prog.id]["periods"])
    ends = (pd.PeriodIndex(periods, freq="M").end_time.normalize()).to_numpy()
    towns = regions[regions["level"] == report_level(prog)]["code"].to_numpy(dtype=object)
    built_by = st["built_on"].to_numpy(dtype="datetime64[ns]")[:, None] <= ends[None, :]  # stations × months
    tidx = pd.Index(towns).get_indexer(st["township"])

    def per_town(mask: np.ndarray) -> np.ndarray:
        out = np.zeros((len(towns), len(periods)))
        np.add.at(out, tidx, mask.astype(float))
        return out

    typ = st["type"].to_numpy()
    services = st[["service_public", "service_convenience", "service_ecommerce", "service_training"]].to_numpy().sum(1)
    liuyou = st[["has_site", "has_staff", "has_equipment", "has_broadband", "has_webpage",
                 "has_sustainable_ops"]].to_numpy().all(1)
    n_off = st["number"].map(off.groupby("station").size()).fillna(0).to_numpy()
    n_reg = st["number"].map(off[off["registered"]].groupby("station").size()).fillna(0).to_numpy()
    hrs = off["id"].map(training.set_index("officer")["hours"])
    need = int(prog.setting("training_hours_min"))
    trained_final = st["number"].map(off[hrs.to_numpy() >= need].groupby("station").size()).fillna(0).to_numpy()
    month_frac = (np.arange(len(periods)) + 1) / len(periods)  # training hours accrue over the year
    demo_phase = next(m for m in prog.milestones if m.code == "demo_creation")  # 示范社 chosen from July
    july = np.asarray([p >= demo_phase.start.strftime("%Y-%m") for p in periods])
    villages = regions[regions["level"] == "village"].groupby("parent").size()
    return {
        "administrative_villages": np.repeat(pd.Series(towns).map(villages).fillna(0).to_numpy()[:, None], len(periods), 1),
        "villages_with_standard": per_town(built_by & (typ == "standard")[:, None]),
        "standard_built": per_town(built_by & (typ == "standard")[:, None]),
        "professional_built": per_town(built_by & (typ == "professional")[:, None]),
        "simple_built": per_town(built_by & (typ == "simple")[:, None]),
        "demo_selected": per_town(built_by & st["is_demo"].to_numpy()[:, None] & july[None, :]),
        "stations_total": per_town(built_by),
        "stations_liuyou": per_town(built_by & liuyou[:, None]),
        "stations_with_officer": per_town(built_by & (per > 0)[:, None]),
        "officers": per_town(built_by * n_off[:, None]),
        "officers_registered": per_town(built_by * n_reg[:, None]),
        "officers_trained": per_town(built_by * np.floor(trained_final[:, None] * (month_frac[None, :] >= 1))),
        "standard_four_services": per_town(built_by & ((typ == "standard") & (services == 4))[:, None]),
        "basic_two_services": per_town(built_by & ((typ != "standard") & (services >= 2))[:, None]),
        "stations_accepted": per_town(built_by & (month_frac[None, :] >= 0.75) & liuyou[:, None]),
    }


def _station_cases(prog: Program, built: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """A dozen acceptance cases in several states, dates in working days."""
    states = ["built", "applied", "rectifying", "reinspecting", "passed", "accepted"] * 2
    pick = built.iloc[: len(states)]
    k = len(pick)
    st = np.asarray(states[:k], dtype=object)
    done = pd.to_datetime(pick["built_on"]).dt.date.to_numpy()
    applied = workdays.add_workdays(done, rng.integers(1, 7, k)) if k else done
    inspected = workdays.add_workdays(applied, rng.integers(3, 16, k)) if k else done
    past = {s: i for i, s in enumerate(["built", "applied", "rectifying", "reinspecting", "passed", "accepted"])}
    rank = np.array([past[s] for s in st]) if k else np.array([], dtype=int)
    failed = np.isin(st, ["rectifying", "reinspecting"])
    return pd.DataFrame({
        "id": np.arange(1, k + 1),
        "program": prog.id, "subject_type": "station", "subject": pick["number"].to_numpy(dtype=object),
        "state": st, "completed_on": done,
        "applied_on": np.where(rank >= 1, applied, None),
        "inspected_on": np.where(rank >= 2, inspected, None),
        "result": np.where(failed, "failed", np.where(rank >= 4, "passed", "")),
        "rectify_notice_on": np.where(failed, inspected, None),
        # re-inspection waits on a reported rectification (its deadline counts from it)
        "rectified_on": np.where(st == "reinspecting", workdays.add_workdays(inspected, 5) if k else None, None),
        "rectify_due": np.where(failed, workdays.add_workdays(inspected, int(prog.setting("rectify_within_workdays")))
                                if k else inspected, None),
        "city_accepted_on": np.where(rank == 5, inspected, None),
        "inspectors": "演示·检查组",
        "conclusion": np.where(failed, "演示：设备不全，限期整改", ""),
    })


def _case_items(prog: Program, cases: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """The equipment checklist per inspected case: failed cases fail one or two items."""
    items = np.asarray([i.code for i in prog.checklist("equipment_standard").items], dtype=object)
    seen = cases[cases["inspected_on"].notna()]
    k, m = len(seen), len(items)
    out = pd.DataFrame({"case_id": np.repeat(seen["id"].to_numpy(), m), "item": np.tile(items, k)})
    failed = np.repeat((seen["result"] == "failed").to_numpy(), m)
    one = np.tile(np.arange(m), k) == np.repeat(rng.integers(0, m, k), m)  # at least one item fails
    out["result"] = np.where(failed & (one | (rng.random(k * m) < 0.15)), "fail", "pass")
    out["note"] = np.where(out["result"] == "fail", "演示：缺失或不达标", "")
    return out


# 忻州: 67 pilots, schedule dates, indicator states, money ---------------------------
PILOT_STEPS = [  # (pilots column, milestone of the programme file whose due date applies)
    ("plans_on", "plans"), ("filing_on", "filing"), ("funds_on", "funds"),
    ("project_library_on", "funds"), ("procedures_on", "procedures"),
    ("construction_start_on", "construction_start"), ("completion_on", "completion"),
    ("acceptance_on", "acceptance"), ("summary_on", "summary"),
]


def _milestone_dues(prog: Program) -> list[np.datetime64]:
    due = {m.code: m.due for m in prog.milestones}
    return [np.datetime64(due[code]) for _, code in PILOT_STEPS]


def xinzhou(scale: str) -> dict[str, pd.DataFrame]:
    from ruralcore.rules import regions as regions_mod

    prog = load_program("xinzhou-2023")
    rng = _rng(prog.id)
    real = _real(prog.id)
    p = regions_mod.load_pilots(prog.id).reset_index(drop=True)
    n = len(p)
    as_of = np.datetime64(rep.as_of(prog, PLAN[prog.id]["periods"][1]))
    # delay per pilot: most on time, some late, a few stall (overdue steps)
    kind = rng.choice(["on_time", "late", "stall"], n, p=[0.72, 0.18, 0.10])
    dues = np.array(_milestone_dues(prog))
    early = rng.integers(0, 20, (n, len(dues)))
    late = rng.integers(5, 45, (n, len(dues)))
    dates = dues[None, :] - early.astype("timedelta64[D]")
    # a late pilot keeps the planning steps on time and slips from one step on (资金与项目库 …
    # 开工建设), so the programme's early milestones are met and later ones late (own stream:
    # the other draws stay as they were)
    slip_at = np.random.default_rng([SEED, sum(map(ord, prog.id)), 1]).integers(2, 6, n)
    slips = (kind == "late")[:, None] & (np.arange(len(dues))[None, :] >= slip_at[:, None])
    dates = np.where(slips, dues[None, :] + late.astype("timedelta64[D]"), dates)
    stall_at = rng.integers(4, len(dues), n)  # stalled pilots stop before completion or acceptance
    stop = (kind == "stall")[:, None] & (np.arange(len(dues))[None, :] >= stall_at[:, None])
    dates = np.where(stop | (dates > as_of), np.datetime64("NaT"), dates)
    # a pilot with an acceptance case is accepted (评估验收认定) on its case's city acceptance
    # day, and not before (as cases.record_city_acceptance marks it)
    cases = _pilot_cases(prog, p["pilot_code"].to_numpy(dtype=object), dates, as_of)
    at = pd.Index(p["pilot_code"]).get_indexer(cases["subject"])
    dates[at, 7] = pd.to_datetime(cases["city_accepted_on"]).to_numpy().astype(dates.dtype)
    county_code = real[real["level"] == "county"].set_index("name")["code"]
    pilots = pd.DataFrame({
        "code": p["pilot_code"].to_numpy(dtype=object), "program": prog.id,
        "pilot_type": p["pilot_type"].to_numpy(dtype=object),
        "county": p["county"].map(county_code).fillna("").to_numpy(dtype=object),
        "region": p["region_code"].to_numpy(dtype=object),
        "name": p["name"].to_numpy(dtype=object),
        "notes": "",
    })
    for i, (col, _) in enumerate(PILOT_STEPS):
        pilots[col] = pd.to_datetime(dates[:, i]).date
        pilots[col] = pilots[col].where(~np.isnat(dates[:, i]), None)

    items = _pilot_items(prog, pilots)
    done = ~np.isnat(dates)
    built = str(prog.setting("build_state_counts_as_built"))  # the state that counts as built
    state = np.where(rng.random(len(items)) < 0.15, "not_built", np.where(rng.random(len(items)) < 0.5, built, "partly"))
    complete = items["pilot"].map(pd.Series(done[:, 6], index=pilots["code"])).to_numpy(dtype=bool)
    state = np.where(complete & (state == "partly"), built, state)
    items["state"] = state
    items["evidence"] = np.where(state == built, "演示：现场照片", "")

    # money: city 450,000 per pilot (per_unit rules), county matching, spending
    per_unit = {r.unit: r.amount_yuan for r in prog.funding if r.kind == "per_unit"}
    city = pilots["pilot_type"].map(lambda t: per_unit.get(f"pilot_{t}", per_unit.get("pilot_village", 0)))
    funded = ~pd.isna(pilots["funds_on"])
    matching = rng.integers(5, 40, n) * 10_000
    spent_share = np.where(done[:, 6], rng.uniform(0.85, 1.0, n), rng.uniform(0.1, 0.7, n))
    spend = np.floor((city.to_numpy() + matching) * spent_share / 1000).astype(np.int64) * 1000
    base = dict(pilot=pilots["code"].to_numpy(dtype=object), program=prog.id)
    day = pd.to_datetime(pilots["funds_on"])
    funds = pd.concat([
        pd.DataFrame({**base, "kind": "allocation", "amount_yuan": city.to_numpy(dtype=np.int64),
                      "on_date": pilots["funds_on"], "source_category": "city_bridging"})[funded.to_numpy()],
        pd.DataFrame({**base, "kind": "county_matching", "amount_yuan": matching.astype(np.int64),
                      "on_date": pilots["funds_on"], "source_category": "county_budget"})[funded.to_numpy()],
        pd.DataFrame({**base, "kind": "spending", "amount_yuan": spend,
                      "on_date": (day + pd.Timedelta(days=90)).dt.date, "source_category": "city_bridging"})[funded.to_numpy()],
    ], ignore_index=True)
    # every entry's source and use are categories of the programme's closed list (三(三))
    funds["use_category"] = "construction"
    names = {c.code: c.name for c in prog.fund_categories}
    funds["source"], funds["use"] = funds["source_category"].map(names), funds["use_category"].map(names)
    funds["region"] = funds["pilot"].map(pilots.set_index("code")["county"])
    funds["note"] = "演示数据"

    # pilots as reporting units (level pilot) in the region tree, under their county
    pil_regions = pd.DataFrame({
        "code": pilots["code"], "name": pilots["name"], "level": "pilot",
        "parent": pilots["region"], "program": prog.id, "kind": pilots["pilot_type"],
        "code_source": "project", "ref": "附件3",
    })
    regions = pd.concat([real[~real["code"].isin(pil_regions["code"])], pil_regions], ignore_index=True)
    fixed = _xinzhou_fixed(prog, pilots, dates, city.to_numpy(), matching, spend)
    fixed.update(_indicators_built(prog, pilots, items, dates, built, rng))
    q = np.where(kind == "stall", 0.05, np.where(kind == "late", 0.3, 0.5 + rng.random(n) / 2))
    reports, _ = _reports(prog, regions, rng, fixed=fixed, quality=q)
    return {"regions": regions, "pilots": pilots, "pilot_indicators": items, "fund_entries": funds,
            "reports": reports, "acceptance_cases": cases, "acceptance_items": _compliance_items(prog, cases),
            "app_meta": _meta(prog)}


def _pilot_items(prog: Program, pilots: pd.DataFrame) -> pd.DataFrame:
    parts = []
    for cl in prog.checklists:  # two indicator lists (附件1, 附件2)
        if cl.subject not in ("township_pilot", "village_pilot"):
            continue
        subj = "township" if "township" in cl.subject else "village"
        who = pilots["code"][pilots["pilot_type"] == subj].to_numpy(dtype=object)
        codes = np.asarray([i.code for i in cl.items], dtype=object)
        parts.append(pd.DataFrame({"pilot": np.repeat(who, len(codes)), "item": np.tile(codes, len(who))}))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["pilot", "item"])


def _xinzhou_fixed(prog, pilots, dates, city, matching, spend) -> dict[str, np.ndarray]:
    periods = periods_between(*PLAN[prog.id]["periods"])
    ends = pd.PeriodIndex(periods, freq="M").end_time.normalize().to_numpy().astype("datetime64[D]")
    by = lambda i: (dates[:, i][:, None] <= ends[None, :]).astype(float)  # noqa: E731  (NaT → False)
    frac = np.clip((np.arange(len(periods)) + 1 - 5) / 7, 0, 1)[None, :]
    fields = {f.code for f in prog.fields}
    out = {
        "plan_done": by(0), "plan_filed": by(1), "in_project_library": by(3), "procedures_done": by(4),
        "construction_started": by(5), "construction_complete": by(6), "accepted": by(7),
        "case_submitted": by(8),
        "city_funds_received_yuan": by(2) * city[:, None],
        "county_matching_yuan": by(2) * matching[:, None],
        "spent_yuan": np.floor(by(2) * spend[:, None] * frac / 1000) * 1000,
    }
    return {k: v for k, v in out.items() if k in fields}


def _indicators_built(prog: Program, pilots: pd.DataFrame, items: pd.DataFrame, dates: np.ndarray,
                      built: str, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Monthly indicators_planned / indicators_built per pilot that follow the stored
    indicator states: an item whose state counts as built is built in a month between the
    pilot's construction start and its completion (the last demo month when not complete),
    so the last month's count equals the stored states."""
    periods = periods_between(*PLAN[prog.id]["periods"])
    nm, n = len(periods), len(pilots)
    first = np.datetime64(periods[0], "M")
    month = lambda d: (d.astype("datetime64[M]") - first).astype(int)  # noqa: E731  (NaT → garbage, masked below)
    lo = np.where(np.isnat(dates[:, 5]), 0, np.clip(month(dates[:, 5]), 0, nm - 1))
    hi = np.where(np.isnat(dates[:, 6]), nm - 1, np.clip(month(dates[:, 6]), 0, nm - 1))
    lo = np.minimum(lo, hi)
    who = pd.Index(pilots["code"]).get_indexer(items["pilot"])
    is_built = (items["state"] == built).to_numpy()
    at = lo[who] + np.floor(rng.random(len(items)) * (hi[who] - lo[who] + 1)).astype(int)
    per_month = np.zeros((n, nm))
    np.add.at(per_month, (who[is_built], at[is_built]), 1.0)
    planned = np.bincount(who, minlength=n).astype(float)
    out = {"indicators_built": np.cumsum(per_month, axis=1),
           "indicators_planned": np.repeat(planned[:, None], nm, axis=1)}
    return {k: v for k, v in out.items() if k in {f.code for f in prog.fields}}


def _compliance_items(prog: Program, cases: pd.DataFrame) -> pd.DataFrame:
    """二(二) 四制 and permits as the demo's inspectors recorded them: confirmed (合格) at
    every pilot whose inspection passed (a failed one shows them 未核验)."""
    items = [f"law_{i.code}" for i in prog.checklist("compliance").items] if any(
        c.code == "compliance" for c in prog.checklists) else []
    seen = cases[cases["inspected_on"].notna() & (cases["result"] == "passed")]
    k, m = len(seen), len(items)
    return pd.DataFrame({"case_id": np.repeat(seen["id"].to_numpy(), m), "item": np.tile(np.asarray(items, dtype=object), k),
                         "result": "pass", "note": "已落实（演示）"})


def _pilot_cases(prog: Program, codes: np.ndarray, dates: np.ndarray, as_of: np.datetime64) -> pd.DataFrame:
    """Eight cases of completed pilots in several states, each with the dates its state
    implies (applied → inspected → notice, rectified → city acceptance), a few working days
    apart and never after the data's as-of date (own seeded stream)."""
    from ruralcore.app.cases import has_limits

    rng = np.random.default_rng([SEED, sum(map(ord, prog.id)), 2])
    done = ~np.isnat(dates[:, 6])
    pick = np.flatnonzero(done)[:8]
    st = np.asarray(["accepted", "passed", "applied", "rectifying", "accepted", "built", "reinspecting", "accepted"],
                    dtype=object)[: len(pick)]
    k = len(pick)
    comp = dates[pick, 6].astype("datetime64[D]")
    cap = lambda d: np.minimum(np.asarray(d, dtype="datetime64[D]"), as_of.astype("datetime64[D]"))  # noqa: E731
    applied = cap(workdays.add_workdays(comp, rng.integers(1, 6, k))) if k else comp
    inspected = cap(workdays.add_workdays(applied, rng.integers(3, 11, k))) if k else comp
    later = cap(workdays.add_workdays(inspected, rng.integers(3, 11, k))) if k else comp  # rectified / city acceptance
    day = lambda a, m: np.where(m, pd.to_datetime(a).date, None)  # noqa: E731
    # the programme's own path (忻州 三(六)): no application, and no step after a passing
    # evaluation, whose day is then the acceptance day; states the path lacks wait for it
    wf = prog.acceptance
    if wf.application is None:
        st = np.where(st == "applied", "built", st).astype(object)
    if wf.final is None:
        st = np.where(st == "passed", "built", st).astype(object)
        inspected = np.where(st == "accepted", later, inspected)
    failed = np.isin(st, ["rectifying", "reinspecting"])
    seen = failed | np.isin(st, ["accepted", "passed"])
    return pd.DataFrame({
        "id": np.arange(1, k + 1),
        "program": prog.id, "subject_type": "pilot", "subject": codes[pick],
        "state": st, "completed_on": pd.to_datetime(comp).date,
        "applied_on": day(applied, (st != "built") & (wf.application is not None)),
        "inspected_on": day(inspected, seen),
        "result": np.where(failed, "failed", np.where(seen, "passed", "")),
        "rectify_notice_on": day(inspected, failed),
        "rectify_due": day(workdays.add_workdays(inspected, int(prog.setting("rectify_within_workdays")))
                           if k and has_limits(prog) else comp, failed & has_limits(prog)),  # the notice's limit
        "rectified_on": day(later, st == "reinspecting"),
        "city_accepted_on": day(later, st == "accepted"),
        "inspectors": "演示·县评估组",
        "conclusion": np.where(failed, "演示：部分指标未达标，限期整改", ""),
    })


# 谭家场: 11 demo villages and the 20 tasks' progress --------------------------------
def tanjiachang(scale: str) -> dict[str, pd.DataFrame]:
    prog = load_program("tanjiachang-2023")
    rng = _rng(prog.id)
    real = _real(prog.id)
    try:
        per = int(prog.setting("administrative_villages"))
    except KeyError:
        per = PLAN[prog.id]["villages_per_township"]
    town = real[real["level"] == "township"]
    if (real["level"] == "village").any():
        regions = real
    else:
        regions = pd.concat([real, demo_villages(town.iloc[:1], [per], prog.id)], ignore_index=True)
    villages = regions[regions["level"] == "village"]["code"].to_numpy(dtype=object)
    periods = periods_between(*PLAN[prog.id]["periods"])
    tasks = np.asarray([t.no for t in prog.tasks] or list(range(1, 21)))
    nv, nt, nm = len(villages), len(tasks), len(periods)
    # the first villages_done_2023 villages finish all tasks in 2023 (二、工作目标), the rest later
    early = int(prog.setting("villages_done_2023")) if "villages_done_2023" in {x.code for x in prog.settings} else 4
    dec = periods.index("2023-12") if "2023-12" in periods else nm - 1
    finish = np.where(np.arange(nv) < early, rng.integers(max(dec - 3, 0), dec + 1, nv), rng.integers(dec + 1, nm + 12, nv))
    start = rng.integers(0, 4, (nv, nt))
    month = np.arange(nm)[None, None, :]
    done_at = np.minimum(finish[:, None] + rng.integers(-3, 1, (nv, nt)), finish[:, None])
    done_at[np.arange(nv), rng.integers(0, nt, nv)] = finish  # the last task closes on the finish month
    state = np.where(month >= done_at[:, :, None], "done",
                     np.where(month >= start[:, :, None], "in_progress", "not_started"))
    tp = pd.DataFrame({
        "program": prog.id,
        "task_no": np.tile(np.repeat(tasks, nm), nv),
        "region": np.repeat(villages, nt * nm),
        "period": np.tile(np.asarray(periods, dtype=object), nv * nt),
        "state": state.reshape(-1),
        "note": "",
    })
    fixed = {"digital_village_done": (state == "done").all(axis=1).astype(float)} \
        if "digital_village_done" in {f.code for f in prog.fields} else None
    reports, _ = _reports(prog, regions, rng, fixed=fixed) if prog.fields else (pd.DataFrame(), None)
    return {"regions": regions, "task_progress": tp, "reports": reports, "app_meta": _meta(prog)}


# 银川: resettlement villages ----------------------------------------------------------
def yinchuan(scale: str) -> dict[str, pd.DataFrame]:
    prog = load_program("yinchuan-2017")
    rng = _rng(prog.id)
    regions = _with_villages(prog, _real(prog.id), PLAN[prog.id]["villages_per_township"])
    units = regions[regions["level"] == report_level(prog)]
    q = rep.quality(rng, len(units))
    reports, _ = _reports(prog, regions, rng, fixed=_yinchuan_fixed(prog, rng, q), quality=q)
    return {"regions": regions, "reports": reports, "fund_entries": _yinchuan_spending(prog, rng),
            "app_meta": _meta(prog)}


# per village, at the end of the demo year: (laggard low, high), (others low, high) — people
YINCHUAN_PEOPLE = {
    "ecommerce_trained": ((1, 5), (5, 9)),         # 四(三): ≥ 5 per village
    "ecommerce_practitioners": ((2, 10), (10, 16)),  # 四(三): ≥ 10 per village
    "senior_ecommerce_talents": ((0, 1), (1, 3)),  # 四(三): ≥ 1 per village
}


def _yinchuan_fixed(prog: Program, rng: np.random.Generator, q: np.ndarray) -> dict[str, np.ndarray]:
    """Village-sized 银川 counts: one village per report (the per-village rates' denominator),
    a handful of trained people rising over the year, laggards (lowest 15 %) below the
    targets; subsidies and awards in tens of thousands of yuan."""
    periods = periods_between(*PLAN[prog.id]["periods"])
    n, nm = len(q), len(periods)
    lag = q < 0.15
    raw = rep.progress(rng, q, nm)
    p = raw / raw[:, -1:]  # the last month reaches each village's year-end figure
    # a concentrated resettlement site stays one all year; its e-commerce station opens once
    concentrated = (rng.random(n) < 0.7).astype(float)[:, None] * np.ones((1, nm))
    station = (raw > rng.uniform(0.25, 0.95, n)[:, None]).astype(float)
    out = {"villages": np.ones((n, nm)), "concentrated": concentrated, "ecommerce_station": station,
           "concentrated_with_station": concentrated * station}
    for code, ((llo, lhi), (lo, hi)) in YINCHUAN_PEOPLE.items():  # three fields
        final = np.where(lag, rng.integers(llo, lhi, n), rng.integers(lo, hi, n))
        out[code] = np.floor(final[:, None] * p + 1e-9)
    for code, (lo, hi) in {"freight_subsidy_yuan": (5, 40), "ecommerce_award_yuan": (0, 50)}.items():
        out[code] = np.floor(rng.integers(lo, hi, n)[:, None] * p) * 1000.0
    return {k: v for k, v in out.items() if k in {f.code for f in prog.fields}}


def _yinchuan_spending(prog: Program, rng: np.random.Generator) -> pd.DataFrame:
    """Monthly spending per budget use (七(二) 200万/年): most uses within budget, one over."""
    from ruralcore.app.funding import budget_by_use

    budget = budget_by_use(prog)
    periods = periods_between(*PLAN[prog.id]["periods"])
    u, m = len(budget), len(periods)
    share = rng.uniform(0.6, 0.98, u)
    share[rng.integers(0, u)] = 1.08  # one use overspends: the check has something to find
    weights = rng.dirichlet(np.ones(m), u)  # how each use's spending spreads over the months
    amount = np.floor(budget["budget_yuan"].to_numpy()[:, None] * share[:, None] * weights).astype(np.int64)
    ends = pd.PeriodIndex(periods, freq="M").end_time.date
    return pd.DataFrame({
        "program": prog.id, "kind": "spending", "use": np.repeat(budget["use"].to_numpy(dtype=object), m),
        "amount_yuan": amount.reshape(-1), "on_date": np.tile(np.asarray(ends, dtype=object), u),
        "source": "市扶贫资金", "note": "演示数据", "region": None,
    }).pipe(_categorised, prog, "city_poverty_fund")


def _categorised(funds: pd.DataFrame, prog: Program, source: str) -> pd.DataFrame:
    """Fund entries with their declared categories (the programme's closed list): the
    source given, the use the category whose name the entry's use is."""
    names = {c.code: c.name for c in prog.fund_categories}
    by_name = {c.name: c.code for c in prog.fund_categories if c.kind == "use"}
    return funds.assign(source_category=source, source=names[source], use_category=funds["use"].map(by_name))


BUILDERS = {"huayuan-2019": huayuan, "rongshui-2019": rongshui, "xinzhou-2023": xinzhou,
            "tanjiachang-2023": tanjiachang, "yinchuan-2017": yinchuan}


def generate(scale: str = "county", progress: Progress = None) -> dict[str, pd.DataFrame]:
    """All demo frames for ``scale`` (county | city | province), keyed by table name."""
    if scale not in EXTRA_COUNTIES:
        raise RuralcoreError(f"规模“{scale}”无效，应为 {' | '.join(SCALES)}")
    known = set(program_ids())
    todo = [p for p in BUILDERS if p in known]
    out: dict[str, list] = {}
    meta = {"demo": "1", "demo_scale": scale, "demo_generated_from": f"seed {SEED}"}
    cases = 0
    for i, pid in enumerate(todo):  # five programmes
        _say(progress, i / len(todo), f"生成演示数据：{load_program(pid).meta.short_title}")
        built = BUILDERS[pid](scale)
        if "acceptance_cases" in built:  # case ids unique across programmes
            c = built["acceptance_cases"]
            local = c["id"].to_numpy() if "id" in c else np.arange(1, len(c) + 1)
            c["id"] = local + cases
            if "acceptance_items" in built:
                built["acceptance_items"]["case_id"] = built["acceptance_items"]["case_id"] + cases
            cases += len(c)
        for table, frame in built.items():
            if table == "app_meta":
                meta.update(frame)
            elif frame is not None and len(frame):
                out.setdefault(table, []).append(frame)
    frames = {t: pd.concat(v, ignore_index=True) for t, v in out.items()}
    frames["regions"] = frames["regions"].drop_duplicates("code", keep="first").reset_index(drop=True)
    frames["app_meta"] = pd.DataFrame({"key": list(meta), "value": list(meta.values())})
    return frames


def demo_label() -> str:
    return MARK + "数据"
