"""一户一档: the household archive.

银川 三(五) asks for an electronic file per poor household, updated and monitored: cause of
poverty, income, living conditions, family members, tracked from identification through
help to monitoring after exit; 七(四) asks the same platform to serve the whole process.
谭家场 task 9 (防止返贫动态监测和帮扶) brings households at risk of returning to poverty
and those in sudden severe hardship into monitoring, with help measures.

ID-card and phone numbers are masked for every role that does not need them
(ruralcore.scope.PII_ROLES); every view of an unmasked record is logged in
pii_access_log. Writes go through ruralcore.store.write (audited, version-checked,
scope-checked when the user is an Actor).
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import sqlalchemy as sa

from .accounts import region_names
from .errors import InputError, PermissionDenied, Problem
from .scope import Actor, can_read, region_tree, sees_pii, visible_regions
from .store import write
from .store.db import now_cst
from .store.models import (Household, HouseholdHistory, HouseholdIncome, HouseholdMeasure, HouseholdMember,
                           PiiAccessLog)

# 谭家场 task 9: "有返贫致贫风险和突发严重困难的农户纳入监测范围"; the three names are the
# national monitoring categories that sentence refers to.
MONITOR_TYPES = {"unstable": "脱贫不稳定户", "marginal": "边缘易致贫户", "hardship": "突发严重困难户"}
MONITOR_STATES = {"monitoring": "监测中", "risk_removed": "风险已消除"}
MONITOR_REF = "谭家场 二(四)9 防止返贫动态监测和帮扶；银川 三(五) 一户一档案"
PII_COLUMNS = ("id_number", "phone")


# ---- masking ------------------------------------------------------------------------------

def mask_id(values: pd.Series) -> pd.Series:
    """433124199001011234 -> 433124********1234 (region prefix and last four kept)."""
    s = values.astype("str").fillna("")
    n = s.str.len()
    stars = pd.Series("*", index=s.index, dtype="str")
    masked = s.str.slice(0, 6) + stars.str.repeat(n.sub(10).clip(lower=0).tolist()) + s.str.slice(-4)
    return masked.where(n > 10, s.str.slice(0, 1) + stars.str.repeat(n.sub(1).clip(lower=0).tolist()))


def mask_phone(values: pd.Series) -> pd.Series:
    """13812345678 -> 138****5678."""
    s = values.astype("str").fillna("")
    n = s.str.len()
    return (s.str.slice(0, 3) + "****" + s.str.slice(-4)).where(n >= 8, s.str.replace(r".", "*", regex=True))


def _masked(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    if "id_number" in out.columns:
        out["id_number"] = mask_id(out["id_number"])
    if "phone" in out.columns:
        out["phone"] = mask_phone(out["phone"])
    return out


# ---- reading ------------------------------------------------------------------------------

def _frame(conn: sa.Connection, model, where=None) -> pd.DataFrame:
    t = model.__table__
    q = sa.select(t).order_by(*t.primary_key.columns)
    if where is not None:
        q = q.where(where)
    rows = conn.execute(q).mappings().all()
    return pd.DataFrame([dict(r) for r in rows], columns=[c.name for c in t.columns])


def list_households(engine: sa.Engine, viewer: str | Actor, village: str | None = None) -> pd.DataFrame:
    """Households the viewer may read (always masked: a list is not a view of a record),
    with the village's name (village_name), labels type_label/state_label and the latest
    per-capita income."""
    t = Household.__table__
    with engine.connect() as conn:
        df = _frame(conn, Household, t.c.village == village if village else None)
        inc = _frame(conn, HouseholdIncome)
        seen = visible_regions(viewer, conn)
        tree = region_tree(conn)
    if seen is not None:
        df = df[df["village"].isin(seen)].reset_index(drop=True)
    df["village_name"] = region_names(tree, df["village"]).to_numpy()
    df = _masked(df)
    df["type_label"] = df["monitor_type"].map(MONITOR_TYPES).fillna("")
    df["state_label"] = df["monitor_state"].map(MONITOR_STATES).fillna("")
    last = inc.sort_values("year").drop_duplicates("household", keep="last").set_index("household")
    df["latest_year"] = df["id"].map(last["year"]).astype("Int64")
    df["latest_income_yuan"] = df["id"].map(last["per_capita_yuan"]).astype("Int64")
    return df


def open_household(engine: sa.Engine, viewer: str | Actor, household_id: int, reveal: bool = False,
                   purpose: str = "", now: dt.datetime | None = None) -> dict:
    """One household's file: {'household': dict, 'members', 'income', 'measures',
    'history': frames, 'unmasked': bool}. ``reveal`` asks for unmasked ID-card and phone
    numbers: allowed only to PII roles (PermissionDenied else) and logged."""
    with engine.begin() as conn:
        hh = _frame(conn, Household, Household.__table__.c.id == int(household_id))
        if hh.empty:
            raise InputError(Problem(f"找不到农户档案 {household_id}", column="档案编号"), source="一户一档")
        village = str(hh["village"].iat[0])
        if isinstance(viewer, Actor) and not can_read(viewer, "households", village, region_tree(conn)):
            raise PermissionDenied(f"无权限：{viewer.name}（{viewer.role_label}）不能查看 {village} 的农户档案。")
        if reveal and not sees_pii(viewer):
            raise PermissionDenied(f"无权限：{viewer.name}（{viewer.role_label}）不能查看完整身份证号和电话号码。")
        members = _frame(conn, HouseholdMember, HouseholdMember.__table__.c.household == int(household_id))
        income = _frame(conn, HouseholdIncome, HouseholdIncome.__table__.c.household == int(household_id))
        measures = _frame(conn, HouseholdMeasure, HouseholdMeasure.__table__.c.household == int(household_id))
        history = _frame(conn, HouseholdHistory, HouseholdHistory.__table__.c.household == int(household_id))
        if reveal:
            conn.execute(sa.insert(PiiAccessLog.__table__).values(
                at=now or now_cst(), username=str.__str__(viewer), household=int(household_id), village=village,
                role=viewer.role if isinstance(viewer, Actor) else "system", purpose=purpose or ""))
        else:
            hh, members = _masked(hh), _masked(members)
    history = history.assign(type_label=history["monitor_type"].map(MONITOR_TYPES).fillna(""),
                             state_label=history["monitor_state"].map(MONITOR_STATES).fillna(""))
    return {"household": hh.iloc[0].to_dict(), "members": members, "income": income.sort_values("year"),
            "measures": measures, "history": history.sort_values(["on_date", "id"]), "unmasked": bool(reveal)}


def pii_log(engine: sa.Engine, viewer: str | Actor = "system") -> pd.DataFrame:
    """Who saw which unmasked household, when (auditor: all; county admin: its county)."""
    with engine.connect() as conn:
        df = _frame(conn, PiiAccessLog)
        if isinstance(viewer, Actor):
            if not can_read(viewer, "pii_access_log", viewer.region):
                raise PermissionDenied(f"无权限：{viewer.name}（{viewer.role_label}）不能查看敏感信息查看记录。")
            seen = visible_regions(viewer, conn)
            if seen is not None:
                df = df[df["village"].isin(seen)]
    return df.reset_index(drop=True)


# ---- writing ------------------------------------------------------------------------------

def _check_monitor(monitor_type: str, monitor_state: str) -> None:
    probs = []
    if monitor_type and monitor_type not in MONITOR_TYPES:
        probs.append(Problem(f"监测类型“{monitor_type}”应为：{'、'.join(MONITOR_TYPES.values())}", column="监测类型"))
    if monitor_state and monitor_state not in MONITOR_STATES:
        probs.append(Problem(f"监测状态“{monitor_state}”应为：{'、'.join(MONITOR_STATES.values())}", column="监测状态"))
    if probs:
        raise InputError(probs, source="一户一档")


def add_household(engine: sa.Engine, values: dict, user: str | Actor) -> Household:
    """A new household file (village = region code); a monitoring type starts its history."""
    _check_monitor(values.get("monitor_type", ""), values.get("monitor_state", ""))
    with engine.begin() as conn:
        hh = write.insert(conn, Household, values, user)
        if hh.monitor_type:
            write.insert(conn, HouseholdHistory, {
                "household": hh.id, "on_date": hh.identified_on or now_cst().date(), "monitor_type": hh.monitor_type,
                "monitor_state": hh.monitor_state or "monitoring", "note": "纳入监测"}, user)
    return hh


def set_monitoring(engine: sa.Engine, household_id: int, monitor_type: str, monitor_state: str, on: dt.date,
                   expected_version: int, user: str | Actor, note: str = "") -> Household:
    """Change a household's monitoring type/state; the change is added to its history
    in the same transaction."""
    _check_monitor(monitor_type, monitor_state)
    with engine.begin() as conn:
        hh = write.update(conn, Household, int(household_id),
                          {"monitor_type": monitor_type, "monitor_state": monitor_state}, expected_version, user)
        write.insert(conn, HouseholdHistory, {"household": int(household_id), "on_date": on,
                                              "monitor_type": monitor_type, "monitor_state": monitor_state,
                                              "note": note}, user)
    return hh


def add_member(engine: sa.Engine, household_id: int, values: dict, user: str | Actor) -> HouseholdMember:
    return write.insert(engine, HouseholdMember, {**values, "household": int(household_id)}, user)


def set_income(engine: sa.Engine, household_id: int, year: int, per_capita_yuan: int, user: str | Actor) -> None:
    """Per-capita income of one year, whole yuan (insert or change)."""
    if isinstance(per_capita_yuan, float) and not float(per_capita_yuan).is_integer():
        raise InputError(Problem(f"人均收入应为整数元，实际为 {per_capita_yuan}", column="人均收入（元）"), source="一户一档")
    t = HouseholdIncome.__table__
    with engine.begin() as conn:
        cur = conn.execute(sa.select(t.c.id, t.c.version).where(
            t.c.household == int(household_id), t.c.year == int(year))).first()
        if cur is None:
            write.insert(conn, HouseholdIncome, {"household": int(household_id), "year": int(year),
                                                 "per_capita_yuan": int(per_capita_yuan)}, user)
        else:
            write.update(conn, HouseholdIncome, cur[0], {"per_capita_yuan": int(per_capita_yuan)}, cur[1], user)


def add_measure(engine: sa.Engine, household_id: int, measure: str, started_on: dt.date | None,
                user: str | Actor, note: str = "") -> HouseholdMeasure:
    return write.insert(engine, HouseholdMeasure, {"household": int(household_id), "measure": measure,
                                                   "started_on": started_on, "note": note}, user)


# ---- demo ---------------------------------------------------------------------------------

DEMO_USER = "演示数据生成器"
DEMO_PROGRAMS = ("yinchuan-2017", "tanjiachang-2023")  # the two documents that ask for the archive
CAUSES = np.array(["因病", "因残", "因学", "缺劳力", "缺技术", "缺资金", "因灾", "交通条件落后"], dtype=object)
MEASURES = np.array(["产业帮扶", "就业帮扶", "医疗救助", "教育资助", "低保兜底", "小额信贷", "公益岗位"], dtype=object)


def build_demo_households(engine: sa.Engine, seed: int = 0, per_village: int = 3, max_villages: int = 200) -> int:
    """Synthetic households (names say 演示; ID and phone numbers are fake: area 000000,
    phones 100xxxxxxxx) in villages of the 银川 and 谭家场 programmes (any village when
    those have none). Returns households written."""
    from .demo.names import person_names

    rng = np.random.default_rng(seed)
    with engine.connect() as conn:
        reg = pd.DataFrame(conn.execute(sa.text("SELECT code, program, level FROM regions")).fetchall(),
                           columns=["code", "program", "level"])
    vil = reg[reg["level"] == "village"]
    pick = vil[vil["program"].isin(DEMO_PROGRAMS)]
    villages = (pick if len(pick) else vil)["code"].to_numpy(dtype=object)[:max_villages]
    if not len(villages):
        return 0
    n = len(villages) * per_village
    with engine.connect() as conn:
        start = int(conn.execute(sa.text("SELECT COALESCE(MAX(id), 0) FROM households")).scalar() or 0) + 1
    ids = np.arange(start, start + n)
    birth = pd.to_datetime("1950-01-01") + pd.to_timedelta(rng.integers(0, 365 * 50, n), unit="D")
    idn = ("000000" + pd.Series(birth.strftime("%Y%m%d")) + pd.Series(rng.integers(0, 10000, n)).astype(str).str.zfill(4))
    phone = "100" + pd.Series(rng.integers(0, 10**8, n)).astype(str).str.zfill(8)
    mtype = np.array(list(MONITOR_TYPES) + ["", ""], dtype=object)[rng.integers(0, 5, n)]
    mstate = np.where(mtype == "", "", np.array(list(MONITOR_STATES), dtype=object)[rng.integers(0, 2, n)])
    ident = (pd.to_datetime("2014-10-01") + pd.to_timedelta(rng.integers(0, 365 * 5, n), unit="D")).date
    hh = pd.DataFrame({
        "id": ids, "village": np.repeat(villages, per_village), "head_name": person_names(rng, n),
        "id_number": idn.to_numpy(), "phone": phone.to_numpy(), "address": "演示地址",
        "poverty_cause": CAUSES[rng.integers(0, len(CAUSES), n)], "living_conditions": "演示：砖混住房，已通自来水",
        "monitor_type": mtype, "monitor_state": mstate, "identified_on": ident, "is_demo": True})
    members = pd.DataFrame({
        "household": np.repeat(ids, 2), "name": person_names(rng, 2 * n), "relation": np.tile(["户主", "配偶"], n),
        "id_number": np.repeat(idn.to_numpy(), 2), "phone": np.repeat(phone.to_numpy(), 2),
        "age": rng.integers(25, 80, 2 * n), "health": np.array(["健康", "长期慢性病", "大病", "残疾"], dtype=object)[rng.integers(0, 4, 2 * n)],
        "work_ability": np.array(["有劳动力", "弱劳动力", "无劳动力"], dtype=object)[rng.integers(0, 3, 2 * n)]})
    years = np.array([2021, 2022, 2023])
    income = pd.DataFrame({"household": np.repeat(ids, len(years)), "year": np.tile(years, n),
                           "per_capita_yuan": rng.integers(4000, 16000, n * len(years)).astype("int64")})
    measures = pd.DataFrame({"household": ids, "measure": MEASURES[rng.integers(0, len(MEASURES), n)],
                             "started_on": ident, "note": "演示"})
    mon = hh[hh["monitor_type"] != ""]
    history = pd.DataFrame({"household": mon["id"].to_numpy(), "on_date": mon["identified_on"].to_numpy(),
                            "monitor_type": mon["monitor_type"].to_numpy(), "monitor_state": "monitoring",
                            "note": "演示：纳入监测"})
    write.bulk_insert(engine, Household, hh, DEMO_USER, audit=False)
    for model, frame in ((HouseholdMember, members), (HouseholdIncome, income),
                         (HouseholdMeasure, measures), (HouseholdHistory, history)):
        write.bulk_insert(engine, model, frame, DEMO_USER, audit=False)
    if engine.url.get_backend_name() == "postgresql":  # explicit ids: move the sequence on
        with engine.begin() as conn:
            conn.execute(sa.text("SELECT setval(pg_get_serial_sequence('households', 'id'), "
                                 "COALESCE((SELECT MAX(id) FROM households), 0) + 1, false)"))
    return n
