"""Chart layout seen on a projector: the legend has its own band under the title (it used
to print over it), and bar value labels never sit on the red target line."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dashboards.ui import charts, theme


@pytest.fixture(params=[False, True], ids=["normal", "projector"])
def mode(request, monkeypatch):
    size = 24 if request.param else 14
    monkeypatch.setattr(theme, "projector_on", lambda: request.param)
    monkeypatch.setattr(theme, "font_size", lambda: size)
    monkeypatch.setattr(charts, "font_size", lambda: size)
    return size


def _bands(fig):
    """(bottom of the title, top of the legend, bottom of the legend's band, top of the plot)
    in pixels from the top of the figure."""
    h, size = fig.layout.height, fig.layout.font.size
    title_bottom = (1 - fig.layout.title.y) * h + (size + 4) * 1.3
    legend_top = (1 - fig.layout.legend.y) * h
    return title_bottom, legend_top, fig.layout.margin.t


def test_trend_legend_sits_between_title_and_plot(mode):
    idx = ["2019-07", "2019-08", "2019-09", "2019-11"]
    names = ["4G网络覆盖率", "光纤宽带通达率", "4G上网普及率", "移动乡情网组建应用", "益农信息社覆盖率", "村务公开信息化率"]
    frame = pd.DataFrame({f"c{i}": np.linspace(50, 100, 4) for i in range(6)}, index=idx)
    fig = charts.trend(frame, {f"c{i}": n for i, n in enumerate(names)}, {"c0": 70.0}, "演示村01：各指标逐月变化", "%")
    assert fig.layout.legend.yref == "container" and fig.layout.title.yref == "container"
    title_bottom, legend_top, plot_top = _bands(fig)
    assert legend_top >= title_bottom  # the legend starts under the title…
    rows = theme._legend_rows(names, mode)
    assert rows >= 2  # six long names do not fit one row of a half-screen chart
    assert plot_top >= legend_top + rows * mode * 1.4  # …and the plot under all its rows


def test_stacked_states_legend_below_title(mode):
    frame = pd.DataFrame({"area": ["基础设施", "乡村治理"], "done": [3, 1], "late": [1, 2]})
    fig = charts.stacked_states(frame, "area", {"done": "已完成", "late": "已逾期"}, {}, "各领域任务状态")
    title_bottom, legend_top, plot_top = _bands(fig)
    assert title_bottom <= legend_top < plot_top - mode


def test_single_series_chart_keeps_no_legend_band(mode):
    frame = pd.DataFrame({"a": [1.0, 2.0]}, index=["2019-07", "2019-08"])
    fig = charts.trend(frame, {"a": "4G网络覆盖率"}, {}, "逐月", "%")
    assert fig.layout.margin.t < (mode + 4) * 1.6 + 2 * mode


def test_bar_labels_just_under_the_target_go_inside_the_bar(mode):
    v = pd.Series([97.7, 96.2, 100.0, 60.0, 30.0, np.nan])
    fig = charts.compare_bars(pd.Series(list("ABCDEF")), v, 100.0, ">=", "4G网络覆盖率：各乡镇", "%")
    pos = list(fig.data[0].textposition)
    assert pos[:3] == ["inside"] * 3  # an outside label would be struck through by the line at 100
    assert pos[3:] == ["outside"] * 3  # far below the line (or no value): above the bar
    assert fig.data[0].textangle == 0


def test_no_target_keeps_labels_outside():
    assert not charts.label_inside(np.array([99.0, 50.0]), None, 100).any()


def test_text_columns_are_as_wide_as_their_longest_entry():
    from dashboards.ui import tables
    frame = pd.DataFrame({"县（市、区）": ["忻府区", "五台山风景名胜区"], "试点数": [4, 4]})
    widths = tables.text_widths(frame)
    assert list(widths) == ["县（市、区）"]  # numbers keep the grid's own width
    assert widths["县（市、区）"]["width"] >= 8 * 14  # eight characters of 14 px type


def test_stacked_states_ticks_stay_apart_when_counts_are_large(mode):
    few = pd.DataFrame({"unit": ["甲", "乙"], "doing": [2, 3]})
    many = pd.DataFrame({"unit": ["甲", "乙"], "doing": [2, 21]})
    states = {"doing": "推进中"}
    assert charts.stacked_states(few, "unit", states, {}, "任务").layout.xaxis.dtick == 1
    fig = charts.stacked_states(many, "unit", states, {}, "任务")
    assert fig.layout.xaxis.dtick is None and fig.layout.xaxis.tickangle == 0
