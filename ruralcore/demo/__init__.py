"""Seeded demo data over the documents' real regions (every generated name says 演示).

``build_demo(engine, scale, progress)`` fills a database: it refuses a database that
holds real data (no app_meta demo=1) and rebuilds an existing demo database from scratch.
``demo.national.build_national(engine)`` builds the ≈ 500,000-village national database on
PostgreSQL (COPY, a slice of counties at a time); ``write_national(directory)`` writes the
national villages' last month as Parquet files.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd
import sqlalchemy as sa

from ruralcore.kernel.errors import RuralcoreError
from ruralcore.rules.programs import DATA_DIR, load_program
from ruralcore.store import analytics, bulk, meta
from ruralcore.demo.generate import EXTRA_COUNTIES, PLAN, SCALES, generate
from ruralcore.demo import reports as rep

__all__ = ["build_demo", "is_demo", "has_data", "write_national", "SCALES", "NATIONAL_DIR", "generate"]

NATIONAL_DIR = DATA_DIR / "bench" / "national"  # ignored by git
AUDIT_USER = "演示数据生成"  # who the audit log names for the bulk load
AUDIT_ACTION = "bulk"  # audit_log.action holds at most 10 characters ("bulk_insert" does not fit)
# insertion order respects foreign keys; deletion runs backwards
TABLES = ["regions", "app_meta", "stations", "station_equipment", "officers", "officer_training",
          "pilots", "pilot_indicators", "acceptance_cases", "acceptance_items", "fund_entries",
          "task_progress", "reports", "milestone_records", "responsibles"]

Progress = Callable[[float, str], None] | None


def _tables():
    from ruralcore.store.models import MODELS
    return {name: model.__table__ for name, model in MODELS.items()}


def is_demo(engine: sa.Engine) -> bool:
    return meta.is_demo(engine)


def has_data(engine: sa.Engine) -> bool:
    return bulk.any_rows(engine, ("regions", "reports", "pilots", "stations", "fund_entries"))


def _columns(table: sa.Table, frame: pd.DataFrame) -> tuple[list[str], list[list]]:
    """Column names and plain Python column lists (None for missing values)."""
    cols, data = [], []
    for col in table.columns:  # a dozen columns, each converted whole
        if col.name in frame.columns:
            v = frame[col.name]
            if isinstance(col.type, (sa.Date, sa.DateTime)):  # the text SQLAlchemy itself writes
                fmt = "%Y-%m-%d %H:%M:%S.%f" if isinstance(col.type, sa.DateTime) else "%Y-%m-%d"
                codes, uniques = pd.factorize(pd.to_datetime(v))  # few distinct times: format each once
                text = np.asarray(pd.DatetimeIndex(uniques).strftime(fmt), dtype=object)
                data.append([None if c < 0 else text[c] for c in codes] if (codes < 0).any()
                            else text[codes].tolist())
            elif v.isna().any():
                data.append(v.astype(object).where(v.notna(), None).tolist())
            else:
                data.append(v.tolist())
        elif col.default is not None and getattr(col.default, "is_scalar", False):
            data.append([col.default.arg] * len(frame))  # raw inserts skip ORM defaults
        else:
            continue
        cols.append(col.name)
    return cols, data


def _insert(conn: sa.Connection, table: sa.Table, frame: pd.DataFrame, step: Callable[[int], None],
            chunk: int = 200_000) -> None:
    """Bulk insert without ORM objects: executemany of tuples on SQLite, COPY on
    PostgreSQL, SQLAlchemy core elsewhere. Chunks keep memory flat at province scale."""
    for start in range(0, len(frame), chunk):
        cols, data = _columns(table, frame.iloc[start:start + chunk])
        rows = list(zip(*data))
        bulk.load(conn, table, cols, rows)
        step(len(rows))


def build_demo(engine: sa.Engine, scale: str = "county", progress: Progress = None) -> dict[str, int]:
    """Fill ``engine`` with the demo data of ``scale`` (county | city | province).

    Returns rows written per table. Refuses (RuralcoreError) a database with real data."""
    if scale == "national":
        raise RuralcoreError("全国规模请用 ruralcore.demo.national.build_national（PostgreSQL，分批 COPY）")
    if scale not in EXTRA_COUNTIES:
        raise RuralcoreError(f"规模“{scale}”无效，应为 {' | '.join(SCALES)}")
    if has_data(engine) and not is_demo(engine):
        raise RuralcoreError("该数据库已有真实数据（没有演示标记），拒绝覆盖；请换一个数据库地址（--db）")
    frames = generate(scale, progress=_scaled(progress, 0.0, 0.5))
    from ruralcore.demo.milestones import records as milestone_records  # programme milestones done by the as-of date
    frames["milestone_records"] = milestone_records(frames["app_meta"], frames.get("pilots"))
    from ruralcore.demo.responsibles import records as responsibles  # 包点领导 and task leaders (演示)
    frames["responsibles"] = responsibles(frames.get("pilots"), frames["regions"])
    tables = _tables()
    counts: dict[str, int] = {}
    with engine.begin() as conn:  # one transaction: a failed build leaves the old database
        bulk.large_cache(conn)  # a bigger page cache for the bulk load
        from ruralcore.store.models import metadata
        bulk.empty(conn, reversed(metadata.sorted_tables))  # every table, children before parents
        todo = [t for t in TABLES if t in frames]
        total = sum(len(frames[t]) for t in todo) or 1
        done = 0
        for name in todo:
            n = len(frames[name])

            def step(k: int, name=name, n=n) -> None:
                nonlocal done
                done += k
                _say(progress, 0.5 + 0.5 * done / total, f"写入{_label(name)}：{n:,} 行")

            _insert(conn, tables[name], frames[name], step)
            counts[name] = n
        bulk.move_sequences(conn, [tables[name] for name in  # COPY with explicit ids (PostgreSQL)
                                   ("officers", "acceptance_cases", "milestone_records", "responsibles")])
        _say(progress, 0.99, "生成分析表（各级区域的月度汇总）")
        analytics.rebuild_all(conn)  # derived from the reports just loaded, in this transaction
        _audit(conn, counts, scale)
    from ruralcore.demo.households import build as build_households  # 一户一档 demo households
    counts["households"] = build_households(engine, seed=2019)
    with engine.begin() as conn:
        _audit(conn, {"households": counts["households"]}, scale)
    from ruralcore.app.overview import as_of_date
    from ruralcore.demo.cases import PROGRAM, build as build_village_cases  # the demo county's villages under acceptance
    counts["acceptance_cases"] = counts.get("acceptance_cases", 0) + build_village_cases(engine, as_of_date(engine, PROGRAM))
    _say(progress, 1.0, f"演示数据已生成（{scale}）")
    return counts


def _audit(conn: sa.Connection, counts: dict[str, int], scale: str) -> None:
    """One audit entry per table the fast path filled (it writes no per-row entries), so the
    log shows that and when the demo was generated."""
    from ruralcore.store import audit

    audit.append(conn, pd.DataFrame({
        "action": AUDIT_ACTION, "table": list(counts), "key": f"demo/{scale}", "field": "rows",
        "old": None, "new": [str(int(n)) for n in counts.values()],
    }), AUDIT_USER)


def _label(table: str) -> str:
    from ruralcore.store.models import TABLE_LABELS
    return TABLE_LABELS.get(table, table)


def _say(progress: Progress, fraction: float, message: str) -> None:
    if progress is not None:
        progress(min(max(fraction, 0.0), 1.0), message)


def _scaled(progress: Progress, lo: float, hi: float) -> Progress:
    if progress is None:
        return None
    return lambda f, m: progress(lo + (hi - lo) * f, m)


def write_national(directory: Path = NATIONAL_DIR, progress: Progress = None) -> dict[str, Path]:
    """The national benchmark set: ≈ 500,000 demo villages under 花垣's city (regions.parquet)
    and their values for the last demo month of 花垣 (reports.parquet, long format)."""
    from ruralcore.demo.generate import _rng
    from ruralcore.demo.national import national_regions

    prog = load_program("huayuan-2019")
    rng = _rng(prog.id + "/national")
    _say(progress, 0.1, "生成全国规模的演示区域")
    regions = national_regions(prog)
    units = regions[regions["level"] == "village"]
    last = PLAN[prog.id]["periods"][1]
    q = rep.quality(rng, len(units))
    _say(progress, 0.4, f"生成 {len(units):,} 个行政村的月报")
    vals = rep.values(prog, rng, q, 12, last_only=True)
    sub = rep.submissions(prog, rng, q, [last])
    reports = rep.frame(prog, units["code"].to_numpy(dtype=object), [last], vals, sub)
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    paths = {"regions": directory / "regions.parquet", "reports": directory / "reports.parquet"}
    _say(progress, 0.8, f"写入 {directory}")
    regions.to_parquet(paths["regions"], index=False)
    reports.to_parquet(paths["reports"], index=False)
    _say(progress, 1.0, "全国规模演示数据已写入")
    return paths
