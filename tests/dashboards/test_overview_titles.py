"""总览 as seen by different accounts and on a projector: the title fits the account's
level, the heatmap says “全部N个村” when it shows every village, its row names are large
enough to read, and a wrapped column name never starts a line with “）”."""
from __future__ import annotations

import json

import pytest

from dashboards.ui import charts

OVERVIEW = "county/overview.py"


def _heatmap(at) -> dict:
    figs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    return next(f for f in figs if f["data"] and f["data"][0].get("type") == "heatmap")


@pytest.mark.parametrize("program, login, title", [
    ("xinzhou-2023", ("city_supervisor", "140900"), "市级总览"),
    ("huayuan-2019", ("county_admin", "433124"), "县领导小组总览"),
    ("huayuan-2019", ("auditor", ""), "总览"),
])
def test_title_fits_the_accounts_level(app_test, program, login, title):
    at = app_test(program, page=OVERVIEW, login=login)
    assert not at.exception, [e.message for e in at.exception]
    assert [t.value for t in at.title] == [title]


def test_heatmap_of_every_village_says_all(app_test):
    at = app_test("huayuan-2019", page=OVERVIEW)
    assert not at.exception
    fig = _heatmap(at)
    title = fig["layout"]["title"]["text"]
    rows = len(fig["data"][0]["y"])
    assert title.startswith(f"全部{rows}个村") and "最低" not in title  # 花垣: 47 villages, all shown
    assert fig["layout"]["yaxis"]["tickfont"]["size"] >= 12


def test_heatmap_on_a_projector_has_fewer_larger_rows(app_test):
    at = app_test("xinzhou-2023", page=OVERVIEW, query={"projector": "1"})
    assert not at.exception
    fig = _heatmap(at)
    assert len(fig["data"][0]["y"]) <= 20
    assert fig["layout"]["yaxis"]["tickfont"]["size"] == 24
    assert "最低的 20 个" in fig["layout"]["title"]["text"]


def test_wrapped_names_never_start_a_line_with_a_closing_bracket():
    wrapped = charts._wrap("移动云MAS（短信群发等）村务信息化应用", 12)
    lines = wrapped.split("<br>")
    assert "".join(lines) == "移动云MAS（短信群发等）村务信息化应用"
    assert not any(line.startswith(("）", "，")) for line in lines)
