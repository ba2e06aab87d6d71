"""花垣 三(二), 四(二), 四(三), 五(一): the award list, its approval and the plaque register.

- :func:`propose`: one month's scores (scoring engine, ties share a rank) give the
  candidates of a batch — 第一批 (promotion meeting, end of March 2019) plaques the 达标
  villages; 总结表彰 (31 July 2019) the 优秀 (top 10, ties included) and the 达标 villages
  not yet plaqued. Batches, their meetings, awards and plaques are programme settings
  (``award_batch_*``, ``award_plaque_*``), each with its clause.
- :func:`approve`: the leading group's check (评选结果把关, 五(一)) — who, when, meeting,
  and the approved list, which may differ from the proposal; every change needs a reason.
  The approval and every village of the list are written in one transaction (audited,
  scope-checked: a county account of the programme's county). One approval per batch.
- :func:`register`: the approved awards by batch with plaque type and date;
  :func:`register_docx` prints it.
"""
from __future__ import annotations

import datetime as dt
import io

import pandas as pd
import sqlalchemy as sa

from ruralcore.kernel.errors import InputError, Problem
from ruralcore.app.milestone_records import done_dates, program_region, today_china
from ruralcore.rules.programs import Program, load_program
from ruralcore.rules.scoring import AWARD_LABELS
from ruralcore.auth.scope import user_name
from ruralcore.store import queries, registers, write
from ruralcore.store.models import AwardApproval, AwardEntry

APPROVALS = AwardApproval.__table__
ENTRIES = AwardEntry.__table__
BATCH_KEYS = ("first", "summary")  # settings award_batch_<key>…, in order
NONE = "none"
AWARD_NAMES = {"excellent": AWARD_LABELS["excellent"], "qualified": AWARD_LABELS["qualified"], NONE: "不授牌"}
REGISTER_COLUMNS = ["region", "region_name", "township_name", "award", "award_label", "batch", "batch_name",
                    "plaque", "plaque_on", "score", "rank", "proposed", "reason", "approved_by", "approved_on",
                    "meeting", "period", "id", "version"]


# ---- batches --------------------------------------------------------------------------

def batches(program: Program) -> pd.DataFrame:
    """The programme's award batches in order: key, code (the meeting's milestone), name,
    meeting (the milestone's name), due, awards (tuple), ref."""
    rows = []
    for key in BATCH_KEYS:
        try:
            name = program.setting(f"award_batch_{key}")
        except KeyError:
            continue
        code = str(program.setting(f"award_batch_{key}_meeting"))
        ms = next(m for m in program.milestones if m.code == code)
        by_label = {v: k for k, v in AWARD_NAMES.items()}  # 优秀、达标 as the programme file writes them
        awards = tuple(by_label.get(a.strip(), a.strip())
                       for a in str(program.setting(f"award_batch_{key}_awards")).replace(",", "、").split("、"))
        ref = next(s.ref for s in program.settings if s.code == f"award_batch_{key}")
        rows.append({"key": key, "code": code, "name": str(name), "meeting": ms.name, "due": ms.due,
                     "awards": awards, "ref": ref})
    if not rows:
        raise InputError(Problem(f"方案“{program.id}”没有授牌批次（award_batch_* 设置）", column="授牌批次"))
    return pd.DataFrame(rows)


def batch_of(program: Program, batch: str | None, period: str) -> pd.Series:
    """The batch named ``batch`` (its name 第一批/总结表彰 or milestone code); None: the first
    batch whose meeting falls on or after the month's first day, else the last one."""
    b = batches(program)
    if batch:
        hit = b[(b["name"] == batch.strip()) | (b["code"] == batch.strip())]
        if hit.empty:
            raise InputError(Problem(f"授牌批次“{batch}”无效，应为：{'、'.join(b['name'])}", column="授牌批次"))
        return hit.iloc[0]
    start = dt.date.fromisoformat(f"{period}-01")
    later = b[b["due"] >= start]
    return (later if len(later) else b.tail(1)).iloc[0]


def _plaque(program: Program, award: str) -> str:
    return str(program.setting(f"award_plaque_{award}"))


# ---- proposal -------------------------------------------------------------------------

def _scores(engine: sa.Engine, program: Program, period: str) -> pd.DataFrame:
    from ruralcore.app import overview as ov
    fields = ov.load_month(engine, program.id, period)
    if fields.empty:
        raise InputError(Problem(f"{period} 没有月报数据，无法提出评选名单", column="月份"))
    return ov.ranking(program, fields, ov.region_frame(engine, program.id))


def propose(engine: sa.Engine, program_id: str, period: str, batch: str | None = None) -> pd.DataFrame:
    """Every scored village of ``period`` with the batch's proposal: region, name,
    township_name, score, rank, rank_label (并列 for ties), scored (the score's award),
    proposed (the award this batch would give: excellent/qualified, "" none), held (an
    award the village already holds from an earlier batch). Sorted by rank."""
    program = load_program(program_id)
    b = batch_of(program, batch, period)
    r = _scores(engine, program, period)
    scored = r["award"].astype(str)
    proposed = scored.where(scored.isin(b["awards"]), "")
    # 优秀 only where the batch gives it: an excellent village is 达标 in 第一批
    proposed = proposed.mask((scored == "excellent") & ("excellent" not in b["awards"])
                             & ("qualified" in b["awards"]), "qualified")
    held = _held(engine, program.id, b["code"])
    held_award = r["region"].astype(object).map(held).astype(object)
    held_award = held_award.where(held_award.notna(), "")
    proposed = proposed.mask(proposed == held_award, "")  # a plaque is given once
    out = pd.DataFrame({"region": r["region"], "name": r["name"], "township_name": r["township_name"],
                        "score": r["score"], "rank": r["rank"], "rank_label": r["rank_label"],
                        "scored": scored, "proposed": proposed, "held": held_award})
    out.attrs["batch"] = b.to_dict()
    return out


def _held(engine: sa.Engine, program_id: str, before_batch: str) -> pd.Series:
    """Village → award it already holds from another batch's approval (the best one)."""
    held = registers.held_awards(engine, program_id, before_batch, NONE)
    return held.sort_values("award").drop_duplicates("region").set_index("region")["award"]  # excellent < qualified


# ---- approval -------------------------------------------------------------------------

def read_changes(path: str) -> pd.DataFrame:
    """Changes from a CSV file: columns 村 (code or name), 等次 (优秀/达标/不授牌 or
    excellent/qualified/none) and 理由."""
    from pathlib import Path

    from ruralcore.kernel.csvfile import read_csv
    from ruralcore.kernel.limits import MAX_UPLOAD_MB
    p = Path(path)
    if not p.is_file():
        raise InputError(Problem(f"找不到文件：{path}", column="调整文件"))
    if p.suffix.lower() != ".csv":
        raise InputError(Problem(f"名单调整文件应为 .csv（列：村、等次、理由）：{path}", column="调整文件"))
    if p.stat().st_size > MAX_UPLOAD_MB * 1024 * 1024:
        raise InputError(Problem(f"文件超过 {MAX_UPLOAD_MB} MB：{path}", column="调整文件"))
    frame = read_csv(p.read_bytes(), p.name).astype(str)
    frame = frame.rename(columns={"村": "region", "村（社区）": "region", "等次": "award", "理由": "reason"})
    missing = [c for c in ("region", "award", "reason") if c not in frame.columns]
    if missing:
        raise InputError([Problem("缺少该列（应有 村、等次、理由）", column=c) for c in missing], source=p.name)
    return frame[["region", "award", "reason"]]


def _changes(program: Program, prop: pd.DataFrame, changes, b: pd.Series) -> pd.DataFrame:
    """Validated changes: region (code), award, reason; problems named by row."""
    ch = pd.DataFrame(changes if changes is not None else [], columns=["region", "award", "reason"], dtype=object)
    ch = ch.fillna("").astype(str).apply(lambda s: s.str.strip())
    by_name = dict(zip(prop["name"], prop["region"]))
    codes = set(prop["region"])
    labels = {v: k for k, v in AWARD_NAMES.items()}
    allowed = set(b["awards"]) | {NONE}
    problems = []
    out = []
    for i, r in enumerate(ch.itertuples(index=False), start=1):
        region = r.region if r.region in codes else by_name.get(r.region)
        award = labels.get(r.award, r.award)
        if region is None:
            problems.append(Problem(f"“{r.region}”不是本月参与计分的村（社区）", row=i, column="村"))
            continue
        if award not in allowed:
            problems.append(Problem(f"等次“{r.award}”无效，{b['name']}可为："
                                    + "、".join(AWARD_NAMES[a] for a in b["awards"]) + "或不授牌", row=i, column="等次"))
            continue
        was = prop.loc[prop["region"] == region, "proposed"].iat[0] or NONE
        if award == was:
            problems.append(Problem(f"与提议名单相同（{AWARD_NAMES[was]}），无需调整", row=i, column="等次"))
        if not r.reason:
            problems.append(Problem("调整提议名单必须写明理由", row=i, column="理由"))
        out.append({"region": region, "award": award, "reason": r.reason})
    dup = pd.Series([o["region"] for o in out])
    for i in dup[dup.duplicated()].index:
        problems.append(Problem(f"同一个村调整了两次：{out[i]['region']}", column="村"))
    if problems:
        raise InputError(problems, source="名单调整")
    return pd.DataFrame(out, columns=["region", "award", "reason"])


def approve(engine: sa.Engine, program_id: str, period: str, user, changes=None, batch: str | None = None,
            meeting: str | None = None, approved_on: dt.date | None = None) -> dict:
    """Record the leading group's approval of ``period``'s proposal for a batch, with
    ``changes`` (rows of region, award, reason — region by code or name, award
    excellent/qualified/none or 优秀/达标/不授牌). Returns the approval (id, batch,
    batch_name, awarded, changed, approved_by, approved_on, meeting)."""
    program = load_program(program_id)
    prop = propose(engine, program_id, period, batch)
    b = pd.Series(prop.attrs["batch"])
    ch = _changes(program, prop, changes, b)
    approved_on = approved_on or today_china()
    if approved_on > today_china():
        raise InputError(Problem(f"审定日期 {approved_on.isoformat()} 晚于今天", column="审定日期"))
    final = prop.set_index("region")["proposed"].replace("", NONE)
    final.update(ch.set_index("region")["award"])
    reasons = ch.set_index("region")["reason"]
    keep = final.index[(final != NONE) | final.index.isin(reasons.index)]
    done = done_dates(engine, program_id)
    plaque_on = done.get(b["code"], b["due"])  # the meeting's recorded day, else its due day
    p = prop.set_index("region").loc[keep]
    rows = pd.DataFrame({
        "program": program_id, "batch": b["code"], "region": keep, "score": p["score"].to_numpy(),
        "rank": p["rank"].to_numpy(), "proposed": p["proposed"].to_numpy(), "award": final[keep].to_numpy(),
        "reason": reasons.reindex(keep).fillna("").to_numpy()})
    rows["plaque"] = rows["award"].map(lambda a: "" if a == NONE else _plaque(program, a))
    rows["plaque_on"] = rows["award"].map(lambda a: None if a == NONE else plaque_on)
    meeting = (meeting or "").strip() or b["meeting"]
    with engine.begin() as conn:
        old = queries.first(conn, APPROVALS, program=program_id, batch=b["code"])
        if old is not None:
            raise InputError(Problem(f"{b['name']}名单已于 {old['approved_on']} 由 {old['approved_by']} 审定"
                                     f"（{old['meeting']}），不能再次审定", column="授牌批次"))
        appr = write.insert(conn, AwardApproval, {
            "program": program_id, "batch": b["code"], "period": period, "meeting": meeting,
            "approved_by": user_name(user), "approved_on": approved_on}, user)
        for rec in rows.assign(approval=appr.id).to_dict(orient="records"):  # a few dozen villages
            rec["rank"] = int(rec["rank"])
            write.insert(conn, AwardEntry, rec, user)
    return {"id": appr.id, "batch": b["code"], "batch_name": b["name"], "period": period,
            "awarded": int((rows["award"] != NONE).sum()), "changed": len(ch), "approved_by": appr.approved_by,
            "approved_on": approved_on, "meeting": meeting}


def revise(engine: sa.Engine, entry_id: int, changes: dict, expected_version: int, user) -> AwardEntry:
    """Correct one register entry (plaque date, plaque text, reason) carrying the version
    the user read; a change made meanwhile → StaleWriteError, nothing written."""
    bad = [k for k in changes if k not in ("plaque_on", "plaque", "reason")]
    if bad:
        raise InputError([Problem("授牌登记只能更正牌匾、授牌日期和理由", column=k) for k in bad])
    return write.update(engine, AwardEntry, entry_id, changes, expected_version, user)


# ---- register -------------------------------------------------------------------------

def register(engine: sa.Engine, program_id: str, visible=None, include_struck: bool = False) -> pd.DataFrame:
    """The approved awards by batch (batch order, then rank): see REGISTER_COLUMNS.
    ``include_struck``: also proposed villages the leading group struck (award none).
    ``visible``: region codes the reader sees (None: all)."""
    from ruralcore.app import overview as ov
    program = load_program(program_id)
    out = registers.award_entries(engine, program_id)
    if not include_struck:
        out = out[out["award"] != NONE]
    if visible is not None:
        out = out[out["region"].isin(list(visible))]
    regions = ov.region_frame(engine, program_id)
    out["region_name"] = ov.names(regions, out["region"])
    out["township_name"] = ov.names(regions, ov.parents_at(program, regions, out["region"], "township")) \
        if len(out) else []
    out["award_label"] = out["award"].map(AWARD_NAMES)
    b = batches(program)
    order = {c: i for i, c in enumerate(b["code"])}
    out["batch_name"] = out["batch"].map(dict(zip(b["code"], b["name"])))
    out["_o"] = out["batch"].map(order)
    out = out.sort_values(["_o", "rank", "region"], kind="stable").drop(columns="_o")
    return out[REGISTER_COLUMNS].reset_index(drop=True)


def approvals(engine: sa.Engine, program_id: str) -> pd.DataFrame:
    rows = queries.rows(engine, APPROVALS, program=program_id, order_by=["id"])
    return pd.DataFrame(rows, columns=[c.name for c in APPROVALS.columns], dtype=object)


def register_docx(engine: sa.Engine, program_id: str) -> bytes:
    """The plaque register as a Word list: one table per batch (村、乡镇、等次、牌匾、授牌日期),
    with who approved it, when and at which meeting."""
    import docx

    from ruralcore.kernel.fmt import date_zh
    program = load_program(program_id)
    reg = register(engine, program_id)
    doc = docx.Document()
    doc.add_heading(f"{program.meta.short_title}授牌登记", level=1)
    approver = program.setting("award_approver")
    for (batch, name), part in reg.groupby(["batch", "batch_name"], sort=False):
        first = part.iloc[0]
        doc.add_heading(str(name), level=2)
        doc.add_paragraph(f"{approver}审定：{first['approved_by']}，{date_zh(first['approved_on'])}，{first['meeting']}"
                          f"（依据 {first['period']} 计分）")
        t = doc.add_table(rows=1, cols=6)
        t.style = "Table Grid"
        for cell, h in zip(t.rows[0].cells, ["序号", "村（社区）", "乡镇", "等次", "牌匾", "授牌日期"]):
            cell.text = h
        for i, r in enumerate(part.itertuples(), start=1):
            for cell, v in zip(t.add_row().cells, [str(i), r.region_name, r.township_name, r.award_label, r.plaque,
                                                   date_zh(r.plaque_on) if r.plaque_on else ""]):
                cell.text = str(v)
    if reg.empty:
        doc.add_paragraph("尚无审定的授牌名单。")
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
