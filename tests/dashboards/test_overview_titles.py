"""总览 as seen by different accounts and on a projector: the title fits the account's
level, the heatmap says “全部N个村” when it shows every village, its row names are large
enough to read, and a wrapped column name never starts a line with “）”."""
from __future__ import annotations

import base64
import json

import numpy as np
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


def test_wrapped_names_keep_latin_words_and_opening_brackets_whole():
    name = "移动云MAS（短信群发等）村务信息化应用"
    for width in range(3, 13):
        lines = charts._wrap(name, width).split("<br>")
        assert "".join(lines) == name
        assert any("MAS" in line for line in lines), (width, lines)  # never “M”/“AS”
        assert not any(line.endswith("（") for line in lines[:-1]), (width, lines)


@pytest.mark.parametrize("program", ["huayuan-2019", "rongshui-2019"])
def test_heatmap_colour_and_number_mean_one_thing(app_test, program):
    """Each cell prints the value and is green exactly when the value meets the target
    printed under its column (red or amber otherwise): the colour no longer encodes an
    attainment ratio that disagrees with the number."""
    import re

    fig = _heatmap(app_test(program, page=OVERVIEW))
    trace = fig["data"][0]
    found = [re.search(r"（≥([\d.]+)", x) for x in trace["x"]]
    targets = [float(f.group(1)) if f else None for f in found]
    assert trace["colorbar"]["ticktext"] == ["落后", "接近目标", "达标", "不考核"]
    z = trace["z"]
    if isinstance(z, dict):  # plotly 6: {'dtype', 'bdata' (base64), 'shape'}
        shape = tuple(int(n) for n in str(z["shape"]).split(","))
        z = np.frombuffer(base64.b64decode(z["bdata"]), dtype=np.dtype(z["dtype"])).reshape(shape)
    checked = 0
    for z_row, t_row in zip(z, trace["text"]):
        for code, text, thr in zip(z_row, t_row, targets):
            if text == "—":
                continue
            if thr is None:  # “（无目标）” or “（目标不按村考核）”: no colour judges it
                assert code == 3, (text, code)
                continue
            assert (code == 2) == (float(text) >= thr), (text, thr, code)
            checked += 1
    assert checked > 20
