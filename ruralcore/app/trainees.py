"""银川 四(三): trainee files (学员档案) of the e-commerce training and the follow-up of
their employment (跟踪贫困人口电商就业创业进展) — table ``trainee_files``: the person (ID
and phone always shown masked in lists, as in the household archive), the village, the
course and hours, the employment state and the last follow-up.

The target “村均培训电子商务人才5人以上” (``TARGET``) is counted from the files:
:func:`target_from_files` — trainees with a file ÷ the programme's villages, judged by the
target's own operator and threshold (a count target: met or not, no amber band).
Writes go through ruralcore.store.write (audited, versioned, scope-checked on the
trainee's village).
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
import sqlalchemy as sa

from ruralcore.kernel.errors import InputError, Problem
from ruralcore.app.households import mask_id, mask_phone
from ruralcore.app.milestone_records import today_china
from ruralcore.rules.programs import load_program
from ruralcore.auth.scope import user_name
from ruralcore.store import queries, write
from ruralcore.store.models import TraineeFile

TABLE = TraineeFile.__table__
TARGET = {"yinchuan-2017": "ecommerce_trained_5"}
EMPLOYMENT = {"employed": "已就业", "self_employed": "自主创业", "seeking": "待业（跟踪中）", "": "未跟踪"}
COLUMNS = ["id", "region", "village_name", "name", "id_number", "phone", "course", "hours", "trained_on",
           "employment", "employment_label", "followed_up_on", "follow_up", "recorded_by", "version"]


def _villages(engine: sa.Engine, program_id: str) -> pd.DataFrame:
    from ruralcore.app import overview as ov
    regs = ov.region_frame(engine, program_id)
    return regs[regs["level"] == "village"]


def add(engine: sa.Engine, program_id: str, village: str, name: str, course: str, hours: float, user,
        id_number: str = "", phone: str = "", trained_on: dt.date | None = None) -> TraineeFile:
    """Open a trainee's file in ``village`` (code or name)."""
    if program_id not in TARGET:
        raise InputError(Problem(f"方案“{program_id}”没有学员档案的规定", column="方案"))
    vill = _villages(engine, program_id)
    hit = vill[(vill["code"] == str(village).strip()) | (vill["name"] == str(village).strip())]
    problems = []
    if hit.empty:
        problems.append(Problem(f"“{village}”不是{load_program(program_id).meta.short_title}的行政村", column="村"))
    if not str(name or "").strip():
        problems.append(Problem("请填写学员姓名", column="姓名"))
    try:
        hours = float(hours)
        if not 0 < hours <= 1000:
            raise ValueError
    except (TypeError, ValueError):
        problems.append(Problem(f"培训学时“{hours}”无效，应为 0–1000 之间的数", column="学时"))
    if trained_on is not None and trained_on > today_china():
        problems.append(Problem(f"培训日期 {trained_on.isoformat()} 晚于今天", column="培训日期"))
    if problems:
        raise InputError(problems, source="学员档案")
    return write.insert(engine, TraineeFile, {
        "program": program_id, "region": str(hit["code"].iat[0]), "name": name.strip(),
        "id_number": str(id_number or "").strip(), "phone": str(phone or "").strip(), "course": str(course or "").strip(),
        "hours": hours, "trained_on": trained_on, "employment": "", "follow_up": "", "recorded_by": user_name(user)},
        user)


def follow_up(engine: sa.Engine, file_id: int, employment: str, note: str, on: dt.date, expected_version: int,
              user) -> TraineeFile:
    """Record the employment follow-up of a trainee (the version the user read)."""
    if employment not in EMPLOYMENT or not employment:
        raise InputError(Problem(f"就业情况“{employment}”无效，应为：" + "、".join(
            f"{k}（{v}）" for k, v in EMPLOYMENT.items() if k), column="就业情况"))
    if on > today_china():
        raise InputError(Problem(f"跟踪日期 {on.isoformat()} 晚于今天", column="跟踪日期"))
    return write.update(engine, TraineeFile, file_id, {"employment": employment, "follow_up": str(note or "").strip(),
                                                       "followed_up_on": on}, expected_version, user)


def files(engine: sa.Engine, program_id: str, visible=None) -> pd.DataFrame:
    """The programme's trainee files (ID and phone masked): COLUMNS."""
    from ruralcore.app import overview as ov
    rows = queries.rows(engine, TABLE, program=program_id, order_by=["id"])
    out = pd.DataFrame(rows, columns=[c.name for c in TABLE.columns], dtype=object)
    if visible is not None:
        out = out[out["region"].isin(list(visible))]
    out["id_number"] = mask_id(out["id_number"]) if len(out) else out["id_number"]
    out["phone"] = mask_phone(out["phone"]) if len(out) else out["phone"]
    out["village_name"] = ov.names(ov.region_frame(engine, program_id), out["region"])
    out["employment_label"] = out["employment"].map(EMPLOYMENT).fillna(out["employment"])
    return out[COLUMNS].reset_index(drop=True)


def target_from_files(engine: sa.Engine, program_id: str) -> dict:
    """The 村均 target counted from the files: villages, trainees, per_village, threshold,
    op, met, name, ref, due."""
    program = load_program(program_id)
    t = program.target(TARGET[program_id])
    n_villages = len(_villages(engine, program_id))
    n = len(files(engine, program_id))
    per = n / n_villages if n_villages else float("nan")
    met = bool(per >= t.threshold) if t.op == ">=" else bool(per > t.threshold)
    return {"villages": n_villages, "trainees": n, "per_village": per, "threshold": t.threshold, "op": t.op,
            "met": met if n_villages else False, "name": t.name, "ref": t.ref, "due": t.due}
