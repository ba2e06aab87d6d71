"""Import and load benchmark of the monthly reports, on SQLite and PostgreSQL.

    .venv/bin/python bench/bench_store.py [--pg URL] [--values 100000] [--villages 30000]

PostgreSQL runs when --pg or TEST_POSTGRES_URL is given (scripts/test.sh starts a
throw-away server and exports TEST_POSTGRES_URL); the benchmark makes its own schema-free
database there (``ruralcore_bench``) and drops it afterwards. Goals: importing an XLSX
with 100,000 values ≤ 5 s; loading one month of 30,000 villages into a DataFrame ≤ 1 s.
Prints figures only; nothing is asserted.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ruralcore.io import excel  # noqa: E402
from ruralcore.io.excel import layout, writer  # noqa: E402
from ruralcore.rules.programs import load_program  # noqa: E402
from ruralcore.store import db, reports  # noqa: E402
from ruralcore.store import regions as store_regions  # noqa: E402
from ruralcore.kernel.principal import system

PROGRAM = "huayuan-2019"


def villages(n: int) -> pd.DataFrame:
    codes = pd.Series(np.arange(1, n + 1)).map("{:06d}".format)
    return pd.DataFrame({
        "code": ("B433124" + codes).to_numpy(dtype=object), "name": ("演示村" + codes).to_numpy(dtype=object),
        "level": "village", "parent": "433124", "program": PROGRAM, "kind": "",
        "code_source": "generated", "ref": "演示（基准测试）",
    })


def month_values(regions: pd.DataFrame, fields, rng) -> pd.DataFrame:
    """Wide frame: one row per village, consistent counts (numerators ≤ denominators)."""
    n = len(regions)
    out = {"natural_villages": rng.integers(5, 30, n), "residents": rng.integers(300, 3000, n),
           "households": rng.integers(100, 800, n)}
    out["natural_villages_4g"] = (out["natural_villages"] * rng.uniform(0.6, 1, n)).astype(int)
    out["natural_villages_fiber"] = (out["natural_villages"] * rng.uniform(0.5, 1, n)).astype(int)
    out["mobile_phone_users"] = (out["residents"] * rng.uniform(0.4, 1, n)).astype(int)
    out["internet_4g_users"] = (out["residents"] * rng.uniform(0.3, 0.9, n)).astype(int)
    out["broadband_households"] = (out["households"] * rng.uniform(0.1, 0.8, n)).astype(int)
    frame = pd.DataFrame({"code": regions["code"].to_numpy(), "name": regions["name"].to_numpy()})
    for f in fields:
        frame[f.code] = out[f.code] if f.code in out else rng.integers(0, 2, n)
    return frame


def long(frame: pd.DataFrame, fields) -> pd.DataFrame:
    codes = [f.code for f in fields]
    return (frame.rename(columns={"code": "region"})[["region", *codes]]
            .melt(id_vars="region", var_name="field", value_name="value").astype({"value": "float64"}))


def timed(fn, repeat: int = 1):
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def run(label: str, engine: sa.Engine, n_values: int, n_villages: int) -> None:
    program = load_program(PROGRAM)
    fields = layout.report_fields(program)
    rng = np.random.default_rng(20190124)
    n_import = -(-n_values // len(fields))
    regions = villages(max(n_import, n_villages))
    t, _ = timed(lambda: store_regions.sync_regions(engine, regions, user=system("基准测试")))
    print(f"[{label}] 写入 {len(regions):,} 个村（区域表）：{t:.2f} s")

    # 1) import an xlsx with n_values values into an empty month
    wide = month_values(regions.iloc[:n_import], fields, rng)
    frame = pd.DataFrame({layout.PERIOD_COL: "2019-06", layout.CODE_COL: wide["code"], layout.NAME_COL: wide["name"]})
    for f in fields:
        frame[f.code] = wide[f.code].astype("float64")
    xlsx = writer.write_xlsx(program, "village", fields, frame)
    n = n_import * len(fields)
    t_val, _ = timed(lambda: excel.validate(program, xlsx, "2019-06", engine=engine, name="基准.xlsx"), repeat=3)
    t_imp, res = timed(lambda: excel.import_file(engine, program, xlsx, "2019-06", system("基准测试"), name="基准.xlsx"))
    t_again, res2 = timed(lambda: excel.import_file(engine, program, xlsx, "2019-06", system("基准测试"), name="基准.xlsx"))
    print(f"[{label}] 导入 XLSX（{n:,} 个数值，{len(xlsx) / 1e6:.1f} MB）：{t_imp:.2f} s（目标 ≤ 5 s）"
          f"  其中读取+校验 {t_val:.2f} s，写入约 {max(t_imp - t_val, 0):.2f} s；新增 {res['inserted']:,}")
    print(f"[{label}] 再次导入同一文件：{t_again:.2f} s；未变 {res2['unchanged']:,}，新增 {res2['inserted']}，更新 {res2['updated']}")

    # 2) load one month of n_villages villages
    month = long(month_values(regions.iloc[:n_villages], fields, rng), fields)
    t_w, _ = timed(lambda: reports.upsert_reports(engine, PROGRAM, "2019-07", month, system("基准测试")))
    print(f"[{label}] 写入一个月 {n_villages:,} 个村（{len(month):,} 个数值，upsert_reports）：{t_w:.2f} s")
    t_vals, vals = timed(lambda: reports.load_month_values(engine, PROGRAM, "2019-07"), repeat=5)
    print(f"[{label}] 读取一个月 {n_villages:,} 个村的数值（region, field, value；看板所用）：{t_vals:.3f} s（目标 ≤ 1 s），{len(vals):,} 行")
    t_load, df = timed(lambda: reports.load_reports(engine, PROGRAM, "2019-07"), repeat=5)
    t_wide, w = timed(lambda: reports.load_reports(engine, PROGRAM, "2019-07")
                      .pivot(index="region", columns="field", values="value"), repeat=5)
    print(f"[{label}] 读取一个月 {df['region'].nunique():,} 个村（{len(df):,} 行）到 DataFrame：{t_load:.3f} s"
          f"（含提交人、时间、版本；编辑用）；含转宽表 {t_wide:.3f} s，{w.shape[0]:,}×{w.shape[1]}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pg", default=os.environ.get("TEST_POSTGRES_URL"), help="PostgreSQL 地址（默认 TEST_POSTGRES_URL）")
    ap.add_argument("--values", type=int, default=100_000)
    ap.add_argument("--villages", type=int, default=30_000)
    args = ap.parse_args()

    print(f"机器负载（1/5/15 分钟）：{' / '.join(f'{x:.1f}' for x in os.getloadavg())}，CPU {os.cpu_count()} 个")
    with tempfile.TemporaryDirectory() as tmp:
        run("SQLite", db.get_engine(f"sqlite:///{Path(tmp) / 'bench.db'}"), args.values, args.villages)
        db.dispose_all()
    if not args.pg:
        print("[PostgreSQL] 跳过：未给出 --pg，也没有 TEST_POSTGRES_URL")
        return
    admin = sa.create_engine(args.pg, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(sa.text("DROP DATABASE IF EXISTS ruralcore_bench"))
        c.execute(sa.text("CREATE DATABASE ruralcore_bench"))
    url = sa.make_url(args.pg).set(database="ruralcore_bench")
    try:
        run("PostgreSQL", db.get_engine(url.render_as_string(hide_password=False)), args.values, args.villages)
    finally:
        db.dispose_all()
        with admin.connect() as c:
            c.execute(sa.text("DROP DATABASE IF EXISTS ruralcore_bench"))
        admin.dispose()


if __name__ == "__main__":
    main()
