"""Benchmark: the municipal supervision pages and the monthly circular at city scale.

Prints the server-side time (median of several repeats) of
  load        reading 忻州's pilots, indicator states, fund entries, regions and all 12
              months of reports from the store (what the pages cache)
  board       the pilot board: every pilot's steps as of the month's end, 12 months of
              report status, indicators, money (ruralcore.app.supervision.pilot_board)
  scorecard   the county scorecard and its traffic lights from the board
  page        load + board + scorecard (a page's first, uncached run)
  circular    the whole circular from the database: load, supervise, compose, .docx
              and .xlsx bytes (ruralcore.app.circulars)
Goals: board and scorecard ≤ 1 s each, circular ≤ 3 s. No timed assertions.

The city-scale demo database (≈ 5,000 villages, 67 pilots, 12 months) is built once if
absent:  ruralcore demo --scale city --db sqlite:///data/bench/city.db

Run:  .venv/bin/python bench/bench_supervision.py [--db URL] [--period 2023-12] [--repeats 5]
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from ruralcore.app import circulars, supervision as sv  # noqa: E402
from ruralcore.rules.programs import load_program  # noqa: E402
from ruralcore.store import db  # noqa: E402

CITY_DB = ROOT / "data" / "bench" / "city.db"


def timed(fn, repeats: int):
    times, out = [], None
    for _ in range(repeats):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", default=None, help="database URL (default: the city demo in data/bench/city.db)")
    ap.add_argument("--period", default="2023-12")
    ap.add_argument("--repeats", type=int, default=5)
    a = ap.parse_args()
    url = a.db
    if url is None:
        if not CITY_DB.exists():
            print("building the city-scale demo database once …", flush=True)
            subprocess.run([sys.executable, "-m", "ruralcore", "demo", "--scale", "city", "--db",
                            f"sqlite:///{CITY_DB}"], check=True, cwd=ROOT)
        url = f"sqlite:///{CITY_DB}"
    engine = db.get_engine(url)
    prog = load_program("xinzhou-2023")
    from sqlalchemy import text
    with engine.connect() as conn:
        villages = conn.execute(text("SELECT COUNT(*) FROM regions WHERE level = 'village'")).scalar()
        reports = conn.execute(text("SELECT COUNT(*) FROM reports")).scalar()
    print(f"database: {url}  ({villages:,} villages, {reports:,} report values in all programmes)")

    t_load, data = timed(lambda: sv.load_pilot_data(engine, prog), a.repeats)
    as_of = sv.period_end(a.period)
    periods = [p for p in data.periods if p <= a.period]

    def board():
        steps = sv.step_status(prog, data.pilots, as_of)
        hist = sv.report_history(prog, periods, data.regions, data.reports)
        return sv.pilot_board(data, as_of, a.period, steps, hist)

    t_board, b = timed(board, a.repeats)
    t_card, card = timed(lambda: (sv.scorecard(b), sv.lights(prog, sv.scorecard(b))), a.repeats)
    t_page, _ = timed(lambda: sv.supervise(sv.load_pilot_data(engine, prog), a.period), a.repeats)

    def circular():
        c = circulars.build(engine, prog, a.period)
        return circulars.to_docx(c), circulars.to_xlsx(c)

    t_circ, (docx_bytes, xlsx_bytes) = timed(circular, a.repeats)
    print(f"pilots: {len(b)}, months: {len(periods)}, counties: {len(card[0]) - 1}")
    print(f"{'load':<10} {t_load:8.3f} s")
    print(f"{'board':<10} {t_board:8.3f} s   (goal ≤ 1 s)")
    print(f"{'scorecard':<10} {t_card:8.3f} s   (goal ≤ 1 s)")
    print(f"{'page':<10} {t_page:8.3f} s   (load + board + scorecard + laggards, uncached)")
    print(f"{'circular':<10} {t_circ:8.3f} s   (goal ≤ 3 s; .docx {len(docx_bytes):,} B, .xlsx {len(xlsx_bytes):,} B)")


if __name__ == "__main__":
    main()
