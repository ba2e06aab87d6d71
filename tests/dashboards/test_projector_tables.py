"""Projector tables fit the screen's width: a table too wide even with wrapped headings
is split into column groups, each led by the row's name (normal mode keeps one table)."""
from __future__ import annotations

import pandas as pd

from dashboards.ui import htmltable


def test_a_wide_table_is_split_on_a_projector_into_groups_that_fit_each_led_by_the_row_name(monkeypatch):
    wide = pd.DataFrame({"县（市、区）": ["五台山风景名胜区", "忻府区"], "试点": ["义井镇店儿上村", "东湖乡"],
                         **{f"节点{i}": ["逾期未完成", "按时"] for i in range(14)}})
    assert htmltable.column_groups(wide, lead=2) == [list(wide.columns)]  # normal mode: one table
    monkeypatch.setattr(htmltable, "projector_on", lambda: True)
    groups = htmltable.column_groups(wide, lead=2)
    assert len(groups) > 1
    assert all(g[:2] == ["县（市、区）", "试点"] for g in groups)
    assert [c for g in groups for c in g[2:]] == list(wide.columns[2:])  # every column once, in order
    for g in groups:
        assert sum(htmltable.narrowest_px(c, wide[c]) for c in g) <= htmltable.PROJECTOR_PX
    # each part shows only its columns
    part = htmltable.to_html(wide, columns=groups[1])
    assert ">节点13<" in part and ">节点0<" not in part and ">试点<" in part


def test_a_table_that_fits_stays_whole(monkeypatch):
    monkeypatch.setattr(htmltable, "projector_on", lambda: True)
    narrow = pd.DataFrame({"村": ["花垣镇演示村01"], "得分": [99.5], "等次": ["优秀"]})
    assert htmltable.column_groups(narrow) == [list(narrow.columns)]
