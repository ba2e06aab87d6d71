"""Backup and restore of the whole store, portable between SQLite and PostgreSQL.

A backup is a zip: ``manifest.json`` (format, schema revision, row count per table) and
one JSON Lines file per table (``tables/<name>.jsonl``, one object per row). JSON keeps
NULL apart from "", floats exactly (shortest round-trip repr), integers of any size;
dates and instants are ISO text, converted back by column type. Restore replaces every
table's content in ONE transaction (a failure leaves the database as it was) and refuses
a backup of another schema revision.
"""
from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from pathlib import Path

import sqlalchemy as sa

from .errors import InputError, Problem, RuralcoreError
from .store.models import metadata

FORMAT = "ruralcore-backup"
FORMAT_VERSION = 1
CHUNK = 5000


def _revision(conn: sa.Connection) -> str:
    rows = conn.execute(sa.text("SELECT version_num FROM alembic_version")).fetchall()
    return ",".join(sorted(r[0] for r in rows))


def _encode(value):
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return value


def _decoders(table: sa.Table) -> dict:
    out = {}
    for col in table.columns:
        if isinstance(col.type, sa.DateTime):
            out[col.name] = dt.datetime.fromisoformat
        elif isinstance(col.type, sa.Date):
            out[col.name] = lambda v: dt.date.fromisoformat(v[:10])
    return out


def backup(engine: sa.Engine, path_or_buffer) -> dict:
    """Write every table of ``engine`` into a zip; returns the manifest."""
    tables = metadata.sorted_tables
    manifest = {"format": FORMAT, "format_version": FORMAT_VERSION, "created_at": dt.datetime.now().isoformat(),
                "dialect": engine.dialect.name, "tables": {}}
    with engine.connect() as conn, zipfile.ZipFile(path_or_buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        with conn.begin():  # one consistent snapshot (PostgreSQL: REPEATABLE READ not needed for one reader tx)
            manifest["schema_revision"] = _revision(conn)
            for table in tables:
                cols = [c.name for c in table.columns]
                pk = list(table.primary_key.columns)
                rows = conn.execute(sa.select(table).order_by(*pk)).all()
                with zf.open(f"tables/{table.name}.jsonl", "w") as fh:
                    buf = io.TextIOWrapper(fh, encoding="utf-8", newline="\n")
                    for r in rows:
                        buf.write(json.dumps({c: _encode(v) for c, v in zip(cols, r)}, ensure_ascii=False))
                        buf.write("\n")
                    buf.flush()
                    buf.detach()
                manifest["tables"][table.name] = {"rows": len(rows), "columns": cols}
        zf.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1))
    return manifest


def read_manifest(path_or_buffer) -> dict:
    try:
        with zipfile.ZipFile(path_or_buffer) as zf:
            m = json.loads(zf.read("manifest.json"))
    except (zipfile.BadZipFile, KeyError, json.JSONDecodeError, FileNotFoundError) as e:
        raise InputError(Problem(f"不是本系统的备份文件（{type(e).__name__}）"), source=_name(path_or_buffer)) from None
    if m.get("format") != FORMAT:
        raise InputError(Problem("不是本系统的备份文件（manifest.json 格式不符）"), source=_name(path_or_buffer))
    return m


def _name(p) -> str:
    return Path(p).name if isinstance(p, (str, Path)) else "备份文件"


def restore(engine: sa.Engine, path_or_buffer) -> dict:
    """Replace the content of every table with the backup's, in one transaction.
    Returns rows restored per table. Refuses (RuralcoreError) a backup whose schema
    revision differs from the database's."""
    m = read_manifest(path_or_buffer)
    known = {t.name: t for t in metadata.sorted_tables}
    unknown = [t for t in m["tables"] if t not in known]
    with engine.connect() as conn:
        here = _revision(conn)
    if m.get("schema_revision") != here or unknown:
        raise RuralcoreError(
            f"备份文件的数据库结构版本为 {m.get('schema_revision')}，当前数据库为 {here}"
            + (f"（备份中有未知的表：{'、'.join(unknown)}）" if unknown else "")
            + "；版本不同的备份不能直接恢复，请用相同版本的程序恢复后再升级。")
    counts: dict[str, int] = {}
    with zipfile.ZipFile(path_or_buffer) as zf, engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("SELECT pg_advisory_xact_lock(727002)")
        for table in reversed(metadata.sorted_tables):  # children first
            conn.execute(table.delete())
        for table in metadata.sorted_tables:  # parents first
            info = m["tables"].get(table.name)
            if info is None:
                counts[table.name] = 0
                continue
            dec = _decoders(table)
            cols = set(table.c.keys())
            missing = [c for c in info["columns"] if c not in cols]
            if missing:
                raise RuralcoreError(f"备份中表“{table.name}”的列 {', '.join(missing)} 在当前数据库中不存在，未恢复任何数据。")
            n = 0
            batch: list[dict] = []
            with zf.open(f"tables/{table.name}.jsonl") as fh:
                for line in io.TextIOWrapper(fh, encoding="utf-8"):
                    row = json.loads(line)
                    for c, f in dec.items():
                        if row.get(c) is not None:
                            row[c] = f(row[c])
                    batch.append(row)
                    if len(batch) >= CHUNK:
                        conn.execute(table.insert(), batch)
                        n += len(batch)
                        batch = []
            if batch:
                conn.execute(table.insert(), batch)
                n += len(batch)
            if n != info["rows"]:
                raise RuralcoreError(f"备份文件中表“{table.name}”应有 {info['rows']} 行，实际读到 {n} 行；文件可能已损坏，未恢复任何数据。")
            counts[table.name] = n
        if conn.dialect.name == "postgresql":  # explicit ids were inserted: move the sequences on
            for table in metadata.sorted_tables:
                pk = list(table.primary_key.columns)
                if len(pk) == 1 and isinstance(pk[0].type, sa.Integer) and pk[0].autoincrement in (True, "auto"):
                    seq = conn.execute(sa.text("SELECT pg_get_serial_sequence(:t, :c)"),
                                       {"t": table.name, "c": pk[0].name}).scalar()
                    if seq:
                        conn.execute(sa.text(f'SELECT setval(:s, COALESCE((SELECT MAX("{pk[0].name}") FROM "{table.name}"), 0) + 1, false)'),
                                     {"s": seq})
    return counts
