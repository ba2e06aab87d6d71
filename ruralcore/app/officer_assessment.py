"""融水 五(三)1: the quantitative assessment of the information officers' public-service
work (table ``officer_assessments``), one score per officer, year and item. The document
names no items or marks: they are the programme settings ``officer_assessment_item_*``
(each marked 文件未规定，系统默认, editable in the programme file). Shown beside each
officer's training hours (五(二)2). Writes through ruralcore.store.write (audited,
versioned, scope-checked on the officer's station's township).
"""
from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from ruralcore.kernel.errors import InputError, Problem, StaleWriteError
from ruralcore.rules.programs import Program, load_program
from ruralcore.auth.scope import user_name
from ruralcore.store import queries, write
from ruralcore.store.models import OfficerAssessment

TABLE = OfficerAssessment.__table__
PREFIX = "officer_assessment_item_"


def items(program: Program) -> pd.DataFrame:
    """The assessment items: code, name, max (full marks), ref, assumed."""
    rows = [{"code": s.code[len(PREFIX):], "name": s.name.split("：", 1)[-1].removesuffix("满分"),
             "max": float(s.value), "ref": s.ref, "assumed": s.assumed or ""}
            for s in program.settings if s.code.startswith(PREFIX)]
    if not rows:
        raise InputError(Problem(f"方案“{program.id}”没有信息员考核项目（{PREFIX}* 设置）", column="方案"))
    return pd.DataFrame(rows)


def assess(engine: sa.Engine, program_id: str, officer: int, year: int, scores: dict, user,
           versions: dict | None = None) -> None:
    """Set ``scores`` ({item: score}) of ``officer`` for ``year`` in one transaction.
    ``versions``: {item: version read} for items already scored (a score changed
    meanwhile → StaleWriteError, nothing written). A score outside 0..full marks or an
    unknown item is refused with its item named."""
    it = items(load_program(program_id)).set_index("code")
    problems = []
    for code, v in scores.items():
        if code not in it.index:
            problems.append(Problem(f"没有考核项目“{code}”，应为：{'、'.join(it.index)}", column="考核项目"))
            continue
        try:
            ok = 0 <= float(v) <= it.at[code, "max"]
        except (TypeError, ValueError):
            ok = False
        if not ok:
            problems.append(Problem(f"{it.at[code, 'name']}得分“{v}”无效，应为 0–{it.at[code, 'max']:g}", column=code))
    if problems:
        raise InputError(problems, source="信息员考核")
    versions = versions or {}
    with engine.begin() as conn:
        cur = {r["item"]: r for r in queries.rows(conn, TABLE, officer=int(officer), year=int(year))}
        for code, v in scores.items():
            row = cur.get(code)
            if row is None:
                if versions.get(code) is not None:
                    raise StaleWriteError(f"“{it.at[code, 'name']}”的得分已被他人清除，本次未保存，请刷新后重试。")
                write.insert(conn, OfficerAssessment, {"officer": int(officer), "year": int(year), "item": code,
                                                       "score": float(v), "assessed_by": user_name(user)}, user)
            else:
                if versions.get(code) is None:
                    raise StaleWriteError(f"“{it.at[code, 'name']}”已由 {row['assessed_by']} 评分（版本 {row['version']}），"
                                          "本次未保存，请刷新后重试。")
                write.update(conn, OfficerAssessment, row["id"], {"score": float(v), "assessed_by": user_name(user)},
                             int(versions[code]), user)


def table(engine: sa.Engine, program_id: str, year: int, visible=None) -> pd.DataFrame:
    """One row per officer of the programme: officer, name, station, township, training_hours
    (that year), one column per item (score_<code>), total, and the versions (version_<code>)."""
    from ruralcore.app import overview as ov
    program = load_program(program_id)
    it = items(program)
    sp = ov.load_stations(engine, program_id, year)
    st, off = sp["stations"], sp["officers"]
    if st is None:
        return pd.DataFrame(columns=["officer", "name", "station", "township", "training_hours", "total"])
    if visible is not None:
        st = ov.stations_within(st, visible)
        off = off[off["station"].isin(st["station"])]
    out = off[["officer", "name", "station", "training_hours"]].copy()
    out["township"] = out["station"].map(st.set_index("station")["township"])
    rows = queries.frame(engine, TABLE, columns=["officer", "item", "score", "version"], year=int(year))
    for code in it["code"]:
        mine = rows[rows["item"] == code].set_index("officer")
        out[f"score_{code}"] = out["officer"].map(mine["score"])
        out[f"version_{code}"] = out["officer"].map(mine["version"])
    scored = out[[f"score_{c}" for c in it["code"]]]
    out["total"] = scored.sum(axis=1, min_count=1)
    return out.reset_index(drop=True)
