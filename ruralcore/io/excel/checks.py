"""Check every row of a monthly report table and collect every problem at once.

All checks run on whole columns (pandas); Python only loops over the ~15 columns and
over the problems found. A row whose fields are all blank is a region that did not
report this month (templates list every region) and is skipped; any other row must be
complete.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ruralcore.kernel.errors import Problem, ProblemList
from ruralcore.rules.programs import ASSUMED_LABEL, Program
from ruralcore.io.excel.layout import level_name, CODE_COL, FIXED_COLS, PERIOD_COL, header, header_aliases
from ruralcore.io.excel.reader import Table

FLAG_WORDS = {"是": "1", "否": "0"}


def _text(s: pd.Series) -> pd.Series:
    """Cells as stripped text; blanks as <NA>. Whole numbers lose the '.0' a spreadsheet adds
    (region codes typed as numbers come back as floats)."""
    txt = s.astype("string").str.strip().str.replace(r"^(-?\d+)\.0$", r"\1", regex=True)
    return txt.mask(txt == "")


def _numbers(s: pd.Series, kind: str) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(numbers, text, blank) of one field column. Numeric cells — nearly all of a filled
    sheet — are parsed in one pass; only the rest is handled as text."""
    num = pd.to_numeric(s, errors="coerce").to_numpy(dtype="float64", na_value=np.nan, copy=True)
    rest = np.isnan(num)
    text = pd.Series(pd.NA, index=s.index, dtype="string")
    if rest.any():
        t = _text(s[rest])
        if kind == "flag":
            t = t.replace(FLAG_WORDS)
        parsed = pd.to_numeric(t.str.rstrip("%") if kind == "percent" else t, errors="coerce")
        num[rest] = parsed.to_numpy(dtype="float64", na_value=np.nan)
        text[rest] = t.to_numpy()
    inf = np.isinf(num)
    if inf.any():  # 1e400 and the like: not a usable number, shown as typed
        text[inf] = s[inf].astype("string").to_numpy()
        num[inf] = np.nan
    return (pd.Series(num, index=s.index), text,
            pd.Series(rest & text.isna().to_numpy(), index=s.index))


def _fmt(v) -> str:
    if isinstance(v, float) and abs(v) >= 1e15:  # 1e300 is not printed with 301 digits
        return f"{v:.6g}"
    if isinstance(v, float) and v == int(v):
        return str(int(v))
    return str(v)


def _add(problems: ProblemList, mask: pd.Series, column: str, message) -> None:
    """One problem per True row of ``mask``; ``message`` is a string or a function of the
    row index, called only when the problem is read (a whole bad column costs one array) —
    so a message function takes what it needs from a loop as default arguments."""
    problems.add(mask.index[mask.to_numpy(dtype=bool)], column, message)


def map_columns(table: Table, fields) -> tuple[dict[str, int], dict[str, int], list[Problem]]:
    """Column positions of the fixed columns and of each field code; header problems."""
    aliases = header_aliases(fields)
    fixed, by_code, problems = {}, {}, []
    for j, h in enumerate(table.headers):
        if h in FIXED_COLS:
            target, key = fixed, h
        elif h in table.code_map and table.code_map[h] in aliases:
            target, key = by_code, table.code_map[h]
        elif h in aliases:
            target, key = by_code, aliases[h]
        elif h == "" or h.startswith("备注"):
            continue  # unnamed or remark columns are not data
        else:
            problems.append(Problem("无法识别的列名（请使用模板的表头，不要修改）", row=1, column=h))
            continue
        if key in target:
            problems.append(Problem("列重复出现", row=1, column=h))
        else:
            target[key] = j
    if CODE_COL not in fixed:
        problems.append(Problem("缺少必需的列", row=1, column=CODE_COL))
    for f in fields:
        if f.required and f.code not in by_code:
            problems.append(Problem("缺少必需的列", row=1, column=header(f)))
    return fixed, by_code, problems


def validate_table(program: Program, table: Table, period: str, known: pd.DataFrame, fields,
                   level: str, today: dt.date | None = None) -> tuple[pd.DataFrame, list[Problem]]:
    """Return (values with columns region, field, value; problems). Values are only usable when
    there is no problem."""
    empty = pd.DataFrame({"region": pd.Series(dtype=str), "field": pd.Series(dtype=str),
                          "value": pd.Series(dtype="float64")})
    fixed, by_code, header_problems = map_columns(table, fields)
    problems = ProblemList(header_problems)
    today = today or dt.date.today()
    this_month = f"{today.year:04d}-{today.month:02d}"
    if period > this_month:
        problems.append(Problem(f"导入月份 {period} 晚于当前月份 {this_month}，不能填报未来的月份", column=PERIOD_COL))
    if CODE_COL not in fixed:
        return empty, problems

    body = table.body
    code = _text(body[fixed[CODE_COL]]).str.lstrip("'").mask(lambda s: s == "")
    parsed = {f.code: _numbers(body[by_code[f.code]], f.kind) for f in fields if f.code in by_code}
    blank_row = pd.Series(True, index=body.index)
    for _, _, blank in parsed.values():
        blank_row &= blank
    rows = ~blank_row
    if not rows.any():
        problems.append(Problem("文件中没有任何数据行（只有表头，或所有区域的数值都为空）"))
        return empty, _sorted(problems, table.headers)
    code = code[rows]
    parsed = {k: (n[rows], t[rows], b[rows]) for k, (n, t, b) in parsed.items()}
    head = {f.code: table.headers[by_code[f.code]] for f in fields if f.code in by_code}

    # regions: present, known, once
    _add(problems, code.isna(), CODE_COL, "区域代码不能为空")
    known_codes = pd.Index(known["code"].astype(str))
    if known_codes.empty:  # one message, not one per row: the database lacks the regions
        problems.append(Problem(f"本方案还没有{level_name(level)}级的填报单位，无法核对区域代码；"
                                "请先在数据库中导入区域或生成演示数据", column=CODE_COL))
    else:
        unknown = code.notna() & ~code.isin(known_codes)
        _add(problems, unknown, CODE_COL,
             lambda r: f"未知的区域代码“{code[r]}”：不是本方案的{level_name(level)}级填报单位")
    dup = code.notna() & code.duplicated(keep="first")
    if dup.any():
        first = pd.Series(code.index, index=code.index).groupby(code.to_numpy()).transform("min")
        _add(problems, dup, CODE_COL, lambda r: f"区域“{code[r]}”重复，与第{first[r]}行相同")

    # period column: blank, or the same month as the import
    if PERIOD_COL in fixed:
        raw = _text(body[fixed[PERIOD_COL]])[rows]
        parts = raw.str.extract(r"^\s*(\d{4})\s*[-/年.]\s*(\d{1,2})(?:\D|$)")
        month = pd.to_numeric(parts[1], errors="coerce")
        norm = (parts[0] + "-" + parts[1].str.zfill(2)).where(month.between(1, 12))
        bad = raw.notna() & norm.isna()
        _add(problems, bad, PERIOD_COL, lambda r: f"月份“{raw[r]}”格式不对，应为 YYYY-MM，例如 2019-06")
        future = norm.notna() & (norm > this_month)
        _add(problems, future, PERIOD_COL,
             lambda r: f"月份 {norm[r]} 晚于当前月份 {this_month}，不能填报未来的月份")
        other = norm.notna() & (norm != period) & ~future
        _add(problems, other, PERIOD_COL, lambda r: f"月份 {norm[r]} 与导入指定的月份 {period} 不一致")

    # values, one field column at a time
    nums: dict[str, pd.Series] = {}
    for f in fields:
        if f.code not in parsed:
            continue
        num, t, blank = parsed[f.code]
        col = head[f.code]
        nums[f.code] = num
        if f.required:
            _add(problems, blank, col, "必填，不能为空")
        _add(problems, ~blank & num.isna(), col, lambda r, t=t: f"“{t[r]}”不是数字")
        ok = num.notna()
        if f.kind == "flag":
            _add(problems, ok & ~num.isin([0, 1]), col, lambda r, n=num: f"{_fmt(n[r])} 无效，应填 1（是）或 0（否）")
            continue
        if f.kind == "percent":
            _add(problems, ok & ~num.between(0, 100), col,
                 lambda r, n=num: f"百分比 {_fmt(n[r])} 超出 0～100 的范围")
            continue
        lo = f.min
        if lo is not None:
            msg = "不能为负数" if lo == 0 else f"不能小于 {_fmt(lo)}"
            _add(problems, ok & (num < lo), col, lambda r, n=num, m=msg: f"{_fmt(n[r])} {m}")
        if f.max is not None:
            bound = program.bound(f.code)
            why = f"（{ASSUMED_LABEL}，见方案文件）" if bound is not None and bound.assumed else ""
            _add(problems, ok & (num > f.max), col,
                 lambda r, n=num, w=why, hi=f.max: f"{_fmt(n[r])} 超过上限 {_fmt(hi)}{w}，请核对是否录入错误")
        if f.kind == "count" or (f.kind == "amount" and f.unit == "元"):  # money in whole yuan
            _add(problems, ok & (num >= (lo if lo is not None else -np.inf)) & (num != np.floor(num)), col,
                 lambda r, n=num, u="（元）" if f.unit == "元" else "": f"{_fmt(n[r])} 应为整数{u}")

    # a rate's numerator never exceeds its denominator
    # only for percentages (a part of a whole); per-village averages (unit 人, scale 1) may exceed 1
    pairs = {(i.numerator, i.denominator): i for i in program.indicators
             if i.kind == "rate" and i.unit.strip() == "%"}
    for (n_code, d_code), ind in pairs.items():
        if n_code in nums and d_code in nums:
            n, d = nums[n_code], nums[d_code]
            over = (d >= 0) & (n >= 0) & (n > d)  # negatives are reported by their own column
            _add(problems, over, head[n_code],
                 lambda r, n=n, d=d, dc=d_code, ind=ind:
                 f"{_fmt(n[r])} 大于“{head[dc]}”的 {_fmt(d[r])}（{ind.name}的分子不能大于分母）")

    if problems:
        return empty, _sorted(problems, table.headers)
    wide = pd.DataFrame(nums)
    wide.insert(0, "region", code.astype(str).to_numpy())
    long = wide.melt(id_vars="region", var_name="field", value_name="value").dropna(subset=["value"])
    return long.reset_index(drop=True), []


def _sorted(problems: ProblemList, headers: list[str]) -> ProblemList:
    return problems.sort({h: i for i, h in enumerate(headers)})
