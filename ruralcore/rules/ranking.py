"""Ranks and published cuts (“排名前三位”, “前10名”) that never pick among equals by accident.

- Competition ranking (1, 2, 2, 4): units equal on every criterion share the best rank of
  their group and the next rank skips; ties are said to be 并列.
- A cut of ``n`` units from the top or the bottom follows the programme's tie rule
  (``TIE_RULES``): ``include_ties`` takes every unit tied with the n-th (there may be more
  than n, and the text says so); ``code_order`` takes exactly n, ties going by region code,
  and the text states that rule.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

TIE_RULES = {
    "include_ties": "与第{n}位并列的一并列入（可能多于{n}个）",
    "code_order": "同分按区域代码先后取满{n}个",
}
EPS_DECIMALS = 9  # rates computed from counts: equal counts give equal rates to this precision


def competition_rank(criteria: list[np.ndarray]) -> np.ndarray:
    """Rank 1 = best: the first criterion decides, the next ones break its ties (higher is
    better; NaN counts as the lowest). Units equal on every criterion share a rank."""
    n = len(criteria[0]) if criteria else 0
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    keys = [np.round(np.nan_to_num(np.asarray(c, dtype="float64"), nan=-np.inf), EPS_DECIMALS) for c in criteria]
    order = np.lexsort([-k for k in reversed(keys)])
    stacked = np.column_stack([k[order] for k in keys])
    new = np.ones(n, dtype=bool)
    new[1:] = (stacked[1:] != stacked[:-1]).any(axis=1)
    first = np.maximum.accumulate(np.where(new, np.arange(n), 0))
    rank = np.empty(n, dtype=np.int64)
    rank[order] = first + 1
    return rank


def tied(ranks) -> np.ndarray:
    """Whether each unit shares its rank with another."""
    r = pd.Series(np.asarray(ranks))
    return r.duplicated(keep=False).to_numpy()


def rank_labels(ranks, grouped: bool = False) -> list[str]:
    """“1” or “1（并列）” per unit; missing ranks (a reference row) as “—”. ``grouped``:
    thousands separated as the pages print counts (“25,209（并列）”)."""
    r = pd.Series(ranks, dtype="float64")
    dup = (r.notna() & r.duplicated(keep=False)).to_numpy()
    have = r.notna().to_numpy()
    out = np.full(len(r), "—", dtype=object)
    whole = r.to_numpy()[have].astype(np.int64)
    out[have] = thousands(whole) if grouped else whole.astype(str).astype(object)
    out[dup] = out[dup] + "（并列）"
    return out.tolist()


def thousands(numbers: np.ndarray) -> np.ndarray:
    """Whole numbers as text with a comma every three digits. (Python's formatting over the
    plain list is as fast as numpy's own conversion to text, about 0.3 µs a number.)"""
    return np.array([f"{v:,}" for v in np.asarray(numbers, dtype=np.int64).tolist()], dtype=object)


def cut(ranks, n: int, end: str = "top", tie_rule: str = "include_ties", codes=None) -> np.ndarray:
    """The units in the first (``end="top"``) or last (``"bottom"``) ``n`` places."""
    r = np.asarray(ranks, dtype="float64")
    m = len(r)
    if m == 0 or n <= 0:
        return np.zeros(m, dtype=bool)
    if tie_rule == "code_order":
        keys = np.arange(m) if codes is None else np.asarray(codes).astype(str)
        order = np.lexsort((keys, r))
        pos = np.empty(m, dtype=np.int64)
        pos[order] = np.arange(m)
        return pos < n if end == "top" else pos >= m - n
    s = np.sort(r)
    if end == "top":
        return r <= s[min(n, m) - 1]
    return r >= s[max(m - n, 0)]


def cut_text(names, ranks, mask, unit: str = "个") -> str:
    """“第1名：忻府区、五台县（2个并列）；第3名：代县” for the units in ``mask``, best first."""
    f = pd.DataFrame({"name": np.asarray(names, dtype=object), "rank": np.asarray(ranks)})[np.asarray(mask)]
    parts = []
    for rank, g in f.groupby("rank", sort=True):
        tie = f"（{len(g)}{unit}并列）" if len(g) > 1 else ""
        parts.append(f"第{int(rank)}名：{'、'.join(g['name'].astype(str))}{tie}")
    return "；".join(parts)


CN_NUM = "一二三四五六七八九十"


def rule_text(tie_rule: str, n: int) -> str:
    return TIE_RULES[tie_rule].format(n=CN_NUM[n - 1] if 1 <= n <= 10 else n)


def change(now: pd.Series, before: pd.Series) -> pd.Series:
    """Places moved up since ``before`` (e.g. last month's ranks; positive: up, negative:
    down), aligned on the index (a region's code); NaN where there was no rank before."""
    return before.reindex(now.index).astype("float64") - now.astype("float64")
