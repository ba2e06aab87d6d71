"""The laggards' list keeps everyone tied at its cut; rank changes since last month; the
labels of deadlines and clauses."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ruralcore import overview as ov
from ruralcore import ranking
from ruralcore.fmt import due_ref, rank_move


def _ranked(scores: list[float]) -> pd.DataFrame:
    s = pd.Series(scores)
    return pd.DataFrame({"region": [f"v{i:02d}" for i in range(len(s))], "score": s,
                         "rank": s.rank(method="min", ascending=False).astype(int)})


def test_bottom_takes_everyone_tied_with_the_last_taken_and_leaves_out_the_top():
    r = _ranked([100, 95, 60, 50, 50, 40])  # ranks 1 2 3 4 4 6
    assert ov.bottom_with_ties(r, 2)["score"].tolist() == [40, 50, 50]  # lowest first, the tie at the cut
    best = ov.top_with_ties(r, 2)
    assert ov.bottom_with_ties(r, 5, exclude=best.index)["score"].tolist() == [40, 50, 50, 60]


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
