"""The audit view: the audit log filtered by user, region, table and date, limited to
what the viewer may read, with Chinese column names, exported to xlsx/csv with
formula-like text neutralised (a cell such as "=HYPERLINK(...)" stays text)."""
from __future__ import annotations

import datetime as dt
import io

import numpy as np
import pandas as pd
import sqlalchemy as sa

from ruralcore.app.auditread import readable
from ruralcore.kernel.errors import InputError, PermissionDenied, Problem
from ruralcore.kernel.cellsafe import frame_csv
from ruralcore.auth.scope import LOG_READERS, READS_EVERYTHING, REGIONAL_TABLES, Actor, is_actor, _lookup, inside, region_tree, row_regions
from ruralcore.store import audit
from ruralcore.store.models import MODELS, TABLE_LABELS

HEADERS = {"id": "序号", "at": "时间", "user": "用户", "action": "操作", "table": "数据表", "key": "记录",
           "region_name": "区域", "region": "区域代码", "field": "字段", "old": "原值", "new": "新值"}


def load(engine, viewer: Actor, user: str | None = None, region: str | None = None,
         table: str | None = None, since: dt.date | None = None, until: dt.date | None = None) -> pd.DataFrame:
    """Audit entries (oldest first). ``region`` keeps entries whose record lies in that
    region or below it on the region tree (whatever the codes look like); ``until`` is
    inclusive. A county admin sees only entries of records inside its county; roles
    other than auditor and county admin are refused."""
    limit = None
    if is_actor(viewer):
        if viewer.role not in LOG_READERS:
            raise PermissionDenied(f"无权限：{viewer.name}（{viewer.role_label}）不能查看审计日志。")
        if viewer.role not in READS_EVERYTHING:
            limit = viewer.region
    end = until + dt.timedelta(days=1) if until else None
    df = audit.load_audit(engine, user=user or None, table=table or None, since=since, until=end)
    if not region and limit is None:
        return df
    with engine.connect() as conn:
        tree = region_tree(conn)
        if region and str(region) not in tree.index:
            raise InputError(Problem(f"区域代码“{region}”不存在", column="区域代码"))
        if region and limit is not None and not inside(tree, [str(region)], limit)[0]:
            raise PermissionDenied(f"无权限：{viewer.name}（{viewer.role_label}）只能查看"
                                   f" {limit} 及其下级区域的审计日志。")
        where = entry_regions(conn, df)
    keep = np.ones(len(df), dtype=bool)
    if limit is not None:  # entries without a region (settings, bulk loads) are the auditor's only
        keep &= (where != "").to_numpy() & inside(tree, where, limit)
    if region:
        keep &= inside(tree, where, str(region))
    return df[keep].reset_index(drop=True)


def with_regions(engine, log: pd.DataFrame) -> pd.DataFrame:
    """``log`` with the region each entry is about, after its key: region (code) and
    region_name ("" for entries without a region)."""
    from ruralcore.auth.accounts import region_names

    with engine.connect() as conn:
        where = entry_regions(conn, log)
        tree = region_tree(conn)
    at = list(log.columns).index("key") + 1 if "key" in log.columns else len(log.columns)
    out = log.copy()
    out.insert(at, "region", where.to_numpy())
    out.insert(at, "region_name", region_names(tree, where).to_numpy())
    return out


def region_choices(engine, viewer: Actor) -> pd.Series:
    """The regions one may filter the log by, code -> "名称（代码）": the viewer's own region
    and the regions inside it that contain others (city, county, township; a village's
    entries are found under its township), all of them for an auditor."""
    from ruralcore.auth.accounts import region_labels

    with engine.connect() as conn:
        tree = region_tree(conn)
    parents = pd.Index(tree["parent"].replace("", np.nan).dropna().unique())
    codes = tree.index[tree.index.isin(parents)]
    if is_actor(viewer) and viewer.role not in READS_EVERYTHING:
        codes = codes[inside(tree, codes.to_series(), viewer.region)].union(pd.Index([viewer.region]))
    return region_labels(tree, codes)


def entry_regions(conn: sa.Connection, log: pd.DataFrame) -> pd.Series:
    """The region code of the record each audit entry is about ("" when it has none,
    e.g. programme settings or the demo's bulk summary). Monthly reports name their
    region in the key; other records are looked up by key in their table (through the
    pilot, station or household they belong to), and a deleted or bulk-written record by
    the row the entry carries."""
    out = pd.Series("", index=log.index, dtype=object)
    if log.empty:
        return out
    keys, tables = log["key"].astype(str), log["table"].astype(str)
    record = (log["action"] != "bulk").to_numpy()  # a bulk entry sums up a whole load
    rep = record & (tables == "reports")  # key: programme/period/region
    out[rep] = keys[rep].str.rsplit("/", n=1).str[-1]
    reg = record & (tables == "regions")  # key: the region's own code
    out[reg] = keys[reg]
    rest = log[record & ~rep & ~reg & tables.isin(list(REGIONAL_TABLES))]
    for name, part in rest.groupby("table"):
        out[part.index] = _record_regions(conn, str(name), part)
    return out


def _record_regions(conn: sa.Connection, table: str, part: pd.DataFrame) -> pd.Series:
    pk = MODELS[table].__table__.primary_key.columns.values()[0]
    keys = part["key"].astype(str)
    want = pd.to_numeric(keys, errors="coerce").dropna().astype("int64") if isinstance(pk.type, sa.Integer) else keys
    stored = _lookup(conn, table, pk.name, pd.Series(pd.unique(want), dtype=object))
    found = row_regions(conn, table, stored.reset_index()) if len(stored) else pd.Series(dtype=object)
    out = keys.map(dict(zip(stored.index.astype(str), found))).astype(object).fillna("")
    # records no longer stored: the row written with the entry (insert: new, delete: old)
    body = part["new"].where(part["action"] != "delete", part["old"]).astype(str)
    gone = (out == "") & body.str.startswith("{")
    if gone.any():
        rows = pd.read_json(io.StringIO("\n".join(body[gone])), lines=True, dtype=False)
        cols = MODELS[table].__table__.c
        for c in rows.columns:  # row_json wrote every value as text; ids must be numbers again
            if c in cols and isinstance(cols[c].type, sa.Integer):
                rows[c] = pd.to_numeric(rows[c], errors="coerce")
        out[gone] = row_regions(conn, table, rows).to_numpy()
    return out.astype(object)


def require_reason(reason: str | None) -> str:
    """The reason for a correction, stripped; InputError in Chinese when there is none."""
    text = (reason or "").strip()
    if not text:
        raise InputError(Problem("请填写更正事由：更正已上报的数值须说明原因，事由记入审计日志。", column="更正事由"))
    return text


def labelled(df: pd.DataFrame) -> pd.DataFrame:
    """Chinese headers and words for the page and the export (ruralcore.app.auditread): no
    column name, code, ISO date or JSON row; a missing value is an empty cell."""
    out = readable(df)
    out["table"] = out["table"].map(TABLE_LABELS).fillna(out["table"])
    return out.rename(columns=HEADERS)


def newest_first(log: pd.DataFrame) -> pd.DataFrame:
    return log.iloc[::-1].reset_index(drop=True)


def export(df: pd.DataFrame, fmt: str = "xlsx") -> bytes:
    """The filtered log as xlsx or csv (UTF-8 with BOM for Excel), text cells neutralised."""
    out = labelled(df)
    if fmt == "csv":
        return frame_csv(out)
    if fmt != "xlsx":
        raise InputError(Problem(f"不支持的导出格式“{fmt}”，应为 xlsx 或 csv", column="格式"))
    from ruralcore.io.excel.tables import table_xlsx
    return table_xlsx(out, "审计日志")  # text neutralised there


def first_day(engine) -> dt.date | None:
    """The day of the log's first entry (None while the log is empty)."""
    return audit.first_day(engine)
