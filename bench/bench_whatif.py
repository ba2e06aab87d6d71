"""Server-side time of one what-if change on the 假设评分 page, at county and at province
scale (花垣 rubric). Goal: ≤ 0.3 s per change. Prints figures; asserts nothing.

    .venv/bin/python bench/bench_whatif.py [--province-db URL] [--skip-province] [--apptest]

What one change costs on the server (the page's fragment reruns only this; the month's
values and the current scores are cached per month):
  - ``whatif.evaluate``: the village's new score/rank/award and every village's
    before/after (who gains or loses 达标/优秀);
  - the same with other points per aspect (re-weighting: everybody is rescored);
  - ``whatif.try_village`` alone (the single-village fast path).
Loading a month's values (once per month, then cached) is printed for reference.
The province database is data/bench/province.db (built with ``ruralcore demo --scale
province`` when absent); the county one is built in a temporary directory.
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

from ruralcore.app import entry, whatif
from ruralcore.rules import scoring  # noqa: E402
from ruralcore.rules.programs import load_program  # noqa: E402
from ruralcore.store import db  # noqa: E402

PROGRAM = "huayuan-2019"
REWEIGHT = {"shuangbai": 20, "mobile_phone": 15, "internet_4g": 0, "broadband": 30,
            "xiangqing": 10, "ringtone": 5, "cloud_mas": 10, "study_room": 10}
GOAL = 0.3


def timed(fn, repeat: int = 15) -> tuple[float, float]:
    fn()  # warm-up
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t)
    return statistics.median(runs), max(runs)


def build(url: str, scale: str) -> None:
    from ruralcore.demo import build_demo

    print(f"  正在生成{scale}规模演示库：{url}", flush=True)
    t = time.perf_counter()
    build_demo(db.get_engine(url), scale)
    print(f"  生成用时 {time.perf_counter() - t:.1f} s", flush=True)


def bench(url: str, label: str, apptest: bool) -> None:
    eng = db.get_engine(url)
    program = load_program(PROGRAM)
    period = max(entry.periods(eng, program))
    t = time.perf_counter()
    values = whatif.village_values(eng, program, period)
    t_load = time.perf_counter() - t
    scored = scoring.score(program, values)
    below = scored[scored["award"] == "not_qualified"].sort_values("rank")
    region = str((below if len(below) else scored.sort_values("rank"))["region"].iat[0])
    changes = {"home_broadband": 45.0, "phone_penetration": 75.0, "study_room": 100.0}

    one = whatif.Scenario("bench", program.id, period, region, changes)
    both = whatif.Scenario("bench", program.id, period, region, changes, REWEIGHT)
    rows = [
        ("一次单村修改（evaluate：本村+全县前后对比）", timed(lambda: whatif.evaluate(program, values, one, before=scored))),
        ("单村修改+调整分值（全县重新计分）", timed(lambda: whatif.evaluate(program, values, both, before=scored))),
        ("单村快速路径（try_village）", timed(lambda: whatif.try_village(program, values, region, changes, scored=scored))),
        ("数据版本标记（data_token，每次整页运行）", timed(lambda: entry.data_token(eng))),
    ]
    print(f"\n【{label}】{period}，{len(values):,}个村参加计分；读取当月数据并计算指标 {t_load:.3f} s（每月一次，之后缓存）")
    for name, (med, worst) in rows:
        flag = "达标" if med <= GOAL else "超出目标"
        print(f"  {name:<36} 中位数 {med * 1000:8.1f} ms   最慢 {worst * 1000:8.1f} ms   （目标 ≤ {GOAL * 1000:.0f} ms：{flag}）")
    if apptest:
        apptest_times(url, period, region)


def apptest_times(url: str, period: str, region: str) -> None:
    """Whole-page runs through AppTest (includes Streamlit's own work; an upper bound,
    since AppTest reruns the whole script where the browser reruns only the fragment)."""
    from streamlit.testing.v1 import AppTest

    from bench._signin import sign_in

    os.environ["DATABASE_URL"] = url
    at = AppTest.from_file(str(ROOT / "dashboards" / "county" / "whatif.py"), default_timeout=600)
    sign_in(at, db.get_engine(url))  # signed out, the page shows only its sign-in notice
    t = time.perf_counter()
    at.run()
    first = time.perf_counter() - t
    assert not at.exception, [e.value for e in at.exception]
    region = at.selectbox(key="wi_region").value
    runs = []
    for v in (41.0, 42.0, 43.0):
        at.number_input(key=f"wi_v_{period}_{region}_home_broadband").set_value(v)
        t = time.perf_counter()
        at.run()
        runs.append(time.perf_counter() - t)
    assert not at.exception, [e.value for e in at.exception]
    print(f"  AppTest 整页：首次打开 {first:.2f} s；修改一个数值后整页重跑 中位数 {statistics.median(runs):.2f} s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--province-db", default=f"sqlite:///{ROOT / 'data' / 'bench' / 'province.db'}")
    ap.add_argument("--skip-province", action="store_true")
    ap.add_argument("--apptest", action="store_true", help="也测整页 AppTest 运行时间")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        county = f"sqlite:///{Path(tmp) / 'county.db'}"
        build(county, "county")
        bench(county, "县级规模", args.apptest)
    if not args.skip_province:
        path = db.sa.make_url(args.province_db).database if hasattr(db, "sa") else None
        path = path or args.province_db.removeprefix("sqlite:///")
        if args.province_db.startswith("sqlite") and not Path(path).exists():
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            build(args.province_db, "province")
        bench(args.province_db, "省级规模", args.apptest)


if __name__ == "__main__":
    main()
