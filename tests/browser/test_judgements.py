"""Issue 12's judgements on screen, on the demo data, as the auditor reads them: colours
follow the rule of each kind of target and ties are said to be 并列.

- 银川移民区: 四(三) 每个移民村至少有1名电商扶贫高级人才 is met only when every village
  meets it; no count (村均 5人/10人, 10个乡镇卫生院) is ever 接近 (amber); each 情况 cell
  has the colour of its word.
- 总览 (谭家场): 二 “到2023年底全乡完成4个行政村数字乡村建设” is a count — 达标 or 落后,
  never 接近目标; every badge has the colour of its word.
- 县区评分 (忻州): counties equal on the three ranking rates share a rank written 并列,
  and the page says how counties are ranked (文件未规定，系统默认).
Screenshots under tests/artifacts/screenshots/judgements-*.png."""
from __future__ import annotations

import re

import pytest

from ruralcore.rules.programs import load_program
from ruralcore.store import db
from tests.login_support import browser_login, ensure_account, go, pick

pytestmark = pytest.mark.browser

# the colours of dashboards/ui/theme.py (RAG_COLORS for badges, LIGHT_BG for table cells), as the browser reports them
BADGE = {"达标": "rgb(26, 127, 55)", "接近目标": "rgb(212, 160, 0)", "落后": "rgb(198, 40, 40)"}
CELL = {"达标": "rgb(215, 240, 220)", "接近": "rgb(255, 241, 194)", "未达标": "rgb(248, 201, 201)",
        "未报齐": "rgb(228, 228, 228)", "无数据": "rgb(242, 242, 242)"}
ROWS_JS = """box => [...box.querySelectorAll('tbody tr')].map(tr => [...tr.querySelectorAll('td')].map(td =>
    [td.innerText.trim(), getComputedStyle(td).backgroundColor]))"""


def _programme(page, wait_idle, title: str) -> None:
    pick(page, page.locator('[data-testid="stSidebar"]').get_by_role("combobox", name="方案", exact=True), title)
    wait_idle(page)


def _first_table(page):
    box = page.locator('[data-testid="stMain"] div.rc-box').first
    box.wait_for(timeout=60_000)
    heads = [re.sub(r"\s+", "", h) for h in box.locator("thead th").all_inner_texts()]
    return heads, box.evaluate(ROWS_JS)


def test_colours_and_ties_on_the_demo(page, app_url, browser_db_url, wait_idle, shoot, no_errors):
    who = ensure_account(db.get_engine(browser_db_url), "judge_auditor", "auditor", "")
    browser_login(page, app_url, who)
    main = page.locator('[data-testid="stMain"]')

    # ---- 银川移民区 ------------------------------------------------------------------
    yc = load_program("yinchuan-2017")
    go(page, "银川移民区")
    page.locator("h1", has_text="银川移民区").wait_for()
    wait_idle(page)
    heads, rows = _first_table(page)
    col = {h: i for i, h in enumerate(heads)}
    # the district table: a count row (人/村, 个) is green or red, never amber
    dist = page.locator('[data-testid="stMain"] div.rc-box').nth(1).evaluate(ROWS_JS)
    for r in dist:
        if r[0][0].endswith(("（人/村）", "（个）")):
            assert all(bg != CELL["接近"] for _, bg in r[1:]), r
    shown = {r[col["目标"]][0]: (r[col["情况"]][0], r[col["情况"]][1], r[col["全市现状"]][0]) for r in rows}
    kinds = {t.name: t.kind for t in yc.targets if t.indicator}
    for name, (word, bg, now) in shown.items():
        if word in CELL:
            assert bg == CELL[word], (name, word, bg)
        if kinds.get(name) != "rate":
            assert word != "接近", (name, word)  # only a rate has an amber band
    talent = "每个移民村至少有1名电商扶贫高级人才"
    word, _, now = shown[talent]
    m = re.search(r"(\d+)个\S*?村中(\d+)个达标", now)  # “18个村中10个达标，4个未报送…”
    assert m, now
    every = m.group(1) == m.group(2) and "未报送" not in now
    assert (word == "达标") == every, (word, now)  # every village, not the total
    if not every:
        assert word in ("未达标", "未报齐"), (word, now)
    no_errors(page)
    shoot(page, "judgements-resettlement", full_page=True)

    # ---- 总览 (谭家场) --------------------------------------------------------------
    tj = load_program("tanjiachang-2023")
    go(page, "总览")
    page.locator("h1", has_text="总览").wait_for()
    wait_idle(page)
    _programme(page, wait_idle, tj.meta.short_title)
    count = next(t for t in tj.targets if t.code == "digital_villages_4_2023")
    # the tile: the nearest block around the metric's label that holds a status badge
    tile = main.locator(f'xpath=//*[@data-testid="stMetricLabel"][contains(., "{count.name}")]'
                        '/ancestor::div[.//span[starts-with(normalize-space(.), "●")]][1]').first
    tile.wait_for(timeout=60_000)
    tile.scroll_into_view_if_needed()
    badges = page.locator('[data-testid="stMain"] span', has_text=re.compile("^● "))
    seen = badges.evaluate_all("els => els.map(e => [e.innerText.trim(), getComputedStyle(e).backgroundColor])")
    assert seen
    for text, bg in seen:
        word = text.removeprefix("● ")
        if word in BADGE:
            assert bg == BADGE[word], (text, bg)
    mine = tile.locator("span", has_text=re.compile("^● ")).first.inner_text().removeprefix("● ")
    assert mine in ("达标", "落后"), mine  # a count (完成N个，目标4个) is never 接近目标
    no_errors(page)
    shoot(page, "judgements-overview-tanjiachang")

    # ---- 县区评分 (忻州) -------------------------------------------------------------
    go(page, "县区评分")
    page.locator("h1", has_text="县区评分").wait_for()
    wait_idle(page)
    _programme(page, wait_idle, load_program("xinzhou-2023").meta.short_title)
    heads, rows = _first_table(page)
    ranks = [r[heads.index("排名")][0] for r in rows]
    rates = [heads.index(h) for h in heads if h.endswith("率（%）") and h not in ("支出率（%）", "指标建成率（%）")]
    for r in rows:  # each rate cell wears a status colour (LIGHT_BG), never an unlisted one
        for i in rates:
            assert r[i][1] in set(CELL.values()), (r[0][0], heads[i], r[i])
    tied = [x for x in ranks if x.endswith("（并列）")]
    assert tied, ranks  # the demo's six counties equal on all three rates
    for x in set(tied):  # a shared rank is written the same for each county holding it
        assert ranks.count(x) >= 2, (x, ranks)
    assert main.get_by_text(re.compile("排名：.*并列")).first.is_visible()
    assert main.get_by_text(re.compile("文件未规定，系统默认")).first.is_visible()
    no_errors(page)
    shoot(page, "judgements-scorecard", full_page=True)
