"""Red/amber/green target tiles (st.metric with the change since last month)."""
from __future__ import annotations

import math
from html import escape

import pandas as pd
import streamlit as st

from ruralcore.fmt import date_zh, value_with_unit
from ruralcore.programs import ASSUMED_LABEL

from .theme import RAG_COLORS

STATUS_TEXT = {"green": "达标", "amber": "接近目标", "red": "落后", "incomplete": "未报齐", "no_data": "无数据"}
OP_TEXT = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "==": "="}


def tile_value(row) -> str:
    return value_with_unit(row["value"], row["unit"])


def tile_delta(row) -> str | None:
    d = row["delta"]
    if d is None or (isinstance(d, float) and math.isnan(d)):
        return None
    unit = "个百分点" if row["unit"] == "%" else row["unit"]
    if round(d, 1) == 0:
        return "持平（较上月）"
    return f"{d:+.1f}{unit}（较上月）"


def badge(status: str) -> str:
    color = RAG_COLORS.get(status, "#757575")
    return (f"<span style='display:inline-block;padding:2px 10px;border-radius:6px;background:{color};"
            f"color:#fff;font-weight:700'>● {STATUS_TEXT.get(status, status)}</span>")


def target_tiles(tiles: pd.DataFrame, per_row: int = 4) -> None:
    """One st.metric per target: value, change since last month, target, status, clause."""
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
                need = f"目标 {OP_TEXT.get(row['op'], row['op'])} {value_with_unit(row['threshold'], row['unit'])}"
                due = f"，期限 {date_zh(row['due'])}" if row["due"] else ""
                met = f"<br>{escape(row['units_text'])}" if row.get("units_text") else ""
                assumed = f"<br><i>{ASSUMED_LABEL}</i>" if row["assumed"] else ""
                # programme-file text is escaped: only our own tags reach the HTML
                st.markdown(f"{badge(row['status'])} {escape(need + due)}（{escape(str(row['ref']))}）"
                            f"{met}{assumed}", unsafe_allow_html=True, help=row.get("rule") or None)
                failing = list(row.get("failing") or []) + [f"{n}（未报送）" for n in row.get("unreported") or []]
                if failing:
                    with st.expander(f"未达标或未报送的{len(failing)}个"):
                        st.markdown("、".join(failing))
