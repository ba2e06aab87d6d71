"""一户一档: the household archive.

银川 三(五) asks for an electronic file per poor household, updated and monitored: cause of
poverty, income, living conditions, family members, tracked from identification through
help to monitoring after exit; 七(四) asks the same platform to serve the whole process.
谭家场 task 9 (防止返贫动态监测和帮扶) brings households at risk of returning to poverty
and those in sudden severe hardship into monitoring, with help measures.

ID-card and phone numbers are masked for every role that does not need them
(ruralcore.auth.scope.PII_ROLES); every view of an unmasked record is logged in
pii_access_log. Writes go through ruralcore.store.write (audited, version-checked,
scope-checked when the user is an Actor).
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
import sqlalchemy as sa

from ruralcore.auth.accounts import region_names
from ruralcore.kernel.errors import InputError, PermissionDenied, Problem
from ruralcore.auth.scope import SYSTEM, Actor, can_read, is_actor, region_tree, sees_pii, visible_regions
from ruralcore.store import audit, queries, write
from ruralcore.store.db import now_cst
from ruralcore.store.models import (Household, HouseholdHistory, HouseholdIncome, HouseholdMeasure, HouseholdMember,
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

def _frame(conn: sa.Connection, model, **equals) -> pd.DataFrame:
    """The rows of ``model`` whose columns equal ``equals``, in key order."""
    return queries.frame(conn, model, order_by=[c.name for c in model.__table__.primary_key.columns], **equals)


def list_households(engine: sa.Engine, viewer: Actor, village: str | None = None) -> pd.DataFrame:
    """Households the viewer may read (always masked: a list is not a view of a record),
    with the village's name (village_name), labels type_label/state_label and the latest
    per-capita income."""
    with engine.connect() as conn:
        df = _frame(conn, Household, **({"village": village} if village else {}))
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


def open_household(engine: sa.Engine, viewer: Actor, household_id: int, reveal: bool = False,
                   purpose: str = "", now: dt.datetime | None = None) -> dict:
    """One household's file: {'household': dict, 'members', 'income', 'measures',
    'history': frames, 'unmasked': bool}. ``reveal`` asks for unmasked ID-card and phone
    numbers: allowed only to PII roles (PermissionDenied else) and logged."""
    with engine.begin() as conn:
        hh = _frame(conn, Household, id=int(household_id))
        if hh.empty:
            raise InputError(Problem(f"找不到农户档案 {household_id}", column="档案编号"), source="一户一档")
        village = str(hh["village"].iat[0])
        if is_actor(viewer) and not can_read(viewer, "households", village, region_tree(conn)):
            raise PermissionDenied(f"无权限：{viewer.name}（{viewer.role_label}）不能查看 {village} 的农户档案。")
        if reveal and not sees_pii(viewer):
            raise PermissionDenied(f"无权限：{viewer.name}（{viewer.role_label}）不能查看完整身份证号和电话号码。")
        members = _frame(conn, HouseholdMember, household=int(household_id))
        income = _frame(conn, HouseholdIncome, household=int(household_id))
        measures = _frame(conn, HouseholdMeasure, household=int(household_id))
        history = _frame(conn, HouseholdHistory, household=int(household_id))
        if reveal:
            audit.log_pii_access(conn, at=now or now_cst(), username=viewer.name, household=int(household_id),
                                 village=village, role=viewer.role, purpose=purpose or "")
        else:
            hh, members = _masked(hh), _masked(members)
    history = history.assign(type_label=history["monitor_type"].map(MONITOR_TYPES).fillna(""),
                             state_label=history["monitor_state"].map(MONITOR_STATES).fillna(""))
    return {"household": hh.iloc[0].to_dict(), "members": members, "income": income.sort_values("year"),
            "measures": measures, "history": history.sort_values(["on_date", "id"]), "unmasked": bool(reveal)}


def pii_log(engine: sa.Engine, viewer: Actor = SYSTEM) -> pd.DataFrame:
    """Who saw which unmasked household, when (auditor: all; county admin: its county)."""
    with engine.connect() as conn:
        df = _frame(conn, PiiAccessLog)
        if is_actor(viewer):
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


def add_household(engine: sa.Engine, values: dict, user: Actor) -> Household:
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
                   expected_version: int, user: Actor, note: str = "") -> Household:
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


def add_member(engine: sa.Engine, household_id: int, values: dict, user: Actor) -> HouseholdMember:
    return write.insert(engine, HouseholdMember, {**values, "household": int(household_id)}, user)


def set_income(engine: sa.Engine, household_id: int, year: int, per_capita_yuan: int, user: Actor) -> None:
    """Per-capita income of one year, whole yuan (insert or change)."""
    if isinstance(per_capita_yuan, float) and not float(per_capita_yuan).is_integer():
        raise InputError(Problem(f"人均收入应为整数元，实际为 {per_capita_yuan}", column="人均收入（元）"), source="一户一档")
    with engine.begin() as conn:
        found = queries.first(conn, HouseholdIncome, columns=["id", "version"], household=int(household_id),
                              year=int(year))
        cur = None if found is None else (found["id"], found["version"])
        if cur is None:
            write.insert(conn, HouseholdIncome, {"household": int(household_id), "year": int(year),
                                                 "per_capita_yuan": int(per_capita_yuan)}, user)
        else:
            write.update(conn, HouseholdIncome, cur[0], {"per_capita_yuan": int(per_capita_yuan)}, cur[1], user)


def add_measure(engine: sa.Engine, household_id: int, measure: str, started_on: dt.date | None,
                user: Actor, note: str = "") -> HouseholdMeasure:
    return write.insert(engine, HouseholdMeasure, {"household": int(household_id), "measure": measure,
                                                   "started_on": started_on, "note": note}, user)
