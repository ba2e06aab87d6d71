"""逐级查看 (drill-down) at county, province or national scale, clicked as an official clicks
it, in one signed-in AppTest session of a fresh process: the page opens (a province or the
country: its counties), then a county is chosen, one of its townships, one of its villages.

    .venv/bin/python bench/bench_drilldown.py --scale county|province|national [--db URL] [--json]

Databases as bench_overview.py (county: a temporary demo; province: data/bench/province.db;
national: --db postgresql+psycopg://… holding `ruralcore demo --scale national`).

--json prints ONE JSON object: villages, counties (counties the account chooses among),
open_s (the page's first run: its caches empty; imports and Streamlit's setup before the
clock), county_s, township_s, village_s (each click's rerun: medians over --repeat
different counties), up_s (↑ 返回上一级 from the village). Issue 18's goal: national
drill-down to one county ≤ 1 s (county_s).
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
sys.path.insert(0, str(ROOT / "bench"))

PROGRAM = "huayuan-2019"
PAGE = ROOT / "dashboards" / "county" / "drilldown.py"
GOALS = {"national": {"county_s": 1.0}}


def _offered(at, key: str, named) -> str:
    """The code of the first region the selector offers (AppTest reads its options as shown)."""
    by_name = {n: c for c, n in named.items()}
    return next(by_name[o] for o in at.selectbox(key=key).options if o in by_name)


def _child(url: str, repeat: int) -> None:
    """In the fresh process: the clicks, timed; one JSON line."""
    import plotly.graph_objects  # noqa: F401  (a started server has imported these)
    from streamlit.testing.v1 import AppTest

    import dashboards.ui.data  # noqa: F401
    from _signin import sign_in
    from ruralcore.app import areas
    from ruralcore.app import overview as ov
    from ruralcore.store import db

    warm = AppTest.from_string("import streamlit as st\nst.write('')").run()
    eng = db.get_engine(url)
    regions = ov.region_frame(eng, PROGRAM)
    counties = list(areas.below(regions, None, "county").index)
    at = sign_in(AppTest.from_file(str(PAGE), default_timeout=900), eng)
    at._bidi_component_manager = warm._bidi_component_manager  # scanned once, as a started server does
    at.session_state["program"] = PROGRAM

    def timed(step) -> float:
        t = time.perf_counter()
        step()
        if at.exception or at.error:
            raise SystemExit(f"逐级查看 showed errors: {[e.message for e in at.exception]} {[e.value for e in at.error]}")
        return time.perf_counter() - t

    out = {"open_s": timed(at.run), "county_s": [], "township_s": [], "village_s": [], "up_s": []}
    keys = {s.key for s in at.selectbox}
    for county in counties[:: max(1, len(counties) // repeat)][:repeat]:
        if "dd_area_county" in keys:
            out["county_s"].append(timed(lambda: at.selectbox(key="dd_area_county").set_value(county).run()))
        town = _offered(at, "dd_town", areas.below(regions, county, "township"))
        out["township_s"].append(timed(lambda: at.selectbox(key="dd_town").set_value(town).run()))
        village = _offered(at, "dd_unit", areas.below(regions, town, "village"))
        out["village_s"].append(timed(lambda: at.selectbox(key="dd_unit").set_value(village).run()))
        out["up_s"].append(timed(lambda: at.button(key="dd_up").click().run()))
        shown = [s.value for s in at.subheader]
        if not any(str(regions.at[town, "name"]) in s for s in shown):  # ↑ from the village: its township
            raise SystemExit(f"↑ did not return to the township: {shown}")
    villages = len(areas.below(regions, None, "village"))
    print(json.dumps({"villages": villages, "counties": len(counties),
                      **{k: round(statistics.median(v), 3) if isinstance(v, list) else round(v, 3)
                         for k, v in out.items() if v != []}}))


def main() -> None:
    from bench_overview import database

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", choices=("county", "province", "national"), default="county")
    ap.add_argument("--db", default=None)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        return _child(args.child, args.repeat)
    with tempfile.TemporaryDirectory() as tmp:
        url = database(args.scale, args.db, tmp, args.json)
        run = subprocess.run([sys.executable, __file__, "--child", url, "--repeat", str(args.repeat)],
                             capture_output=True, text=True, cwd=ROOT, env=dict(os.environ, DATABASE_URL=url))
        if run.returncode != 0:
            raise SystemExit(f"the page process failed:\n{run.stderr[-4000:]}")
        result = json.loads(run.stdout.strip().splitlines()[-1])
    if args.json:
        print(json.dumps(result))
        return
    print(f"{args.scale}: {result['villages']:,} villages, {result['counties']:,} counties ({PROGRAM})")
    for key in ("open_s", "county_s", "township_s", "village_s", "up_s"):
        if key in result:
            goal = GOALS.get(args.scale, {}).get(key)
            verdict = "" if goal is None else f"   goal ≤ {goal * 1000:.0f} ms: {'met' if result[key] <= goal else 'NOT met'}"
            print(f"  {key:<12} {result[key] * 1000:9.1f} ms{verdict}")


if __name__ == "__main__":
    main()
