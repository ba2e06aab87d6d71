"""What a reader sees on a page, and what must not be there: tracebacks, English UI words,
"None"/"nan", ISO dates and raw operators; on a projector also table text under 20 px and
anything that scrolls sideways. Used by tests/browser/test_page_text.py (both modes) and
test_projector.py.

The text is every visible text of the main column and the sidebar (not the material
icons' ligature names: an icon such as "science" is drawn as a glyph, not read as a word;
not text that CSS hides), the values in the input fields, and what a canvas or a chart
draws: the grids' accessible mirrors and the charts' SVG text."""
from __future__ import annotations

import getpass
import re

from ruralcore.auth.accounts import DEMO_ACCOUNTS

# Latin tokens that are the product's own vocabulary (technologies, file formats, units)
ALLOWED = {
    "MAS",  # 移动云MAS (花垣 三(一))
    "IPTV", "WiFi", "Wi", "Fi", "APP", "App",
    "Excel", "Word", "CSV", "XLSX", "XLS", "MB",  # 导出Excel, 下载通报（Word）, the uploader's size
    "Mbps", "M",  # 宽带（兆）, 100M
    "GB", "ID", "LED",  # LED屏幕 (融水 附件2)
    "RS",  # 融水 station numbers: 桂B + RS (the county's initials) + sequence
}
# user names are people's and accounts' names, not UI words: the demo accounts and the
# operating-system user the command line records
# (系统（命令行，操作系统用户 X）)
NAMES = {name for name, _r, _d, _s in DEMO_ACCOUNTS} | {getpass.getuser()}
WORD = re.compile(r"(?<![A-Za-z0-9_])[A-Za-z]{2,}(?![A-Za-z0-9_])")
ISO_DATE = re.compile(r"(?<!\d)\d{4}-\d{1,2}(?:-\d{1,2})?(?!\d)")
OPERATORS = re.compile(r">=|<=|!=|==")
TRACEBACK = re.compile(r"Traceback|File \"|line \d+, in |Error\b|Exception\b|Ask Google|Ask ChatGPT")

_VISIBLE_TEXT = """() => {
  const skip = (el) => el.closest('[data-testid="stIconMaterial"], span[role="img"][translate="no"]')
                       || !el.checkVisibility({ visibilityProperty: true, opacityProperty: true })
                       || parseFloat(getComputedStyle(el).fontSize) === 0;  // hidden by CSS (the uploader's English)
  const parts = [];
  for (const sel of ['[data-testid="stMain"]', '[data-testid="stSidebar"]']) {
    const root = document.querySelector(sel);
    if (!root) continue;
    const walk = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let n = walk.nextNode(); n; n = walk.nextNode()) {
      const t = n.textContent.trim();
      if (t && n.parentElement && !n.parentElement.closest('script, style') && !skip(n.parentElement)) parts.push(t);
    }
  }
  // grids draw on a canvas: their accessible mirror holds the visible cells
  document.querySelectorAll('[data-testid="stDataFrame"] [role="gridcell"], [data-testid="stDataFrame"] [role="columnheader"]')
          .forEach(c => parts.push(c.textContent));
  document.querySelectorAll('.js-plotly-plot text').forEach(t => parts.push(t.textContent));
  // what an input box shows (not a checkbox's "on", not a date field's hidden ISO value)
  document.querySelectorAll('[data-testid="stMain"] input, [data-testid="stSidebar"] input')
          .forEach(i => { if (i.value && ['text', 'number', 'search'].includes(i.type) && !skip(i)) parts.push(i.value); });
  return parts.join('\\n');
}"""


def visible_text(page) -> str:
    return page.evaluate(_VISIBLE_TEXT)


def problems(text: str, allowed: set[str] = frozenset()) -> list[str]:
    """What must not be on a page, each with a little of its context."""
    found = []

    def near(m) -> str:
        return text[max(0, m.start() - 15): m.end() + 15].replace("\n", " ")

    for m in TRACEBACK.finditer(text):
        found.append(f"traceback: {near(m)}")
    for m in WORD.finditer(text):
        if m.group() not in ALLOWED and m.group() not in allowed:
            found.append(f"English “{m.group()}”: {near(m)}")
    for m in ISO_DATE.finditer(text):
        found.append(f"ISO date “{m.group()}”: {near(m)}")
    for m in OPERATORS.finditer(text):
        found.append(f"operator “{m.group()}”: {near(m)}")
    return found


# a projector's tables are read from the back of the room: every table's text size — HTML
# tables (the projector's, st.table), the canvas grid's type (its CSS variable) and the
# selectboxes' values
MIN_TABLE_PX = 20
_TABLE_TEXT_PX = """() => [
  ...Array.from(document.querySelectorAll('[data-testid="stMain"] :is(.rc-box, [data-testid="stTable"]) :is(td, th)'))
     .filter(e => e.innerText.trim()).map(e => ['table', parseFloat(getComputedStyle(e).fontSize)]),
  ...Array.from(document.querySelectorAll('[data-testid="stMain"] .stDataFrameGlideDataEditor'))
     .map(e => ['grid', parseFloat(getComputedStyle(e).getPropertyValue('--gdg-base-font-style').split(' ')[1])]),
  ...Array.from(document.querySelectorAll('[data-testid="stMain"] [data-testid="stSelectbox"] input'))
     .map(e => ['selectbox', parseFloat(getComputedStyle(e).fontSize)])]"""
# what scrolls sideways: the page itself, or any box in it
_SIDEWAYS = """() => [
  ...(document.documentElement.scrollWidth > window.innerWidth ? ['page'] : []),
  ...Array.from(document.querySelectorAll('[data-testid="stMain"] *'))
     .filter(e => e.scrollWidth - e.clientWidth > 1 && /auto|scroll/.test(getComputedStyle(e).overflowX))
     .map(e => (e.getAttribute('data-testid') || e.tagName) + ': ' + e.innerText.slice(0, 40))]"""


def table_text_px(page) -> list:
    """[kind, pixels] of every table cell, grid and selectbox value in the main column."""
    return page.evaluate(_TABLE_TEXT_PX)


def projector_problems(page) -> list[str]:
    """Table text under MIN_TABLE_PX and what scrolls sideways (on a projector)."""
    small = [f"{kind} text {px:g} px" for kind, px in table_text_px(page) if px < MIN_TABLE_PX]
    return small[:5] + [f"scrolls sideways: {s}" for s in page.evaluate(_SIDEWAYS)]
