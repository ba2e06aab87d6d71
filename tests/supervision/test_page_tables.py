"""How the 市级督导 pages' tables read on a projector and in the circular preview: short
tables show every row (no frame cutting the 11th row in half), long ones say how many
rows they hold; plain Chinese instead of a command line; units on the 银川 grid."""
from __future__ import annotations

import pytest
import streamlit

from dashboards.ui import tables
from tests.support import click_tables, shown_tables

LAG, CIRC, RESET = "supervision/laggards.py", "supervision/circular.py", "supervision/resettlement.py"


@pytest.fixture
def heights(monkeypatch):
    """Record (rows, height) of every st.dataframe a page draws."""
    seen = []
    real = streamlit.dataframe

    def spy(data=None, *args, **kwargs):
        frame = getattr(data, "data", data)  # a Styler's frame
        seen.append((len(frame), kwargs.get("height", "auto")))
        return real(data, *args, **kwargs)

    monkeypatch.setattr(streamlit, "dataframe", spy)
    return seen


def _every_row_visible(rows: int, height) -> bool:
    return isinstance(height, int) and height >= (rows + 1) * tables.row_px()


def ok(at):
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_laggard_list_shows_every_row(app_test):
    at = ok(app_test("xinzhou-2023", LAG))
    table = click_tables(at)["lg_table"]
    rows = len(table["frame"])
    assert rows > 12 and rows == len(table["keys"])  # the demo's December: 15 pilots behind
    assert not table["long"]  # no inner frame: every row on the page


def test_circular_preview_tables_show_every_row_and_speak_plain_chinese(app_test, heights):
    at = ok(app_test("xinzhou-2023", CIRC))
    assert len(heights) == 4 and max(r for r, _ in heights) > 10
    assert all(_every_row_visible(r, h) for r, h in heights)
    text = " ".join(c.value for c in at.caption)
    assert "--period" not in text and "ruralcore circular" not in text
    assert "预览" in text


def test_long_table_scrolls_and_says_its_row_count(app_test):
    at = ok(app_test("xinzhou-2023", "supervision/board.py"))
    table = click_tables(at)["bd_table"]
    rows = len(table["frame"])
    assert rows == 67 and table["long"]  # scrolls inside its box, the header in view
    assert any(f"共 {rows} 行" in c.value for c in at.caption)


def test_resettlement_district_grid_names_its_units(app_test):
    at = ok(app_test("yinchuan-2017", RESET))
    grid = shown_tables(at)[1]
    labels = list(grid["目标"])
    assert any(label.endswith("（人/村）") for label in labels)  # 村均培训电子商务人才
    assert any(label.endswith("（个）") for label in labels)  # 卫生院、卫生服务中心
    assert any(label.endswith("（达标村占比%）") for label in labels)
    assert all(label.endswith("）") for label in labels)
    villages = shown_tables(at)[2]
    assert all("（" in c for c in villages.columns[2:])
