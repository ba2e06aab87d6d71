"""Everything a programme file fixes, as plain data with each entry's clause (ref) and
whether it is a system default (assumed): what `ruralcore show` prints and the page
政策文件与规则 shows."""
from __future__ import annotations

from ruralcore.rules import acceptance
from ruralcore.rules.programs import REQUIREMENT_KIND_NAMES, TARGET_KIND_NAMES, load_program


def _entries(items, cols):
    out = []
    for e in items:
        d = e.model_dump(mode="json")
        row = {c: d.get(c) for c in cols}
        row["ref"] = e.ref
        row["assumed"] = e.assumed
        out.append(row)
    return out


UNJUDGED = {"kind": None, "name": "不考核（无量化指标）", "text": "没有可计量的指标，不判定红黄绿灯", "amber_within": None,
            "ref": None, "assumed": "文件未给出可按月计量的指标（如逐乡镇配额），系统不为其判定颜色"}


def _rule(p, kind: str | None) -> dict | None:
    """A target's status rule: its kind, the rule in words, the amber band, clause, reason."""
    if not kind:
        return None
    try:
        r = p.status_rule(kind)
    except KeyError:
        return None
    return {"kind": r.kind, "name": TARGET_KIND_NAMES[r.kind], "text": r.text(), "amber_within": r.amber_within,
            "ref": r.ref, "assumed": r.assumed}


def program_summary(program_id: str) -> dict:
    """Everything a programme fixes, each entry with its ref (shared by CLI and pages).
    Every target carries its status rule (``status_rule``: kind, rule, clause, reason)."""
    p = load_program(program_id)
    rubric = None
    if p.rubric:
        rubric = p.rubric.model_dump(mode="json")
    targets = _entries(p.targets, ["code", "name", "indicator", "op", "threshold", "kind", "applies_to", "scope", "due"])
    for row, t in zip(targets, p.targets):
        row["status_rule"] = _rule(p, t.kind) if t.kind else {**UNJUDGED, "ref": t.ref}
    return {
        "id": p.id,
        "meta": p.meta.model_dump(mode="json"),
        "status_rules": [_rule(p, r.kind) for r in p.status_rules],
        "settings": _entries(p.settings, ["code", "name", "value"]),
        "fields": _entries(p.fields, ["code", "name", "unit", "kind", "level"]),
        "indicators": _entries(p.indicators, ["code", "name", "unit", "kind", "level", "numerator", "denominator", "fields"]),
        "targets": targets,
        "milestones": _entries(p.milestones, ["code", "name", "start", "due", "recurring", "responsible"]),
        "quotas": [q.model_dump(mode="json") for q in p.quotas],
        "funding": _entries(p.funding, ["code", "name", "kind", "amount_yuan", "unit", "uses", "payable_after"]),
        "checklists": [c.model_dump(mode="json") for c in p.checklists],
        "acceptance_path": acceptance.path_rows(p),
        "fund_categories": _entries(p.fund_categories, ["code", "name", "kind", "allowed"]),
        "tasks": _entries(p.tasks, ["no", "area", "area_name", "name", "responsible", "due"]),
        "requirements": [{**row, "kind_name": REQUIREMENT_KIND_NAMES[row["kind"]]}
                         for row in _entries(p.requirements, ["code", "name", "kind", "responsible"])],
        "rubric": rubric,
        "bounds": [{**row, "name": p.field(row["field"]).name, "unit": p.field(row["field"]).unit, "note": b.note}
                   for b, row in zip(p.bounds, _entries(p.bounds, ["field", "max"]))],
    }
