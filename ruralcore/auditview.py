"""The audit view: the audit log filtered by user, region, table and date, limited to
what the viewer may read, with Chinese column names, exported to xlsx/csv with
formula-like text neutralised (a cell such as "=HYPERLINK(...)" stays text)."""
from __future__ import annotations

import datetime as dt
import io

import pandas as pd

from .errors import PermissionDenied
from .excel import neutralise
from .scope import LOG_READERS, Actor
from .store import audit
from .store.models import TABLE_LABELS

HEADERS = {"id": "序号", "at": "时间", "user": "用户", "action": "操作", "table": "数据表", "key": "记录",
           "field": "字段", "old": "原值", "new": "新值"}
ACTIONS = {"insert": "新增", "update": "修改", "delete": "删除", "bulk": "批量写入"}


def load(engine, viewer: str | Actor, user: str | None = None, region: str | None = None,
         table: str | None = None, since: dt.date | None = None, until: dt.date | None = None) -> pd.DataFrame:
    """Audit entries (oldest first). ``region`` keeps entries whose record key names the
    region or a region below it (region codes extend their parent's code); ``until`` is
    inclusive. A county admin sees only its county's entries; roles other than auditor and
    county admin are refused."""
    if isinstance(viewer, Actor):
        if viewer.role not in LOG_READERS:
            raise PermissionDenied(f"无权限：{viewer.name}（{viewer.role_label}）不能查看审计日志。")
        if viewer.role != "auditor":
            if region and not str(region).startswith(viewer.region):
                raise PermissionDenied(f"无权限：{viewer.name}（{viewer.role_label}）只能查看 {viewer.region} 的审计日志。")
            region = region or viewer.region
    end = until + dt.timedelta(days=1) if until else None
    df = audit.load_audit(engine, user=user or None, table=table or None, since=since, until=end)
    if region:
        df = df[df["key"].astype("str").str.contains(str(region), regex=False)
                | df["new"].astype("str").str.contains(f'"{region}', regex=False)
                | df["old"].astype("str").str.contains(f'"{region}', regex=False)].reset_index(drop=True)
    return df


def labelled(df: pd.DataFrame) -> pd.DataFrame:
    """Chinese headers and labels for the page and the export."""
    out = df.assign(action=df["action"].map(ACTIONS).fillna(df["action"]),
                    table=df["table"].map(TABLE_LABELS).fillna(df["table"]))
    return out.rename(columns=HEADERS)


def export(df: pd.DataFrame, fmt: str = "xlsx") -> bytes:
    """The filtered log as xlsx or csv (UTF-8 with BOM for Excel), text cells neutralised."""
    out = labelled(df)
    out = out.assign(**{c: neutralise(out[c]) for c in out.columns if out[c].dtype == object or str(out[c].dtype) in ("str", "string")})
    if fmt == "csv":
        return out.to_csv(index=False).encode("utf-8-sig")
    if fmt != "xlsx":
        from .errors import InputError, Problem
        raise InputError(Problem(f"不支持的导出格式“{fmt}”，应为 xlsx 或 csv", column="格式"))
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        out.to_excel(xw, index=False, sheet_name="审计日志")
    return buf.getvalue()
