"""One village's month on a phone: the form's rows, checks as the reporter types, drafts
kept on the server, the submission and whether it was on time, and a township's view of
its villages (submitted, not yet, late; who to chase).

Checks are the import's (ruralcore.app.entry.check → ruralcore.io.excel.validate: range, whole
counts, 0/1 flags, numerator ≤ denominator), applied to a one-village sheet. A submission
writes through ruralcore.app.entry.save (audited, versioned, scope-checked); a month already
submitted is refused here and changed only through 月报更正 (with a reason), so submitting
twice never makes a second version. Drafts live in ``report_drafts``, which reporting
never reads: a draft is not a submitted report.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pandas as pd

from ruralcore.app import entry, reporting
from ruralcore.kernel.errors import InputError, Problem, StaleWriteError
from ruralcore.rules.programs import Program, load_program
from ruralcore.auth.scope import user_name
from ruralcore.store import write
from ruralcore.store.models import ReportDraft

SOURCE = "手机填报"
CHINA = ZoneInfo("Asia/Shanghai")
DRAFTS = ReportDraft.__table__
FIX_HINT = "如需更改，请到“月报更正”页面填写更正理由。"


def _program(program: Program | str) -> Program:
    return load_program(program) if isinstance(program, str) else program


def now_china() -> dt.datetime:
    return dt.datetime.now(CHINA).replace(tzinfo=None)


def shift(period: str, months: int) -> str:
    y, m = map(int, period.split("-"))
    k = y * 12 + m - 1 + months
    return f"{k // 12:04d}-{k % 12 + 1:02d}"


def due_month(program: Program | str, today: dt.date) -> str:
    """The month whose report is due next: last month while its due day has not passed,
    else this month (the form opens on it)."""
    last = shift(f"{today.year:04d}-{today.month:02d}", -1)
    return last if today <= reporting.due_date(program, last) else shift(last, 1)


def due_rule(program: Program | str) -> dict:
    """The due-day setting as shown: day, clause, and the 系统默认 reason when assumed."""
    prog = _program(program)
    s = next((s for s in prog.settings if s.code == "report_due_day"), None)
    if s is None:
        return {"day": 5, "ref": "", "assumed": "方案文件没有月报截止日，系统默认次月5日"}
    return {"day": int(s.value), "ref": s.ref or "", "assumed": s.assumed or ""}


# ---- the form ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Form:
    program: str
    period: str
    village: str
    name: str
    group: str
    rows: pd.DataFrame  # code, label, name, unit, kind, min, max, step, help, last, value
    last_period: str | None = None  # the month ``last`` is from: the newest stored before ``period``


def _sheet(engine, program: Program, period: str, village: str) -> tuple[entry.Sheet, pd.Series]:
    u = entry.units(engine, program)
    hit = u[u[entry.CODE] == village]
    if hit.empty:
        raise InputError(Problem(f"“{village}”不是本方案的填报单位（{entry.unit_label(program)}）", column="村"),
                         source=SOURCE)
    unit = hit.iloc[0]
    sheet = entry.load_sheet(engine, program, period, unit["group"])
    keep = sheet.frame[entry.CODE] == village
    one = entry.Sheet(sheet.program, period, sheet.group, sheet.frame[keep].reset_index(drop=True),
                      {k: v for k, v in sheet.versions.items() if k[0] == village}, sheet.fields)
    return one, unit


def load_form(engine, program: Program | str, period: str, village: str) -> Form:
    """The village's fields for ``period``: label, unit, range, the last value reported
    before (last month's, else the newest month the programme has before ``period``:
    ``last_period``) and the value stored this month (empty before submission)."""
    from ruralcore.store import reports

    prog = _program(program)
    sheet, unit = _sheet(engine, prog, period, village)
    rules = entry.column_rules(prog)
    by_code = {f.code: f for f in entry.fields(prog)}
    before = [p for p in entry.periods(engine, prog) if p < period]
    last_period = before[-1] if before else None
    prev = reports.load_reports(engine, prog.id, [last_period]) if last_period else pd.DataFrame(
        columns=["region", "field", "value"])
    prev = prev[prev["region"] == village].set_index("field")["value"]
    now = sheet.frame.iloc[0]
    rows = pd.DataFrame({
        "code": [r.code for r in rules],
        "label": [by_code[r.code].name for r in rules],
        "unit": [by_code[r.code].unit for r in rules],
        "kind": [r.kind for r in rules],
        "min": [r.min for r in rules],
        "max": [r.max for r in rules],
        "step": [r.step for r in rules],
        "help": [r.help for r in rules],
        "last": [prev.get(r.code) for r in rules],
        "value": [now[r.code] for r in rules],
    })
    return Form(prog.id, period, village, str(unit[entry.NAME]), str(unit["group"]), rows, last_period)


def _edited(sheet: entry.Sheet, values: dict) -> pd.DataFrame:
    row = sheet.frame.iloc[[0]].copy()
    for code in sheet.fields:
        v = values.get(code)
        row[code] = "" if v is None or (isinstance(v, float) and pd.isna(v)) else str(v)
    return row.astype({c: object for c in sheet.fields}).reset_index(drop=True)


def _field_of(program: Program) -> dict[str, str]:
    """A problem's column (the template's header) → field code."""
    from ruralcore.io.excel.layout import header
    return {header(f): f.code for f in entry.fields(program)}


def check(engine, program: Program | str, period: str, village: str, values: dict) -> dict[str, list[str]]:
    """Judge the typed values with the import's rules: {field code or '': [messages]}
    (empty when every value passes). Blank fields are reported as the import would."""
    prog = _program(program)
    sheet, _ = _sheet(engine, prog, period, village)
    try:
        entry.check(sheet, _edited(sheet, values), engine=engine)
    except InputError as err:
        to_code = _field_of(prog)
        out: dict[str, list[str]] = {}
        for p in err.problems:
            msg = p.message.split("：", 1)[-1] if p.message.startswith(entry.unit_label(prog)) else p.message
            out.setdefault(to_code.get(p.column or "", ""), []).append(msg)
        return out
    return {}


# ---- submission -------------------------------------------------------------------------

def submission(engine, program: Program | str, period: str, village: str) -> dict:
    """When the village's month was submitted and whether on time: {'submitted_at' (None
    when not submitted), 'due' (date), 'on_time' (bool or None), 'rule' (due_rule)}."""
    from ruralcore.store import reports

    prog = _program(program)
    rep = reports.load_reports(engine, prog.id, [period])
    rep = rep[rep["region"] == village]
    regions = pd.DataFrame({"code": [village], "name": [village], "level": [reporting.report_level(prog)]})
    st = reporting.report_status(prog, period, regions, rep).iloc[0]
    at = None if pd.isna(st["submitted_at"]) else pd.Timestamp(st["submitted_at"]).to_pydatetime()
    return {"submitted_at": at, "due": reporting.due_date(prog, period),
            "on_time": bool(st["on_time"]) if at is not None else None, "rule": due_rule(prog)}


def submit(engine, program: Program | str, period: str, village: str, values: dict, user) -> dict:
    """Check and write the month (entry.save: audited, scope-checked, nothing written on any
    problem), then drop the draft. A month already submitted is refused: 月报更正."""
    prog = _program(program)
    # Read once: a month with any stored value is submitted. The save then expects every
    # value it writes not to exist yet (version 0), so a second 提交 that raced past this
    # check (a double tap, two phones) is refused by the store and writes nothing.
    sheet, _ = _sheet(engine, prog, period, village)
    if any(v > 0 for v in sheet.versions.values()):
        _refuse_again(engine, prog, period, village)
    try:
        result = entry.save(engine, sheet, _edited(sheet, values), user)
    except StaleWriteError:
        _refuse_again(engine, prog, period, village)
    if int(result.get("inserted", 0)) + int(result.get("updated", 0)) == 0:
        raise InputError(Problem("没有填写任何数值，未提交", column="提交"), source=SOURCE)
    draft = _draft_row(engine, prog.id, period, village)
    if draft is not None:
        write.delete(engine, ReportDraft, draft["id"], draft["version"], user)
    return {**result, **submission(engine, prog, period, village)}


def _refuse_again(engine, program: Program, period: str, village: str):
    from ruralcore.kernel.fmt import datetime_zh
    at = submission(engine, program, period, village)["submitted_at"]
    when = f"已于{datetime_zh(at)}提交" if at is not None else "已提交"
    raise InputError(Problem(f"本月{when}，不能再次提交。{FIX_HINT}", column="提交"), source=SOURCE)


# ---- drafts -----------------------------------------------------------------------------

def _draft_row(engine, program_id: str, period: str, village: str):
    from ruralcore.store import queries

    return queries.first(engine, DRAFTS, program=program_id, period=period, region=village)


def load_draft(engine, program: Program | str, period: str, village: str) -> dict | None:
    """The saved draft: {'values': {field: text}, 'saved_at', 'saved_by'} or None."""
    row = _draft_row(engine, _program(program).id, period, village)
    if row is None:
        return None
    return {"values": json.loads(row["values_json"] or "{}"), "saved_at": row["saved_at"], "saved_by": row["saved_by"]}


def save_draft(engine, program: Program | str, period: str, village: str, values: dict, user) -> None:
    """Keep the typed values on the server (audited; only inside the user's region). The
    village's own latest typing wins; a month already submitted keeps no draft."""
    prog = _program(program)
    _sheet(engine, prog, period, village)  # a known village of the programme
    if submission(engine, prog, period, village)["submitted_at"] is not None:
        return
    text = json.dumps({k: ("" if v is None else str(v)) for k, v in values.items()
                       if k in {f.code for f in entry.fields(prog)}}, ensure_ascii=False, sort_keys=True)
    row = _draft_row(engine, prog.id, period, village)
    who = user_name(user)
    if row is None:
        write.insert(engine, ReportDraft, {"program": prog.id, "period": period, "region": village,
                                           "values_json": text, "saved_by": who[:60], "saved_at": now_china()}, user)
    elif row["values_json"] != text:
        write.update(engine, ReportDraft, row["id"], {"values_json": text, "saved_by": who[:60],
                                                      "saved_at": now_china()}, row["version"], user)


# ---- a township's villages ---------------------------------------------------------------

def township_status(engine, program: Program | str, period: str, township: str) -> pd.DataFrame:
    """One row per village of ``township``: code, name, status (已提交 / 迟报 / 未提交),
    submitted_at, has_draft, reporters (the village's active 村级填报员 accounts)."""
    from ruralcore.store import queries, reports
    from ruralcore.store.models import Account

    prog = _program(program)
    vill = entry.members(engine, prog, township)
    regions = pd.DataFrame({"code": vill[entry.CODE], "name": vill[entry.NAME], "level": reporting.report_level(prog)})
    rep = reports.load_reports(engine, prog.id, [period])
    st = reporting.report_status(prog, period, regions, rep[rep["region"].isin(vill[entry.CODE])])
    people = queries.frame(engine, Account, columns=["region", "display_name", "username"],
                           within={"region": list(vill[entry.CODE])}, role="village_reporter", active=True)
    drafts = set(queries.column(engine, DRAFTS, "region", program=prog.id, period=period))
    people["who"] = people["display_name"].where(people["display_name"].astype(str).str.strip() != "", people["username"])
    names = people.groupby("region")["who"].agg(lambda s: "、".join(sorted(map(str, s))))
    status = st["late"].map({True: "迟报", False: "已提交"}).where(st["received"], "未提交")
    return pd.DataFrame({"code": st["region"], "name": st["name"], "status": status,
                         "submitted_at": st["submitted_at"], "has_draft": st["region"].isin(drafts),
                         "reporters": st["region"].map(names).astype(object).fillna("")}).reset_index(drop=True)


def reminder_text(status: pd.DataFrame, program_title: str, period: str, due: dt.date) -> str:
    """催报: the villages not yet submitted with their reporters, ready to paste into a message."""
    from ruralcore.kernel.fmt import date_zh, period_zh

    todo = status[status["status"] == "未提交"]
    if todo.empty:
        return ""
    lines = [f"【催报】{program_title}{period_zh(period)}月报截止{date_zh(due)}，以下村尚未提交，请尽快填报："]
    lines += [f"{i}. {r['name']}（填报员：{r['reporters'] or '未设账户'}）" for i, r in enumerate(todo.to_dict("records"), 1)]
    return "\n".join(lines)
