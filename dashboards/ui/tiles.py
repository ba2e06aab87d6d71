"""Red/amber/green target tiles: st.metric with the change since last month; on a
projector one grid of compact tiles that holds every target of a programme on the
first 1920×1080 screen."""
from __future__ import annotations

import html
import math

import pandas as pd
import streamlit as st

from ruralcore.kernel.fmt import due_ref, value_with_unit
from ruralcore.rules.programs import ASSUMED_LABEL

from .text import nowrap
from .theme import RAG_COLORS

STATUS_TEXT = {"green": "达标", "amber": "接近目标", "red": "落后", "incomplete": "未报齐", "no_data": "无数据"}
OP_TEXT = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "==": "="}
NO_DATA_COLOR = "#757575"


def tile_value(row) -> str:
    return value_with_unit(row["value"], row["unit"])


def _missing(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def tile_delta(row) -> str | None:
    d = row["delta"]
    if _missing(d):
        return None
    unit = "个百分点" if row["unit"] == "%" else row["unit"]
    if round(d, 1) == 0:
        return "持平（较上月）"
    return f"{d:+.1f}{unit}（较上月）"


def badge(status: str) -> str:
    color = RAG_COLORS.get(status, NO_DATA_COLOR)
    return (f"<span style='display:inline-block;padding:2px 10px;border-radius:6px;background:{color};"
            f"color:#fff;font-weight:700;white-space:nowrap'>● {STATUS_TEXT.get(status, status)}</span>")


def _need(row) -> str:
    return f"目标 {OP_TEXT.get(row['op'], row['op'])} {value_with_unit(row['threshold'], row['unit'])}"


def _met(row) -> str:
    """“N个村中M个达标” for a target every unit must meet (ruralcore.app.overview.target_tiles)."""
    return row.get("units_text") or ""


def target_tiles(tiles: pd.DataFrame, per_row: int = 4) -> None:
    """One st.metric per target: value, change since last month, target, status, deadline
    and clause."""
    rows = list(tiles.itertuples(index=False))
    for start in range(0, len(rows), per_row):  # ~10 targets
        cols = st.columns(per_row)
        for col, r in zip(cols, rows[start:start + per_row]):
            row = r._asdict()
            with col.container(border=True):
                delta = tile_delta(row)
                st.metric(row["name"], tile_value(row), delta, border=False,
                          delta_color="off" if delta and delta.startswith("持平") else "normal",
                          delta_arrow="off" if delta and delta.startswith("持平") else "auto")
                met = f"<br>{html.escape(_met(row))}" if _met(row) else ""
                assumed = f"<br><i>{ASSUMED_LABEL}</i>" if row["assumed"] else ""
                # programme-file text is escaped (nowrap escapes too): only our own tags reach the HTML
                st.markdown(f"{badge(row['status'])} {html.escape(_need(row))}<br>{nowrap(due_ref(row['due'], row['ref']))}"
                            f"{met}{assumed}", unsafe_allow_html=True, help=row.get("rule") or None)
                failing = list(row.get("failing") or []) + [f"{n}（未报送）" for n in row.get("unreported") or []]
                if failing:  # the names are the first of each list (ruralcore.app.overview.FAILING_LISTED)
                    with st.expander(f"未达标或未报送的{_count(row, 'failing') + _count(row, 'unreported'):,}个"):
                        st.markdown("、".join(failing))


def _count(row: dict, what: str) -> int:
    """How many units a tile's list stands for (its names may be only the first of them)."""
    n = row.get(f"{what}_n")
    return int(n) if n is not None and n == n else len(row.get(what) or [])


# ---- projector ---------------------------------------------------------------------------

# sizes scale with --s: 1 on the projector page, larger on a slide (the tiles have the screen)
_GRID_CSS = """
<style>
.rc-tiles {display: grid; grid-template-columns: repeat(var(--cols), minmax(0, 1fr)); gap: 10px 12px;}
.rc-tile {border: 2px solid #c8c8c8; border-left: 14px solid var(--rag); border-radius: 8px;
          padding: calc(6px * var(--s)) 12px calc(8px * var(--s)); line-height: 1.25; color: #000; background: #fff;}
.rc-tile .rc-name {font-size: calc(22px * var(--s)); font-weight: 600;}
.rc-tile .rc-fig {display: flex; align-items: baseline; flex-wrap: wrap; column-gap: 14px;}
.rc-tile .rc-value {font-size: calc(52px * var(--s)); font-weight: 800; line-height: 1.1;}
.rc-tile .rc-delta {font-size: calc(21px * var(--s)); white-space: nowrap;}
.rc-tile .rc-up {color: #1a7f37;} .rc-tile .rc-down {color: #c62828;} .rc-tile .rc-flat {color: #444;}
.rc-tile .rc-line {font-size: calc(21px * var(--s)); margin-top: 2px;}
.rc-tile .rc-assumed {font-size: calc(20px * var(--s)); font-style: italic; color: #333;}
</style>
"""


def grid_columns(n: int) -> int:
    """Columns of the projector grid: at most three rows of tiles, at least four tiles a
    row (fewer targets: one row)."""
    return max(1, min(n, max(4, math.ceil(n / 3))))


def _delta_html(row) -> str:
    d = row["delta"]
    if _missing(d):
        return ""
    unit = "个百分点" if row["unit"] == "%" else html.escape(str(row["unit"]))
    if round(d, 1) == 0:
        return "<span class='rc-delta rc-flat'>持平</span>"
    # green when the change moves towards the target, red when away from it; the header
    # line says the arrows compare with last month (short enough to stand beside the value)
    towards = (d > 0) == (row["op"] in (">=", ">")) if row["op"] in (">=", ">", "<=", "<") else None
    cls = "rc-flat" if towards is None else ("rc-up" if towards else "rc-down")
    return f"<span class='rc-delta {cls}'>{'↑' if d > 0 else '↓'}{abs(d):.1f}{unit}</span>"


def _card(name: str, figure: str, lines: list[str], color: str, kind: str = "tile") -> str:
    """One projector card (data-testid rc-``kind``): ``figure`` and ``lines`` are HTML."""
    body = "".join(f"<div class='rc-line'>{x}</div>" for x in lines if x)
    return (f"<div class='rc-tile' data-testid='rc-{kind}' style='--rag:{color}'>"
            f"<div class='rc-name'>{html.escape(name)}</div><div class='rc-fig'>{figure}</div>{body}</div>")


def projector_cards(cards: list[str], cols: int, scale: float = 1) -> None:
    st.html(f"{_GRID_CSS}<div class='rc-tiles' style='--cols:{cols};--s:{scale}'>{''.join(cards)}</div>")


def projector_tiles(tiles: pd.DataFrame, slide: bool = False) -> None:
    """Every target as a compact tile in one grid (grid_columns): name, value and change,
    status with the target, deadline and clause, regions meeting it. On a ``slide`` the
    type is larger, the more so the fewer rows."""
    cells = []
    for r in tiles.itertuples(index=False):
        row = r._asdict()
        assumed = f"<span class='rc-assumed'>{ASSUMED_LABEL}</span>" if row["assumed"] else ""
        cells.append(_card(row["name"], f"<span class='rc-value'>{html.escape(tile_value(row))}</span>{_delta_html(row)}",
                           [f"{badge(row['status'])} {html.escape(_need(row))}", nowrap(due_ref(row["due"], row["ref"])),
                            html.escape(_met(row)), assumed], RAG_COLORS.get(row["status"], NO_DATA_COLOR)))
    cols = grid_columns(len(cells))
    projector_cards(cells, cols, 1.35 if slide and math.ceil(len(cells) / cols) <= 2 else 1)


MILESTONE_COLORS = {"overdue": RAG_COLORS["red"], "due_soon": RAG_COLORS["amber"], "on_track": "#1f5fa8",
                    "done": RAG_COLORS["green"]}


def projector_countdown(rows: pd.DataFrame) -> None:
    """The next milestones as cards in one row: days left or overdue, deadline, clause."""
    cells = []
    for r in rows.itertuples(index=False):
        days = f"已逾期 {int(r.days_overdue)} 天" if r.status == "overdue" else f"还剩 {int(r.days_left)} 天"
        cells.append(_card(r.name, f"<span class='rc-value' style='font-size:44px'>{days}</span>",
                           [f"{html.escape(r.status_label)} · {nowrap(due_ref(r.due, r.ref))}"],
                           MILESTONE_COLORS.get(r.status, NO_DATA_COLOR), kind="milestone"))
    projector_cards(cells, max(len(cells), 4))
