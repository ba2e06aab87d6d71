"""The county overview (总览) at county, province or national scale: the page's first load in
a fresh process and its rerun (run by Streamlit's AppTest, signed in as a bench auditor
account who reads everything), and the store reads and the what-if change under it.

    .venv/bin/python bench/bench_overview.py --scale county|province|national [--db URL] [--json]

Databases: county builds a demo database in a temporary directory (or uses --db);
province uses data/bench/province.db, built once when absent (the same as
`ruralcore demo --scale province --db sqlite:///data/bench/province.db`, a few minutes);
national needs --db postgresql+psycopg://… holding `ruralcore demo --scale national`.

--json prints ONE JSON object with exactly these keys (seconds are medians of --repeat runs,
except first_page_s):
  villages       villages in the programme's latest month
  first_page_s   the overview page's first run in a fresh Python process: empty caches, no
                 connection yet; imports, the programme files and Streamlit's setup done
                 before the clock starts, as in a started server (their time is printed
                 without --json)
  rerun_s        the same page run again in that process (cached frames)
  month_load_s   ruralcore.app.overview.load_month of the latest month (what the page reads)
  region_tree_s  ruralcore.app.overview.region_frame (the region tree)
  whatif_s       one what-if change: ruralcore.app.whatif.evaluate of one village over every village
  peak_mib       the page process's peak resident memory (MiB)
Without --json it prints the same in words, and the overview's computations one by one.
Issue 18's goals: county first page ≤ 0.3 s; province first page ≤ 1.0 s and month load
≤ 0.15 s (SQLite); national first page ≤ 3 s and what-if change ≤ 0.3 s (PostgreSQL).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ruralcore.app import overview as ov  # noqa: E402
from ruralcore.rules.programs import load_program  # noqa: E402
from ruralcore.store import db  # noqa: E402

PROVINCE_DB = ROOT / "data" / "bench" / "province.db"
PROGRAM = "huayuan-2019"  # the programme the larger scales grow (extra demo counties)
SCALES = ("county", "province", "national")


def _median(fn, repeat: int):
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return out, statistics.median(times)


def _say(quiet: bool, text: str) -> None:
    if not quiet:
        print(text, flush=True)


def database(scale: str, url: str | None, tmp: str, quiet: bool) -> str:
    """The URL to measure: --db, else a temporary county / the kept province database."""
    if scale == "national" and not (url or "").startswith("postgresql"):
        sys.exit("全国规模需要 PostgreSQL：--db postgresql+psycopg://…（先运行 ruralcore demo --scale national --db …）")
    if url:
        return url
    if scale == "county":
        url = f"sqlite:///{Path(tmp) / 'county.db'}"
    else:
        url = f"sqlite:///{PROVINCE_DB}"
        if PROVINCE_DB.exists():
            return url
        PROVINCE_DB.parent.mkdir(parents=True, exist_ok=True)
    from ruralcore.demo import build_demo
    t = time.perf_counter()
    _say(quiet, f"  building the {scale} demo database at {url} …")
    build_demo(db.get_engine(url), scale)
    _say(quiet, f"  built in {time.perf_counter() - t:.0f} s")
    db.dispose(url)
    return url


def page_runs(url: str) -> dict:
    """The overview page in a fresh process: first run, rerun, peak memory (child's JSON)."""
    out = subprocess.run([sys.executable, __file__, "--page-child", url], capture_output=True, text=True,
                         cwd=ROOT, env=dict(os.environ, DATABASE_URL=url))
    if out.returncode != 0:
        raise SystemExit(f"the page process failed:\n{out.stderr[-4000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _page_child(url: str) -> None:
    """Run in the fresh process: the app signed in as the bench auditor, on 总览."""
    import importlib
    import pkgutil
    import resource

    t = time.perf_counter()
    from streamlit.testing.v1 import AppTest

    import dashboards.ui
    from bench._signin import sign_in

    # What a started server has done before its first visitor, and what does not grow with the
    # data, happens before the clock starts: the libraries and the pages' shared modules are
    # imported, the programme files parsed, Streamlit's runtime set up (a trivial script run).
    # The first page then pays for its data: empty caches, no database connection yet.
    for mod in ["plotly.graph_objects", "plotly.express", "ruralcore.app.overview", "ruralcore.app.forecast",
                "ruralcore.rules.stations", "ruralcore.app.whatif"] + [
            f"dashboards.ui.{m.name}" for m in pkgutil.iter_modules(dashboards.ui.__path__)]:
        importlib.import_module(mod)
    from ruralcore.rules.programs import all_programs
    all_programs()
    warm = AppTest.from_string("import streamlit as st\nst.write('')").run()
    imports = time.perf_counter() - t
    at = AppTest.from_file(str(ROOT / "dashboards" / "app.py"), default_timeout=900)
    # A started server scans the installed packages for components once, when its runtime
    # starts (streamlit.runtime.Runtime); AppTest scans again for each instance: reuse the scan.
    at._bidi_component_manager = warm._bidi_component_manager
    sign_in(at, db.get_engine(url))
    at.session_state["program"] = PROGRAM
    t = time.perf_counter()
    at.run()
    first = time.perf_counter() - t
    reruns = []
    for _ in range(3):
        t = time.perf_counter()
        at.run()
        reruns.append(time.perf_counter() - t)
    problems = [str(e.value)[:200] for e in at.exception] + [str(e.value)[:200] for e in at.error]
    title = [str(h.value) for h in at.title][:1]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB
    print(json.dumps({"imports_s": imports, "first_page_s": first, "rerun_s": statistics.median(reruns), "peak_mib": peak,
                      "problems": problems, "title": title}))


def store_reads(url: str, repeat: int) -> dict:
    """The reads under the page and one what-if change, in this process (medians)."""
    from ruralcore.rules import scoring
    from ruralcore.app import whatif

    eng = db.get_engine(url)
    prog = load_program(PROGRAM)
    periods = ov.periods(eng, PROGRAM)
    _, tree = _median(lambda: ov.region_frame(eng, PROGRAM), repeat)
    month, load = _median(lambda: ov.load_month(eng, PROGRAM, periods[-1]), repeat)
    values = whatif.village_values(eng, prog, periods[-1])
    scored = scoring.score(prog, values)
    below = scored[scored["award"] == "not_qualified"].sort_values("rank")
    region = str((below if len(below) else scored.sort_values("rank"))["region"].iat[0])
    one = whatif.Scenario("bench", prog.id, periods[-1], region,
                          {"home_broadband": 45.0, "phone_penetration": 75.0, "study_room": 100.0})
    whatif.evaluate(prog, values, one, before=scored)  # warm-up
    _, change = _median(lambda: whatif.evaluate(prog, values, one, before=scored), max(repeat, 5))
    return {"villages": int(len(values)), "month_rows": int(len(month)), "period": periods[-1],
            "month_load_s": load, "region_tree_s": tree, "whatif_s": change}


def computations(url: str, repeat: int) -> None:
    """The overview's computations one by one (frames already loaded), in words."""
    eng = db.get_engine(url)
    prog = load_program(PROGRAM)
    periods = ov.periods(eng, PROGRAM)
    regions = ov.region_frame(eng, PROGRAM)
    cur = ov.load_month(eng, PROGRAM, periods[-1])
    prev = ov.load_month(eng, PROGRAM, periods[-2]) if len(periods) > 1 else cur
    steps = {
        "target tiles": lambda: ov.target_tiles(prog, cur, prev, regions),
        "townships compared": lambda: ov.compare_table(prog, cur, regions),
        "ranking (score, rank, award)": lambda: ov.ranking(prog, cur, regions),
        "heatmap (worst 60)": lambda: ov.heatmap(prog, cur, regions),
        "trend (report_totals)": lambda: ov.trend_from_store(eng, prog, periods[-1]),
    }
    for name, fn in steps.items():
        _, t = _median(fn, repeat)
        print(f"  {name:<40} {t * 1000:9.1f} ms")


GOALS = {"county": {"first_page_s": 0.3},
         "province": {"first_page_s": 1.0, "month_load_s": 0.15},
         "national": {"first_page_s": 3.0, "whatif_s": 0.3}}
LABELS = {"first_page_s": "first page (fresh process, AppTest, signed in)", "rerun_s": "page rerun",
          "month_load_s": "load one month (ruralcore.app.overview.load_month)",
          "region_tree_s": "region tree (ruralcore.app.overview.region_frame)", "whatif_s": "one what-if change"}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", choices=SCALES, default="county")
    ap.add_argument("--db", default=None, help="database URL (national: postgresql+psycopg://…)")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--page-child", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.page_child:
        return _page_child(args.page_child)
    with tempfile.TemporaryDirectory() as tmp:
        url = database(args.scale, args.db, tmp, args.json)
        from ruralcore.store import analytics
        t = time.perf_counter()  # a database from before the analytics tables: built once, here
        built = analytics.ensure(db.get_engine(url))
        _say(args.json or not built, f"  analytics tables built for {built} months in {time.perf_counter() - t:.1f} s")
        db.dispose(url)
        page = page_runs(url)
        if page["problems"]:
            raise SystemExit(f"the overview page showed errors: {page['problems']}")
        reads = store_reads(url, args.repeat)
        result = {"villages": reads["villages"], "first_page_s": round(page["first_page_s"], 3),
                  "rerun_s": round(page["rerun_s"], 3), "month_load_s": round(reads["month_load_s"], 3),
                  "region_tree_s": round(reads["region_tree_s"], 3), "whatif_s": round(reads["whatif_s"], 3),
                  "peak_mib": round(page["peak_mib"], 1)}
        if args.json:
            print(json.dumps(result))
            return
        print(f"\n{args.scale}: {result['villages']:,} villages, {reads['period']} ({PROGRAM}), "
              f"{db.get_engine(url).dialect.name}")
        for key, label in LABELS.items():
            goal = GOALS[args.scale].get(key)
            verdict = "" if goal is None else f"   goal ≤ {goal * 1000:.0f} ms: {'met' if result[key] <= goal else 'NOT met'}"
            print(f"  {label:<48} {result[key] * 1000:9.1f} ms{verdict}")
        print(f"  {'peak memory of the page process':<48} {result['peak_mib']:9.1f} MiB")
        print(f"  {'(imports, programme files, before the clock)':<48} {page['imports_s'] * 1000:9.1f} ms")
        print("  the overview's computations (frames loaded):")
        computations(url, args.repeat)
        db.dispose_all()


if __name__ == "__main__":
    main()
