"""花垣 scoring (三(一)、三(二)): ≥ 80 points 达标, top 10 by score 优秀."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ruralcore.rules import scoring as sc
from ruralcore.kernel.errors import InputError, RuralcoreError
from ruralcore.rules.programs import load_program

P = load_program("huayuan-2019")
CODES = sc.indicator_codes(P.rubric)
# The document's targets (一(一)、一(二)、一(三)): 4G/fiber 100 %, phone 70 %, 4G internet 70 %,
# home broadband 40 %, yes/no items 100.
AT_TARGET = {"coverage_4g": 100, "fiber_reach": 100, "phone_penetration": 70,
             "internet_4g_penetration": 70, "home_broadband": 40, "xiangqing_net": 100,
             "group_ringtone": 100, "cloud_mas": 100, "study_room": 100}


def frame(rows: dict[str, dict]) -> pd.DataFrame:
    return pd.DataFrame.from_dict(rows, orient="index")[CODES].astype("float64")


def with_score(target_score: float) -> dict:
    """A village at the same share of every target, so its score is that share × 100."""
    return {k: v * target_score / 100 for k, v in AT_TARGET.items()}


def test_rubric_reads_the_nine_documented_indicators():
    assert CODES == ["coverage_4g", "fiber_reach", "phone_penetration", "internet_4g_penetration",
                     "home_broadband", "xiangqing_net", "group_ringtone", "cloud_mas", "study_room"]
    assert P.rubric.pass_score == 80 and P.rubric.excellent_top_n == 10


def test_village_exactly_at_targets_scores_100_and_beyond_is_capped():
    beyond = {k: min(v * 1.4, 100) for k, v in AT_TARGET.items()}  # 98 % phones, 56 % broadband
    out = sc.score(P, frame({"at": AT_TARGET, "beyond": beyond}))
    assert out["score"].tolist() == [100.0, 100.0]
    assert out["rank"].tolist() == [1, 1]


def test_proportional_attainment_by_hand():
    # Broadband 20 % of a 40 % target = half of 15 points; 4G half-covered = half of 10
    # (双百 20 points shared by two indicators): 100 - 7.5 - 5 = 87.5.
    v = dict(AT_TARGET, home_broadband=20, coverage_4g=50)
    assert sc.score(P, frame({"a": v}))["score"].item() == 87.5


def test_79_99_is_not_qualified_and_80_is_qualified():
    out = sc.score(P, frame({"a": with_score(79.99), "b": with_score(80)}))
    assert out["score"].tolist() == [79.99, 80.0]
    assert out["award"].tolist() == ["not_qualified", "excellent"]
    assert out["award_label"].tolist() == ["未达标", "优秀"]


def test_top_10_with_a_tie_at_10th_includes_every_tied_village():
    scores = [99, 98, 97, 96, 95, 94, 93, 92, 91, 90, 90, 90, 85, 81, 79]
    out = sc.score(P, frame({f"v{i:02d}": with_score(s) for i, s in enumerate(scores)}))
    assert out["rank"].tolist() == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 10, 10, 13, 14, 15]
    assert (out["award"] == "excellent").sum() == 12
    assert out["award"].tolist()[12:] == ["qualified", "qualified", "not_qualified"]


def test_code_order_tie_rule_takes_exactly_ten():
    rubric = P.rubric.model_copy(update={"tie_rule": "code_order"})
    p = P.model_copy(update={"rubric": rubric})
    scores = [99, 98, 97, 96, 95, 94, 93, 92, 91, 90, 90, 90]
    out = sc.score(p, frame({f"v{i:02d}": with_score(s) for i, s in enumerate(scores)}))
    assert (out["award"] == "excellent").sum() == 10
    assert out.loc[out["region"] == "v09", "award"].item() == "excellent"
    assert out.loc[out["region"] == "v10", "award"].item() == "qualified"


def test_below_80_never_excellent_even_when_fewer_than_ten_qualify():
    out = sc.score(P, frame({"a": with_score(95), "b": with_score(80), "c": with_score(79.5),
                             "d": with_score(60)}))
    assert out["award"].tolist() == ["excellent", "excellent", "not_qualified", "not_qualified"]
    assert out["rank"].tolist() == [1, 2, 3, 4]


def test_missing_values_count_as_zero_attainment():
    v = dict(AT_TARGET, study_room=np.nan)
    assert sc.score(P, frame({"a": v}))["score"].item() == 90.0


def test_reweight_changes_ranking_as_computed_by_hand():
    # a: everything but no study room (10 points) → 90; b: no broadband at all (15) → 85.
    a = dict(AT_TARGET, study_room=0)
    b = dict(AT_TARGET, home_broadband=0)
    values = frame({"a": a, "b": b})
    before = sc.score(P, values)
    assert before["score"].tolist() == [90.0, 85.0] and before["rank"].tolist() == [1, 2]
    # Move 10 points from broadband to the study room: study_room 20, broadband 5.
    weights = {x.code: x.points for x in P.rubric.aspects}
    weights.update(study_room=20, broadband=5)
    after = sc.reweight(P, values, weights)
    assert after["score"].tolist() == [80.0, 95.0]  # a: 100-20, b: 100-5
    assert after["rank"].tolist() == [2, 1]
    cmp = sc.compare(before, after).set_index("region")
    assert cmp.loc["a", "rank_change"] == -1 and cmp.loc["b", "rank_change"] == 1
    assert cmp.loc["a", "score_change"] == -10.0


def test_compare_names_who_gains_or_loses():
    values = frame({"a": with_score(85), "b": dict(AT_TARGET, study_room=0, group_ringtone=0)})
    before = sc.score(P, values)  # a 85, b 85 → both excellent
    weights = {x.code: x.points for x in P.rubric.aspects}
    weights.update(study_room=20, broadband=5)  # a: 85 % of every target → 85 ; b: 100-20-5 = 75
    after = sc.reweight(P, values, weights)
    cmp = sc.compare(before, after).set_index("region")
    assert cmp.loc["b", "change"] == "loses_excellent"
    assert cmp.loc["a", "change"] == "none"


def test_reweight_must_add_up_to_total():
    weights = {x.code: x.points for x in P.rubric.aspects}
    weights["study_room"] = 11
    with pytest.raises(InputError, match="101.*应为100"):
        sc.reweight(P, frame({"a": AT_TARGET}), weights)
    with pytest.raises(InputError, match="没有这个计分方面"):
        sc.reweight(P, frame({"a": AT_TARGET}), {**weights, "study_room": 10, "nope": 0})


def test_what_if_single_village_matches_full_rescore():
    rng = np.random.default_rng(7)
    values = pd.DataFrame(rng.uniform(30, 100, (200, len(CODES))), columns=CODES,
                          index=[f"村{i:03d}" for i in range(200)])
    scored = sc.score(P, values)
    changes = {"home_broadband": 40, "study_room": 100, "coverage_4g": 100}
    got = sc.what_if(P, values, "村123", changes, scored=scored)
    changed = values.copy()
    for k, v in changes.items():
        changed.loc["村123", k] = v
    full = sc.score(P, changed).set_index("region").loc["村123"]
    assert got["score"] == full["score"] and got["rank"] == full["rank"]
    assert got["award"] == full["award"]
    assert got["score_before"] == scored.set_index("region").loc["村123", "score"]


def test_aspect_points_add_up_to_score():
    v = dict(AT_TARGET, home_broadband=20, coverage_4g=50)
    out = sc.score(P, frame({"a": v}), aspects=True)
    cols = [c for c in out.columns if c.startswith("aspect_")]
    assert len(cols) == 8
    assert out[cols].sum(axis=1).item() == pytest.approx(87.5)
    assert out["aspect_shuangbai"].item() == 15.0


def test_program_without_rubric_is_a_clear_error():
    other = P.model_copy(update={"rubric": None})
    with pytest.raises(RuralcoreError, match="没有规定计分办法"):
        sc.score(other, frame({"a": AT_TARGET}))


def test_tie_rule_text_states_the_rule():
    text = sc.tie_rule_text(P.rubric)
    assert "80" in text and "前10名" in text and "并列" in text


def test_what_if_can_win_excellent_and_unknown_village_is_an_error():
    values = frame({"a": with_score(95), "b": with_score(90), "c": with_score(70)})
    got = sc.what_if(P, values, "c", {k: v for k, v in AT_TARGET.items()})
    assert (got["score_before"], got["rank_before"], got["award_before"]) == (70.0, 3, "not_qualified")
    assert (got["score"], got["rank"], got["award"]) == (100.0, 1, "excellent")
    with pytest.raises(InputError, match="没有这个村"):
        sc.what_if(P, values, "z", {"study_room": 0})
    with pytest.raises(InputError, match="不是计分指标"):
        sc.what_if(P, values, "a", {"households": 0})
