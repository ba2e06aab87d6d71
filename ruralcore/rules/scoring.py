"""Rubric scoring, ranking and awards (花垣 三(一)、三(二)), with what-if (vectorised).

The rule, as implemented:

- Each aspect scores ``points × mean over its indicators of min(value / target, 1)``:
  in proportion to attainment up to the indicator's target and no further. Values are
  percentages 0–100 (a yes/no item is 0 or 100). The score is the sum over aspects,
  rounded to 6 decimals so that equal attainment gives equal (tied) scores.
- score ≥ ``pass_score`` (80) → 达标 (``qualified``).
- Among qualified villages, the top ``excellent_top_n`` (10) by score → 优秀
  (``excellent``). A village below the pass score is never excellent, even when fewer
  than ten qualify.
- Rank: competition ranking by score, highest first (rank "min": tied villages share the
  best rank, the next rank skips; 1, 2, 2, 4).
- Ties at the last excellent place (the document does not say; an assumed setting in the
  programme file, ``tie_rule``):
  ``include_ties`` — every village whose rank is ≤ excellent_top_n is excellent, so all
  villages tied with the 10th score are excellent (there may be more than ten);
  ``code_order`` — exactly the first ten by (score desc, region asc).

Everything runs on numpy arrays: scores are one matrix-vector product, ranks one argsort.
"""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ruralcore.kernel.errors import InputError, Problem, RuralcoreError
from ruralcore.rules.programs import ASSUMED_LABEL, Program, Rubric

AWARDS = ("excellent", "qualified", "not_qualified")
AWARD_LABELS = {"excellent": "优秀", "qualified": "达标", "not_qualified": "未达标"}
DECIMALS = 6


def rubric_of(program: Program) -> Rubric:
    if program.rubric is None:
        from ruralcore.rules.programs import all_programs

        have = "、".join(p.id for p in all_programs() if p.rubric is not None) or "（无）"
        raise RuralcoreError(f"方案“{program.id}”没有规定计分办法（rubric），无法计分；"
                             f"有计分办法的方案：{have}")
    return program.rubric


def tie_rule_text(rubric: Rubric) -> str:
    """The awarding rule in Chinese, for pages and the CLI."""
    n, p = rubric.excellent_top_n, rubric.pass_score
    tie = (f"第{n}名同分并列的村一并评为优秀（可能多于{n}个）" if rubric.tie_rule == "include_ties"
           else f"同分按区域代码先后取满{n}个")
    return (f"得分≥{p:g}分为达标；达标村中得分前{n}名为优秀，{tie}；"
            f"低于{p:g}分的村不评优秀。排名按得分从高到低，同分同名次（1、2、2、4）。")


def formula_text(rubric: Rubric) -> str:
    """How a village scores short of the full-score values, with its clause and, where the
    document gives no rule, the system-default label and reason."""
    f = rubric.formula
    text = "各方面得分＝该方面分值×其各指标“实际值÷满分值（最多为1）”的平均，各方面得分相加为总分"
    return text + (f"（{ASSUMED_LABEL}：{f.assumed}）" if f.assumed else f"（{f.ref}）")


def assumed_targets_text(rubric: Rubric) -> str:
    """The full-score values the document does not give (花垣: 70/70/40 per village), with
    the system-default label; empty when every one is from the document."""
    seen = dict((i.code, i) for a in rubric.aspects for i in a.indicators if i.assumed)
    return "；".join(f"满分值“{i.name}≥{i.target:g}%”{ASSUMED_LABEL}：{i.assumed}" for i in seen.values())


def indicator_codes(rubric: Rubric) -> list[str]:
    """Indicator codes the rubric reads, in rubric order, without repeats."""
    return list(dict.fromkeys(i.code for a in rubric.aspects for i in a.indicators))


def _points(rubric: Rubric, weights: Mapping[str, float] | None) -> np.ndarray:
    if weights is None:
        return np.array([a.points for a in rubric.aspects], dtype="float64")
    codes = [a.code for a in rubric.aspects]
    problems = [Problem(f"没有这个计分方面：{k}", column=k) for k in weights if k not in codes]
    problems += [Problem("缺少该方面的分值", column=c) for c in codes if c not in weights]
    pts = []
    for c in codes:
        v = weights.get(c)
        try:
            v = float(v)
        except (TypeError, ValueError):
            if c in weights:
                problems.append(Problem(f"分值“{v}”不是数字", column=c))
            v = 0.0
        if v < 0 or v != v:
            problems.append(Problem(f"分值{v:g}不能为负数", column=c))
        pts.append(v)
    if not problems and abs(sum(pts) - rubric.total) > 1e-9:
        problems.append(Problem(f"各方面分值之和为{sum(pts):g}，应为{rubric.total:g}"))
    if problems:
        raise InputError(problems, source="计分权重")
    return np.array(pts, dtype="float64")


def weight_vector(rubric: Rubric, weights: Mapping[str, float] | None = None) -> tuple[list[str], np.ndarray, np.ndarray]:
    """(indicator codes, targets, per-indicator weights) with score = min(v/t, 1) @ weights.

    An aspect's points are shared equally by its indicators (mean of attainments).
    """
    codes = indicator_codes(rubric)
    pos = {c: i for i, c in enumerate(codes)}
    pts = _points(rubric, weights)
    w = np.zeros(len(codes))
    target = np.zeros(len(codes))
    for a, p in zip(rubric.aspects, pts):  # ~8 aspects
        for i in a.indicators:
            w[pos[i.code]] += p / len(a.indicators)
            target[pos[i.code]] = i.target
    return codes, target, w


def score_columns(columns: list[np.ndarray], target: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Scores from one float array per indicator; NaN values count as 0.

    Works column by column on contiguous arrays, in place: min(v / t, 1), then fmax with 0
    (which also turns NaN into 0), times the weight, added to the total.
    """
    n = columns[0].shape[0] if columns else 0
    total = np.zeros(n)
    tmp = np.empty(n)
    for col, t, w in zip(columns, target, weights):  # ~9 indicators
        if w == 0:
            continue
        np.divide(col, t, out=tmp)
        np.minimum(tmp, 1.0, out=tmp)
        np.fmax(tmp, 0.0, out=tmp)
        np.multiply(tmp, w, out=tmp)
        np.add(total, tmp, out=total)
    return np.round(total, DECIMALS, out=total)


def score_array(values: np.ndarray, target: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Scores for a (villages × indicators) float array; NaN values count as 0."""
    values = np.asarray(values, dtype="float64")
    return score_columns([np.ascontiguousarray(values[:, j]) for j in range(values.shape[1])], target, weights)


def rank_array(scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(competition rank "min", order) — order sorts by score, highest first.

    Tied scores get the same rank whatever their order, so an unstable sort is enough.
    """
    n = scores.size
    # Scores carry DECIMALS decimals: sort them as integers (about twice as fast as floats).
    keys = np.rint(np.nan_to_num(scores, nan=-1.0) * 10**DECIMALS).astype(np.int64)
    np.negative(keys, out=keys)
    order = np.argsort(keys)
    s = keys[order]
    new = np.empty(n, dtype=bool)
    if n:
        new[0] = True
        np.not_equal(s[1:], s[:-1], out=new[1:])
    first = np.maximum.accumulate(np.where(new, np.arange(n), 0))
    rank = np.empty(n, dtype=np.int64)
    rank[order] = first + 1
    return rank, order


def award_array(scores: np.ndarray, rank: np.ndarray, rubric: Rubric,
                regions: np.ndarray | None = None) -> np.ndarray:
    """Award codes 0 excellent, 1 qualified, 2 not_qualified."""
    qualified = scores >= rubric.pass_score
    if rubric.tie_rule == "include_ties":
        excellent = qualified & (rank <= rubric.excellent_top_n)
    else:
        keys = np.arange(scores.size) if regions is None else np.asarray(regions).astype(str)
        order = np.lexsort((keys, -scores))
        place = np.empty(scores.size, dtype=np.int64)
        place[order] = np.arange(1, scores.size + 1)
        excellent = qualified & (place <= rubric.excellent_top_n)
    return np.where(excellent, 0, np.where(qualified, 1, 2)).astype(np.int8)


def truncate(scores, decimals: int) -> np.ndarray:
    """Scores cut (not rounded) to ``decimals``: 79.96 shows as 79.9, never as a passing 80.0."""
    s = np.asarray(scores, dtype="float64")
    f = 10.0 ** decimals
    return np.floor(s * f + 1e-6) / f  # the epsilon absorbs binary noise (99.9 stored as 99.8999…)


def shown_decimals(scores, awards, least: int = 1) -> int:
    """The fewest decimals (at least ``least``) at which villages with different awards never
    show the same score: 99.934 (优秀) and 99.901 (达标) both read 99.9 at one decimal, so
    they are shown with two. Scores are cut, not rounded (``truncate``)."""
    s = np.asarray(scores, dtype="float64")
    a = pd.factorize(pd.Series(awards))[0]
    # cutting keeps the order, so after one sort by score two villages that read alike at
    # d decimals are neighbours: the test is one pass over neighbours per d
    order = np.argsort(s, kind="stable")
    s, a = s[order], a[order]
    differ = a[1:] != a[:-1]
    for d in range(least, DECIMALS + 1):
        shown = truncate(s, d)
        if not (differ & (shown[1:] == shown[:-1])).any():
            return d
    return DECIMALS


def _columns(values: pd.DataFrame, codes: list[str]) -> list[np.ndarray]:
    missing = [c for c in codes if c not in values.columns]
    if missing:
        raise InputError([Problem("缺少该指标列", column=c) for c in missing])
    return [values[c].to_numpy(dtype="float64", na_value=np.nan) for c in codes]


def scores(program: Program, values: pd.DataFrame) -> np.ndarray | None:
    """Each row's score by the programme's points (what ``score`` ranks); None when
    ``values`` lacks an indicator the rubric scores."""
    rubric = rubric_of(program)
    codes, target, w = weight_vector(rubric)
    if not set(codes) <= set(values.columns):
        return None
    return score_columns(_columns(values, codes), target, w)


def ranked(rubric: Rubric, regions, s: np.ndarray) -> pd.DataFrame:
    """Rank and award the scores ``s`` of ``regions`` (the rubric's rank rule and awards):
    columns region, score, rank, award, award_label in input order (see ``score``)."""
    rank, _ = rank_array(s)
    if rubric.tie_rule == "code_order":
        award = award_array(s, rank, rubric, np.asarray(regions))
    else:
        award = award_array(s, rank, rubric)
    return pd.DataFrame({
        "region": regions, "score": s, "rank": rank,
        "award": pd.Categorical.from_codes(award, categories=list(AWARDS)),
        "award_label": pd.Categorical.from_codes(award, categories=[AWARD_LABELS[a] for a in AWARDS]),
    })


def score(program: Program, values: pd.DataFrame, weights: Mapping[str, float] | None = None,
          aspects: bool = False) -> pd.DataFrame:
    """Score, rank and award every region of ``values`` (index = region, columns ⊇ indicators).

    Returns columns region, score, rank, award, award_label in input order. ``award`` and
    ``award_label`` are categoricals (categories in AWARDS order: excellent, qualified,
    not_qualified; compare them with strings as usual). With ``aspects=True`` also one
    column per aspect (``aspect_<code>``) with its points. ``weights``: {aspect_code:
    points} replacing the programme's points (must add up to the rubric's total).
    """
    rubric = rubric_of(program)
    codes, target, w = weight_vector(rubric, weights)
    cols = _columns(values, codes)
    regions = values.index
    out = ranked(rubric, regions.astype("str") if regions.dtype != "str" else regions.array,
                 score_columns(cols, target, w))
    if aspects:
        pts = _points(rubric, weights)
        pos = {c: i for i, c in enumerate(codes)}
        for a, p in zip(rubric.aspects, pts):
            idx = [pos[i.code] for i in a.indicators]
            sub = score_columns([cols[i] for i in idx], target[idx], np.full(len(idx), p / len(idx)))
            out[f"aspect_{a.code}"] = sub
    return out


def reweight(program: Program, values: pd.DataFrame, weights: Mapping[str, float]) -> pd.DataFrame:
    """Re-score with other points per aspect ({aspect_code: points}, adding to the total)."""
    return score(program, values, weights)


def compare(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """Before/after of two scored frames: score, rank, award and what changed.

    ``change``: gains_excellent, loses_excellent, gains_qualified, loses_qualified or
    none (a move between excellent and not_qualified counts as gains/loses_excellent).
    ``award_*`` and ``change`` are categoricals (compare them with strings as usual).
    """
    cols = ["region", "score", "rank", "award"]
    if len(before) == len(after) and before["region"].equals(after["region"]):
        # the same villages in the same order (a what-if re-scores the same frame): side
        # by side, without joining 500,000 codes
        m = pd.concat([before[cols].reset_index(drop=True),
                       after[cols[1:]].reset_index(drop=True).add_suffix("_after")], axis=1)
        m = m.rename(columns={c: f"{c}_before" for c in cols[1:]})
    else:
        m = before[cols].merge(after[cols], on="region", suffixes=("_before", "_after"))
    b, a = award_codes(m["award_before"]), award_codes(m["award_after"])
    change = np.select(
        [(a == 0) & (b != 0), (b == 0) & (a != 0), (a == 1) & (b == 2), (b == 1) & (a == 2)],
        [0, 1, 2, 3], 4).astype(np.int8)
    m["score_change"] = np.round(m["score_after"] - m["score_before"], DECIMALS)
    m["rank_change"] = m["rank_before"] - m["rank_after"]  # positive: moved up
    m["change"] = pd.Categorical.from_codes(change, categories=CHANGES)
    return m


CHANGES = ["gains_excellent", "loses_excellent", "gains_qualified", "loses_qualified", "none"]


def award_codes(award: pd.Series) -> np.ndarray:
    """0 excellent, 1 qualified, 2 not_qualified (-1 unknown) for award codes, read from the
    categorical's codes when it has AWARDS' categories (no strings made)."""
    if isinstance(award.dtype, pd.CategoricalDtype) and list(award.cat.categories) == list(AWARDS):
        return award.cat.codes.to_numpy()
    return pd.Categorical(award.astype(str), categories=list(AWARDS)).codes


def what_if(program: Program, values: pd.DataFrame, region: str, changes: Mapping[str, float],
            scored: pd.DataFrame | None = None, weights: Mapping[str, float] | None = None) -> dict:
    """One village's new score, rank and award if its values change, the others unchanged.

    ``scored``: the current result of ``score`` for ``values`` (pass it to avoid rescoring
    everyone). The new rank and award come from comparing with the others' scores (one
    vectorised pass), without rescoring them.
    """
    rubric = rubric_of(program)
    codes, target, w = weight_vector(rubric, weights)
    try:
        pos = values.index.get_loc(region)
    except KeyError:
        raise InputError(Problem(f"没有这个村：{region}", column="region")) from None
    if not isinstance(pos, (int, np.integer)):
        raise InputError(Problem(f"村“{region}”出现不止一次", column="region"))
    bad = [k for k in changes if k not in codes]
    if bad:
        raise InputError([Problem("不是计分指标", column=k) for k in bad])
    row = values.iloc[pos][codes].to_numpy(dtype="float64", na_value=np.nan).copy()
    for k, v in changes.items():
        row[codes.index(k)] = float(v)
    new = float(score_array(row[None, :], target, w)[0])
    if scored is None:
        scored = score(program, values, weights)
    if not (len(scored) == len(values) and str(scored["region"].iat[pos]) == str(region)):
        pos = int(np.flatnonzero((scored["region"] == str(region)).to_numpy())[0])  # other order
    s = scored["score"].to_numpy()
    # Rank among the others: those strictly above the new score, not counting itself.
    rank = int(np.count_nonzero(s > new)) - int(s[pos] > new) + 1
    qualified = new >= rubric.pass_score
    if rubric.tie_rule == "include_ties":
        excellent = qualified and rank <= rubric.excellent_top_n
    else:
        regions = scored["region"].to_numpy().astype(str)
        ahead = (s == new) & (regions < str(region))
        place = rank + int(np.count_nonzero(ahead)) - int(ahead[pos])
        excellent = qualified and place <= rubric.excellent_top_n
    old_row = scored.iloc[pos]
    award = "excellent" if excellent else "qualified" if qualified else "not_qualified"
    return {
        "region": str(region), "score_before": float(old_row["score"]), "score": new,
        "rank_before": int(old_row["rank"]), "rank": rank,
        "award_before": old_row["award"], "award": award, "award_label": AWARD_LABELS[award],
    }
