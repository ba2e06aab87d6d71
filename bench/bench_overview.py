"""Server-side time of the county overview (ruralcore.overview) at county and province
scale, and of the overview page run by Streamlit's AppTest. Prints figures; asserts none.

    .venv/bin/python bench/bench_overview.py [--skip-province] [--repeat 3]

County: a demo database built in a temporary directory. Province (≈ 30,000 villages):
data/bench/province.db, built once when absent (the same as
`ruralcore demo --scale province --db sqlite:///data/bench/province.db`, ~3 minutes).
Goals: the overview computed in ≤ 0.5 s at county scale and ≤ 2 s at province scale,
and the twelve-month trend's first load ≤ 2 s at province scale: it reads report_totals
(migration 0006, kept by triggers); "before" sums the reports rows as it did until then.
Opening a database of an older schema upgrades it (0006 sums the stored reports once):
the time of that is printed too.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402

from ruralcore import overview as ov  # noqa: E402
from ruralcore.programs import load_program  # noqa: E402
from ruralcore.store import db, reports as store_reports  # noqa: E402
from ruralcore.principal import system

PROVINCE_DB = ROOT / "data" / "bench" / "province.db"
PROGRAM = "huayuan-2019"  # the programme the larger scales grow (extra demo counties)


def _timed(fn, repeat: int = 1):
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return out, statistics.median(times)


def build(url: str, scale: str) -> None:
    from ruralcore.demo import build_demo
    t = time.perf_counter()
    print(f"  building the {scale} demo database at {url} …", flush=True)
    build_demo(db.get_engine(url), scale)
    print(f"  built in {time.perf_counter() - t:.0f} s", flush=True)


def bench_functions(url: str, label: str, repeat: int) -> dict:
    eng = db.get_engine(url)
    prog = load_program(PROGRAM)
    rows = {}
    periods, rows["periods (store)"] = _timed(lambda: ov.periods(eng, PROGRAM))
    regions, rows["region tree (store)"] = _timed(lambda: ov.region_frame(eng, PROGRAM))
    cur, rows["load one month (store)"] = _timed(lambda: ov.load_month(eng, PROGRAM, periods[-1]))
    prev = ov.load_month(eng, PROGRAM, periods[-2])
    as_of = ov.as_of_date(eng, PROGRAM, periods)
    compute = {
        "target tiles": lambda: ov.target_tiles(prog, cur, prev, regions),
        "townships compared": lambda: ov.compare_table(prog, cur, regions),
        "ranking (score, rank, award)": lambda: ov.ranking(prog, cur, regions),
        "heatmap (worst 60)": lambda: ov.heatmap(prog, cur, regions),
        "milestones": lambda: ov.next_milestones(prog, as_of),
    }
    total = 0.0
    for name, fn in compute.items():
        _, t = _timed(fn, repeat)
        rows[name] = t
        total += t
    rows["= overview computed (frames loaded)"] = total
    # the trend: first call in this process (what a page's first load pays), then the median
    after = lambda: ov.trend_from_store(eng, prog, periods[-1])  # noqa: E731 - the page's path
    before = lambda: ov.trend_from_totals(  # noqa: E731 - summing the reports rows (until 0006)
        prog, store_reports.period_totals_from_reports(eng, PROGRAM, periods[-1]))
    new, rows["trend first load, report_totals (after)"] = _timed(after)
    old, rows["trend first load, summed over reports (before)"] = _timed(before)
    _, rows["trend, report_totals (after), median"] = _timed(after, repeat)
    _, rows["trend, summed over reports (before), median"] = _timed(before, repeat)
    pd.testing.assert_frame_equal(new, old)  # the same trend either way
    # accounts that read part of the area: their regions' sums (first call)
    from ruralcore import scope
    for role, region in (("county_admin", "433124"), ("city_supervisor", "433100")):
        with eng.connect() as conn:
            seen = sorted(scope.visible_regions(scope.Actor("bench", role, region), conn))
        _, rows[f"trend, {role} {region} ({len(seen):,} regions)"] = _timed(
            lambda: ov.trend_from_store(eng, prog, periods[-1], seen))
    print(f"\n{label}: {len(cur):,} villages, {len(periods)} months ({PROGRAM})")
    for k, v in rows.items():
        print(f"  {k:<48} {v * 1000:9.1f} ms")
    return rows


def _auditor_token(eng) -> str:
    """A session of the bench's auditor account (reads everything), made on first use."""
    from ruralcore import accounts
    name, password = "bench-auditor", "Bench-2019-cun"
    if accounts.get_account(eng, name) is None:
        accounts.create_account(eng, name, "auditor", "", password, by=system("bench"))
    return accounts.start_session(eng, accounts.authenticate(eng, name, password))


def bench_apptest(url: str, label: str) -> None:
    from streamlit.testing.v1 import AppTest
    os.environ["DATABASE_URL"] = url
    import streamlit as st
    st.cache_data.clear()
    at = AppTest.from_file(str(ROOT / "dashboards" / "app.py"), default_timeout=900)
    at.session_state["auth_token"] = _auditor_token(db.get_engine(url))  # signed in: the overview opens
    at.session_state["program"] = PROGRAM
    t = time.perf_counter()
    at.run()
    cold = time.perf_counter() - t
    t = time.perf_counter()
    at.run()
    warm = time.perf_counter() - t
    problems = len(at.exception) + len(at.error)
    print(f"  AppTest overview page, first run (cold caches)    {cold * 1000:9.1f} ms")
    print(f"  AppTest overview page, rerun (cached frames)      {warm * 1000:9.1f} ms"
          + (f"   ({problems} errors on the page!)" if problems else ""))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--skip-province", action="store_true")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'county.db'}"
        build(url, "county")
        r = bench_functions(url, "county", args.repeat)
        bench_apptest(url, "county")
        print(f"  goal ≤ 500 ms for the overview computed: {r['= overview computed (frames loaded)'] * 1000:.0f} ms")
        db.dispose_all()
    if args.skip_province:
        return
    url = f"sqlite:///{PROVINCE_DB}"
    if not PROVINCE_DB.exists():
        build(url, "province")
    else:
        t = time.perf_counter()
        db.get_engine(url)  # an older database is upgraded here (0006 sums its reports once)
        print(f"\n  opening {PROVINCE_DB.name} (upgrading its schema when older): {time.perf_counter() - t:.1f} s")
    r = bench_functions(url, "province", args.repeat)
    bench_apptest(url, "province")
    print(f"  goal ≤ 2000 ms for the overview computed: {r['= overview computed (frames loaded)'] * 1000:.0f} ms"
          f"; loading one month from SQLite: {r['load one month (store)'] * 1000:.0f} ms (store)")
    print(f"  goal ≤ 2000 ms for the trend's first load: before {r['trend first load, summed over reports (before)'] * 1000:.0f} ms"
          f" → after {r['trend first load, report_totals (after)'] * 1000:.0f} ms")


if __name__ == "__main__":
    main()
