"""Projector mode as the meeting room sees it at 1920×1080: every target tile of each
programme on the first screen under one header line, a slideshow turned by the buttons
and the keyboard (auto-advance only when chosen) whose slides fit the screen, and 逐级查看
down to a village, each with table text of at least 20 px and nothing that scrolls
sideways (every page of every demo role on a projector: test_page_text.py). Screenshots in
tests/artifacts/screenshots/ (projector*.png; the README's from here)."""
from __future__ import annotations

import re

import pytest

from ruralcore.app import overview as ov
from ruralcore.rules.programs import all_programs
from ruralcore.store import db
from tests.browser.textscan import NAMES, problems, projector_problems, visible_text
from tests.login_support import browser_login, ensure_account, go, pick

pytestmark = pytest.mark.browser

AUDITOR = "projector_auditor"  # reads every programme and every page but 账户管理
ADMIN = "huayuan_admin"  # 花垣县 county administrator (also in test_county_flow.py)
WIDTH, HEIGHT = 1920, 1080
# the lowest bottom edge of what the page shows (a slide must end inside the screen)
CONTENT_BOTTOM = """() => Math.max(...Array.from(document.querySelectorAll(
  '[data-testid="stMainBlockContainer"] [data-testid="stElementContainer"]'))
  .filter(e => e.offsetParent && e.getBoundingClientRect().height > 0).map(e => e.getBoundingClientRect().bottom))"""


@pytest.fixture(scope="module")
def accounts(browser_db_url) -> None:
    eng = db.get_engine(browser_db_url)
    ensure_account(eng, AUDITOR, "auditor", "")
    ensure_account(eng, ADMIN, "county_admin", "433124")


def _projector_on(page, wait_idle) -> None:
    """The sidebar's switch, as a user in the meeting room would."""
    page.locator('[data-testid="stSidebar"]').get_by_text("投影模式", exact=True).click()
    page.get_by_role("button", name="退出投影模式").wait_for(timeout=60_000)
    wait_idle(page)
    assert not page.locator('[data-testid="stSidebar"]').is_visible()


def _choose_program(page, wait_idle, title: str) -> None:
    """On a projector the programme is chosen in the header's 选择 popover."""
    page.get_by_role("button", name="选择").click()
    pick(page, page.get_by_role("combobox", name="方案", exact=True), title)
    wait_idle(page)
    page.keyboard.press("Escape")
    page.mouse.move(WIDTH // 2, HEIGHT - 2)  # no tooltip left over the header in the screenshot
    wait_idle(page, settle=0.3)


def _readable_and_fits(page, where: str) -> None:
    """Table text ≥ 20 px, nothing scrolls sideways, and the text reads in Chinese (the
    scan of tests/browser/textscan.py, as in normal mode)."""
    found = problems(visible_text(page), NAMES | {AUDITOR, ADMIN}) + projector_problems(page)
    assert not found, (where, found[:10])


def _expected_tiles(url: str, program) -> int:
    eng = db.get_engine(url)
    periods = ov.periods(eng, program.id)
    now, before = ov.load_month(eng, program.id, periods[-1]), ov.load_month(eng, program.id, periods[-2])
    return len(ov.target_tiles(program, now, before, ov.region_frame(eng, program.id)))


def test_every_tile_of_every_programme_on_the_first_screen(page, app_url, browser_db_url, accounts, wait_idle,
                                                           shoot, no_errors):
    browser_login(page, app_url, AUDITOR)
    go(page, "总览")
    page.locator("h1", has_text="总览").wait_for(timeout=60_000)
    wait_idle(page)
    _projector_on(page, wait_idle)
    title = page.locator("h1", has_text="总览")
    assert float(title.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 48
    # one header line: title, notes, choices and the way out share the first ~120 pixels
    header = page.locator('[class*="st-key-projector_header"]')
    assert header.bounding_box()["height"] <= 130
    for program in all_programs():
        _choose_program(page, wait_idle, program.meta.short_title)
        no_errors(page)
        tiles = page.locator('[data-testid="rc-tile"]')
        assert tiles.count() == _expected_tiles(browser_db_url, program), program.id
        for i in range(tiles.count()):
            box = tiles.nth(i).bounding_box()
            assert box["x"] >= 0 and box["y"] >= 0, (program.id, i, box)
            assert box["x"] + box["width"] <= WIDTH and box["y"] + box["height"] <= HEIGHT, (program.id, i, box)
            value = tiles.nth(i).locator(".rc-value")
            assert float(value.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 48
        _readable_and_fits(page, program.id)
        shoot(page, f"projector-{program.id}")


def test_slideshow_turns_by_hand_and_every_slide_fits(page, app_url, accounts, wait_idle, shoot, no_errors):
    browser_login(page, app_url, ADMIN)
    go(page, "总览")
    page.locator("h1", has_text="县领导小组总览").wait_for(timeout=60_000)
    wait_idle(page)
    _projector_on(page, wait_idle)
    shoot(page, "projector", readme=True)
    main = page.locator('[data-testid="stMain"]')
    page.get_by_text("幻灯片放映", exact=True).click()
    page.get_by_role("button", name="下一页 ▶").wait_for(timeout=60_000)
    wait_idle(page)
    page.get_by_role("button", name="选择").click()  # the choices: programme, month, auto-advance
    auto = page.get_by_role("switch", name="自动翻页")
    assert not auto.is_checked()  # a slide stays while the leader talks
    page.keyboard.press("Escape")
    wait_idle(page, settle=0.3)
    n = int(re.search(r"1 / (\d+)", main.inner_text()).group(1))
    assert n >= 5
    seen = []
    for i in range(1, n + 1):
        counter = re.search(rf"{i} / {n} (\S+)", main.inner_text())
        assert counter, (i, main.inner_text()[:300])
        seen.append(counter.group(1))
        no_errors(page)
        assert page.evaluate(CONTENT_BOTTOM) <= HEIGHT + 1, (i, seen[-1])  # the slide fills, never overflows
        _readable_and_fits(page, f"slide {seen[-1]}")
        if seen[-1] == "排名":
            top = main.locator(".rc-box table").first
            assert top.locator("tbody tr").count() >= 10
            shoot(page, "projector-ranking", readme=True)
        if i < n:  # the keyboard turns the page (→), as a presenter's clicker would
            if i % 2:
                page.keyboard.press("ArrowRight")
            else:
                page.get_by_role("button", name="下一页 ▶").click()
            main.get_by_text(f"{i + 1} / {n}").wait_for(timeout=60_000)
            wait_idle(page, settle=0.3)
    assert {"目标", "里程碑", "排名", "热力图"} <= set(seen)
    page.keyboard.press("ArrowLeft")
    main.get_by_text(f"{n - 1} / {n}").wait_for(timeout=60_000)
    page.get_by_role("button", name="退出投影模式").click()
    wait_idle(page)
    assert page.locator('[data-testid="stSidebar"]').is_visible()


def test_drilldown_to_a_village_in_projector_mode(page, app_url, accounts, wait_idle, shoot, no_errors):
    """逐级查看 down to a village on a projector (every page in projector mode, for each
    demo role: tests/browser/test_page_text.py)."""
    browser_login(page, app_url, ADMIN)
    # the sidebar is hidden on a projector: open the page by its link, as a bookmark would
    page.goto(f"{app_url}/drilldown?projector=1&program=huayuan-2019")
    page.locator("h1", has_text="逐级查看").wait_for(timeout=60_000)
    wait_idle(page)
    _readable_and_fits(page, "逐级查看")
    assert page.locator('[data-testid="stMain"] .rc-box td').count() > 0  # its table was measured
    # a township, then a village (chosen in the selectors, as a presenter with a clicker would)
    for label in ("乡镇", "村"):
        page.get_by_role("combobox", name=label, exact=True).click()
        page.get_by_role("option").nth(1).click()
        wait_idle(page)
        no_errors(page)
        _readable_and_fits(page, f"逐级查看 {label}")
        shoot(page, f"projector-drilldown-{'township' if label == '乡镇' else 'village'}")
