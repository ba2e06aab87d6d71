"""Who may read and write what: a Principal (name, role, region code) decided on the region
tree. A region is inside the principal's region when the principal's region is it or one of
its ancestors.

Every decision takes a :class:`~ruralcore.principal.Principal` (``Actor`` is the same
type). The system principal (``principal.SYSTEM`` or ``principal.system(name)``: imports,
migrations, the demo, command-line writes naming no account) is not restricted; a bare
``str`` is refused (TypeError), so handing over a user's name instead of the user never
makes an unchecked write.
"""
from __future__ import annotations

from typing import Iterable

import numpy as np
import pandas as pd
import sqlalchemy as sa

from .errors import PermissionDenied
from .principal import ROLES, SYSTEM, Principal, is_person, require, system  # noqa: F401 (re-exported)


HOUSEHOLD_TABLES = frozenset({"households", "household_members", "household_income",
                              "household_measures", "household_history"})
REGIONAL_TABLES = frozenset({
    "regions", "reports", "pilots", "pilot_indicators", "stations", "station_equipment", "officers",
    "officer_training", "acceptance_cases", "acceptance_items", "fund_entries", "task_progress",
    "accounts", "milestone_records", "report_drafts", "award_approvals", "award_register", "responsibles",
    "notices", "meeting_records", "event_reports", "trainee_files", "officer_assessments",
    *HOUSEHOLD_TABLES,
})
# Tables with no region of their own: who may write them at all (scope does not apply).
UNREGIONED_WRITERS = {
    "what_if_scenarios": frozenset({"county_admin", "city_supervisor"}),  # planning, not data
}

# Which tables each role may write (inside its region). Data entry by townships and
# villages; acceptance by inspectors; accounts and everything else of a county by its admin.
WRITES: dict[str, frozenset[str]] = {
    # issues 督办 notices (ruralcore.notices: who to whom); marks the counties' 重要情况报告 read
    "city_supervisor": frozenset({"notices", "event_reports"}),
    "county_admin": REGIONAL_TABLES,
    "township_officer": frozenset({"notices", "reports", "report_drafts", "task_progress", "pilot_indicators", "stations",
                                   "meeting_records",
                                   "station_equipment", "officers", "officer_training", *HOUSEHOLD_TABLES}),
    "village_reporter": frozenset({"reports", "report_drafts", "task_progress", *HOUSEHOLD_TABLES}),
    "inspector": frozenset({"acceptance_cases", "acceptance_items", "fund_entries", "pilots"}),
    "auditor": frozenset(),
}
# Reading: everyone reads data inside its region; the audit log and the PII access log
# only the auditor (everything) and a county admin (its county's entries).
READS_EVERYTHING = frozenset({"auditor"})
LOG_READERS = frozenset({"auditor", "county_admin"})
LOG_TABLES = frozenset({"audit_log", "pii_access_log"})
# Roles that see ID-card and phone numbers unmasked (and whose views are logged).
PII_ROLES = frozenset({"county_admin", "township_officer"})
# Roles a county admin may hand out (never a city-wide or audit role).
COUNTY_GRANTABLE = frozenset({"county_admin", "township_officer", "village_reporter", "inspector"})


Actor = Principal  # the former name; a Principal is not a str


def is_actor(user) -> bool:
    """Whether scope restricts ``user``: a signed-in account's principal (True); the system
    principal or nobody (None) is not restricted (False); a bare str is refused (TypeError)."""
    return user is not None and not require(user).is_system


def user_name(user) -> str:
    """The plain name written into the audit log (a Principal's; a bare str is refused)."""
    return require(user).name


# ---- the region tree ----------------------------------------------------------------------

def region_tree(conn: sa.Connection | None = None) -> pd.DataFrame:
    """code -> (name, parent): the store's regions over the region files' (the store wins)."""
    from .regions import load_regions

    files = load_regions()[["code", "name", "parent"]]
    if conn is None:
        return files.set_index("code")
    rows = conn.execute(sa.text("SELECT code, name, parent FROM regions")).fetchall()
    if not rows:
        return files.set_index("code")
    db = pd.DataFrame(rows, columns=["code", "name", "parent"], dtype=object)
    # a database built before the region files named a county's city keeps the county
    # without a parent: take the files' parent there, so a city account reads it
    files_parent = files.set_index("code")["parent"].replace("", np.nan)
    db["parent"] = db["parent"].replace("", np.nan).fillna(db["code"].map(files_parent)).fillna("")
    both = pd.concat([db, files.astype(object)], ignore_index=True).drop_duplicates("code", keep="first")
    return both.set_index("code")


def inside(tree: pd.DataFrame, codes: Iterable[str] | pd.Series, root: str) -> np.ndarray:
    """For each code: is ``root`` the code itself or one of its ancestors? Vectorised:
    one walk up the tree per generation for all codes at once."""
    cur = pd.Series(list(codes) if not isinstance(codes, pd.Series) else codes.to_numpy(), dtype=object)
    parent = tree["parent"].replace("", np.nan)
    hit = (cur == root).to_numpy(dtype=bool, copy=True)  # copy-on-write: a writable array
    for _ in range(8):  # province > city > county > township > village > natural village
        cur = cur.map(parent)
        if cur.isna().all():
            break
        hit |= (cur == root).to_numpy(dtype=bool)
    return hit


def _name(tree: pd.DataFrame, code: str) -> str:
    n = tree["name"].get(code) if code in tree.index else None
    return f"{n}（{code}）" if n else str(code)


# ---- decisions ----------------------------------------------------------------------------

def can_write_table(actor: Actor, table: str) -> bool:
    if require(actor).is_system:
        return True
    if table in UNREGIONED_WRITERS:
        return actor.role in UNREGIONED_WRITERS[table]
    return table in WRITES[actor.role]


def can_write(actor: Actor, table: str, region_code, tree: pd.DataFrame | None = None):
    """May ``actor`` write rows of ``table`` in ``region_code``? A scalar gives a bool, a
    list/Series/array gives a boolean array (one decision per region, vectorised)."""
    if require(actor).is_system:
        return _decide(region_code, True)
    if not can_write_table(actor, table):
        return _decide(region_code, False)
    if table in UNREGIONED_WRITERS:
        return _decide(region_code, True)
    return _decide(region_code, actor.region, tree)


def can_read(actor: Actor, table: str, region_code, tree: pd.DataFrame | None = None):
    """May ``actor`` read rows of ``table`` in ``region_code``? (scalar or vectorised)"""
    if require(actor).is_system or actor.role in READS_EVERYTHING:
        return _decide(region_code, True)
    if table in LOG_TABLES and actor.role not in LOG_READERS:
        return _decide(region_code, False)
    if table in UNREGIONED_WRITERS:
        return _decide(region_code, True)
    return _decide(region_code, actor.region, tree)


def _decide(region_code, rule: bool | str, tree: pd.DataFrame | None = None):
    """``rule`` for every code of ``region_code``: all True, all False, or (a region code)
    whether each code lies inside that region. A scalar code gives a bool, else an array."""
    scalar = isinstance(region_code, str) or region_code is None
    codes = [region_code] if scalar else list(region_code)
    if isinstance(rule, bool):
        out = np.full(len(codes), rule, dtype=bool)
    else:
        out = inside(region_tree() if tree is None else tree, codes, rule)
    return bool(out[0]) if scalar else out


def sees_pii(actor) -> bool:
    """Whether ID-card and phone numbers are shown unmasked to ``user``."""
    return require(actor).is_system or actor.role in PII_ROLES


def refuse(actor: Actor, table: str, codes: Iterable[str], tree: pd.DataFrame | None = None,
           label: str | None = None) -> PermissionDenied:
    """The Chinese refusal naming the region(s), the table, the user and the role."""
    from .store.models import TABLE_LABELS

    tree = region_tree() if tree is None else tree
    what = label or TABLE_LABELS.get(table, table)
    codes = [c for c in dict.fromkeys(codes)]
    if not can_write_table(actor, table):
        return PermissionDenied(f"无权限：{actor.name}（{actor.role_label}）不能修改“{what}”，本次未写入任何数据。")
    shown = "、".join(_name(tree, c) for c in codes[:5]) + (f" 等 {len(codes)} 个区域" if len(codes) > 5 else "")
    return PermissionDenied(
        f"无权限：{actor.name}（{actor.role_label}，管辖 {_name(tree, actor.region)}）不能修改"
        f" {shown or '未标明区域'} 的“{what}”，本次未写入任何数据。")


def check_write(conn: sa.Connection | None, user, table: str, codes: Iterable[str] | pd.Series) -> None:
    """Raise PermissionDenied unless ``user`` may write ``table`` in every one of
    ``codes``. The system principal always passes; a bare str is refused (TypeError)."""
    if require(user).is_system:
        return
    if not can_write_table(user, table):
        raise refuse(user, table, [])
    if table in UNREGIONED_WRITERS:
        return
    uniq = pd.unique(pd.Series(list(codes) if not isinstance(codes, pd.Series) else codes, dtype=object)
                     .fillna(""))
    tree = region_tree(conn)
    ok = inside(tree, uniq, user.region)
    if not ok.all():
        raise refuse(user, table, [str(c) for c in uniq[~ok]], tree)


def visible_regions(actor, conn: sa.Connection | None = None) -> pd.Index | None:
    """Codes ``actor`` reads (None: everything — the auditor, the system, or nobody signed in
    on a public page)."""
    if not is_actor(actor) or actor.role in READS_EVERYTHING:
        return None
    tree = region_tree(conn)
    return tree.index[inside(tree, tree.index.to_series(), actor.region)]


# ---- the region of a stored row -----------------------------------------------------------

def _lookup(conn: sa.Connection, table: str, key: str, keys: pd.Series) -> pd.DataFrame:
    """Rows of ``table`` whose ``key`` is in ``keys`` (all columns), indexed by key."""
    from .store.models import MODELS

    t = MODELS[table].__table__
    want = [k for k in pd.unique(keys.dropna()).tolist()]
    if not want:
        return pd.DataFrame(columns=[c.name for c in t.columns]).set_index(key)
    rows = []
    for i in range(0, len(want), 900):  # SQLite's bound-parameter limit
        rows += conn.execute(sa.select(t).where(t.c[key].in_(want[i:i + 900]))).mappings().all()
    frame = pd.DataFrame([dict(r) for r in rows], columns=[c.name for c in t.columns])
    frame[key] = frame[key].astype(object)
    return frame.set_index(key)


def _first(*cols: pd.Series) -> pd.Series:
    out = cols[0].astype(object).replace("", np.nan)
    for c in cols[1:]:
        out = out.fillna(c.astype(object).replace("", np.nan))
    return out


def row_regions(conn: sa.Connection, table: str, rows: pd.DataFrame) -> pd.Series:
    """The region code each row of ``table`` belongs to (looked up through the row's
    pilot, station, officer, case or household where it has no region column)."""
    def col(name: str) -> pd.Series:
        return rows[name].astype(object) if name in rows.columns else pd.Series(np.nan, index=rows.index, dtype=object)

    def via(parent: str, key_col: str, key: str = None) -> pd.Series:
        keys = col(key_col)
        if parent == "pilots":
            ref = _lookup(conn, "pilots", "code", keys)
            return keys.map(_first(ref["region"], ref["county"]) if len(ref) else {})
        if parent == "stations":
            ref = _lookup(conn, "stations", "number", keys)
            return keys.map(_first(ref["region"], ref["township"]) if len(ref) else {})
        if parent == "officers":
            ref = _lookup(conn, "officers", "id", keys)
            return keys.map(row_regions(conn, "officers", ref.reset_index()).set_axis(ref.index) if len(ref) else {})
        if parent == "acceptance_cases":
            ref = _lookup(conn, "acceptance_cases", "id", keys)
            return keys.map(row_regions(conn, "acceptance_cases", ref.reset_index()).set_axis(ref.index) if len(ref) else {})
        if parent == "households":
            ref = _lookup(conn, "households", "id", keys)
            return keys.map(ref["village"] if len(ref) else {})
        raise KeyError(parent)

    if table in ("reports", "report_drafts", "task_progress", "accounts", "award_register", "responsibles",
                 "notices", "meeting_records", "event_reports", "trainee_files"):
        out = col("region")
    elif table == "regions":
        out = _first(col("parent"), col("code"))  # a region belongs to whoever holds its parent
    elif table == "pilots":
        out = _first(col("region"), col("county"))
    elif table == "stations":
        out = _first(col("region"), col("township"))
    elif table in ("pilot_indicators",):
        out = via("pilots", "pilot")
    elif table in ("station_equipment", "officers"):
        out = via("stations", "station")
    elif table in ("officer_training", "officer_assessments"):
        out = via("officers", "officer")
    elif table == "acceptance_cases":
        st = col("subject_type")
        subj = col("subject")
        out = subj.where(st == "village")
        p, s = st == "pilot", st == "station"
        if p.any():
            out[p] = via("pilots", "subject")[p]
        if s.any():
            out[s] = via("stations", "subject")[s]
    elif table == "acceptance_items":
        out = via("acceptance_cases", "case_id")
    elif table == "fund_entries":
        out = _first(col("region"), via("pilots", "pilot"), via("stations", "station"))
    elif table in ("milestone_records", "award_approvals"):  # programme-level: the programme's (county) region
        from .milestone_records import program_region
        out = col("program").map(lambda p: program_region(str(p)))
    elif table == "households":
        out = col("village")
    elif table in HOUSEHOLD_TABLES:
        out = via("households", "household")
    else:
        out = pd.Series("", index=rows.index, dtype=object)
    return out.fillna("").astype(object)


def check_rows(conn: sa.Connection, user, table: str, rows: pd.DataFrame) -> None:
    """check_write for whole rows of ``table`` (their regions looked up as needed)."""
    if require(user).is_system:
        return
    if not can_write_table(user, table):
        raise refuse(user, table, [])
    if table in UNREGIONED_WRITERS:
        return
    check_write(conn, user, table, row_regions(conn, table, rows))


# ---- what each role opens and reads -------------------------------------------------------

ALL_ROLES = frozenset(ROLES)
DATA_WRITERS = frozenset({"county_admin", "township_officer", "village_reporter"})
# Dashboard pages (by key) and the roles that open them; every page then shows only the
# regions the role reads. Pages not listed (登录, 政策文件) are open to everyone.
PAGE_ROLES: dict[str, frozenset[str]] = {
    "overview": ALL_ROLES, "drilldown": ALL_ROLES, "milestones": ALL_ROLES, "whatif": ALL_ROLES,
    "entry": DATA_WRITERS | {"auditor"},
    "phone_entry": DATA_WRITERS | {"auditor"},
    "acceptance": frozenset({"inspector", "county_admin", "city_supervisor", "auditor"}),
    "funds": frozenset({"county_admin", "city_supervisor", "auditor"}),
    "supervision": frozenset({"city_supervisor", "county_admin", "auditor"}),
    "report_fix": DATA_WRITERS | {"auditor"},
    "households": DATA_WRITERS | {"city_supervisor", "auditor"},
    "audit": LOG_READERS,
    "accounts": frozenset({"county_admin"}),
    # the documents' own records (issue 17): registers read by all but village reporters
    "stations": ALL_ROLES - {"village_reporter"},
    "awards": ALL_ROLES - {"village_reporter"},
    "meetings": ALL_ROLES - {"village_reporter"},
    "trainees": ALL_ROLES - {"village_reporter"},
    "officers": ALL_ROLES - {"village_reporter"},
}
PUBLIC_PAGES = frozenset({"login", "programs"})


def may_open(actor, page: str) -> bool:
    """May ``actor`` (an Actor, or None when nobody is signed in) open dashboard ``page``?"""
    if page in PUBLIC_PAGES:
        return True
    return is_person(actor) and actor.role in PAGE_ROLES.get(page, frozenset())


def page_refusal(actor, page_title: str) -> str:
    if not is_person(actor):
        return f"请先在“登录”页面登录：{page_title}按账户的角色和区域显示数据。"
    return f"无权限：{actor.name}（{actor.role_label}）不能打开“{page_title}”页面。"


def visible_programs(actor, program_regions: dict[str, Iterable[str]],
                     conn: sa.Connection | None = None) -> list[str]:
    """The programmes ``actor`` reads: those with at least one region inside the actor's
    region, or whose area holds the actor's region (a township officer reads its county's
    programme, limited to its township). ``program_regions``: programme id → its codes."""
    if not is_actor(actor) or actor.role in READS_EVERYTHING:  # the system, or nobody (public pages)
        return list(program_regions)
    tree = region_tree(conn)
    above = set(ancestors(tree, actor.region))
    out = []
    for pid, codes in program_regions.items():
        codes = list(codes)
        if above.intersection(codes) or inside(tree, codes, actor.region).any():
            out.append(pid)
    return out


def keep_visible(frame: pd.DataFrame, visible: pd.Index | set | None, column: str | None = None) -> pd.DataFrame:
    """Rows of ``frame`` whose region (``column``, or the index) is in ``visible``
    (None: all rows). Vectorised."""
    if visible is None:
        return frame
    codes = pd.Index(frame.index if column is None else frame[column])
    return frame[codes.isin(list(visible))]


def ancestors(tree: pd.DataFrame, code: str) -> list[str]:
    """``code`` and its ancestors in ``tree`` (a frame indexed by code with a ``parent``
    column), nearest first."""
    out: list[str] = []
    while isinstance(code, str) and code and code in tree.index and code not in out:
        out.append(code)
        code = tree["parent"].get(code)
    return out
