"""Regions in the store: upsert from the region files' frame, load back in the same shape."""
from __future__ import annotations

import numpy as np
import pandas as pd
import sqlalchemy as sa

from ruralcore.kernel.errors import InputError, PermissionDenied, Problem
from ruralcore.kernel.principal import Principal, require
from ruralcore.rules.regions import COLUMNS
from ruralcore.store import audit
from ruralcore.store.models import Region

TABLE = Region.__table__
DATA = [c for c in COLUMNS if c != "code"]


def sync_regions(engine: sa.Engine, frame: pd.DataFrame, user: Principal) -> int:
    """Insert new codes and update changed ones (version + 1) in one transaction, with
    one audit entry per inserted row / changed field. Regions absent from ``frame`` are
    kept. Returns the number of rows inserted or updated (0 when nothing changed).
    ``user``: the system principal (region files are loaded by the system, not by an account)."""
    if not require(user).is_system:
        raise PermissionDenied(f"无权限：{user.name}（{user.role_label}）不能导入区域数据，本次未写入任何数据。")
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise InputError(Problem(f"区域数据缺少列：{', '.join(missing)}"), source="区域")
    new = pd.DataFrame({c: frame[c].astype("str").fillna("").to_numpy() for c in COLUMNS})
    dup = new["code"].duplicated()
    if dup.any():
        raise InputError([Problem(f"区域代码重复：{c}", row=int(i) + 1, column="code")
                          for i, c in zip(np.flatnonzero(dup.to_numpy())[:50], new["code"][dup])], source="区域")
    with engine.begin() as conn:
        rows = conn.execute(sa.select(*[TABLE.c[c] for c in COLUMNS], TABLE.c.version)).fetchall()
        old = pd.DataFrame(rows, columns=COLUMNS + ["version"]) if rows else pd.DataFrame(columns=COLUMNS + ["version"])
        old = old.astype({c: "str" for c in COLUMNS})
        m = new.merge(old, on="code", how="left", suffixes=("", "_old"), indicator=True)
        exists = (m["_merge"] == "both").to_numpy()
        changed_cols = {c: exists & (m[c] != m[c + "_old"]).to_numpy() for c in DATA}
        any_change = np.logical_or.reduce(list(changed_cols.values()))
        ins, upd = m[~exists], m[any_change]
        if len(ins):
            conn.execute(sa.insert(TABLE), [dict(r, version=1) for r in ins[COLUMNS].to_dict("records")])
        if len(upd):
            res = conn.execute(
                sa.update(TABLE).where(TABLE.c.code == sa.bindparam("b_code"), TABLE.c.version == sa.bindparam("b_v"))
                .values(**{c: sa.bindparam("b_" + c) for c in DATA}, version=TABLE.c.version + 1),
                [{"b_code": r["code"], "b_v": int(r["version"]), **{"b_" + c: r[c] for c in DATA}}
                 for r in upd.to_dict("records")])
            if res.rowcount != len(upd):
                from ruralcore.kernel.errors import StaleWriteError
                raise StaleWriteError("区域数据在保存期间被其他用户修改，本次未写入任何数据，请重试。")
        entries = [pd.DataFrame({"action": "insert", "table": "regions", "key": ins["code"].tolist(), "field": None,
                                 "old": None, "new": [audit.row_json(r) for r in ins[COLUMNS].to_dict("records")]})]
        for c, mask in changed_cols.items():
            if mask.any():
                sub = m[mask]
                entries.append(pd.DataFrame({"action": "update", "table": "regions", "key": sub["code"].tolist(),
                                             "field": c, "old": sub[c + "_old"].tolist(), "new": sub[c].tolist()}))
        audit.append(conn, pd.concat(entries, ignore_index=True), user.name)
        if len(ins) or changed_cols["parent"].any() or changed_cols["level"].any():
            from ruralcore.store import analytics  # the sums follow the tree

            analytics.rebuild_all(conn)
    return int(len(ins) + len(upd))


def load_regions(engine: sa.Engine, program: str | None = None) -> pd.DataFrame:
    """Regions from the store with ruralcore.rules.regions' columns, indexed by code. Read on the
    driver (store._fast): a national tree is half a million rows, and SQLAlchemy Row objects
    cost several times the database's work."""
    from ruralcore.store import _fast

    cols = ", ".join(COLUMNS)
    sql, params = f"SELECT {cols} FROM regions", []
    if program is not None:
        sql, params = sql + " WHERE program = ?", [program]
    with engine.connect() as conn:
        df = _fast.select_frame(conn, sql + " ORDER BY code", params, COLUMNS, {c: "str" for c in COLUMNS}, bulk=True)
    return df.set_index("code", drop=False)


def level_regions(engine: sa.Engine, program: str, level: str) -> pd.DataFrame:
    """code, name of the programme's regions at ``level`` (sorted by code): two columns of
    one level, not the whole table — an import checks its codes against these."""
    from ruralcore.store import _fast

    with engine.connect() as conn:
        return _fast.select_frame(conn, "SELECT code, name FROM regions WHERE program = ? AND level = ? ORDER BY code",
                                  [program, level], ["code", "name"], {"code": "str", "name": "str"})


def first_county(engine: sa.Engine, prefer: str) -> str | None:
    """The stored county ``prefer`` when there is one, else the first stored county by code
    (None: no county stored)."""
    with engine.connect() as conn:
        return conn.execute(sa.text("SELECT code FROM regions WHERE level = 'county' "
                                    "ORDER BY CASE WHEN code = :p THEN 0 ELSE 1 END, code LIMIT 1"),
                            {"p": prefer}).scalar()
