"""Plotly figures for the dashboards. They draw what ruralcore computed; they aggregate
nothing themselves (callers pass at most a few dozen rows)."""
from __future__ import annotations

import datetime as dt
import functools
import importlib
import pkgutil
import re

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from ruralcore.kernel.fmt import date_zh, period_zh

from .theme import RAG_COLORS, font_size, projector_on, style_figure

TARGET_COLOR = "#c62828"


def _import_parts(package: str, depth: int) -> None:
    """Plotly imports a trace's or the layout's parts on their first use, in the middle of
    the first page that draws one; import the parts these charts use with this module,
    with the rest of the app's imports."""
    module = importlib.import_module(package)
    if depth and hasattr(module, "__path__"):
        for part in pkgutil.iter_modules(module.__path__):
            _import_parts(f"{package}.{part.name}", depth - 1)


for _package in ("bar", "heatmap", "scatter", "layout"):
    _import_parts(f"plotly.graph_objs.{_package}", 2)


def cached(build):
    """Keep the figures ``build`` draws: building a plotly figure is most of a chart's cost
    on the server, and the same inputs in the same look (font size, projector, slideshow)
    draw the same figure. Callers must not change a figure they get (st.plotly_chart only
    reads it)."""
    @st.cache_resource(show_spinner=False, max_entries=256)
    def keep(look: tuple, *args, **kwargs) -> go.Figure:
        return build(*args, **kwargs)

    @functools.wraps(build)
    def draw(*args, **kwargs) -> go.Figure:
        return keep((font_size(), projector_on(), bool(st.session_state.get("slideshow"))), *args, **kwargs)
    return draw


def _target_line(fig, threshold: float | None, label: str) -> None:
    if threshold is None or (isinstance(threshold, float) and np.isnan(threshold)):
        return
    # the label sits right of the plot, where no bar or point can cover it
    fig.add_hline(y=threshold, line_dash="dash", line_color=TARGET_COLOR, line_width=3)
    fig.add_annotation(x=1, xref="paper", xanchor="left", y=threshold, yref="y", showarrow=False,
                       text=f" {label} {threshold:g}", font=dict(color=TARGET_COLOR, size=font_size()))
    fig.update_layout(margin=dict(r=40 + font_size() * 5))


@cached
def compare_bars(names: pd.Series, values: pd.Series, threshold: float | None, op: str | None,
                 title: str, unit: str, height: int | None = None) -> go.Figure:
    """One bar per region, coloured met / not met, with the target as a dashed line."""
    v = values.to_numpy(dtype="float64")
    if threshold is not None and not np.isnan(threshold) and op in (">=", ">"):
        colors = np.where(v >= threshold, RAG_COLORS["green"], RAG_COLORS["red"])
    elif threshold is not None and not np.isnan(threshold) and op in ("<=", "<"):
        colors = np.where(v <= threshold, RAG_COLORS["green"], RAG_COLORS["red"])
    else:
        colors = np.full(len(v), "#1f5fa8")
    text = [("—" if np.isnan(x) else f"{x:.1f}") for x in v]
    top = np.nanmax(np.append(v, threshold if threshold is not None else np.nan)) if len(v) else 1
    inside = label_inside(v, threshold, top if np.isfinite(top) else 1)
    fig = go.Figure(go.Bar(x=list(names), y=v, marker_color=list(colors), text=text,
                           textposition=np.where(inside, "inside", "outside").tolist(), insidetextanchor="end",
                           textangle=0,
                           textfont=dict(size=max(font_size() - 2, 10),
                                         color=np.where(inside, "#fff", "#000").tolist()),
                           cliponaxis=False, hovertemplate="%{x}：%{y:.1f}" + unit + "<extra></extra>"))
    _target_line(fig, threshold, "目标")
    fig.update_layout(title=title, yaxis_title=unit, showlegend=False)
    fig.update_yaxes(range=[0, (top if np.isfinite(top) else 1) * 1.15])
    fig = style_figure(fig, height)
    if len(v) > 10:  # many regions: slant the names so they do not run into each other
        fig.update_xaxes(tickangle=-35)
    return fig


def label_inside(values: np.ndarray, threshold: float | None, top: float) -> np.ndarray:
    """Bars whose value label would sit on the target line if printed above the bar: just
    under the target (e.g. 97.7 with the line at 100). Their label goes inside the bar's
    top, below the line; the others stay above their bar."""
    v = np.asarray(values, dtype="float64")
    if threshold is None or np.isnan(threshold):
        return np.zeros(len(v), dtype=bool)
    label = top * 1.15 * 0.09  # a label's height in data units (about 9 % of the axis)
    with np.errstate(invalid="ignore"):
        return (v <= threshold) & (threshold <= v + 1.3 * label) & (v >= 2 * label)


# heatmap z: 0 red, 1 amber, 2 green, 3 judged by no target (no data: blank)
STATUS_ORDER = ["red", "amber", "green", ""]
STATUS_NAMES = {"red": "落后", "amber": "接近目标", "green": "达标", "": "不考核"}
NO_TARGET_COLOR = "#cfd8dc"


@cached
def heatmap(labels: list[str], status: pd.DataFrame, values: pd.DataFrame, columns: list[str],
            title: str, height: int | None = None, targets: list[str] | None = None) -> go.Figure:
    """Regions × indicators: each cell prints the value and is coloured by its status
    against the indicator's target (the tiles' red / amber / green; grey where no target
    judges it): one meaning. The targets (“≥70%”) stand on their own line under the
    column names."""
    code = {s: i for i, s in enumerate(STATUS_ORDER)}
    z = status.apply(lambda col: col.map(code)).to_numpy(dtype="float64")
    v = values.to_numpy(dtype="float64")
    text = np.where(np.isnan(v), "—", np.vectorize(_short_number, otypes=[object])(np.nan_to_num(v)))
    colours = [RAG_COLORS["red"], RAG_COLORS["amber"], RAG_COLORS["green"], NO_TARGET_COLOR]
    scale = [x for i, c in enumerate(colours) for x in ([i / 4, c], [(i + 1) / 4, c])]
    fig = go.Figure(go.Heatmap(
        z=z, x=columns, y=labels, text=text, texttemplate="%{text}", zmin=-0.5, zmax=3.5, colorscale=scale,
        xgap=2, ygap=2,
        colorbar=dict(title="按目标判定", tickvals=[0, 1, 2, 3], ticktext=[STATUS_NAMES[s] for s in STATUS_ORDER]),
        hovertemplate="%{y} · %{x}：%{text}<extra></extra>"))
    rows = max(len(labels), 1)
    # long indicator names stand above their columns, wrapped (never slanted into the title)
    per_line = max(4, int((55 if font_size() > 20 else 75) / max(len(columns), 1)))
    wrapped = [_wrap(c, per_line) + (f"<br>{t}" if t else "") for c, t in zip(columns, targets or [""] * len(columns))]
    lines = max(w.count("<br>") + 1 for w in wrapped) if wrapped else 1
    fig.update_traces(x=wrapped)
    fig.update_layout(title=dict(text=title, y=0.995, yanchor="top", yref="container"))
    big = font_size() > 20
    row_px = 44 if big else 28  # projector: row names as large as the rest of the text
    fig = style_figure(fig, height or min(max(420, row_px * rows + 140 + lines * 20), 2400))
    fig.update_yaxes(autorange="reversed", tickfont=dict(size=font_size() if big else 12))
    fig.update_xaxes(side="top", tickangle=0, tickfont=dict(size=max(font_size() - 2, 10)))
    fig.update_layout(margin=dict(t=int(70 + lines * (font_size() + 4) * 1.3)))
    return fig


def _short_number(v: float) -> str:
    """87.5 → “87.5”, 40.0 → “40”."""
    return f"{v:.1f}".removesuffix(".0")


_NO_LINE_START = set("）)】」』，,。.、；;：:！!？?%")
_NO_LINE_END = set("（(【「『")
# a run of Latin letters, digits and their marks is one word: never broken (“移动云MAS”)
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9.%+\-]*|.", re.S)


def _wrap(text: str, width: int) -> str:
    """Lines of about ``width`` Chinese characters (a Latin letter or digit counts half);
    a Latin word or number is never broken, a closing bracket or punctuation mark never
    starts a line (it stays at the end of the line before) and an opening bracket never
    ends one."""
    lines: list[str] = []
    line, used = "", 0.0
    for tok in _TOKEN.findall(text):
        w = sum(1.0 if ord(ch) > 255 else 0.5 for ch in tok)
        if line and used + w > width and tok[0] not in _NO_LINE_START:
            carry = line[-1] if line[-1] in _NO_LINE_END and len(line) > 1 else ""
            lines.append(line[:len(line) - len(carry)])
            line, used = carry, float(len(carry))
        line += tok
        used += w
    if line:
        lines.append(line)
    return "<br>".join(lines)


@cached
def trend(frame: pd.DataFrame, columns: dict[str, str], thresholds: dict[str, float], title: str,
          unit: str, height: int | None = None) -> go.Figure:
    """Monthly values (index = period) of some indicators with their targets."""
    fig = go.Figure()
    x = [period_zh(p) for p in frame.index]
    for code, name in columns.items():
        if code in frame:
            fig.add_trace(go.Scatter(x=x, y=frame[code].to_numpy(dtype="float64"), mode="lines+markers",
                                     name=name, line=dict(width=4), marker=dict(size=9)))
    for v in sorted(set(t for t in thresholds.values() if t is not None and not np.isnan(t))):
        _target_line(fig, v, "目标")
    fig.update_layout(title=title, yaxis_title=unit)
    return style_figure(fig, height)


@cached
def timeline(ms: pd.DataFrame, as_of: dt.date, title: str, height: int | None = None) -> go.Figure:
    """Dated milestones as bars (start → due) or points, today's date marked."""
    colors = {"done": RAG_COLORS["green"], "on_track": "#1f5fa8", "due_soon": RAG_COLORS["amber"],
              "overdue": RAG_COLORS["red"]}
    ms = ms[ms["due"].notna()].copy()
    ms["due_d"] = pd.to_datetime(ms["due"])
    ms["start_d"] = pd.to_datetime(ms["start"]).fillna(ms["due_d"] - pd.Timedelta(days=3))
    fig = go.Figure()
    labels = ms["name"].str.slice(0, 22).to_numpy()
    for status, part in ms.groupby("status", sort=False):
        idx = ms.index.get_indexer(part.index)
        fig.add_trace(go.Bar(
            y=labels[idx], x=(part["due_d"] - part["start_d"]).dt.total_seconds().to_numpy() * 1000,
            base=part["start_d"].to_numpy(), orientation="h", marker_color=colors.get(status, "#777"),
            name=part["status_label"].iloc[0] if "status_label" in part else status,
            customdata=np.stack([part["name"], [date_zh(d) for d in part["due"]]], axis=1),
            hovertemplate="%{customdata[0]}<br>截止：%{customdata[1]}<extra></extra>"))
    fig.add_vline(x=pd.Timestamp(as_of).timestamp() * 1000, line_width=4, line_color="#000")
    fig.add_annotation(x=pd.Timestamp(as_of), y=1.0, yref="paper", text=f"数据截至 {date_zh(as_of)}",
                       showarrow=False, yanchor="bottom", font=dict(size=font_size()))
    fig.update_xaxes(type="date", tickformat="%Y年%-m月")
    fig.update_yaxes(autorange="reversed", categoryorder="array", categoryarray=list(labels))
    fig.update_layout(title=title, barmode="overlay")
    # the 数据截至 label stands just above the plot: room for it under the legend
    big = font_size() > 20
    return style_figure(fig, height or max(320, (64 if big else 48) * len(ms) + (280 if big else 180)),
                        top_extra=int(font_size() * 1.6))


def quota_bars(frame: pd.DataFrame, title: str, height: int | None = None) -> go.Figure:
    """Built vs quota per township (frame: township, built, quota) — grouped bars."""
    fig = go.Figure([
        go.Bar(x=frame["township"], y=frame["quota"], name="任务数（附件1）", marker_color="#b0bec5"),
        go.Bar(x=frame["township"], y=frame["built"], name="已建成", marker_color=RAG_COLORS["green"],
               text=frame["built"], textposition="outside", cliponaxis=False),
    ])
    fig.update_layout(title=title, barmode="group")  # the unit in the title: “个” turned on its side reads “<”
    return style_figure(fig, height)


def stacked_states(frame: pd.DataFrame, category: str, states: dict[str, str], colors: dict[str, str],
                   title: str, height: int | None = None) -> go.Figure:
    """Counts per category and state as horizontal stacked bars."""
    fig = go.Figure([go.Bar(y=frame[category], x=frame[s], name=label, orientation="h",
                            marker_color=colors.get(s, "#777")) for s, label in states.items() if s in frame])
    fig.update_layout(title=title, barmode="stack", xaxis_title="项")
    fig = style_figure(fig, height)
    fig.update_yaxes(autorange="reversed")
    widest = frame[[s for s in states if s in frame]].sum(axis=1).max() if len(frame) else 0
    # a tick per task while there are few; more and they would run into each other
    fig.update_xaxes(dtick=1 if widest <= 10 else None, tickformat="d", tickangle=0)
    return fig


@cached
def projection(series: pd.DataFrame, row: pd.Series, unit: str, height: int | None = None) -> go.Figure:
    """One region's monthly values of a target (series: period, value), the projection from
    this month to the deadline's month (dashed, ruralcore.app.forecast) and the target."""
    fig = go.Figure()
    s = series.sort_values("period")
    fig.add_trace(go.Scatter(x=[period_zh(p) for p in s["period"]], y=s["value"].to_numpy(dtype="float64"),
                             mode="lines+markers", name="实际", line=dict(width=4), marker=dict(size=9)))
    if len(s) and int(row["months_left"]) > 0:
        end = pd.Period(pd.Timestamp(row["deadline"]), "M").strftime("%Y-%m")
        fig.add_trace(go.Scatter(x=[period_zh(s["period"].iat[-1]), period_zh(end)],
                                 y=[float(row["value"]), float(row["projected"])], mode="lines+markers",
                                 name=f"预测（{row['verdict']}）", line=dict(width=3, dash="dot")))
    _target_line(fig, float(row["threshold"]), "目标")
    fig.update_layout(title=f"{row['region_name']}：{row['target_name']}（期限 {date_zh(row['deadline'])}）",
                      yaxis_title=unit)
    return style_figure(fig, height)
