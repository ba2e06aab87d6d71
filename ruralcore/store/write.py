"""Single-record writes with audit and optimistic locking, plus a bulk insert.

Each function is one transaction when given an Engine; given a Session or Connection it
joins the caller's transaction (the caller commits). Updates and deletes carry the
version the user read: ``UPDATE ... WHERE pk = ? AND version = ?``; if no row matched
the version moved and nothing is written (works the same on SQLite and PostgreSQL).

``user`` is a ruralcore.kernel.principal.Principal, never a bare str (TypeError: a name alone
would be an unchecked writer). The system principal (imports, migrations, the demo, a
command line naming no account) is not restricted; any other principal — what the pages
pass — must have every row written (where it is and, for an update, where it moves to)
inside its region and in a table its role writes, else PermissionDenied and nothing is
written. The audit log keeps the principal's name.
"""
from __future__ import annotations

from typing import Any, TypeVar

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import Session
from pydantic import ValidationError
from sqlmodel import SQLModel

from ruralcore.kernel.errors import InputError, Problem, StaleWriteError
from ruralcore.store import _fast
from ruralcore.store import audit as _audit
from ruralcore.store.models import TABLE_LABELS
from ruralcore.store import analytics, guard, queries

M = TypeVar("M", bound=SQLModel)
Target = sa.Engine | sa.Connection | Session


def _conn(target: Target):
    """One transaction of its own on an Engine, else the caller's (store.queries._conn)."""
    return queries._conn(target, begin=True)


def _pk(table: sa.Table) -> sa.Column:
    cols = list(table.primary_key.columns)
    if len(cols) != 1:
        raise TypeError(f"{table.name}: single-column primary key required")
    return cols[0]


def _label(table: sa.Table) -> str:
    return TABLE_LABELS.get(table.name, table.name)


def _stale(conn: sa.Connection, table: sa.Table, key: Any, expected: int) -> None:
    pk = _pk(table)
    cur = conn.execute(sa.select(table.c.version).where(pk == key)).first()
    if cur is None:
        raise InputError(Problem(f"找不到“{_label(table)}”记录 {key}（可能已被删除）", column=pk.name))
    last = _audit.last_change(conn, table.name, str(key))
    who = f"已被 {last[0]} 于 {last[1]:%Y-%m-%d %H:%M:%S} 修改" if last else "已被他人修改"
    raise StaleWriteError(
        f"“{_label(table)}”记录 {key} {who}（您读取的是版本 {expected}，当前为版本 {cur[0]}），"
        "本次未保存，请刷新后重试。")


def _check_fields(table: sa.Table, fields) -> None:
    bad = [f for f in fields if f not in table.c or f == "version"]
    if bad:
        raise InputError([Problem(f"“{_label(table)}”没有可修改的字段 {f}", column=f) for f in bad])


def _integrity(e: sa.exc.IntegrityError, table: sa.Table, key: Any) -> InputError:
    return InputError(Problem(f"“{_label(table)}”记录 {key} 与已有数据冲突（重复或仍被引用）：{e.orig}"))


def _validated(model: type[M], data: dict) -> M:
    """Build the record through pydantic so types hold (no fractional yuan, real dates)."""
    try:
        return model.model_validate(data)
    except ValidationError as e:
        label = TABLE_LABELS.get(model.__tablename__, model.__tablename__)
        raise InputError([Problem(f"“{label}”的值无效：{err['msg']}（输入 {err.get('input')!r}）",
                                  column=".".join(str(x) for x in err["loc"]))
                          for err in e.errors()]) from None


SECRET_COLUMNS = frozenset({"password_hash"})  # never copied into the audit log


def _redacted(row: dict) -> dict:
    return {k: ("***" if k in SECRET_COLUMNS and v else v) for k, v in row.items()}


def _guard(conn: sa.Connection, user, table: sa.Table, *rows: dict) -> str:
    """Refuse (PermissionDenied, nothing written) a principal writing outside its region,
    and a bare str (TypeError); return the plain name for the audit log."""
    return _guard_frame(conn, user, table, pd.DataFrame([dict(r) for r in rows]))


def _guard_frame(conn: sa.Connection, user, table: sa.Table, frame: pd.DataFrame) -> str:
    """_guard for a whole frame of rows."""
    if not guard.require(user).is_system:
        guard.check_rows(conn, user, table.name, frame)
    return user.name


def _follow(conn: sa.Connection, table: sa.Table, rows: pd.DataFrame | list[dict]) -> None:
    """A write of ``reports`` rows (before and after): their analytics rows follow in
    this transaction (ruralcore.store.analytics)."""
    if table.name != "reports":
        return
    frame = pd.DataFrame(rows)[["program", "period", "region"]].astype(str).drop_duplicates()
    for (program, period), part in frame.groupby(["program", "period"], sort=True):
        analytics.refresh(conn, program, period, part["region"].tolist())


def insert(target: Target, model: type[M], values: dict, user: guard.Principal) -> M:
    """Insert one record (defaults from the model), audit it, return it with its key.
    ``user``: a Principal (the system's is not checked; a page's is checked against the
    region of the row: PermissionDenied and nothing written when outside it)."""
    table = model.__table__
    _check_fields(table, values)
    obj = _validated(model, values)
    row = {c.name: getattr(obj, c.name) for c in table.columns}
    pk = _pk(table)
    if row.get(pk.name) is None:
        row.pop(pk.name, None)
    row["version"] = 1
    with _conn(target) as conn:
        user = _guard(conn, user, table, row)
        try:
            res = conn.execute(sa.insert(table).values(**row))
        except sa.exc.IntegrityError as e:
            raise _integrity(e, table, row.get(pk.name, "")) from None
        key = res.inserted_primary_key[0]
        setattr(obj, pk.name, key)
        obj.version = 1
        full = {c.name: getattr(obj, c.name) for c in table.columns}
        _audit.append(conn, [{"action": "insert", "table": table.name, "key": str(key), "field": None,
                             "old": None, "new": _audit.row_json(_redacted(full))}], user)
        _follow(conn, table, [full])
    return obj


def update(target: Target, model: type[M], key: Any, changes: dict, expected_version: int,
           user: guard.Principal) -> M:
    """Change some fields of one record if its version is still ``expected_version``."""
    table = model.__table__
    _check_fields(table, changes)
    pk = _pk(table)
    with _conn(target) as conn:
        cur = conn.execute(sa.select(table).where(pk == key)).mappings().first()
        if cur is None or cur["version"] != expected_version:
            _stale(conn, table, key, expected_version)
        # validate and coerce through the model
        merged = _validated(model, {**dict(cur), **changes})
        new = {f: getattr(merged, f) for f in changes}
        # both where the row is and where it would move to must be the actor's
        user = _guard(conn, user, table, dict(cur), {**dict(cur), **new})
        diff = {f: v for f, v in new.items() if _audit.text(v) != _audit.text(cur[f])}
        if not diff:
            return model(**dict(cur))
        res = conn.execute(sa.update(table).where(pk == key, table.c.version == expected_version)
                           .values(**diff, version=table.c.version + 1))
        if res.rowcount != 1:
            _stale(conn, table, key, expected_version)
        _audit.append(conn, [{"action": "update", "table": table.name, "key": str(key), "field": f,
                             "old": "***" if f in SECRET_COLUMNS else _audit.text(cur[f]),
                             "new": "***" if f in SECRET_COLUMNS else _audit.text(v)} for f, v in diff.items()], user)
        _follow(conn, table, [dict(cur), {**dict(cur), **diff}])
        merged.version = expected_version + 1
    return merged


def delete(target: Target, model: type[SQLModel], key: Any, expected_version: int,
           user: guard.Principal) -> None:
    """Delete one record if its version is still ``expected_version``."""
    table = model.__table__
    pk = _pk(table)
    with _conn(target) as conn:
        cur = conn.execute(sa.select(table).where(pk == key)).mappings().first()
        if cur is None or cur["version"] != expected_version:
            _stale(conn, table, key, expected_version)
        user = _guard(conn, user, table, dict(cur))
        try:
            res = conn.execute(sa.delete(table).where(pk == key, table.c.version == expected_version))
        except sa.exc.IntegrityError as e:
            raise _integrity(e, table, key) from None
        if res.rowcount != 1:
            _stale(conn, table, key, expected_version)
        _audit.append(conn, [{"action": "delete", "table": table.name, "key": str(key), "field": None,
                             "old": _audit.row_json(_redacted(dict(cur))), "new": None}], user)
        _follow(conn, table, [dict(cur)])


def _column_default(col: sa.Column) -> Any:
    if col.default is not None and getattr(col.default, "is_scalar", False):
        return col.default.arg
    if col.server_default is not None and col.name == "version":
        return 1
    return None


def _model_defaults(model_or_table) -> dict:
    """Field defaults of a SQLModel class (pydantic side), for columns a frame omits."""
    fields = getattr(model_or_table, "model_fields", None) or {}
    out = {}
    for name, f in fields.items():
        if f.default_factory is not None:
            out[name] = f.default_factory()
        elif not f.is_required() and f.default is not None:
            out[name] = f.default
    return out


def _py_column(s: pd.Series) -> list:
    """Column values as Python objects with NaN/NaT/pd.NA -> None (drivers want None)."""
    if pd.api.types.is_datetime64_any_dtype(s):
        vals = s.dt.to_pydatetime().tolist() if len(s) else []
        return [None if pd.isna(v) else v for v in vals]
    arr = s.astype(object).to_numpy()
    mask = pd.isna(s).to_numpy()
    out = arr.copy()
    out[mask] = None
    # numpy scalars -> Python scalars
    if len(out) and isinstance(next((v for v in out if v is not None), None), np.generic):
        out = np.array([v.item() if isinstance(v, np.generic) else v for v in out], dtype=object)
    return out.tolist()


def bulk_insert(engine: sa.Engine, model_or_table, frame: pd.DataFrame, user: guard.Principal,
                audit: bool = True) -> int:
    """Insert every row of ``frame`` in one transaction (fast path: multi-row INSERTs).
    Columns the frame lacks take the model's defaults. With audit on, one 'insert'
    entry per row (key = primary key, new = the row as JSON). Returns rows inserted."""
    guard.require(user)
    do_audit = audit
    table = model_or_table if isinstance(model_or_table, sa.Table) else model_or_table.__table__
    unknown = [c for c in frame.columns if c not in table.c]
    if unknown:
        raise InputError([Problem(f"“{_label(table)}”没有字段 {c}", column=c) for c in unknown])
    if frame.empty:
        return 0
    n = len(frame)
    defaults = _model_defaults(model_or_table)
    if "version" in table.c:
        defaults["version"] = 1
    cols: dict[str, list] = {c: _py_column(frame[c]) for c in frame.columns}
    for c in frame.columns:
        if isinstance(table.c[c].type, sa.Integer) and pd.api.types.is_float_dtype(frame[c]):
            # integer columns with gaps arrive as floats: whole numbers only (money!)
            v = frame[c].to_numpy(dtype="float64")
            frac = ~np.isnan(v) & (v != np.round(v))
            if frac.any():
                i = int(np.flatnonzero(frac)[0])
                raise InputError(Problem(f"应为整数，实际为 {v[i]}", row=i + 1, column=c))
            cols[c] = [None if x is None else int(x) for x in cols[c]]
        elif type(table.c[c].type) is sa.Date and pd.api.types.is_datetime64_any_dtype(frame[c]):
            cols[c] = [None if x is None else x.date() for x in cols[c]]  # a day, not midnight
    for c in table.columns:
        if c.name not in cols and c.name in defaults:
            cols[c.name] = [defaults[c.name]] * n
    names = list(cols)
    rows = [dict(zip(names, vals)) for vals in zip(*(cols[c] for c in names))]
    pk = _pk(table)
    with engine.begin() as conn:
        user = _guard_frame(conn, user, table, frame)
        try:
            if do_audit and pk.name not in cols:
                keys = conn.execute(sa.insert(table).returning(pk, sort_by_parameter_order=True), rows).scalars().all()
            elif any(isinstance(c.type, sa.JSON) for c in table.columns if c.name in cols):
                conn.execute(sa.insert(table), rows)
                keys = cols.get(pk.name, [None] * n)
            else:  # driver fast path (executemany / COPY)
                _fast.insert_rows(conn, table.name, names, [cols[c] for c in names])
                keys = cols.get(pk.name, [None] * n)
        except (sa.exc.IntegrityError, conn.dialect.loaded_dbapi.IntegrityError) as e:
            raise InputError(Problem(f"“{_label(table)}”批量写入与已有数据冲突（重复或引用不存在）：{getattr(e, 'orig', e)}")) from None
        if do_audit:
            body = frame.copy()
            js = body.astype(object).where(body.notna(), None).to_json(
                orient="records", lines=True, force_ascii=False, date_format="iso").splitlines()
            _audit.append(conn, pd.DataFrame({"action": "insert", "table": table.name,
                                                 "key": [str(k) for k in keys], "field": None, "old": None,
                                                 "new": js}), user)
        _follow(conn, table, frame)
    return n
