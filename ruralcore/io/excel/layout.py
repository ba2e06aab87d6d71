"""The layout shared by templates, imports and exports of the monthly report.

Sheet “月报”: row 1 holds the headers — 月份, 区域代码, 区域名称, then one column per
field headed “名称（单位）”; data start on row 2. A hidden sheet “字段代码” maps each
header to its field code, so headers can stay Chinese and still be read back exactly.
"""
from __future__ import annotations

import re

from ruralcore.kernel.errors import InputError, Problem
from ruralcore.rules.programs import Field_, Program

SHEET = "月报"
CODES_SHEET = "字段代码"
INFO_SHEET = "填表说明"
PERIOD_COL = "月份"
CODE_COL = "区域代码"
NAME_COL = "区域名称"
FIXED_COLS = [PERIOD_COL, CODE_COL, NAME_COL]
HEADER_ROW = 1  # data row i (0-based) is row i + HEADER_ROW + 1 in Excel

KIND_RULES = {
    "count": "非负整数",
    "flag": "填 1（是）或 0（否）",
    "percent": "0～100 之间的数",
    "amount": "非负数",
    "hours": "非负数",
}


def level_name(level: str) -> str:
    from ruralcore.rules.regions import LEVEL_NAMES
    return LEVEL_NAMES.get(level, level)


def header(field: Field_) -> str:
    return f"{field.name}（{field.unit}）"


def report_level(program: Program, level: str | None = None) -> str:
    if level:
        return level
    try:
        return str(program.setting("report_level"))
    except KeyError:
        return "village"


def report_fields(program: Program, level: str | None = None) -> list[Field_]:
    """The fields reported at ``level`` (all fields when none is declared at that level)."""
    lvl = report_level(program, level)
    fields = [f for f in program.fields if f.level == lvl]
    return fields or list(program.fields)


def header_aliases(fields: list[Field_]) -> dict[str, str]:
    """Every spelling of a column accepted on import → field code (header, name, code)."""
    out: dict[str, str] = {}
    for f in fields:
        out[f.code] = f.code
        out[f.name] = f.code
        out[header(f)] = f.code
        out[f"{f.name}({f.unit})"] = f.code
    return out


def parse_period(text: str) -> str:
    """'YYYY-MM' or a Chinese error naming the value."""
    from ruralcore.kernel.limits import check_year

    m = re.fullmatch(r"(\d{4})-(\d{2})", str(text or "").strip())
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise InputError(Problem(f"月份“{text}”格式不对，应为 YYYY-MM，例如 2019-06", column=PERIOD_COL))
    try:
        check_year(int(m.group(1)), "月份", text)
    except InputError as e:
        raise InputError(Problem(e.problems[0].message, column=PERIOD_COL)) from None
    return m.group(0)
