"""Every role × every write path × inside and outside its region: allowed or refused as
designed, and a refusal writes nothing (the table and the audit log are compared before
and after). The actor's region is derived from the target row with ruralcore.rules.regions
(independent of ruralcore.auth.scope's own tree walk)."""
from __future__ import annotations

import datetime as dt
import io

import numpy as np
import openpyxl
import pandas as pd
import pytest
import sqlalchemy as sa

from ruralcore.app import cases, entry, whatif
from ruralcore.io import excel
from ruralcore.auth import scope
from ruralcore.kernel.errors import PermissionDenied
from ruralcore.io.excel.layout import header
from ruralcore.rules.programs import load_program
from ruralcore.rules.regions import LEVEL_ORDER
from ruralcore.auth.scope import Actor
from ruralcore.store import reports, write
from ruralcore.store.models import MODELS
from ruralcore.kernel.principal import system

ROLE_LEVEL = {"city_supervisor": "city", "county_admin": "county", "township_officer": "township",
              "village_reporter": "village", "inspector": "county", "auditor": "city"}
HH = {"households", "household_members", "household_income", "household_measures", "household_history"}
REGIONAL = ["regions", "reports", "pilots", "pilot_indicators", "stations", "station_equipment", "officers",
            "officer_training", "acceptance_cases", "acceptance_items", "fund_entries", "task_progress",
            "accounts", *sorted(HH)]
# the design, written out: which tables each role writes inside its region
EXPECTED = {
    "city_supervisor": {"what_if_scenarios"},
    "county_admin": set(REGIONAL) | {"what_if_scenarios"},
    "township_officer": {"reports", "task_progress", "pilot_indicators", "stations", "station_equipment",
                         "officers", "officer_training"} | HH,
    "village_reporter": {"reports", "task_progress"} | HH,
    "inspector": {"acceptance_cases", "acceptance_items", "fund_entries", "pilots"},
    "auditor": set(),
}
# per table: changes making a copy unique, and a harmless field to update
COPY = {
    "regions": lambda r: {"code": r["code"] + "X9", "name": "演示复制村"},
    "reports": lambda r: {"field": "zz_copy"},
    "pilots": lambda r: {"code": r["code"] + "X"},
    "pilot_indicators": lambda r: {"item": "zz_copy"},
    "stations": lambda r: {"number": "X" + r["number"][-10:]},
    "station_equipment": lambda r: {"item": "zz_copy"},
    "officer_training": lambda r: {"year": 1999},
    "acceptance_items": lambda r: {"item": "zz_copy"},
    "task_progress": lambda r: {"task_no": 99},
    "accounts": lambda r: {"username": "copy_user"},
    "household_income": lambda r: {"year": 1999},
}
UPDATE = {
    "regions": ("name", "演示改名"), "reports": ("value", 7.0), "pilots": ("notes", "改"),
    "pilot_indicators": ("evidence", "改"), "stations": ("status", "改"), "station_equipment": ("quantity", 9),
    "officers": ("name", "演示·改"), "officer_training": ("hours", 3.0), "acceptance_cases": ("conclusion", "改"),
    "acceptance_items": ("note", "改"), "fund_entries": ("note", "改"), "task_progress": ("note", "改"),
    "accounts": ("display_name", "改"), "households": ("address", "改"), "household_members": ("name", "改"),
    "household_income": ("per_capita_yuan", 9999), "household_measures": ("note", "改"),
    "household_history": ("note", "改"),
}


def _tree(engine) -> pd.DataFrame:
    with engine.connect() as c:
        rows = c.execute(sa.text("SELECT code, level, parent FROM regions")).fetchall()
    return pd.DataFrame(rows, columns=["code", "level", "parent"]).set_index("code", drop=False)


def _lineage(tree: pd.DataFrame, code: str) -> list[str]:
    out = []
    while code and code in tree.index and code not in out:
        out.append(code)
        code = tree.at[code, "parent"]
    return out


def actor_for(engine, role: str, target: str, inside: bool) -> Actor:
    """An actor of ``role`` at its level: inside = an ancestor (or the region itself) of
    ``target`` when one exists at that level, else a region below it; outside = a region of
    that level in another branch."""
    tree = _tree(engine)
    level = ROLE_LEVEL[role]
    line = _lineage(tree, target)
    at_level = tree[tree["level"] == level]["code"].tolist()
    if inside:
        anc = [c for c in line if tree.at[c, "level"] == level]
        below = [c for c in at_level if target in _lineage(tree, c)]
        region = (anc or below or at_level)[0]
    else:
        region = next(c for c in at_level if c not in line and target not in _lineage(tree, c))
    return Actor(f"测试{role}", role, region)


def expected(engine, role: str, table: str, target: str, actor: Actor) -> bool:
    if table == "what_if_scenarios":
        return table in EXPECTED[role]
    return table in EXPECTED[role] and actor.region in _lineage(_tree(engine), target)


def snapshot(engine, table: str):
    with engine.connect() as c:
        t = MODELS[table].__table__
        rows = c.execute(sa.select(t).order_by(*t.primary_key.columns)).all()
        n_audit = c.execute(sa.text("SELECT COUNT(*) FROM audit_log")).scalar()
    return [tuple(r) for r in rows], n_audit


def template_row(engine, table: str) -> dict:
    """A stored row of ``table`` whose region is as low in the tree as the table has."""
    model = MODELS[table]
    t = model.__table__
    with engine.connect() as c:
        rows = pd.DataFrame([dict(r) for r in c.execute(sa.select(t).limit(400)).mappings()],
                            columns=[x.name for x in t.columns])
        regs = scope.row_regions(c, table, rows)
    tree = _tree(engine)
    depth = regs.map(tree["level"]).map({lv: i for i, lv in enumerate(LEVEL_ORDER)}).fillna(-1)
    i = int(np.argmax(depth.to_numpy()))
    return {**rows.iloc[i].to_dict(), "_region": regs.iat[i]}


def _clean(row: dict, table: str) -> dict:
    t = MODELS[table].__table__
    out = {k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in row.items()
           if k in t.c and k != "version"}
    pk = list(t.primary_key.columns)[0]
    if pk.autoincrement is True or (pk.name == "id"):
        out.pop(pk.name, None)
    for k, v in list(out.items()):
        if isinstance(v, pd.Timestamp):
            out[k] = v.to_pydatetime()
    return out


def _run(engine, table, role, inside, do):
    row = template_row(engine, table)
    actor = actor_for(engine, role, row["_region"], inside)
    want = expected(engine, role, table, row["_region"], actor)
    prepared = do("prepare", row)
    before = snapshot(engine, table)
    if want:
        do("act", row, actor, prepared)
        assert snapshot(engine, table) != before
    else:
        with pytest.raises(PermissionDenied) as info:
            do("act", row, actor, prepared)
        msg = str(info.value)
        assert actor.role_label in msg and "未写入任何数据" in msg
        assert snapshot(engine, table) == before


ROLES = list(scope.ROLES)
WHERE = [True, False]


@pytest.mark.parametrize("inside", WHERE, ids=["inside", "outside"])
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("table", REGIONAL)
def test_insert(demo, table, role, inside):
    model = MODELS[table]

    def do(stage, row, actor=None, prepared=None):
        if stage == "prepare":
            return {**_clean(row, table), **COPY.get(table, lambda r: {})(row)}
        write.insert(demo, model, prepared, actor)
    _run(demo, table, role, inside, do)


@pytest.mark.parametrize("inside", WHERE, ids=["inside", "outside"])
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("table", REGIONAL)
def test_update(demo, table, role, inside):
    model = MODELS[table]
    pk = list(model.__table__.primary_key.columns)[0].name

    def do(stage, row, actor=None, prepared=None):
        if stage == "prepare":
            return None
        field, value = UPDATE[table]
        write.update(demo, model, row[pk], {field: value}, int(row["version"]), actor)
    _run(demo, table, role, inside, do)


@pytest.mark.parametrize("inside", WHERE, ids=["inside", "outside"])
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("table", REGIONAL)
def test_delete(demo, table, role, inside):
    model = MODELS[table]

    def do(stage, row, actor=None, prepared=None):
        if stage == "prepare":  # a fresh copy (as the system) nothing else refers to
            return write.insert(demo, model, {**_clean(row, table), **COPY.get(table, lambda r: {})(row)}, system("系统"))
        pk = list(model.__table__.primary_key.columns)[0].name
        write.delete(demo, model, getattr(prepared, pk), 1, actor)
    _run(demo, table, role, inside, do)


def test_refusal_names_region_role_and_table(demo):
    actor = Actor("王五", "township_officer", "433124T01")
    with pytest.raises(PermissionDenied) as info:
        reports.upsert_reports(demo, "huayuan-2019", "2019-11",
                               pd.DataFrame({"region": ["433124T02001"], "field": ["households"], "value": [5]}), actor)
    msg = str(info.value)
    assert "433124T02001" in msg and "乡镇干部" in msg and "花垣镇" in msg and "月报" in msg


# ---- the functions that write on behalf of a page -------------------------------------------

HUAYUAN, PERIOD, TOWN = "huayuan-2019", "2019-11", "433124T01"


def _village(engine) -> str:
    return entry.load_sheet(engine, HUAYUAN, PERIOD, TOWN).frame["code"].iat[0]


def _entry_save(engine, actor):
    sheet = entry.load_sheet(engine, HUAYUAN, PERIOD, TOWN)
    edited = sheet.frame.copy()
    edited.loc[0, "xiangqing_net"] = 1 - int(edited.loc[0, "xiangqing_net"])
    entry.save(engine, sheet, edited, actor)


def _upsert(engine, actor):
    v = _village(engine)
    reports.upsert_reports(engine, HUAYUAN, PERIOD,
                           pd.DataFrame({"region": [v], "field": ["households"], "value": [4321]}), actor)


def _import(engine, actor):
    prog = load_program(HUAYUAN)
    wb = openpyxl.load_workbook(io.BytesIO(excel.template(HUAYUAN, engine)))
    ws = wb["月报"]
    col = {c.value: c.column for c in ws[1]}
    good = {"natural_villages": 10, "natural_villages_4g": 9, "natural_villages_fiber": 8, "residents": 1000,
            "mobile_phone_users": 800, "internet_4g_users": 700, "households": 300, "broadband_households": 150}
    for r in range(2, ws.max_row + 1):
        if ws.cell(r, col["区域代码"]).value in (None, ""):
            continue
        ws.cell(r, col["月份"], PERIOD)
        for f in excel.report_fields(prog):
            ws.cell(r, col[header(f)], good.get(f.code, 1))
    buf = io.BytesIO()
    wb.save(buf)
    excel.import_file(engine, HUAYUAN, buf.getvalue(), PERIOD, actor, today=dt.date(2019, 12, 5))


def _scenario(engine, actor):
    whatif.save_scenario(engine, whatif.Scenario(name=f"方案-{actor.role}", program=HUAYUAN, period=PERIOD), actor)


def _open_case(engine, actor):
    cases.open_case(engine, "rongshui-2019", "station", "桂BRS0020B", dt.date(2019, 6, 3), actor)


def _apply_case(engine, actor):
    case = cases.get_case(engine, 1)
    cases.record_application(engine, 1, dt.date(2019, 7, 1), actor, case["version"])


def _city_accept(engine, actor):
    case = cases.get_case(engine, 5)  # 桂BRS0005B passed: city acceptance settles its funds
    cases.record_city_acceptance(engine, 5, dt.date(2019, 9, 2), actor, case["version"])


FUNCTIONS = {
    # name: (write, table compared, target region, table the roles' rights are about)
    "entry.save": (_entry_save, "reports", lambda e: _village(e), "reports"),
    "reports.upsert_reports": (_upsert, "reports", lambda e: _village(e), "reports"),
    "excel.import_file": (_import, "reports", lambda e: "433124", "reports"),
    "whatif.save_scenario": (_scenario, "what_if_scenarios", lambda e: "433124", "what_if_scenarios"),
    "cases.open_case": (_open_case, "acceptance_cases", lambda e: _station_region(e, "桂BRS0020B"), "acceptance_cases"),
    "cases.record_application": (_apply_case, "acceptance_cases", lambda e: _station_region(e, "桂BRS0001B"),
                                 "acceptance_cases"),
    "cases.record_city_acceptance": (_city_accept, "acceptance_cases", lambda e: _station_region(e, "桂BRS0005B"),
                                     "acceptance_cases"),
}


def _station_region(engine, number: str) -> str:
    with engine.connect() as c:
        return c.execute(sa.text("SELECT region FROM stations WHERE number = :n"), {"n": number}).scalar()


@pytest.mark.parametrize("inside", WHERE, ids=["inside", "outside"])
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("fn", list(FUNCTIONS))
def test_page_write_functions(demo, fn, role, inside):
    act, table, target_of, rights = FUNCTIONS[fn]
    target = target_of(demo)
    actor = actor_for(demo, role, target, inside)
    want = expected(demo, role, rights, target, actor)
    before = snapshot(demo, table)
    if want:
        act(demo, actor)
        after = snapshot(demo, table)
        assert after != before
        with demo.connect() as c:  # the audit log names the person, not the role
            who = c.execute(sa.text("SELECT username FROM audit_log ORDER BY id DESC LIMIT 1")).scalar()
        assert who == actor.name
    else:
        with pytest.raises(PermissionDenied) as info:
            act(demo, actor)
        assert actor.role_label in str(info.value)
        assert snapshot(demo, table) == before


def test_the_system_principal_is_unchecked_and_a_bare_name_is_refused(demo):
    """Imports and the command line write as the system principal: no scope check, audited
    under its name. A user's bare name is not a principal: the store and every service
    refuse it (TypeError) and write nothing, so handing over the name instead of the user
    never makes an unchecked write."""
    v = _village(demo)
    res = reports.upsert_reports(demo, HUAYUAN, PERIOD,
                                 pd.DataFrame({"region": [v], "field": ["households"], "value": [4321]}), system("命令行"))
    assert res["updated"] == 1
    assert not isinstance(system("命令行"), str) and not isinstance(Actor("甲", "auditor", ""), str)
    before = [snapshot(demo, t) for t in ("reports", "what_if_scenarios", "acceptance_cases")]
    for name, (act, *_rest) in FUNCTIONS.items():
        if act is _scenario:  # names the scenario after the role: called directly below
            continue
        with pytest.raises(TypeError):
            act(demo, "测试county_admin")  # a str, even one naming an account
    with pytest.raises(TypeError):
        whatif.save_scenario(demo, whatif.Scenario(name="方案-文本", program=HUAYUAN, period=PERIOD), "测试county_admin")
    with pytest.raises(TypeError):
        write.insert(demo, MODELS["task_progress"], {"program": HUAYUAN, "task_no": 98, "region": v}, "命令行")
    with pytest.raises(TypeError):
        scope.check_write(None, "命令行", "reports", [v])
    with pytest.raises(TypeError):
        scope.visible_regions("命令行")
    assert [snapshot(demo, t) for t in ("reports", "what_if_scenarios", "acceptance_cases")] == before


def test_can_write_is_vectorised_over_regions(demo):
    a = Actor("甲", "township_officer", "433124T01")
    with demo.connect() as c:
        tree = scope.region_tree(c)
    got = scope.can_write(a, "reports", ["433124T01", "433124T01001", "433124T02001", "433124", "nowhere"], tree)
    assert got.tolist() == [True, True, False, False, False]
    assert scope.can_read(Actor("乙", "auditor", ""), "audit_log", "433124") is True
    assert scope.can_read(a, "audit_log", "433124T01") is False
    assert scope.can_write(Actor("丙", "auditor", "433124"), "reports", "433124T01001") is False
