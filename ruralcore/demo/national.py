"""The national demo database on PostgreSQL: ≈ 500,000 demo villages (2,080 demo counties ×
12 townships × 20 villages under 花垣's city) with twelve months of 花垣's monthly reports,
about 78 million report rows.

It is the county demo (every programme's documents and demo data, built by build_demo) plus
the national regions and their reports, generated a slice of counties at a time by the same
generator as the other scales (demo.reports) and loaded by COPY, so memory stays flat (one
slice of ≈ 750,000 rows at a time), then 花垣's analytics tables rebuilt (store.analytics).
The national part is one transaction: a failed build leaves the county demo. SQLite is refused: a national deployment runs on PostgreSQL.
"""
from __future__ import annotations

import time
from typing import Callable

import numpy as np
import pandas as pd
import sqlalchemy as sa

from ruralcore.kernel.errors import RuralcoreError
from ruralcore.rules.programs import Program, load_program
from ruralcore.app.reporting import periods_between
from ruralcore.store import analytics, bulk
from ruralcore.demo import reports as rep
from ruralcore.demo.generate import EXTRA_COUNTIES, EXTRA_TOWNSHIPS, EXTRA_VILLAGES, HUAYUAN_CITY, PLAN, SEED, _real, extra_counties

PROGRAM = "huayuan-2019"
COUNTIES = EXTRA_COUNTIES["national"]  # 2,080 demo counties: 499,200 demo villages
COUNTIES_PER_SLICE = 20  # 4,800 villages × 12 months × 13 fields ≈ 750,000 report rows per COPY
REFUSED_SQLITE = ("全国规模（约50万个行政村、12个月约7800万条月报）只能生成在 PostgreSQL 上："
                  "请用 --db postgresql+psycopg://用户@主机/数据库；SQLite 不承担这个规模，未写入任何数据")

Progress = Callable[[float, str], None] | None


def national_regions(prog: Program, counties: int | None = None) -> pd.DataFrame:
    """The national demo counties, townships and villages under 花垣's real city."""
    real = _real(prog.id)
    county = real[real["level"] == "county"]
    parent = county["parent"].iat[0] if len(county) and county["parent"].iat[0] else HUAYUAN_CITY[0]
    return extra_counties(parent, prog.id, COUNTIES if counties is None else counties)


def slice_reports(prog: Program, villages: np.ndarray, periods: list[str], index: int) -> pd.DataFrame:
    """Twelve months of reports of one slice of villages; seeded per slice (the same every build)."""
    rng = np.random.default_rng([SEED, sum(map(ord, prog.id)), 18, index])
    q = rep.quality(rng, len(villages))
    vals = rep.values(prog, rng, q, len(periods))
    return rep.frame(prog, villages, periods, vals, rep.submissions(prog, rng, q, periods))


def refuse_unless_postgresql(url: str) -> None:
    """RuralcoreError (Chinese, exit code 2 on the CLI) unless ``url`` names PostgreSQL."""
    if not str(url).startswith("postgresql"):
        raise RuralcoreError(REFUSED_SQLITE)


def build_national(engine: sa.Engine, progress: Progress = None, counties: int | None = None) -> dict:
    """Build the national demo into ``engine`` (PostgreSQL only; RuralcoreError on another
    database, before anything is written). ``counties``: the demo counties (COUNTIES unless
    given; a test builds one). Returns {'villages' (demo villages added), 'reports' (their
    report rows), 'seconds', 'bytes' (the database's size on disk)}."""
    refuse_unless_postgresql(engine.url.drivername)
    from ruralcore.demo import _audit, _say, _scaled, build_demo

    start = time.perf_counter()
    build_demo(engine, "county", progress=_scaled(progress, 0.0, 0.05))
    prog = load_program(PROGRAM)
    periods = periods_between(*PLAN[prog.id]["periods"])
    regions = national_regions(prog, counties)
    villages = regions.loc[regions["level"] == "village", "code"].to_numpy(dtype=object)
    per_slice = COUNTIES_PER_SLICE * EXTRA_TOWNSHIPS * EXTRA_VILLAGES
    slices = max(1, -(-len(villages) // per_slice))
    written = 0
    with engine.begin() as conn:
        _say(progress, 0.05, f"写入全国规模区域：{len(regions):,} 个")
        bulk.copy_frame(conn, "regions", regions.assign(version=1))
        for i in range(slices):
            frame = slice_reports(prog, villages[i * per_slice:(i + 1) * per_slice], periods, i)
            bulk.copy_frame(conn, "reports", frame)
            written += len(frame)
            _say(progress, 0.05 + 0.93 * (i + 1) / slices,
                 f"写入月报：{min((i + 1) * per_slice, len(villages)):,}/{len(villages):,} 个村，{written:,} 行")
        _say(progress, 0.98, "生成分析表（各级区域的月度汇总）")
        analytics.rebuild(conn, PROGRAM)  # the national villages' months, in this transaction
        _audit(conn, {"regions": len(regions), "reports": written}, "national")
    bulk.analyze(engine, ("regions", "reports"))
    seconds = time.perf_counter() - start
    size = bulk.database_size(engine)
    _say(progress, 1.0, "全国规模演示数据已生成")
    return {"villages": int(len(villages)), "reports": int(written), "seconds": seconds, "bytes": size}
