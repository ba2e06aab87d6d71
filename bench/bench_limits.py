"""Peak memory and time of the largest monthly report file the page accepts (issue 15).

    .venv/bin/python bench/bench_limits.py [--json]

Builds, for 花垣's village fields, the largest file within ruralcore.kernel.limits (MAX_ROWS
villages, every cell filled) as xlsx and as csv, and imports each into a fresh SQLite
database in a child process of its own, measuring that process's peak resident memory
(ru_maxrss) and the import's time. Also measures a child that only loads the libraries
(the floor every import starts from) and the refusal of a sparse 12 KB workbook with a
cell on row 1,048,000, of a compact million-row workbook and of a 40 KB workbook whose
20,000 cells refer to one 30,000-character shared string (read, 1.8 GB of text). Peak memory is the child's
VmHWM (Linux); what the file costs is the peak minus the process before the import
(libraries and an open database, about 150 MB). On SQLite the increase includes SQLite's
own page cache (up to 64 MB, ruralcore/store/db.py). Goal: every accepted file costs
under 300 MB. Prints figures (and JSON with --json); asserts nothing.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path
from ruralcore.kernel.principal import system

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

CHILD = textwrap.dedent("""
    import json, sys, time
    sys.path.insert(0, {root!r})
    from ruralcore.io import excel
    from ruralcore.kernel.errors import InputError
    from ruralcore.store import db
    def peak_mb():  # VmHWM: this process's own peak (ru_maxrss would include the parent's at fork)
        line = next(x for x in open("/proc/self/status") if x.startswith("VmHWM:"))
        return int(line.split()[1]) / 1024
    what, path, url = sys.argv[1], sys.argv[2], sys.argv[3]
    out = {{"floor_mb": round(peak_mb(), 1)}}
    if what != "floor":
        engine = db.get_engine(url)
        out["before_mb"] = round(peak_mb(), 1)  # libraries and an open database: before the file
        data = open(path, "rb").read()
        t0, c0 = time.perf_counter(), time.process_time()
        try:
            res = excel.import_file(engine, "huayuan-2019", data, "2019-06", "基准测试", name=path.rsplit("/", 1)[-1])
            out["result"] = f"导入 {{res['rows']:,}} 个村、{{res['values']:,}} 个数值"
        except InputError as e:
            out["result"] = "拒绝：" + str(e).splitlines()[0][:120]
        out["seconds"] = round(time.perf_counter() - t0, 2)
        out["cpu_seconds"] = round(time.process_time() - c0, 2)  # the import's own work, whatever else runs
    out["peak_mb"] = round(peak_mb(), 1)
    out["increase_mb"] = round(out["peak_mb"] - out.get("before_mb", out["peak_mb"]), 1)
    print(json.dumps(out, ensure_ascii=False))
""")


def child(what: str, path: str, url: str) -> dict:
    p = subprocess.run([sys.executable, "-c", CHILD.format(root=str(ROOT)), what, path, url],
                       capture_output=True, text=True, check=True)
    return json.loads(p.stdout.strip().splitlines()[-1])


def largest_files(tmp: Path) -> dict[str, Path]:
    """The largest xlsx and csv within the limits, and two hostile workbooks."""
    import numpy as np
    import pandas as pd

    from bench_store import PROGRAM, month_values, villages
    from ruralcore.kernel import limits
    from ruralcore.io.excel import layout, writer
    from ruralcore.rules.programs import load_program
    from tests.hardening import hostile

    program = load_program(PROGRAM)
    fields = layout.report_fields(program)
    regions = villages(limits.MAX_ROWS)
    wide = month_values(regions, fields, np.random.default_rng(2019))
    frame = pd.DataFrame({layout.PERIOD_COL: "2019-06", layout.CODE_COL: wide["code"], layout.NAME_COL: wide["name"]})
    for f in fields:
        frame[f.code] = wide[f.code].astype("float64")
    files = {"xlsx": tmp / "最大.xlsx", "csv": tmp / "最大.csv", "sparse": tmp / "稀疏.xlsx",
             "million": tmp / "百万行.xlsx", "shared": tmp / "长文字.xlsx"}
    files["xlsx"].write_bytes(writer.write_xlsx(program, "village", fields, frame))
    files["csv"].write_bytes(writer.write_csv(fields, frame))
    head = hostile.row(1, [layout.PERIOD_COL, layout.CODE_COL, layout.NAME_COL] + [layout.header(f) for f in fields])
    files["sparse"].write_bytes(hostile.xlsx([head, '<row r="1048000"><c r="A1048000"><v>1</v></c></row>']))
    files["million"].write_bytes(hostile.xlsx(
        [head] + [f'<row r="{r}"><c r="B{r}"><v>1</v></c></row>' for r in range(2, 1_000_002)]))
    files["shared"].write_bytes(hostile.xlsx(  # 20,000 cells that refer to one 30,000-character string
        [head] + [f'<row r="{r}">{hostile.shared_cell(f"D{r}", 0)}</row>' for r in range(2, 20_002)],
        shared=["坏" * 30_000]))
    return files, regions


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true", help="也输出 JSON")
    args = ap.parse_args()
    from ruralcore.kernel import limits
    from ruralcore.store import db
    from ruralcore.store import regions as store_regions

    print(f"机器负载（1/5/15 分钟）：{' / '.join(f'{x:.1f}' for x in os.getloadavg())}，CPU {os.cpu_count()} 个")
    print(f"上限：上传 {limits.MAX_UPLOAD_MB} MB，{limits.MAX_ROWS:,} 行，{limits.MAX_COLUMNS} 列，"
          f"{limits.MAX_CELLS:,} 个单元格，解压后 {limits.MAX_UNZIPPED_MB} MB，单元格文字 {limits.MAX_TEXT_MB} MB")
    out = {"limits": {"upload_mb": limits.MAX_UPLOAD_MB, "rows": limits.MAX_ROWS, "columns": limits.MAX_COLUMNS,
                      "cells": limits.MAX_CELLS, "unzipped_mb": limits.MAX_UNZIPPED_MB,
                      "text_mb": limits.MAX_TEXT_MB}, "files": {}}
    with tempfile.TemporaryDirectory() as tmp:
        files, regions = largest_files(Path(tmp))
        out["floor"] = child("floor", "", "")
        print(f"仅加载程序库的进程：峰值 {out['floor']['peak_mb']:.0f} MB")
        for kind, path in files.items():
            url = f"sqlite:///{Path(tmp) / f'{kind}.db'}"
            store_regions.sync_regions(db.get_engine(url), regions, user=system("基准测试"))
            db.dispose(url)
            r = child("import", str(path), url)
            r["file_mb"] = round(path.stat().st_size / 1024 / 1024, 2)
            out["files"][kind] = r
            print(f"{path.name}（{r['file_mb']} MB）：{r['result']}；{r['seconds']:.2f} s（CPU {r['cpu_seconds']:.2f} s）；进程峰值 {r['peak_mb']:.0f} MB，"
                  f"比导入前（{r['before_mb']:.0f} MB）增加 {r['increase_mb']:.0f} MB（目标 < 300 MB）")
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
