"""Demo responsibility register (table ``responsibles``): a synthetic 包点领导 for every
忻州 pilot (the county's government, a county leader) and a synthetic leader of the first
responsible department of every 谭家场 task. Names carry 演示, rows are marked demo.
Seeded: identical on every run."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ruralcore.rules.programs import load_program
from ruralcore.demo.names import person_names

SEED = 2023
COUNTY_POSTS = np.array(["副县长", "县委常委", "县人大常委会副主任", "县政协副主席"], dtype=object)
COLUMNS = ["program", "subject_kind", "subject", "subject_name", "region", "unit", "leader", "post", "phone",
           "ref", "demo", "updated_by", "version"]
BY = "演示数据生成器"


def _phones(rng: np.random.Generator, n: int) -> np.ndarray:
    return np.char.add("139", np.char.zfill(rng.integers(0, 10**8, n).astype(str), 8)).astype(object)


def records(pilots: pd.DataFrame | None, regions: pd.DataFrame) -> pd.DataFrame:
    from ruralcore.app.milestone_records import program_region
    rng = np.random.default_rng(SEED)
    parts = []
    if pilots is not None and len(pilots):
        names = regions.set_index("code")["name"]
        prog = load_program(pilots["program"].iat[0])
        ref = next((s.ref for s in prog.settings if s.code == "responsibility_ref"), "")
        n = len(pilots)
        parts.append(pd.DataFrame({
            "program": pilots["program"].to_numpy(dtype=object), "subject_kind": "pilot",
            "subject": pilots["code"].to_numpy(dtype=object), "subject_name": pilots["name"].to_numpy(dtype=object),
            "region": pilots["code"].to_numpy(dtype=object),
            "unit": (pilots["county"].map(names).fillna("") + "人民政府").to_numpy(dtype=object),
            "leader": person_names(rng, n), "post": COUNTY_POSTS[rng.integers(0, len(COUNTY_POSTS), n)],
            "phone": _phones(rng, n), "ref": ref}))
    tj = load_program("tanjiachang-2023")
    if tj.tasks:
        n = len(tj.tasks)
        parts.append(pd.DataFrame({
            "program": tj.id, "subject_kind": "task", "subject": [f"task-{t.no}" for t in tj.tasks],
            "subject_name": [f"{t.no}. {t.name}" for t in tj.tasks], "region": program_region(tj.id),
            "unit": [t.responsible[0] for t in tj.tasks], "leader": person_names(rng, n), "post": "负责人",
            "phone": _phones(rng, n), "ref": [t.ref for t in tj.tasks]}))
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=COLUMNS[:10])
    out["demo"] = True
    out["updated_by"] = BY
    out["version"] = 1
    return out[COLUMNS]
