"""The responsibility register (table ``responsibles``): for each subject of a programme —
a pilot (忻州 三(二) 包点领导责任清单), a key task (谭家场 三、四6 责任部门), a township, a
station — the responsible unit and its leader, post and phone.

Writes go through ruralcore.store.write: one transaction, audited, versioned (an update
carries the version the user read; a moved version is refused), scope-checked (a county
admin writes the subjects inside its county; the row's ``region`` is the subject's).
Reading keeps the rows inside the reader's regions and masks the phone (138****5678)
unless the role sees personal data (ruralcore.auth.scope.sees_pii).
"""
from __future__ import annotations

import io
import re

import numpy as np
import pandas as pd
import sqlalchemy as sa

from ruralcore.auth import scope
from ruralcore.kernel.errors import InputError, Problem, StaleWriteError
from ruralcore.app.households import mask_phone
from ruralcore.rules.programs import Program, load_program
from ruralcore.store import queries, registers, write
from ruralcore.store.models import Responsible

TABLE = Responsible.__table__
KINDS = {"pilot": "试点", "task": "重点任务", "township": "乡镇", "station": "益农信息社", "target": "目标任务"}
COLUMNS = ["subject", "subject_kind", "subject_name", "region", "unit", "leader", "post", "phone", "ref",
           "demo", "id", "version"]
# the register's columns as a person reads and types them (template, import, page)
HEADERS = {"subject": "对象代码", "subject_name": "对象名称", "unit": "责任单位", "leader": "责任领导",
           "post": "职务", "phone": "联系电话"}
PHONE = re.compile(r"^[0-9][0-9-]{6,19}$")
SETTING = "responsibility_ref"  # programme setting: the clause requiring the register


def task_code(no) -> str:
    return f"task-{int(no)}"


def _ref(program: Program) -> str:
    try:
        s = next(s for s in program.settings if s.code == SETTING)
    except StopIteration:
        return ""
    return s.ref or ""


def subjects(engine: sa.Engine, program_id: str) -> pd.DataFrame:
    """Every subject of the programme that can carry a responsible: subject, subject_kind,
    subject_name, region, ref (the clause asking for it)."""
    program = load_program(program_id)
    ref = _ref(program)
    parts = []
    pil, st, towns = registers.responsibility_sources(engine, program_id)
    if len(pil):  # a pilot is a region of its own (level pilot, under its county)
        parts.append(pd.DataFrame({"subject": pil["code"], "subject_kind": "pilot", "subject_name": pil["name"],
                                   "region": pil["code"], "ref": ref}))
    if program.tasks:
        from ruralcore.app.milestone_records import program_region
        parts.append(pd.DataFrame({
            "subject": [task_code(t.no) for t in program.tasks], "subject_kind": "task",
            "subject_name": [f"{t.no}. {t.name}" for t in program.tasks],
            "region": program_region(program_id), "ref": [t.ref for t in program.tasks]}))
    if len(towns):
        parts.append(pd.DataFrame({"subject": towns["code"], "subject_kind": "township", "subject_name": towns["name"],
                                   "region": towns["code"], "ref": ref}))
    if len(st):
        parts.append(pd.DataFrame({"subject": st["number"], "subject_kind": "station",
                                   "subject_name": st["number"] + "（" + st["village"].fillna("") + "益农信息社）",
                                   "region": st["region"].replace("", np.nan).fillna(st["township"]), "ref": ref}))
    cols = ["subject", "subject_kind", "subject_name", "region", "ref"]
    if not parts:
        return pd.DataFrame(columns=cols)
    return pd.concat(parts, ignore_index=True)[cols].astype(object)


def register(engine: sa.Engine, program_id: str, user: scope.Actor = scope.SYSTEM) -> pd.DataFrame:
    """The stored register (COLUMNS), the rows inside ``user``'s regions (the system: all);
    the phone masked unless ``user`` sees personal data."""
    with engine.connect() as conn:
        rows = queries.rows(conn, TABLE, columns=COLUMNS, program=program_id, order_by=["subject"])
        seen = scope.visible_regions(user, conn)
    out = pd.DataFrame(rows, columns=COLUMNS, dtype=object)
    out = scope.keep_visible(out, seen, "region").reset_index(drop=True)
    if len(out) and not scope.sees_pii(user):
        out["phone"] = mask_phone(out["phone"])
    return out


def leaders(engine: sa.Engine, program_id: str, user: scope.Actor = scope.SYSTEM) -> pd.DataFrame:
    """subject → unit, leader, post, phone (masked as register()), and ``text``: the
    one-line naming used by laggards, scorecards and the circular (单位 · 姓名（职务）)."""
    r = register(engine, program_id, user).set_index("subject")
    r["text"] = leader_text(r)
    return r


def leader_text(frame: pd.DataFrame) -> pd.Series:
    post = frame["post"].fillna("").astype(str)
    return (frame["unit"].astype(str) + " · " + frame["leader"].astype(str)
            + np.where(post != "", "（" + post + "）", ""))


def _clean(v) -> str:
    return "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v).strip()


def check_rows(engine: sa.Engine, program_id: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Validate register rows (columns subject, unit, leader, post, phone; the row numbers
    are ``frame.attrs['rows']``, else the position + ``frame.attrs.get('first_row', 1)``): every problem at once
    with its row and column, else the rows joined with their subject (kind, name, region,
    ref)."""
    known = subjects(engine, program_id).set_index("subject")
    first = int(frame.attrs.get("first_row", 1))
    numbers = frame.attrs.get("rows") or list(range(first, first + len(frame)))
    problems: list[Problem] = []
    rows = []
    seen: dict[str, int] = {}
    for n, r in zip(numbers, frame.to_dict("records")):
        code = _clean(r.get("subject"))
        vals = {k: _clean(r.get(k)) for k in ("unit", "leader", "post", "phone")}
        if not code:
            problems.append(Problem("对象代码不能为空", row=n, column=HEADERS["subject"]))
        elif code not in known.index:
            problems.append(Problem(f"对象代码“{code}”不是本方案的试点、任务、乡镇或站点", row=n,
                                    column=HEADERS["subject"]))
        elif code in seen:
            problems.append(Problem(f"对象代码“{code}”与第{seen[code]}行重复", row=n, column=HEADERS["subject"]))
        else:
            seen[code] = n
        for k in ("unit", "leader"):
            if not vals[k]:
                problems.append(Problem(f"{HEADERS[k]}不能为空", row=n, column=HEADERS[k]))
            elif len(vals[k]) > 60:
                problems.append(Problem(f"{HEADERS[k]}过长（{len(vals[k])}字，最多60字）", row=n, column=HEADERS[k]))
        if len(vals["post"]) > 60:
            problems.append(Problem(f"职务过长（{len(vals['post'])}字，最多60字）", row=n, column=HEADERS["post"]))
        if vals["phone"] and not PHONE.match(vals["phone"]):
            problems.append(Problem(f"联系电话“{vals['phone']}”无效：应为7–20位数字（可含连字符）", row=n,
                                    column=HEADERS["phone"]))
        if code in known.index:
            k = known.loc[code]
            rows.append({"subject": code, "subject_kind": k["subject_kind"], "subject_name": k["subject_name"],
                         "region": k["region"], "ref": k["ref"], **vals})
    if problems:
        raise InputError(problems, source="责任清单")
    return pd.DataFrame(rows)


def save(engine: sa.Engine, program_id: str, rows: pd.DataFrame, user,
         expected: dict[str, int | None] | None = None, demo: bool = False) -> int:
    """Insert or update register rows in one transaction (every row checked first, every
    change audited, the scope checked for each row's region). ``expected``: subject → the
    version the user read (None: read none); a subject whose stored version differs →
    StaleWriteError and nothing is written. Without ``expected`` (an Excel import), each
    row replaces what is stored. Returns rows written."""
    good = check_rows(engine, program_id, rows)
    if not len(good):
        return 0
    name = scope.user_name(user)
    n = 0
    with engine.begin() as conn:
        cur = {r["subject"]: r for r in queries.rows(
            conn, TABLE, program=program_id, within={"subject": list(good["subject"])})} if len(good) else {}
        for r in good.to_dict("records"):
            old = cur.get(r["subject"])
            values = {k: r[k] for k in ("subject_kind", "subject_name", "region", "unit", "leader", "post", "phone",
                                        "ref")}
            values["updated_by"] = name
            if expected is not None and r["subject"] in expected:
                want = expected[r["subject"]]
                have = None if old is None else int(old["version"])
                if want != have:
                    who = f"已由 {old['updated_by'] or '他人'} 改为版本 {have}" if old is not None else "已被他人删除"
                    raise StaleWriteError(f"“{r['subject_name']}”的责任人{who}（您读取的是版本 {want}），"
                                          "本次未保存，请刷新后重试。")
            if old is None:
                write.insert(conn, Responsible, {"program": program_id, "subject": r["subject"], "demo": demo,
                                                 **values}, user)
            else:
                write.update(conn, Responsible, old["id"], {**values, "demo": demo}, int(old["version"]), user)
            n += 1
    return n


# ---- Excel: the template and its import -----------------------------------------------------

SHEET = "责任清单"
SHEET_COLUMNS = ["subject", "subject_kind", "subject_name", "unit", "leader", "post", "phone", "ref"]
SHEET_HEADERS = {**HEADERS, "subject_kind": "对象类别", "ref": "依据条款"}


def template(engine: sa.Engine, program_id: str, user: scope.Actor = scope.SYSTEM) -> bytes:
    """The register as a workbook: one row per subject inside ``user``'s regions, filled
    with what is stored (phone masked as register() shows it); 对象代码 and the columns
    after 对象名称 are what an import reads."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from ruralcore.kernel.cellsafe import neutralise_text

    subj = subjects(engine, program_id)
    with engine.connect() as conn:
        seen = scope.visible_regions(user, conn)
    subj = scope.keep_visible(subj, seen, "region")
    reg = register(engine, program_id, user).set_index("subject")
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws.append([SHEET_HEADERS[c] for c in SHEET_COLUMNS])
    for c in ws[1]:
        c.font = Font(bold=True)
    for r in subj.to_dict("records"):
        have = reg.loc[r["subject"]] if r["subject"] in reg.index else None
        row = [r["subject"], KINDS.get(r["subject_kind"], r["subject_kind"]), r["subject_name"]]
        row += ["" if have is None else have[c] for c in ("unit", "leader", "post", "phone")] + [r["ref"]]
        ws.append([neutralise_text(v) for v in row])
    for col, width in zip("ABCDEFGH", (16, 10, 30, 24, 14, 14, 16, 12)):
        ws.column_dimensions[col].width = width
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def read_workbook(data: bytes, source: str = "责任清单") -> pd.DataFrame:
    """The rows of a filled template (refused before parsing when too large, as月报 files),
    columns subject, unit, leader, post, phone; first_row = 2 (the header is row 1)."""
    from ruralcore.io.excel import guard

    guard.check_upload(data, source)
    guard.check_xlsx(data, source, SHEET)
    try:
        raw = pd.read_excel(io.BytesIO(data), sheet_name=0, dtype=str, engine="calamine")
    except Exception:
        raise InputError(Problem("不是有效的 Excel 工作簿（.xlsx），请用下载的责任清单模板填写"), source=source) from None
    names = {v: k for k, v in SHEET_HEADERS.items()}
    missing = [SHEET_HEADERS[c] for c in ("subject", "unit", "leader") if SHEET_HEADERS[c] not in raw.columns]
    if missing:
        raise InputError([Problem(f"缺少列“{m}”（请用下载的责任清单模板）", column=m) for m in missing], source=source)
    frame = raw.rename(columns=names)
    frame = frame[[c for c in ("subject", "unit", "leader", "post", "phone") if c in frame.columns]]
    frame = frame.fillna("")
    frame.attrs["first_row"] = 2
    return frame


def import_workbook(engine: sa.Engine, program_id: str, data: bytes, user) -> int:
    """Import a filled template: every row checked (row and column named), all written in
    one audited transaction or none. Rows whose responsible fields are all empty are
    subjects not yet assigned and are skipped; a masked phone (138****5678) keeps the
    stored number."""
    frame = read_workbook(data)
    empty = (frame[["unit", "leader"] + [c for c in ("post", "phone") if c in frame.columns]]
             .astype(str).apply(lambda s: s.str.strip()) == "").all(axis=1)
    first = frame.attrs["first_row"]
    keep = frame[~empty.to_numpy()].copy()
    rows = keep.reset_index()
    if "phone" in rows.columns and len(rows):
        stored = register(engine, program_id).set_index("subject")["phone"]
        masked = rows["phone"].astype(str).str.contains(r"\*", regex=True)
        rows.loc[masked, "phone"] = rows.loc[masked, "subject"].map(stored).fillna(rows.loc[masked, "phone"])
    if not len(rows):
        raise InputError(Problem("责任清单中没有填写任何责任单位和责任领导"), source="责任清单")
    return save(engine, program_id, _numbered(rows, first), user)


def _numbered(rows: pd.DataFrame, first: int) -> pd.DataFrame:
    """Keep the sheet's row numbers in problems when blank rows were skipped."""
    out = rows.drop(columns=["index"])
    out.attrs["rows"] = (rows["index"] + first).tolist()
    return out
