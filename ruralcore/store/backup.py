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
import math
import zipfile
import zlib
from array import array
from pathlib import Path

import numpy as np
import sqlalchemy as sa

from ruralcore.kernel.errors import InputError, Problem, RuralcoreError
from ruralcore.store import analytics, bulk
from ruralcore.store.models import metadata

FORMAT = "ruralcore-backup"
FORMAT_VERSION = 1
CHUNK = 5000


def _encode(value):
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return value


_INT64 = 2 ** 63


def _iso_datetime(v):
    return dt.datetime.fromisoformat(v)


def _iso_date(v):
    return dt.date.fromisoformat(v[:10])


def _column_spec(col: sa.Column) -> tuple:
    """(JSON types allowed, converter or None, nullable, what it should be) for a column.
    SQLite would store a wrong type silently and PostgreSQL fail in English, so every
    value is checked before it is inserted."""
    t = col.type
    if isinstance(t, sa.TypeDecorator):  # SQLModel's AutoString is a String
        t = t.impl if isinstance(t.impl, sa.types.TypeEngine) else t.impl()
    nullable = col.nullable or (col.primary_key and col.autoincrement in (True, "auto"))
    if isinstance(t, sa.JSON):
        return None, None, nullable, ""
    if isinstance(t, sa.Boolean):
        return (bool,), None, nullable, "true/false"
    if isinstance(t, sa.Integer):
        return (int,), None, nullable, "整数"
    if isinstance(t, sa.Float):
        return (int, float), None, nullable, "数值"
    if isinstance(t, sa.DateTime):
        return (str,), _iso_datetime, nullable, "日期时间（ISO 格式）"
    if isinstance(t, sa.Date):
        return (str,), _iso_date, nullable, "日期（ISO 格式）"
    if isinstance(t, sa.String):  # String, Text, AutoString
        return (str,), None, nullable, "文字"
    return None, None, nullable, ""


def _check_row(row: dict, specs: dict) -> tuple[str, str] | None:
    """Check and convert ``row`` in place; (column, reason) of its first bad value, else None."""
    for c, v in row.items():
        types, convert, nullable, what = specs[c]
        if v is None:
            if not nullable:
                return c, "不能为空"
            continue
        if types is not None and type(v) not in types:
            return c, f"应为{what}，而不是 {json.dumps(v, ensure_ascii=False)[:40]}"
        if type(v) is int and not -_INT64 <= v < _INT64:
            return c, f"整数 {v} 超出范围"
        if type(v) is float and not math.isfinite(v):
            return c, f"应为有限的数值，而不是 {v}"
        if convert is not None:
            try:
                row[c] = convert(v)
            except ValueError:
                return c, f"应为{what}，而不是 {json.dumps(v, ensure_ascii=False)[:40]}"
    return None


def backup(engine: sa.Engine, path_or_buffer) -> dict:
    """Write every table of ``engine`` into a zip; returns the manifest."""
    tables = metadata.sorted_tables
    manifest = {"format": FORMAT, "format_version": FORMAT_VERSION, "created_at": dt.datetime.now().isoformat(),
                "dialect": engine.dialect.name, "tables": {}}
    with engine.connect() as conn, zipfile.ZipFile(path_or_buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        with conn.begin():  # one consistent snapshot (PostgreSQL: REPEATABLE READ not needed for one reader tx)
            manifest["schema_revision"] = bulk.schema_revision(conn)
            for table in tables:
                cols = [c.name for c in table.columns]
                rows = bulk.every_row(conn, table)
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
    why = None
    try:
        with zipfile.ZipFile(path_or_buffer) as zf:
            m = json.loads(zf.read("manifest.json"))
    except FileNotFoundError:
        why = "找不到文件"
    except IsADirectoryError:
        why = "这是文件夹，不是备份文件"
    except (zipfile.BadZipFile, zlib.error, EOFError):
        why = "不是 zip 文件，或文件已损坏"
    except KeyError:
        why = "缺少 manifest.json"
    except (json.JSONDecodeError, UnicodeDecodeError):
        why = "manifest.json 不是有效的 JSON"
    if why:
        raise InputError(Problem(f"不是本系统的备份文件（{why}）"), source=_name(path_or_buffer))
    if not isinstance(m, dict) or m.get("format") != FORMAT:
        raise InputError(Problem("不是本系统的备份文件（manifest.json 格式不符）"), source=_name(path_or_buffer))
    tables = m.get("tables")
    bad = not isinstance(tables, dict) or not all(
        isinstance(i, dict) and isinstance(i.get("rows"), int) and not isinstance(i.get("rows"), bool)
        and isinstance(i.get("columns"), list) and all(isinstance(c, str) for c in i["columns"])
        for i in tables.values())
    if bad:
        raise InputError(Problem("manifest.json 已损坏：每张表应有行数（整数）和列名（列表）"), source=_name(path_or_buffer))
    return m


def _name(p) -> str:
    return Path(p).name if isinstance(p, (str, Path)) else "备份文件"


def restore(engine: sa.Engine, path_or_buffer) -> dict:
    """Replace the content of every table with the backup's, in one transaction.
    Returns rows restored per table. Refuses (RuralcoreError, Chinese, naming the table,
    line and column) a backup of another schema revision, one that lacks a table, and a
    damaged one: a line that is not JSON, a value of the wrong type, an unknown column,
    a duplicate key, a row count that differs from the manifest. A refusal writes nothing."""
    m = read_manifest(path_or_buffer)
    source = _name(path_or_buffer)
    known = {t.name: t for t in metadata.sorted_tables}
    unknown = [t for t in m["tables"] if t not in known]
    with engine.connect() as conn:
        here = bulk.schema_revision(conn)
    if m.get("schema_revision") != here or unknown:
        raise RuralcoreError(
            f"备份文件的数据库结构版本为 {m.get('schema_revision')}，当前数据库为 {here}"
            + (f"（备份中有未知的表：{'、'.join(unknown)}）" if unknown else "")
            + "；版本不同的备份不能直接恢复，请用相同版本的程序恢复后再升级。")
    absent = [t for t in known if t not in m["tables"]]
    if absent:
        raise InputError(Problem(f"备份中缺少表{'、'.join(f'“{t}”' for t in absent)}；备份不完整，未恢复任何数据"),
                         source=source)
    counts: dict[str, int] = {}
    with zipfile.ZipFile(path_or_buffer) as zf, engine.begin() as conn:
        names = set(zf.namelist())
        missing = [t for t in known if f"tables/{t}.jsonl" not in names]
        if missing:
            raise InputError(Problem(f"备份中缺少表的数据文件：{'、'.join(f'tables/{t}.jsonl' for t in missing)}；"
                                     "未恢复任何数据"), source=source)
        bulk.hold_restores(conn)
        bulk.empty(conn, reversed(metadata.sorted_tables))  # children first
        for table in metadata.sorted_tables:  # parents first
            counts[table.name] = _restore_table(conn, zf, table, m["tables"][table.name], source)
        bulk.move_sequences(conn, metadata.sorted_tables)  # explicit ids were inserted
        analytics.rebuild_all(conn)  # derived data, not in the backup: rebuilt from the restored reports
    return counts


def _restore_table(conn: sa.Connection, zf: zipfile.ZipFile, table: sa.Table, info: dict, source: str) -> int:
    """Insert one table's rows from its JSON Lines file, checking each row; its row count."""
    def refuse(message: str, line: int | None = None, column: str | None = None):
        where = f"表“{table.name}”（tables/{table.name}.jsonl" + (f" 第{line}行" if line else "") + "）"
        col = f"“{column}”列" if column else ""
        return InputError(Problem(f"{where}{col}：{message}；备份已损坏，未恢复任何数据"), source=source)

    cols = set(table.c.keys())
    stray = [c for c in info["columns"] if c not in cols]
    if stray:
        raise refuse(f"列{'、'.join(f'“{c}”' for c in stray)}在当前数据库中不存在")
    specs = {c.name: _column_spec(c) for c in table.columns}
    required = [c.name for c in table.columns if not c.nullable and c.default is None and c.server_default is None
                and not (c.primary_key and c.autoincrement in (True, "auto"))]
    pk = [c.name for c in table.primary_key.columns]
    keys = _Keys(pk, table)
    n, batch = 0, []
    with zf.open(f"tables/{table.name}.jsonl") as fh:
        lines = enumerate(io.TextIOWrapper(fh, encoding="utf-8", errors="strict"), 1)
        while True:
            try:
                n, line = next(lines)
            except StopIteration:
                break
            except UnicodeDecodeError:
                raise refuse("不是 UTF-8 编码的文字", n + 1) from None
            except (zipfile.BadZipFile, zlib.error, EOFError):
                raise refuse("压缩数据已损坏（校验不符）", n + 1) from None
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                raise refuse("不是有效的 JSON", n) from None
            if not isinstance(row, dict):
                raise refuse("应为一个 JSON 对象（列名: 值）", n)
            extra = [c for c in row if c not in cols]
            if extra:
                raise refuse(f"有未知的列{'、'.join(f'“{c}”' for c in extra)}", n)
            lacking = [c for c in required if c not in row]
            if lacking:
                raise refuse("缺少必需的值", n, lacking[0])
            bad = _check_row(row, specs)
            if bad:
                raise refuse(bad[1], n, bad[0])
            if keys.add(row):
                raise refuse(f"键 {keys.show(row)} 重复出现", n, pk[0] if len(pk) == 1 else None)
            batch.append(row)
            if len(batch) >= CHUNK:
                _insert(conn, table, batch, refuse, keys)
                batch = []
    if batch:
        _insert(conn, table, batch, refuse, keys)
    keys.check(refuse)
    if n != info["rows"]:
        raise refuse(f"应有 {info['rows']} 行（manifest.json），实际读到 {n} 行")
    return n


class _Keys:
    """The primary keys read so far, to name a repeated one. A single integer key (the
    millions of report rows) is kept in a compact array and checked once at the end;
    other keys (accounts, regions: small tables) in a set, checked as they come."""

    def __init__(self, pk: list[str], table: sa.Table):
        self.pk = pk
        self.ints = len(pk) == 1 and isinstance(table.c[pk[0]].type, sa.Integer)
        self.array, self.seen = array("q"), set()

    def add(self, row: dict) -> bool:
        """Record the row's key; True when it repeats one already seen (non-integer keys)."""
        if self.ints:
            v = row.get(self.pk[0])
            self.array.append(v if v is not None else -_INT64)  # no id: the database gives one
            return False
        key = tuple(row.get(c) for c in self.pk)
        if key in self.seen:
            return True
        self.seen.add(key)
        return False

    def show(self, row: dict) -> str:
        return ", ".join(str(row.get(c)) for c in self.pk)

    def check(self, refuse) -> None:
        """Refuse the first integer key that repeats, naming both lines."""
        dup = self._first_repeat()
        if dup is not None:
            raise refuse(f"键 {dup[0]} 重复出现（先见于第{dup[1]}行）", dup[2], self.pk[0])

    def _first_repeat(self) -> tuple[int, int, int] | None:
        """(key, first line, repeated line) of the first integer key that repeats."""
        if not self.ints or not len(self.array):
            return None
        ids = np.frombuffer(self.array, dtype=np.int64)
        order = np.argsort(ids, kind="stable")
        same = np.flatnonzero((ids[order][1:] == ids[order][:-1]) & (ids[order][1:] != -_INT64))
        if not len(same):
            return None
        first, again = sorted((int(order[same[0]]), int(order[same[0] + 1])))
        return int(ids[first]), first + 1, again + 1


def _insert(conn: sa.Connection, table: sa.Table, batch: list[dict], refuse, keys: _Keys) -> None:
    try:
        bulk.insert(conn, table, batch)
    except sa.exc.IntegrityError:  # a repeated key, or a unique or foreign key the rows break
        keys.check(refuse)
        raise refuse("有重复的记录，或引用了备份中不存在的记录") from None
    except (sa.exc.DataError, OverflowError):
        raise refuse("有超出数据库范围的值") from None
