"""The laggards' list keeps everyone tied at its cut; rank changes since last month; the
labels of deadlines and clauses."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ruralcore.app import overview as ov
from ruralcore.rules import ranking
from ruralcore.kernel.fmt import due_ref, rank_move


def _ranked(scores: list[float]) -> pd.DataFrame:
    s = pd.Series(scores)
    return pd.DataFrame({"region": [f"v{i:02d}" for i in range(len(s))], "score": s,
                         "rank": s.rank(method="min", ascending=False).astype(int)})


def test_bottom_takes_everyone_tied_with_the_last_taken_and_leaves_out_the_top():
    r = _ranked([100, 95, 60, 50, 50, 40])  # ranks 1 2 3 4 4 6
    assert ov.bottom_with_ties(r, 2)["score"].tolist() == [40, 50, 50]  # lowest first, the tie at the cut
    best = ov.top_with_ties(r, 2)
    assert ov.bottom_with_ties(r, 5, exclude=best.index)["score"].tolist() == [40, 50, 50, 60]


def test_a_rank_shared_by_very_many_is_counted_not_listed():
    r = _ranked([100] * 60 + [99, 98, 90, 90, 80])
    r["rank_label"] = ranking.rank_labels(r["rank"])
    r["award_label"] = np.where(r["score"] >= 99, "优秀", "达标")
    best = ov.top_with_ties(r, 10)
    assert len(best) == 60  # the tie at the cut, whole
    listed, counted = ov.counted_ties(best, 50)
    assert listed.empty and counted.to_dict("records") == [
        {"rank": 1, "rank_label": "1（并列）", "count": 60, "score": 100.0, "award_label": "优秀"}]
    few, none = ov.counted_ties(ov.top_with_ties(r.iloc[55:], 3), 50)  # 5 tied at 100, then 99
    assert len(few) == 5 and none.empty
    listed, counted = ov.counted_ties(r, 50)  # a long list: only the shared rank is counted
    assert listed["score"].tolist() == [99, 98, 90, 90, 80] and counted["count"].tolist() == [60]


def test_change_counts_places_moved_up_since_last_month():
    now = pd.Series({"a": 1, "b": 2, "c": 3})
    before = pd.Series({"a": 3, "b": 2})
    up = ranking.change(now, before)
    assert up["a"] == 2 and up["b"] == 0 and np.isnan(up["c"])
    assert [rank_move(x) for x in up] == ["↑2", "持平", "上月未参评"]
    assert rank_move(-3) == "↓3"


def test_deadline_and_clause_are_labelled():
    assert due_ref(dt.date(2019, 7, 31), "一(一)") == "期限 2019年7月31日 · 条款 一(一)"
    assert due_ref(None, "五(二)") == "条款 五(二)"
    assert due_ref("2020-01-05") == "期限 2020年1月5日"
