"""Demo 一户一档 households: tables households, household_members, household_income,
household_measures and household_history, in villages of the programmes that ask for the
archive (银川, 谭家场) and of the demo county (花垣); any village when those have none.

Every name says 演示. ID numbers are 18 characters with the fake area code 000000 (no
real region has it), a birth date that fits the person's age, a sequence number and a
valid GB 11643 check digit; phones start with 100 (no real number does). The household's
户主 is its head member: the same name, ID number and phone as the file's header. The
spouse and children have their own names and ID numbers, and a phone or none (children
under 18 none). Seeded: identical on every run.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import sqlalchemy as sa

from ruralcore.app.households import MONITOR_STATES, MONITOR_TYPES
from ruralcore.kernel.principal import system
from ruralcore.store import bulk, queries, write
from ruralcore.store.models import (Household, HouseholdHistory, HouseholdIncome, HouseholdMeasure, HouseholdMember,
                             Region)
from ruralcore.demo.names import person_names

DEMO_USER = system("演示数据生成器")  # the demo writes as the system
# 银川 and 谭家场 ask for the archive; 花垣 二 gives 建档立卡户 (the registered poor
# households) exclusive discounts, and its county is the demo's: its villages get archives too
DEMO_PROGRAMS = ("yinchuan-2017", "tanjiachang-2023", "huayuan-2019")
CAUSES = np.array(["因病", "因残", "因学", "缺劳力", "缺技术", "缺资金", "因灾", "交通条件落后"], dtype=object)
MEASURES = np.array(["产业帮扶", "就业帮扶", "医疗救助", "教育资助", "低保兜底", "小额信贷", "公益岗位"], dtype=object)

FAKE_AREA = "000000"
AGES_AT = dt.date(2024, 1, 1)  # ages are counted at this day
ID_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])  # GB 11643-1999
ID_CHECK = np.array(list("10X98765432"), dtype=object)
HEALTH = np.array(["健康", "健康", "长期慢性病", "大病", "残疾"], dtype=object)
WORK = np.array(["有劳动力", "弱劳动力", "无劳动力"], dtype=object)


def id_numbers(birth: pd.DatetimeIndex, seq: np.ndarray) -> np.ndarray:
    """18-character ID numbers: area 000000, birth date, 3-digit sequence, check digit."""
    body = (FAKE_AREA + pd.Series(birth.strftime("%Y%m%d")) + pd.Series(seq % 1000).astype(str).str.zfill(3)
            ).to_numpy(dtype=object)
    digits = np.frombuffer("".join(body).encode("ascii"), dtype=np.uint8).reshape(-1, 17) - ord("0")
    return body + ID_CHECK[(digits.astype(np.int64) * ID_WEIGHTS).sum(axis=1) % 11]


def _phones(rng: np.random.Generator, n: int) -> np.ndarray:
    return ("100" + pd.Series(rng.integers(0, 10**8, n)).astype(str).str.zfill(8)).to_numpy(dtype=object)


def _villages(engine: sa.Engine, max_villages: int) -> tuple[np.ndarray, int]:
    """The villages that get households, and the first free household id."""
    reg = queries.frame(engine, Region, columns=["code", "program"], level="village")
    first = 1 + int(queries.largest(engine, Household, "id") or 0)
    mine = reg[reg["program"].isin(DEMO_PROGRAMS)]
    # in the order of DEMO_PROGRAMS: at the larger scales the cap falls among 花垣's demo counties
    mine = mine.assign(_o=mine["program"].map({p: i for i, p in enumerate(DEMO_PROGRAMS)})).sort_values(["_o", "code"])
    return (mine if len(mine) else reg.sort_values("code"))["code"].to_numpy(dtype=object)[:max_villages], first


def members(rng: np.random.Generator, ids: np.ndarray, head_birth: pd.DatetimeIndex) -> pd.DataFrame:
    """Per household: the head (户主), a spouse (nine in ten), 0–2 children (子女), each with
    a birth date that fits (spouse within 5 years of the head, children 20–35 years younger
    and born before ``AGES_AT``). The head's ID number and phone are filled in by the caller."""
    n = len(ids)
    spouse = rng.random(n) < 0.9
    kids = rng.integers(0, 3, n)
    who = [np.arange(n), np.flatnonzero(spouse), np.repeat(np.arange(n), kids)]
    relation = np.concatenate([np.full(len(w), r, dtype=object) for w, r in zip(who, ("户主", "配偶", "子女"))])
    owner = np.concatenate(who)
    shift = np.concatenate([np.zeros(n), rng.integers(-5 * 365, 5 * 365, len(who[1])),
                            rng.integers(20 * 365, 35 * 365, len(who[2]))]).astype("timedelta64[D]")
    birth = np.minimum(head_birth.to_numpy().astype("datetime64[D]")[owner] + shift,
                       np.datetime64(AGES_AT) - np.timedelta64(200, "D"))
    out = pd.DataFrame({"household": ids[owner], "relation": relation, "birth": pd.to_datetime(birth)})
    out = out.sort_values(["household", "relation"], key=lambda s: s.map({"户主": 0, "配偶": 1, "子女": 2})
                          if s.name == "relation" else s, kind="stable").reset_index(drop=True)
    k = len(out)
    b = pd.DatetimeIndex(out["birth"])
    age = (AGES_AT.year - b.year - ((b.month > AGES_AT.month) | ((b.month == AGES_AT.month) & (b.day > AGES_AT.day))))
    out["age"] = np.asarray(age, dtype=np.int64)
    out["name"] = person_names(rng, k)
    out["id_number"] = id_numbers(b, rng.integers(0, 1000, k))
    adult = out["age"].to_numpy() >= 18
    out["phone"] = np.where(adult & (rng.random(k) < 0.5), _phones(rng, k), "")
    out["health"] = HEALTH[rng.integers(0, len(HEALTH), k)]
    working = (out["age"] >= 16) & (out["age"] <= 70)
    out["work_ability"] = np.where(working, WORK[rng.integers(0, len(WORK), k)], "无劳动力")
    return out.drop(columns="birth")


def _support(rng: np.random.Generator, hh: pd.DataFrame) -> dict:
    """Income of 2021–2023, one assistance measure, and the monitoring entry of the
    households under monitoring."""
    n, ids = len(hh), hh["id"].to_numpy()
    years = pd.MultiIndex.from_product([ids, [2021, 2022, 2023]], names=["household", "year"])
    income = years.to_frame(index=False).assign(per_capita_yuan=rng.integers(4000, 16000, len(years)).astype("int64"))
    measure = pd.DataFrame({"household": ids, "measure": MEASURES[rng.integers(0, len(MEASURES), n)],
                            "started_on": hh["identified_on"].to_numpy(), "note": "演示"})
    watched = hh.loc[hh["monitor_type"] != "", ["id", "identified_on", "monitor_type"]]
    history = watched.rename(columns={"id": "household", "identified_on": "on_date"}).assign(
        monitor_state="monitoring", note="演示：纳入监测")
    return {HouseholdIncome: income, HouseholdMeasure: measure, HouseholdHistory: history}


def build(engine: sa.Engine, seed: int = 2019, per_village: int = 3, max_villages: int = 200) -> int:
    """Write the demo households (bulk, unaudited: the demo build audits per table).
    Returns households written."""
    rng = np.random.default_rng([seed, 11])
    villages, first = _villages(engine, max_villages)
    n = len(villages) * per_village
    if n == 0:
        return 0
    ids = np.arange(first, first + n)
    head_birth = pd.DatetimeIndex(pd.to_datetime("1950-01-01") + pd.to_timedelta(rng.integers(0, 365 * 40, n), unit="D"))
    mem = members(rng, ids, head_birth)
    head = mem["relation"] == "户主"  # one per household, in household order
    mem.loc[head, "phone"] = _phones(rng, n)
    heads = mem[head].set_index("household").loc[ids]
    mtype = np.array(list(MONITOR_TYPES) + ["", ""], dtype=object)[rng.integers(0, len(MONITOR_TYPES) + 2, n)]
    mstate = np.where(mtype == "", "", np.array(list(MONITOR_STATES), dtype=object)[rng.integers(0, 2, n)])
    ident = (pd.to_datetime("2014-10-01") + pd.to_timedelta(rng.integers(0, 365 * 5, n), unit="D")).date
    hh = pd.DataFrame({
        "id": ids, "village": np.repeat(villages, per_village), "head_name": heads["name"].to_numpy(dtype=object),
        "id_number": heads["id_number"].to_numpy(dtype=object), "phone": heads["phone"].to_numpy(dtype=object),
        "address": "演示地址", "poverty_cause": CAUSES[rng.integers(0, len(CAUSES), n)],
        "living_conditions": "演示：砖混住房，已通自来水", "monitor_type": mtype, "monitor_state": mstate,
        "identified_on": ident, "is_demo": True})
    frames = {Household: hh, HouseholdMember: mem, **_support(rng, hh)}
    for model, frame in frames.items():  # parents first (foreign keys)
        write.bulk_insert(engine, model, frame, DEMO_USER, audit=False)
    if engine.url.get_backend_name() == "postgresql":  # ids were given: the sequence moves past them
        with engine.begin() as conn:
            bulk.move_sequences(conn, [Household.__table__])
    return n
