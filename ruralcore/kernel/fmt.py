"""How numbers and dates read in Chinese (pages, circulars, CLI tables)."""
from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal

AWARD_LABELS = {"excellent": "优秀", "qualified": "达标", "not_qualified": "未达标"}
STATUS_LABELS = {"green": "达标", "amber": "接近", "red": "落后"}
MILESTONE_LABELS = {"done": "已完成", "on_track": "按计划", "due_soon": "7日内到期", "overdue": "已逾期", "recurring": "每月"}


def _missing(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def date_zh(d: dt.date | str | None) -> str:
    """2019-07-31 → 2019年7月31日."""
    if _missing(d) or d == "":
        return "—"
    if isinstance(d, str):
        d = dt.date.fromisoformat(d[:10])
    return f"{d.year}年{d.month}月{d.day}日"


def datetime_zh(t: dt.datetime | str | None) -> str:
    """2019-12-02 17:09:15 → 2019年12月2日 17:09:15 (seconds kept: an audit trail orders by them)."""
    if _missing(t) or t == "" or t != t:  # t != t: pandas NaT
        return "—"
    if isinstance(t, str):
        t = dt.datetime.fromisoformat(t)
    return f"{t.year}年{t.month}月{t.day}日 {t:%H:%M:%S}"


def period_zh(period: str) -> str:
    """2019-07 → 2019年7月."""
    y, m = period.split("-")
    return f"{int(y)}年{int(m)}月"


def pct(v, digits: int = 1) -> str:
    return "—" if _missing(v) else f"{v:.{digits}f}%"


def number(v, unit: str = "", digits: int = 0) -> str:
    if _missing(v):
        return "—"
    s = f"{v:,.{digits}f}"
    return f"{s}{unit}" if unit not in ("%",) else f"{v:.{digits}f}%"


def yuan(v) -> str:
    """Integer yuan → “45万元” / “3,015万元” / “1,234元” (exact, no float rounding)."""
    if _missing(v):
        return "—"
    v = Decimal(int(v)) if not isinstance(v, Decimal) else v
    if v % 10000 == 0:
        return f"{int(v // 10000):,}万元"
    if abs(v) >= 10000:
        return f"{(v / 10000).quantize(Decimal('0.01')):,}万元"
    return f"{int(v):,}元"


def value_with_unit(v, unit: str) -> str:
    if unit == "%":
        return pct(v)
    if unit in ("是/否",):
        return "—" if _missing(v) else ("是" if v else "否")
    if unit in ("元",):
        return yuan(v)
    digits = 0 if _missing(v) or float(v).is_integer() else 1
    return number(v, unit, digits)


# The levels of the region tree in words (ruralcore.rules.regions re-exports them).
LEVEL_NAMES = {
    "province": "省", "city": "市", "county": "县（区、市）", "township": "乡镇",
    "village": "行政村", "natural_village": "自然村", "pilot": "试点", "station": "站点",
    "facility": "机构",
}

# Codes the programme files use as values (settings, recurrence, funding units), in words;
# a code listed in neither is shown as written.
CODE_WORDS = {
    "monthly": "每月", "weekly": "每周", "quarterly": "每季度", "yearly": "每年",
    "include_ties": "并列者一并列入（不从并列者中任选）", "code_order": "按代码顺序",
    "in_use": "建成并投入使用", "built": "已建成",
    "county_centre": "县级运营中心", "household": "户", "pilot_township": "数字乡镇试点",
    "pilot_village": "数字村庄试点", "station_standard": "标准站", "station_professional": "专业站",
    "station_simple": "简易站", "acceptance": "验收合格后",
}
OP_WORDS = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "==": "="}


def code_zh(value) -> str:
    """A value of a programme file as it reads on a page: a level, a recurrence, a funding
    unit or a rule's code in words; 是/否 for a flag; a date in Chinese; anything else as
    written ("—" when missing)."""
    if _missing(value) or value == "":
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.date) or (isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-"):
        return date_zh(value)
    if isinstance(value, str):
        return CODE_WORDS.get(value) or LEVEL_NAMES.get(value) or value
    if isinstance(value, (list, tuple)):
        return "、".join(code_zh(v) for v in value) or "—"
    if isinstance(value, float) and value.is_integer():
        return f"{int(value):,}"
    return f"{value:,}" if isinstance(value, int) else str(value)


REF_SEP = " · "


def due_ref(due=None, ref: str | None = None) -> str:
    """A target's or milestone's deadline and clause, labelled so that neither reads as
    a weekday (“2019年7月31日（一(一)）” looked like 周一): “期限 2019年7月31日 · 条款 一(一)”.
    Either part may be missing. Screens keep each part on one line (dashboards.ui.text.nowrap)."""
    parts = []
    if not _missing(due) and due != "":
        parts.append(f"期限 {date_zh(due)}")
    if ref:
        parts.append(f"条款 {ref}")
    return REF_SEP.join(parts)



def rank_move(up) -> str:
    """Places moved since last month: “↑3”, “↓2”, “持平”; “上月未参评” without a rank then."""
    if _missing(up):
        return "上月未参评"
    up = int(up)
    return "持平" if up == 0 else (f"↑{up}" if up > 0 else f"↓{-up}")


def doc_prefix(program) -> str:
    """The issuing office's 文号 prefix: the programme's own 文号 with 发 → 办
    (忻乡振发〔2023〕3号 → 忻乡振办); the office that sends the circular is the issuer's 办公室."""
    m = re.match(r"^(.*?)〔", program.meta.doc_number or "")
    base = m.group(1) if m else ""
    return (base[:-1] if base.endswith("发") else base) + "办"
