"""督办 notices (table ``notices``): see → assign → notify → reply → close.

A supervisor issues a notice about a laggard subject (a pilot, a task, a township, a
station) to the unit one level below its own on the way to the subject — a city
supervisor to the county, a county admin to the township — addressed to the responsible
unit and leader of the register (ruralcore.app.responsibility). The notice holds the items
behind with their clauses, a reply deadline in working days on the official calendar
(ruralcore.rules.workdays: holidays and make-up working days) and a serial number per
programme and year (忻乡振督〔2023〕3号). The unit addressed replies (measures, expected
completion, attachment names); the issuer closes it or sends it back (a new deadline of
the same number of working days from that day).

States: issued → replied → closed, or returned (→ replied again); an issued or returned
notice past its reply deadline is shown as overdue (逾期未答复). Every write is one
transaction, audited, versioned (the version the user read) and scope-checked twice: the
table's region rule (ruralcore.auth.scope) and the direction rule here (who issues, who
replies, who closes).
"""
from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import sqlalchemy as sa

from ruralcore.auth import scope
from ruralcore.kernel.errors import InputError, PermissionDenied, Problem, StaleWriteError
from ruralcore.app.milestone_records import today_china
from ruralcore.rules.programs import Program, load_program
from ruralcore.store import queries, write
from ruralcore.store.models import Notice
from ruralcore.rules.workdays import add_workdays, count_workdays

TABLE = Notice.__table__
ISSUERS = frozenset({"city_supervisor", "county_admin"})
REPLIERS = frozenset({"county_admin", "township_officer"})
STATE_LABELS = {"issued": "已下发待答复", "replied": "已答复待办结", "closed": "已办结", "returned": "已退回重办",
                "overdue": "逾期未答复"}
OPEN = ("issued", "returned")
MAX_DUE_DAYS = 60
LIST_COLUMNS = ["number", "subject", "subject_name", "unit", "leader", "state", "state_label", "issued_on", "due",
                "days_left", "replied_on", "closed_on", "reason", "reply_text", "expected_on", "attachments",
                "return_note", "issued_by", "replied_by", "closed_by", "from_region", "to_region", "region",
                "items", "program", "due_days", "id", "version"]


def _setting(program: Program, code: str):
    return next((s for s in program.settings if s.code == code), None)


def prefix(program: Program) -> str:
    """The notice number's prefix: the programme's ``notice_prefix`` setting, else its 文号's
    office with 督 (忻乡振发 → 忻乡振督)."""
    s = _setting(program, "notice_prefix")
    if s is not None:
        return str(s.value)
    from ruralcore.kernel.fmt import doc_prefix
    return doc_prefix(program)[:-1] + "督"


def default_due_days(program: Program) -> tuple[int, object]:
    """(working days to reply, the setting) — ``notice_reply_days``; 5 when absent."""
    s = _setting(program, "notice_reply_days")
    return (int(s.value) if s is not None else 5), s


def number_text(program: Program, year: int, seq: int) -> str:
    return f"{prefix(program)}〔{year}〕{seq}号"


def _actor(user, roles: frozenset[str], what: str) -> scope.Actor:
    if not scope.is_actor(user):
        raise PermissionDenied(f"{what}须以账户的名义进行（指明角色和区域），本次未写入任何数据。")
    if user.role not in roles:
        raise PermissionDenied(f"无权限：{user.name}（{user.role_label}）不能{what}，本次未写入任何数据。")
    return user


def _tree(conn):
    return scope.region_tree(conn)


def addressee(tree: pd.DataFrame, actor_region: str, subject_region: str) -> str | None:
    """The region one level below ``actor_region`` on the way to ``subject_region`` (None
    when the subject is not strictly inside the actor's region)."""
    chain = scope.ancestors(tree, subject_region)  # nearest first
    if actor_region not in chain:
        return None
    i = chain.index(actor_region)
    return chain[i - 1] if i > 0 else None


def issue(engine: sa.Engine, program_id: str, subject: str, due_days: int, reason: str, user,
          items: list[dict] | None = None, today: dt.date | None = None) -> dict:
    """Issue a notice about ``subject`` to its responsible unit; returns the stored notice
    (as list_notices' row). Refused (PermissionDenied) for a role that does not issue or a
    subject outside the issuer's region; (InputError) an unknown subject, one with no
    responsible registered, a reply deadline outside 1–60 working days, an empty reason."""
    from ruralcore.app.responsibility import register, subjects

    program = load_program(program_id)
    actor = _actor(user, ISSUERS, "下发督办通知")
    today = today or today_china()
    problems = []
    if not isinstance(due_days, (int, np.integer)) or not 1 <= int(due_days) <= MAX_DUE_DAYS:
        problems.append(Problem(f"答复期限应为 1–{MAX_DUE_DAYS} 个工作日，实际为 {due_days}", column="答复期限"))
    reason = str(reason or "").strip()
    if not reason:
        problems.append(Problem("督办事由不能为空", column="督办事由"))
    subj = subjects(engine, program_id).set_index("subject")
    if subject not in subj.index:
        problems.append(Problem(f"“{subject}”不是方案“{program.meta.short_title or program.id}”的督办对象"
                                "（试点、任务、乡镇或站点的代码）", column="督办对象"))
    if problems:
        raise InputError(problems, source="督办通知")
    s = subj.loc[subject]
    with engine.connect() as conn:
        tree = _tree(conn)
    to_region = addressee(tree, actor.region, str(s["region"]))
    if to_region is None:
        raise PermissionDenied(f"无权限：{actor.name}（{actor.role_label}）管辖 {scope._name(tree, actor.region)}，"
                               f"“{s['subject_name']}”不在其下级，不能对其下发督办通知，本次未写入任何数据。")
    reg = register(engine, program_id).set_index("subject")
    if subject not in reg.index:
        raise InputError(Problem(f"“{s['subject_name']}”尚未登记责任单位和责任领导，请先在责任清单中登记，再下发督办通知",
                                 column="督办对象"), source="督办通知")
    r = reg.loc[subject]
    due = add_workdays(today, int(due_days))
    with engine.begin() as conn:
        year = today.year
        seq = int(queries.largest(conn, TABLE, "seq", program=program_id, year=year) or 0) + 1
        values = {
            "number": number_text(program, year, seq), "program": program_id, "year": year, "seq": seq,
            "subject": subject, "subject_name": str(s["subject_name"]), "region": str(s["region"]),
            "from_region": actor.region, "to_region": to_region, "unit": str(r["unit"]), "leader": str(r["leader"]),
            "items_json": json.dumps(items or [], ensure_ascii=False, default=str), "reason": reason,
            "issued_on": today, "due_days": int(due_days), "reply_due": due, "state": "issued",
            "issued_by": actor.name,
        }
        obj = write.insert(conn, Notice, values, actor)
    return get(engine, obj.number, today)


def _current(conn, number: str):
    row = queries.first(conn, TABLE, number=number)
    if row is None:
        raise InputError(Problem(f"没有编号为“{number}”的督办通知", column="编号"), source="督办通知")
    return row


def _check_version(cur, expected_version: int | None) -> int:
    if expected_version is not None and int(cur["version"]) != int(expected_version):
        raise StaleWriteError(f"督办通知 {cur['number']} 已被他人处理（您读取的是版本 {expected_version}，"
                              f"当前为版本 {cur['version']}，状态“{STATE_LABELS[cur['state']]}”），本次未保存，请刷新后重试。")
    return int(cur["version"])


def _state_refusal(cur, want: tuple[str, ...], what: str) -> None:
    if cur["state"] not in want:
        raise InputError(Problem(f"督办通知 {cur['number']} 当前状态为“{STATE_LABELS[cur['state']]}”，不能{what}",
                                 column="状态"), source="督办通知")


def reply(engine: sa.Engine, number: str, text: str, user, expected_on: dt.date | None = None,
          attachments: str = "", expected_version: int | None = None, today: dt.date | None = None) -> dict:
    """The unit addressed records its reply (measures, expected completion, attachment
    names). Only an account of the addressed region (``to_region``) replies."""
    actor = _actor(user, REPLIERS, "答复督办通知")
    today = today or today_china()
    text = str(text or "").strip()
    if not text:
        raise InputError(Problem("答复内容（整改措施）不能为空", column="答复内容"), source="督办通知")
    with engine.begin() as conn:
        cur = _current(conn, number)
        if actor.region != cur["to_region"]:
            tree = _tree(conn)
            raise PermissionDenied(f"无权限：督办通知 {number} 下发给 {scope._name(tree, cur['to_region'])}，"
                                   f"{actor.name}（{actor.role_label}，管辖 {scope._name(tree, actor.region)}）不能答复，"
                                   "本次未写入任何数据。")
        _state_refusal(cur, OPEN, "答复")
        if expected_on is not None and expected_on < cur["issued_on"]:
            raise InputError(Problem(f"预计完成日期 {expected_on.isoformat()} 早于通知下发日期", column="预计完成日期"),
                             source="督办通知")
        version = _check_version(cur, expected_version)
        write.update(conn, Notice, cur["id"], {
            "state": "replied", "reply_text": text, "expected_on": expected_on,
            "attachments": str(attachments or "").strip(), "replied_on": today, "replied_by": actor.name,
        }, version, actor)
    return get(engine, number, today)


def _issuer_check(conn, cur, actor, what: str) -> None:
    if actor.region != cur["from_region"]:
        tree = _tree(conn)
        raise PermissionDenied(f"无权限：督办通知 {cur['number']} 由 {scope._name(tree, cur['from_region'])} 下发，"
                               f"{actor.name}（{actor.role_label}）不能{what}，本次未写入任何数据。")


def _issuer_step(engine, number: str, user, what: str, changes, today: dt.date | None,
                 expected_version: int | None) -> dict:
    """The issuer acts on a replied notice: ``changes(current row, today)`` → the fields."""
    actor = _actor(user, ISSUERS, f"{what}督办通知")
    today = today or today_china()
    with engine.begin() as conn:
        cur = _current(conn, number)
        _issuer_check(conn, cur, actor, what)
        _state_refusal(cur, ("replied",), f"{what}（须先有答复）")
        version = _check_version(cur, expected_version)
        write.update(conn, Notice, cur["id"], changes(cur, today, actor), version, actor)
    return get(engine, number, today)


def close(engine: sa.Engine, number: str, user, expected_version: int | None = None,
          today: dt.date | None = None) -> dict:
    """The issuer closes a replied notice (办结)."""
    return _issuer_step(engine, number, user, "办结", lambda cur, day, actor: {
        "state": "closed", "closed_on": day, "closed_by": actor.name}, today, expected_version)


def send_back(engine: sa.Engine, number: str, note: str, user, expected_version: int | None = None,
              today: dt.date | None = None) -> dict:
    """The issuer returns a replied notice (退回重办) with its note; the unit has the same
    number of working days again, from that day."""
    note = str(note or "").strip()
    if not note:
        raise InputError(Problem("退回意见不能为空", column="退回意见"), source="督办通知")
    return _issuer_step(engine, number, user, "退回", lambda cur, day, actor: {
        "state": "returned", "returned_on": day, "return_note": note,
        "reply_due": add_workdays(day, int(cur["due_days"]))}, today, expected_version)


def _date(v):
    if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NaT:
        return None
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    return dt.date.fromisoformat(str(v)[:10])


def with_states(frame: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """Add ``state`` as shown on ``as_of`` (an open notice past its reply deadline is
    overdue), ``state_label`` and ``days_left``: for an open notice the working days from
    ``as_of`` to the reply deadline (0: due today; negative: working days overdue); for a
    replied or closed one the working days it was answered before the deadline (negative:
    late). Vectorised over the notices."""
    out = frame.copy()
    out["due"] = out["reply_due"].map(_date)
    if out.empty:
        out["days_left"] = pd.Series(dtype="Int64")
        out["state_label"] = pd.Series(dtype=object)
        return out
    open_ = out["state"].isin(OPEN).to_numpy()
    due = list(out["due"])
    replied = [d or as_of for d in out["replied_on"].map(_date)]
    left = np.where(open_, count_workdays([as_of] * len(out), due), count_workdays(replied, due))
    late = open_ & (pd.Series(due).to_numpy(dtype="datetime64[D]") < np.datetime64(as_of, "D"))
    # past the deadline on a rest day: overdue though no working day has passed since
    left = np.where(late, -np.asarray(count_workdays(due, [as_of] * len(out))), left)
    out["days_left"] = pd.array(left, dtype="Int64")
    out["state"] = np.where(late, "overdue", out["state"].to_numpy(dtype=object))
    out["state_label"] = out["state"].map(STATE_LABELS)
    return out


def days_text(state: str, days_left) -> str:
    """How the days read on a page: 剩余N个工作日 / 今日到期 / 已逾期N个工作日 / 提前N个工作日答复."""
    if days_left is None or pd.isna(days_left):
        return ""
    n = int(days_left)
    if state in OPEN:
        return "今日到期" if n == 0 else f"剩余{n}个工作日"
    if state == "overdue":
        return f"已逾期{-n}个工作日" if n < 0 else "已过期限（休息日）"
    return "按期答复" if n >= 0 else f"逾期{-n}个工作日答复"


def list_notices(engine: sa.Engine, program_id: str, as_of: dt.date | None = None, user=None) -> pd.DataFrame:
    """Every notice of the programme inside ``user``'s regions (None: all), newest first,
    with its state and days on ``as_of`` (default today in China): LIST_COLUMNS."""
    as_of = as_of or today_china()
    with engine.connect() as conn:
        rows = queries.rows(conn, TABLE, program=program_id, order_by=["year", "seq"], desc=True)
        seen = scope.visible_regions(user, conn)
    frame = pd.DataFrame(rows, columns=[c.name for c in TABLE.columns])
    if seen is not None and len(frame):  # the issuer's, the addressee's or the subject's region
        keep = frame["region"].isin(seen) | frame["to_region"].isin(seen) | frame["from_region"].isin(seen)
        frame = frame[keep.to_numpy()]
    out = with_states(frame.reset_index(drop=True), as_of)
    out["items"] = out["items_json"].map(lambda s: json.loads(s or "[]")) if len(out) else []
    for c in ("issued_on", "replied_on", "closed_on", "expected_on"):
        out[c] = out[c].map(_date) if len(out) else out[c]
    return out[LIST_COLUMNS]


def get(engine: sa.Engine, number: str, as_of: dt.date | None = None) -> dict:
    with engine.connect() as conn:
        program = _current(conn, number)["program"]
    frame = list_notices(engine, program, as_of)
    return frame[frame["number"] == number].iloc[0].to_dict()


def summary(frame: pd.DataFrame) -> dict[str, int]:
    """Counts for the circular: issued (all), answered (replied or closed), closed, overdue."""
    s = frame["state"] if len(frame) else pd.Series(dtype=object)
    return {"issued": int(len(frame)), "answered": int(s.isin(["replied", "closed"]).sum()),
            "closed": int((s == "closed").sum()), "overdue": int((s == "overdue").sum())}


def notice_days(notice: dict) -> int:
    return int(notice.get("due_days") or count_workdays(notice["issued_on"], notice["due"]))
