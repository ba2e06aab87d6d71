"""Published slices of a ranking keep everyone tied at the cut; rank changes; the labels
of deadlines and clauses."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ruralcore import ranks
from ruralcore.fmt import due_ref, rank_move


def _ranked(scores: list[float]) -> pd.DataFrame:
    s = pd.Series(scores)
    return pd.DataFrame({"region": [f"v{i:02d}" for i in range(len(s))], "score": s,
                         "rank": s.rank(method="min", ascending=False).astype(int)})


def test_top_takes_everyone_tied_at_the_cut():
    r = _ranked([100, 99, 98, 97, 97, 97, 90, 80])  # ranks 1 2 3 4 4 4 7 8
    assert ranks.top(r, 4)["rank"].tolist() == [1, 2, 3, 4, 4, 4]
    assert ranks.top(r, 5)["rank"].tolist() == [1, 2, 3, 4, 4, 4]
    assert ranks.top(r, 7)["rank"].tolist() == [1, 2, 3, 4, 4, 4, 7]
    assert len(ranks.top(r, 20)) == 8


def test_top_of_part_of_a_ranking_keeps_the_county_wide_ranks():
    part = _ranked([100, 99, 98, 97, 97, 97, 90, 80]).iloc[[1, 3, 4, 6]]  # ranks 2 4 4 7
    assert ranks.top(part, 2)["rank"].tolist() == [2, 4, 4]


def test_bottom_takes_everyone_tied_with_the_last_taken_and_leaves_out_the_top():
    r = _ranked([100, 95, 60, 50, 50, 40])
    low = ranks.bottom(r, 2)
    assert low["score"].tolist() == [40, 50, 50]  # lowest first, the tie at the cut included
    best = ranks.top(r, 2)
    assert set(ranks.bottom(r, 5, exclude=best.index)["score"]) == {60, 50, 40}


def test_tied_marks_shared_ranks_only():
    assert ranks.tied(pd.Series([1, 2, 2, 4])).tolist() == [False, True, True, False]


def test_change_counts_places_moved_up():
    now = pd.Series({"a": 1, "b": 2, "c": 3})
    before = pd.Series({"a": 3, "b": 2})
    up = ranks.change(now, before)
    assert up["a"] == 2 and up["b"] == 0 and np.isnan(up["c"])
    assert [rank_move(x) for x in up] == ["↑2", "持平", "上月未参评"]
    assert rank_move(-3) == "↓3"


def test_deadline_and_clause_are_labelled():
    assert due_ref(dt.date(2019, 7, 31), "一(一)") == "期限 2019年7月31日 · 条款 一(一)"
    assert due_ref(None, "五(二)") == "条款 五(二)"
    assert due_ref("2020-01-05") == "期限 2020年1月5日"
