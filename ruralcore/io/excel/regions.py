"""Which regions report: from the store when a database is given, else the region files."""
from __future__ import annotations

import pandas as pd

from ruralcore.rules import regions as region_files


def reporting_regions(program_id: str, level: str, engine=None) -> pd.DataFrame:
    """Columns code, name of the regions at ``level`` that report for the programme.

    The store's regions table wins when it has any region of the programme at that level;
    otherwise the region files are used (they may list none, e.g. 花垣's villages are not
    named in the document — then the template is left for the office to fill).
    """
    if engine is not None:
        from ruralcore.store import regions as store_regions
        stored = store_regions.level_regions(engine, program_id, level)
        if not stored.empty:
            return stored.astype(str).reset_index(drop=True)
    frames = [region_files.program_regions(program_id)]
    if level == "pilot":
        frames.append(_pilots(program_id))
    for df in frames:
        if df is None or df.empty:
            continue
        hit = df[df["level"] == level]
        if not hit.empty:
            out = hit[["code", "name"]].astype(str).reset_index(drop=True)
            return out.sort_values("code", kind="stable").reset_index(drop=True)
    return pd.DataFrame({"code": pd.Series(dtype=str), "name": pd.Series(dtype=str)})


def _pilots(program_id: str) -> pd.DataFrame | None:
    """Pilots report as units of their own (忻州): code = pilot_code, as the demo data stores them."""
    from pathlib import Path
    load = getattr(region_files, "load_pilots", None)
    pilots_dir = getattr(region_files, "PILOTS_DIR", None)
    if load is None or pilots_dir is None or not (Path(pilots_dir) / f"{program_id}.csv").exists():
        return None
    p = load(program_id)
    return pd.DataFrame({"code": p["pilot_code"].astype(str), "name": p["name"].astype(str), "level": "pilot"})
