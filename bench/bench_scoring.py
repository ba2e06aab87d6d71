"""Benchmark: 花垣 rubric score + rank + award over synthetic villages.

Compares, at 10,000 / 100,000 / 500,000 villages:
  ruralcore  ruralcore.rules.scoring.score (numpy: one matrix-vector product, one argsort)
  loop       a plain per-row Python loop over the same rubric, then sort and award
  duckdb     the same rule in SQL (RANK() OVER ...), result fetched as a DataFrame
prints the median of several repeats and the ratios, and checks that all three give the
same scores, ranks and awards. Goals at 500,000: loop/ruralcore ≥ 40, ruralcore/duckdb ≤ 1.

Run:  .venv/bin/python bench/bench_scoring.py [--sizes 10000,100000,500000] [--repeats 5]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from ruralcore.rules import scoring as sc  # noqa: E402
from ruralcore.rules.programs import load_program  # noqa: E402

P = load_program("huayuan-2019")
RUBRIC = P.rubric
CODES = sc.indicator_codes(RUBRIC)


def synthetic(n: int, seed: int = 1) -> pd.DataFrame:
    """Villages with realistic values: rates 20–100 %, yes/no items 0 or 100, rounded
    to one decimal like reported percentages (so ties occur, as in real lists)."""
    rng = np.random.default_rng(seed)
    flags = {"xiangqing_net", "group_ringtone", "study_room"}
    cols = {}
    for c in CODES:
        if c in flags:
            cols[c] = rng.integers(0, 2, n) * 100.0
        elif c == "cloud_mas":
            cols[c] = rng.integers(0, 3, n) * 50.0
        else:
            cols[c] = np.round(rng.uniform(20, 100, n), 1)
    index = pd.Index([f"V{i:07d}" for i in range(n)], name="region")
    return pd.DataFrame(cols, index=index)


def run_ruralcore(values: pd.DataFrame) -> pd.DataFrame:
    return sc.score(P, values)


def run_loop(values: pd.DataFrame) -> pd.DataFrame:
    """What a spreadsheet-minded Python script does: row by row."""
    aspects = [(a.points, [(i.code, i.target) for i in a.indicators]) for a in RUBRIC.aspects]
    regions, scores = [], []
    for region, row in zip(values.index, values[CODES].to_dict("records")):
        total = 0.0
        for points, inds in aspects:
            att = 0.0
            for code, target in inds:
                v = row[code]
                if v != v:
                    v = 0.0
                att += max(min(v / target, 1.0), 0.0)
            total += points * att / len(inds)
        regions.append(region)
        scores.append(round(total, sc.DECIMALS))
    order = sorted(range(len(scores)), key=lambda k: -scores[k])
    rank = [0] * len(scores)
    prev, prev_rank = None, 0
    for pos, k in enumerate(order, 1):
        if scores[k] != prev:
            prev, prev_rank = scores[k], pos
        rank[k] = prev_rank
    award = []
    for s, r in zip(scores, rank):
        if s >= RUBRIC.pass_score:
            award.append("excellent" if r <= RUBRIC.excellent_top_n else "qualified")
        else:
            award.append("not_qualified")
    return pd.DataFrame({"region": regions, "score": scores, "rank": rank, "award": award})


def duckdb_sql() -> str:
    codes, target, w = sc.weight_vector(RUBRIC)
    terms = " + ".join(
        f"GREATEST(LEAST(COALESCE({c}, 0) / {float(t)!r}, 1.0), 0.0) * {float(wi)!r}" for c, t, wi in zip(codes, target, w))
    return f"""
        WITH s AS (SELECT region, ROUND({terms}, {sc.DECIMALS}) AS score FROM v),
             r AS (SELECT region, score, RANK() OVER (ORDER BY score DESC) AS rank FROM s)
        SELECT region, score, rank,
               CASE WHEN score >= {RUBRIC.pass_score!r} AND rank <= {RUBRIC.excellent_top_n} THEN 'excellent'
                    WHEN score >= {RUBRIC.pass_score!r} THEN 'qualified'
                    ELSE 'not_qualified' END AS award
        FROM r"""


def run_duckdb(con: duckdb.DuckDBPyConnection, sql: str) -> pd.DataFrame:
    return con.execute(sql).df()


def median_time(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def same(a: pd.DataFrame, b: pd.DataFrame, what: str) -> None:
    a = a.sort_values("region", ignore_index=True)
    b = b.sort_values("region", ignore_index=True)
    assert (a["region"].astype(str).to_numpy() == b["region"].astype(str).to_numpy()).all(), what
    np.testing.assert_allclose(a["score"].to_numpy(float), b["score"].to_numpy(float), atol=1e-6, err_msg=what)
    assert (a["rank"].to_numpy(np.int64) == b["rank"].to_numpy(np.int64)).all(), f"{what}: ranks differ"
    assert (a["award"].astype(str).to_numpy() == b["award"].astype(str).to_numpy()).all(), f"{what}: awards differ"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10000,100000,500000")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--loop-repeats", type=int, default=3, help="repeats of the slow loop")
    args = ap.parse_args()
    sql = duckdb_sql()
    threads = duckdb.execute("SELECT current_setting('threads')").fetchone()[0]
    print(f"花垣 rubric: {len(RUBRIC.aspects)} aspects, {len(CODES)} indicators; "
          f"median of {args.repeats} runs (loop: {args.loop_repeats}); duckdb {duckdb.__version__}, "
          f"threads={threads}")
    print(f"{'villages':>9} {'ruralcore':>11} {'loop':>10} {'duckdb':>10} {'loop/rc':>8} {'rc/duckdb':>10}  same")
    for n in (int(x) for x in args.sizes.split(",")):
        values = synthetic(n)
        con = duckdb.connect()
        con.register("v", values.reset_index())
        rc_out, loop_out, db_out = run_ruralcore(values), run_loop(values), run_duckdb(con, sql)
        same(rc_out, loop_out, "ruralcore vs loop")
        same(rc_out, db_out, "ruralcore vs duckdb")
        t_rc = median_time(lambda: run_ruralcore(values), args.repeats)
        t_loop = median_time(lambda: run_loop(values), args.loop_repeats)
        t_db = median_time(lambda: run_duckdb(con, sql), args.repeats)
        n_exc = int((rc_out["award"] == "excellent").sum())
        print(f"{n:>9,} {t_rc * 1000:>9.1f}ms {t_loop * 1000:>8.0f}ms {t_db * 1000:>8.1f}ms "
              f"{t_loop / t_rc:>7.1f}× {t_rc / t_db:>9.2f}  yes (excellent: {n_exc})")
        con.close()


if __name__ == "__main__":
    main()
