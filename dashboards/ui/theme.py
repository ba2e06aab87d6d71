"""Look of the app: normal and projector mode (large type, high contrast, no sidebar)."""
from __future__ import annotations

import streamlit as st

from ruralcore.kernel.limits import MAX_UPLOAD_MB

PROJECTOR_KEY = "projector"

# Readable from the back of a meeting room at 1920×1080. Streamlit sizes its type in rem,
# and so does its table grid (drawn on a canvas, out of CSS's reach): it reads the root
# font size when a table is drawn. A 24-pixel root therefore enlarges everything by half,
# grids and selectbox values included (their text 21 px); the rules below only trim
# headings and spacing so that a page's first screen holds its key figures.
PROJECTOR_ROOT_PX = 24
_PROJECTOR_CSS = f"""
<style>
html {{font-size: {PROJECTOR_ROOT_PX}px !important;}}
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], header[data-testid="stHeader"],
[data-testid="stAppDeployButton"] {{display: none !important;}}
.block-container {{padding: 10px 32px 48px 32px !important; max-width: 100% !important;}}
html, body, [data-testid="stAppViewContainer"] {{background: #ffffff !important; color: #000000 !important;}}
[data-testid="stMain"] {{overflow-x: hidden;}}
h1 {{font-size: 2rem !important; padding: 0 !important; line-height: 1.2 !important;}}
h2 {{font-size: 1.6rem !important; padding: 0.2rem 0 !important;}}
h3 {{font-size: 1.35rem !important; padding: 0.15rem 0 !important;}}
[data-testid="stMetricValue"], [data-testid="stMetricValue"] p {{font-size: 2rem !important; font-weight: 700 !important; line-height: 1.15 !important;}}
[data-testid="stMetricLabel"] p {{font-size: 1rem !important;}}
[data-testid="stMetric"] .stMarkdownEllipsis, [data-testid="stMetric"] .stMarkdownEllipsis p {{white-space: normal !important; overflow: visible !important; text-overflow: clip !important;}}
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p {{font-size: 0.9rem !important; color: #333 !important;}}
</style>
"""

_NORMAL_CSS = """
<style>
[data-testid="stAppDeployButton"] {display: none !important;}
.block-container {padding-top: 2rem;}
[data-testid="stMetricValue"] {font-size: 2rem;}
/* long target names wrap instead of being cut off */
[data-testid="stMetric"] .stMarkdownEllipsis, [data-testid="stMetric"] .stMarkdownEllipsis p {white-space: normal !important; overflow: visible !important; text-overflow: clip !important;}
/* a phone (village reporters, township officers): thumb-sized targets, 16 px text, no side scrolling */
@media (max-width: 640px) {
  .block-container {padding-left: 0.75rem !important; padding-right: 0.75rem !important; padding-top: 3.5rem !important;}
  [data-testid="stAppViewContainer"] p, [data-testid="stAppViewContainer"] li, [data-testid="stAppViewContainer"] label,
  [data-testid="stMarkdownContainer"], [data-testid="stWidgetLabel"] p, [data-testid="stCaptionContainer"] p,
  input, textarea, button p {font-size: 16px !important;}
  input, button, [data-baseweb="select"] > div, [data-baseweb="input"], [data-testid="stPageLink"] a {min-height: 44px !important;}
  [data-testid="stNumberInputContainer"] button, [data-testid="stTooltipHoverTarget"] button,
  [data-testid="stExpandSidebarButton"], [data-testid="stSidebarCollapseButton"] button {min-width: 44px !important;}
  [data-testid="stMetricValue"] [data-testid="stMarkdownContainer"], [data-testid="stMetricValue"] p {font-size: 1.75rem !important;}
  [data-testid="stCode"] pre, [data-testid="stCode"] code {white-space: pre-wrap !important; word-break: break-all;}
  [data-testid="stMain"] img, [data-testid="stMain"] table {max-width: 100% !important;}
}
</style>
"""

# Streamlit has no localisation: its file uploader's English (the “Upload” button, “20MB
# per file • XLSX, CSV”) is hidden and said in Chinese, with the limit of ruralcore.kernel.limits.
# Both modes (rem: larger on a projector).
_UPLOADER_CSS = """
<style>
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p {font-size: 0 !important;}
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p::after
  {content: "选择文件"; font-size: 0.875rem;}
[data-testid="stFileUploaderDropzoneInstructions"] span {font-size: 0 !important;}
[data-testid="stFileUploaderDropzoneInstructions"] span::after
  {content: "把文件拖到这里，或点击“选择文件”；单个文件不超过MAX_MB"; font-size: 0.875rem;}
</style>
""".replace("MAX_MB", f"{MAX_UPLOAD_MB}MB")
# A slide's chart fills the screen under the header line and the slide's heading.
SLIDE_CHART_PX = 780

# Colours for red/amber/green that stay distinct on a washed-out projector and for colour-blind viewers.
RAG_COLORS = {"green": "#1a7f37", "amber": "#d4a000", "red": "#c62828"}
# Light cell backgrounds for a status in a table (black text stays readable on each).
LIGHT_BG = {"green": "#d7f0dc", "amber": "#fff1c2", "red": "#f8c9c9", "incomplete": "#e4e4e4", "no_data": "#f2f2f2"}
AWARD_COLORS = {"excellent": "#b8860b", "qualified": "#1a7f37", "not_qualified": "#9e9e9e"}


def projector_on() -> bool:
    if PROJECTOR_KEY not in st.session_state:
        st.session_state[PROJECTOR_KEY] = st.query_params.get("projector") == "1"
    return bool(st.session_state[PROJECTOR_KEY])


def apply_theme() -> None:
    css = (_PROJECTOR_CSS + _UPLOADER_CSS) if projector_on() else (_NORMAL_CSS + _UPLOADER_CSS)
    st.markdown(css, unsafe_allow_html=True)


def font_size() -> int:
    """Base font size for plotly figures."""
    return 24 if projector_on() else 14


def _legend_rows(names: list[str], size: int, width: int = 760) -> int:
    """How many rows a horizontal legend of ``names`` takes in a chart ``width`` pixels
    wide (an estimate on the narrow side: a chart in half a 1920-pixel screen)."""
    rows, used = 1, 0
    for n in names:
        item = 40 + int(len(n) * size * 0.95)
        if used and used + item > width:
            rows, used = rows + 1, 0
        used += item
    return rows


def style_figure(fig, height: int | None = None, top_extra: int = 0):
    """Fonts, size and white background; the title at the top, the legend (if any) in its
    own band under the title and the plot below both, so neither prints over the other.
    ``top_extra``: pixels kept free just above the plot (e.g. for an annotation there)."""
    big = projector_on()
    size = font_size()
    height = height or ((SLIDE_CHART_PX if st.session_state.get("slideshow") else 620) if big else 420)
    title_px = int((size + 4) * 1.6) if fig.layout.title.text else 0
    names = [t.name for t in fig.data if t.name and t.showlegend is not False]
    legend = fig.layout.showlegend is True or (fig.layout.showlegend is None and len(fig.data) > 1 and names)
    legend_px = _legend_rows(names, size) * int(size * 1.5) + 8 if legend else 0
    fig.update_layout(
        font=dict(size=size, family="Noto Sans CJK SC, Microsoft YaHei, sans-serif", color="#000"),
        title=dict(y=1 - 8 / height, yref="container", yanchor="top", x=0.01, xanchor="left"),
        margin=dict(l=20, t=12 + title_px + legend_px + top_extra, b=20),
        title_font=dict(size=size + 4),
        # a slideshow page holds one panel: let its chart fill the 1080-pixel screen
        height=height,
        paper_bgcolor="white", plot_bgcolor="white",
        legend=dict(orientation="h", yref="container", yanchor="top", y=1 - (10 + title_px) / height,
                    x=0, xanchor="left"),
    )
    fig.update_xaxes(automargin=True, tickfont=dict(size=size))
    fig.update_yaxes(automargin=True, tickfont=dict(size=size))
    unit = fig.layout.yaxis.title.text
    if unit and len(unit) <= 2:  # a unit turned on its side (“个” reads “<”): on the ticks instead
        fig.update_yaxes(title_text=None, ticksuffix=unit)
    return fig


def rag_css(status: str) -> str:
    """CSS of a table cell whose value has ``status`` (green / amber / red / incomplete / no_data)."""
    return f"background-color: {LIGHT_BG.get(status, '')}; color: #000" if status in LIGHT_BG else ""
